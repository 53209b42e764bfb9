"""Where the soak's memory went: what is allocated and kept between two points of the run
(the end of warm-up and the end of the run). Each point first runs a full collection, so
what is counted is reachable, not garbage waiting for the collector.

- a census of live objects by type (``gc.get_objects()``: containers only, so strings and
  numbers show up through the objects holding them), diffed; a heap frozen by a listing
  (``gc.freeze``) is thawed for the count and frozen again;
- ``tracemalloc`` snapshots (when tracing), diffed by traceback.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import sys
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field

from tests.support.sqlite_heap import sqlite_memory_used


def type_name(obj: object) -> str:
    kind = type(obj)
    return sys.intern(f"{kind.__module__}.{kind.__qualname__}")


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",  # bytes of the malloc heaps (sbrk'd and arenas of other threads)
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",  # bytes in chunks mmap'd on their own (large allocations)
            "usmblks",
            "fsmblks",
            "uordblks",  # bytes in use
            "fordblks",  # bytes free in the heaps (held, not returned)
            "keepcost",
        )
    ]


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library, looked up once: ``find_library`` runs ``ldconfig -p`` (a child
    process and 40 kB of output read into this process) each time, and the soak samples
    every few seconds inside the process it measures."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def malloc_state() -> dict[str, float] | None:
    """glibc's malloc, all arenas (MB): in use, free but held, mmap'd chunks; None if this
    libc has no ``mallinfo2``. Python's own small objects (pymalloc's 1 MiB arenas) are
    mmap'd apart and not in these figures."""
    try:
        mallinfo2 = _libc().mallinfo2  # type: ignore[union-attr]
    except AttributeError:  # (no libc found: None has no attribute either)
        return None
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    mb = 1024 * 1024
    return {
        "in use": info.uordblks / mb,
        "free, held": info.fordblks / mb,
        "mmap'd": info.hblkhd / mb,
    }


def pymalloc_arenas() -> int | None:
    """Python's own small-object arenas (1 MiB each) mapped now, from
    ``sys._debugmallocstats`` (which writes to fd 2: caught in a file); None if unknown."""
    import os
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile("w+") as caught:
            os.dup2(caught.fileno(), 2)
            try:
                sys._debugmallocstats()
            finally:
                os.dup2(saved, 2)
            caught.seek(0)
            for line in caught:
                if line.startswith("# arenas allocated current"):
                    return int(line.rsplit("=", 1)[1].replace(",", ""))
    finally:
        os.close(saved)
    return None


def sqlite_memory_mb() -> float:
    """The bytes SQLite holds on the heap now (its page caches, statements), in MB; -1.0
    if unknown."""
    used = sqlite_memory_used()
    return -1.0 if used is None else used() / (1024 * 1024)


def malloc_trim() -> bool:
    """glibc's ``malloc_trim(0)``: give the free memory its heaps hold back to the system
    (False: this libc has none)."""
    try:
        trim = _libc().malloc_trim  # type: ignore[union-attr]
    except AttributeError:
        return False
    trim(0)
    return True


@dataclass
class Census:
    """Live objects by type at one point, and a tracemalloc snapshot when tracing."""

    at: float
    types: Counter[str]
    snapshot: tracemalloc.Snapshot | None = field(default=None, repr=False)
    malloc: dict[str, float] | None = None
    #: entries held by each bounded cache (functools.lru_cache, Textual's LRUCache and
    #: FIFOCache: the latter summed by type), and its bound: caches that fill as new
    #: strings come (ids, names, messages) grow until full, then stay
    caches: dict[str, tuple[int, int]] = field(default_factory=dict)


def take_census(at: float) -> Census:
    frozen = gc.get_freeze_count()
    if frozen:  # a listing froze the heap: gc.get_objects() would leave all of it out
        gc.unfreeze()
    gc.collect()
    objects = gc.get_objects()
    types = Counter(type_name(o) for o in objects)
    caches = cache_sizes(objects)
    del objects
    if frozen:
        gc.freeze()  # as the listing left it (what died meanwhile was just collected)
    snapshot = tracemalloc.take_snapshot() if tracemalloc.is_tracing() else None
    return Census(at, types, snapshot, malloc_state(), caches)


def cache_sizes(objects: list[object]) -> dict[str, tuple[int, int]]:
    """Entries and bound of every ``functools.lru_cache`` (by function), and of Textual's
    ``LRUCache``/``FIFOCache`` (summed by type: there is one per widget)."""
    from textual.cache import FIFOCache, LRUCache

    sizes: dict[str, tuple[int, int]] = {}
    for obj in objects:
        if isinstance(obj, functools._lru_cache_wrapper):
            info = obj.cache_info()
            name = f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', '?')}"
            sizes[name] = (info.currsize, info.maxsize or 0)
        elif isinstance(obj, LRUCache | FIFOCache):
            name = type_name(obj) + " (all)"
            held, bound = sizes.get(name, (0, 0))
            sizes[name] = (held + len(obj), bound + obj._maxsize)  # (FIFOCache: no property)
    return sizes


def print_census_diff(before: Census, after: Census, top: int = 25) -> None:
    diff = after.types.copy()
    diff.subtract(before.types)
    grown = sorted(diff.items(), key=lambda kv: -abs(kv[1]))[:top]
    print(
        f"census: live objects by type, {before.at:.0f} s → {after.at:.0f} s"
        f" ({sum(before.types.values())} → {sum(after.types.values())}; top {top} by change)"
    )
    for name, change in grown:
        if change:
            print(f"  {change:+8d}  {after.types[name]:8d}  {name}")
    if before.malloc and after.malloc:
        print(
            "malloc (glibc, MB): "
            + ", ".join(f"{k} {before.malloc[k]:.1f} → {after.malloc[k]:.1f}" for k in after.malloc)
        )
    grew = sorted(
        (
            (held - before.caches.get(name, (0, 0))[0], name, held, bound)
            for name, (held, bound) in after.caches.items()
        ),
        reverse=True,
    )
    print("bounded caches that grew most (entries: change, now / bound)")
    for change, name, held, bound in grew[:15]:
        if change > 0:
            print(f"  {change:+7d}  {held:7d} / {bound:<7d} {name}")
    if before.snapshot is None or after.snapshot is None:
        return
    print(f"tracemalloc: where memory grew, {before.at:.0f} s → {after.at:.0f} s (top 20)")
    stats = after.snapshot.filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    ).compare_to(before.snapshot, "traceback")
    for stat in stats[:20]:
        print(f"  {stat.size_diff / 1024:+9.1f} kB {stat.count_diff:+7d} blocks")
        for line in stat.traceback.format()[-8:]:
            print(f"        {line.rstrip()}")


def print_referrers(name: str, limit: int = 3, depth: int = 6) -> None:
    """What holds live objects of type ``name`` (``module.qualname``): for up to ``limit``
    of them, a chain of referrers ``depth`` long (the first container at each step that is
    not a frame nor this walk's own list), each shown by its type and size."""
    import inspect

    found = [o for o in gc.get_objects() if type_name(o) == name]
    print(f"referrers of {name}: {len(found)} live")
    for n in range(min(limit, len(found))):
        links, current, seen = [name], found[n], {id(found)}
        for _ in range(depth):
            holders = gc.get_referrers(current)
            seen.add(id(holders))
            current = next(
                (r for r in holders if id(r) not in seen and not inspect.isframe(r)), None
            )
            del holders
            if current is None:
                break
            seen.add(id(current))
            size = f" ({len(current)})" if hasattr(current, "__len__") else ""
            links.append(f"{type_name(current)}{size}")
        print("  " + " <- ".join(links))
