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

One setting ``mallopt`` cannot make: each thread's cache of freed small blocks (glibc's
tcache: up to 7 blocks of each size up to 1 KiB, per thread). Its blocks count as in use,
so neither a trim nor the heap's own merging of free neighbours can give back the pages
they lie on, and with a dozen threads (the poller, listings, calls) the heaps crept while
the live memory stayed flat. In four pairs of 10-minute soaks started in the same second
(benchmarks/soak.py; RELIABILITY.md, tenth pass), glibc's in-use memory grew +0.35 to
+0.43 MB over the judged 8 minutes with the cache and +0.07 to +0.11 MB without, and RSS
+5.90 to +25.11 MB/h against +1.97 to +5.93. glibc reads the setting only as a process
starts (``GLIBC_TUNABLES``), so :func:`relaunch` starts the process again with the cache
off, once, before the app is imported (``amitui.launch``; ~20 ms, lost in the startup
benchmark's noise). Processes started from it inherit the setting; a user's own tcache
setting is left as it is.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from collections.abc import Callable, Mapping

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
#: glibc's start-time settings (``GLIBC_TUNABLES``): no per-thread cache of freed blocks
TUNABLE = "glibc.malloc.tcache_count"
TUNABLES = f"{TUNABLE}=0"
#: set in the environment by the relaunch: glibc drops tunables in secure mode (a setuid or
#: setcap Python), so the tunable alone would not stop a second one
RELAUNCHED = "AMITUI_RELAUNCHED"


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


def is_glibc() -> bool:
    """This process runs on glibc (``confstr`` answers without loading anything)."""
    confstr = getattr(os, "confstr", None)  # none on Windows
    try:
        return confstr is not None and bool(confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError):  # not a name this system knows (macOS), or no answer
        return False


def relaunch(
    environ: Mapping[str, str] = os.environ,
    execve: Callable[[str, list[str], dict[str, str]], object] = os.execve,
) -> None:
    """Start this process again (``exec``: same pid, terminal and arguments) with
    ``TUNABLES`` added to ``GLIBC_TUNABLES`` in the new process's environment; returns
    instead where it does not: after the relaunch (``RELAUNCHED`` is set), where the user
    has a tcache setting of their own, without glibc, in a frozen build, with no command
    line to start again (an interactive interpreter, a program read from stdin), or where
    the exec fails (this process's environment is left as it was). Call it first, before
    threads or files: no Python state survives it."""
    current = environ.get("GLIBC_TUNABLES", "")
    if RELAUNCHED in environ or TUNABLE in current or not _restartable() or not is_glibc():
        return
    tunables = f"{current}:{TUNABLES}" if current else TUNABLES
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    new_environ = {**environ, "GLIBC_TUNABLES": tunables, RELAUNCHED: "1"}
    # a failed exec (nothing to start again; ValueError: an empty argv[0]) goes on as it is
    with contextlib.suppress(OSError, ValueError):
        execve(sys.executable, list(sys.orig_argv), new_environ)


def _restartable() -> bool:
    """The interpreter's command line starts this program again."""
    argv = sys.orig_argv
    return (
        bool(argv and sys.executable)
        and not getattr(sys, "frozen", False)
        and not sys.flags.interactive
        and argv[-1] != "-"
        and len(argv) > 1
    )
