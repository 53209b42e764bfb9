"""SQLite's own heap in this process (``sqlite3_memory_used``), for the store's memory test
and the soak benchmark (benchmarks/soak_figures.py)."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def sqlite_memory_used() -> Callable[[], int] | None:
    """SQLite's ``sqlite3_memory_used`` (bytes), from the shared libsqlite3 Python's sqlite3
    module uses; None where it is not found (linked in, or another platform)."""
    try:
        library = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")
        function = library.sqlite3_memory_used
    except (OSError, AttributeError):
        return None
    function.restype = ctypes.c_int64
    return function  # type: ignore[no-any-return]
