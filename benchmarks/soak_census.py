"""Where the soak's memory went: what is allocated and kept between two points of the run
(the end of warm-up and the end of the run). Each point first runs a full collection, so
what is counted is reachable, not garbage waiting for the collector.

- a census of live objects by type (``gc.get_objects()``: containers only, so strings and
  numbers show up through the objects holding them), diffed; a heap frozen by a listing
  (``gc.freeze``) is thawed for the count and frozen again;
- ``tracemalloc`` snapshots (when tracing), diffed by traceback.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field


def type_name(obj: object) -> str:
    kind = type(obj)
    return sys.intern(f"{kind.__module__}.{kind.__qualname__}")


@dataclass
class Census:
    """Live objects by type at one point, and a tracemalloc snapshot when tracing."""

    at: float
    types: Counter[str]
    snapshot: tracemalloc.Snapshot | None = field(default=None, repr=False)


def take_census(at: float) -> Census:
    frozen = gc.get_freeze_count()
    if frozen:  # a listing froze the heap: gc.get_objects() would leave all of it out
        gc.unfreeze()
    gc.collect()
    types = Counter(type_name(o) for o in gc.get_objects())
    if frozen:
        gc.freeze()  # as the listing left it (what died meanwhile was just collected)
    snapshot = tracemalloc.take_snapshot() if tracemalloc.is_tracing() else None
    return Census(at, types, snapshot)


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
