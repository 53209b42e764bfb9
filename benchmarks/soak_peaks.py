"""The soak's peaks of live memory blocks between two samples, and what the user was
doing at each (benchmarks/soak.py).

pymalloc maps a 1 MiB arena when its live blocks reach a new high, and seldom gives one
back (RELIABILITY.md, "A long day"), so the soak's RSS steps at the peaks of live blocks.
Those last milliseconds (a form opening before the last one's garbage is collected; a
listing page's whole element tree, until the parser read pages a piece at a time) and fall
between samples taken every 5 s. ``PeakWatch`` reads
``sys.getallocatedblocks()`` from a thread every 10 ms (it sums the pools of ~100 arenas:
microseconds of held GIL) and keeps the highest since the last sample, with what the
soak's user was doing then (``doing``, set by its loop) and ``context``: how many screens
were open and what the app's collector held back (``Collector.holding``).
Its thread is one more in the process measured: the soak's thread counts include it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.soak_figures import Sample


class PeakWatch:
    def __init__(self, context: Callable[[], str], every: float = 0.01) -> None:
        self.doing = "waiting"  # what the user does now (the soak's loop sets it)
        self._context = context
        self._every = every
        self._lock = threading.Lock()
        self._peak, self._during = 0, ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-peaks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def take(self) -> tuple[int, str]:
        """The highest count since the last ``take`` and what was going on; starts anew."""
        with self._lock:
            found = self._peak, self._during
            self._peak, self._during = 0, ""
        return found

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            blocks = sys.getallocatedblocks()
            with self._lock:  # compared and kept in one step: a ``take`` may start anew
                if blocks > self._peak:
                    self._peak = blocks
                    self._during = f"{self.doing}, {self._context()}"


def arena_steps(samples: Sequence[Sample], warm: float) -> list[str]:
    """One line per periodic sample after ``warm`` seconds that found more pymalloc arenas
    than the one before: the peak of blocks in between, and what the user was doing."""
    periodic = [s for s in samples if not s.after_gc and s.py_arenas >= 0]
    lines = []
    for before, after in pairwise(periodic):
        if after.at >= warm and after.py_arenas > before.py_arenas and after.peak_blocks >= 0:
            lines.append(
                f"{after.at:6.0f} s  arenas {before.py_arenas} -> {after.py_arenas}; peak"
                f" {after.peak_blocks} blocks (the sample before: {before.blocks}) while"
                f" {after.peak_during}"
            )
    return lines


def highest(samples: Sequence[Sample], warm: float, count: int = 5) -> list[str]:
    """The ``count`` highest peaks after ``warm`` seconds, and what the user was doing."""
    peaks = sorted(
        (s for s in samples if s.at >= warm and s.peak_blocks >= 0),
        key=lambda s: s.peak_blocks,
        reverse=True,
    )
    return [f"{s.at:6.0f} s  {s.peak_blocks} blocks while {s.peak_during}" for s in peaks[:count]]
