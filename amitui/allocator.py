"""glibc's malloc, told to hold less memory (Linux with glibc only; elsewhere a no-op).

The soak (benchmarks/soak.py) found the app's live Python objects flat after warm-up while
its RSS kept creeping: memory the allocators hold, not memory the app uses. Two things
here, both through ``ctypes`` on the C library already loaded into the process (no
dependency, no subprocess to find it):

- :func:`tune`, early at startup (``amitui.cli.make_app``), fixes malloc's thresholds.
  glibc raises its mmap threshold every time a large block is freed (up to 32 MiB), so
  after the first big answer (a listing page's XML, a cache write) every later big buffer
  comes from the heap, where it fragments it and stays after it is freed; fixed
  thresholds keep big buffers in their own mappings, given back when freed. It also
  bounds the number of malloc arenas: each thread may otherwise get its own (up to 8 per
  core), each holding its own free memory; the GIL leaves little for them to contend on.
- :func:`trim` is ``malloc_trim(0)``: every arena gives the free pages it holds back to
  the system. The collector (``amitui.ui.collector``) calls it after the full collections
  it runs while the user is idle.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable

#: mallopt's parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

#: blocks this big or bigger get their own mapping, unmapped when freed (glibc's default
#: starting value, no longer raised by every large free)
MMAP_THRESHOLD = 128 * 1024
#: free memory at the heap's top beyond this goes back at once (glibc's default, fixed)
TRIM_THRESHOLD = 128 * 1024
#: malloc arenas for all threads together
ARENA_MAX = 2


def _libc_function(name: str) -> Callable[..., int] | None:
    """``name`` from the C library of this process, or None (not Linux, not glibc)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):  # musl has no malloc_trim, for one
        return None
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


def tune(
    arena_max: int = ARENA_MAX,
    mmap_threshold: int = MMAP_THRESHOLD,
    trim_threshold: int = TRIM_THRESHOLD,
) -> bool:
    """Fix malloc's thresholds and bound its arenas (arenas made before keep existing);
    False: no glibc ``mallopt`` here, or it refused a value."""
    mallopt = _libc_function("mallopt")
    if mallopt is None:
        return False
    settings = (
        (M_ARENA_MAX, arena_max),
        (M_MMAP_THRESHOLD, mmap_threshold),
        (M_TRIM_THRESHOLD, trim_threshold),
    )
    return all(mallopt(ctypes.c_int(p), ctypes.c_int(v)) == 1 for p, v in settings)


def trim() -> bool:
    """``malloc_trim(0)``: give the free memory malloc holds back to the system; whether
    there was a ``malloc_trim`` to call (the answer of glibc, whether it released
    anything, is not reported: it says 0 when only whole pages inside the heap went)."""
    malloc_trim = _libc_function("malloc_trim")
    if malloc_trim is None:
        return False
    malloc_trim(ctypes.c_size_t(0))
    return True
