"""When each polling group of a :class:`~amitui.tasks.poller.Poller` is due.

The poller's threads (its loop, its pool's polls, a UI's ``wake``) all move the same
groups' states: :class:`Schedule` holds them behind one lock, so each step below is one
atomic change. Pure bookkeeping: no AWS call, no store, no thread of its own.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable

from amitui.tasks.groups import GroupKey, GroupState, Timing, regroup
from amitui.tasks.model import Task

Due = list[tuple[GroupKey, list[Task]]]


class Schedule:
    """Every group's :class:`GroupState`, keyed by :class:`GroupKey`."""

    def __init__(self, timing: Timing, rng: random.Random) -> None:
        self.timing = timing
        self._rng = rng
        self._lock = threading.Lock()
        self._groups: dict[GroupKey, GroupState] = {}

    def take_due(
        self, running: Iterable[Task], now: float, force: bool, paused: Callable[[str], bool]
    ) -> Due:
        """Regroup the running tasks, then mark in flight and return the groups due now
        (every one with ``force``), except those in flight and those of a paused account."""
        with self._lock:
            grouped = regroup(self._groups, running, now, self.timing)
            due = []
            for key, tasks in grouped.items():
                state = self._groups[key]
                if state.in_flight or paused(key.account):
                    continue  # (an account whose credentials are refused waits)
                if force or state.next_due <= now:
                    state.in_flight = True
                    due.append((key, tasks))
        return due

    def polled(self, key: GroupKey, remaining: list[Task], now: float) -> None:
        """A poll of ``key`` worked: its next one is a period of its remaining tasks away."""
        with self._lock:
            state = self._groups.get(key)
            if state is not None:
                state.polled(now, self.timing.period(remaining, now))

    def failed(self, key: GroupKey, tasks: list[Task], now: float, line: str) -> float:
        """A poll of ``key`` failed with ``line``: back off. Returns the delay."""
        with self._lock:
            state = self._groups.get(key)
            if state is None:
                return 0.0
            period = self.timing.period(tasks, now)
            state.polled(now, self.timing.backoff(state.failures + 1, period, self._rng), line)
            return state.delay

    def released(self, keys: Iterable[GroupKey]) -> None:
        """Polls that were taken but never submitted (the pool was shut down)."""
        with self._lock:
            for key in keys:
                if key in self._groups:
                    self._groups[key].in_flight = False

    def wake(self, now: float) -> None:
        """Every group that is not backing off is due now."""
        with self._lock:
            for state in self._groups.values():
                if state.failures == 0:
                    state.next_due = min(state.next_due, now)

    def forgive(self, now: float, account: str | None = None) -> None:
        """The credentials work again (of ``account``; None: every group's): their
        failures are forgotten and they are due now."""
        with self._lock:
            for key, state in self._groups.items():
                if account is None or key.account == account:
                    state.failures = 0
                    state.next_due = min(state.next_due, now)

    def next_due(self, paused: Callable[[str], bool]) -> list[float]:
        """When each group that is neither in flight nor paused is due."""
        with self._lock:
            states = [(k, s) for k, s in self._groups.items() if not s.in_flight]
        return [s.next_due for k, s in states if not paused(k.account)]

    def failing(self, now: float) -> bool:
        """Every group failed at least twice and waits (the poller is failing as a whole)."""
        with self._lock:
            states = list(self._groups.values())
        return bool(states) and all(s.failures >= 2 and s.next_due > now for s in states)

    def snapshot(self) -> dict[GroupKey, GroupState]:
        """A copy of every group's state."""
        with self._lock:
            return {k: s.copy() for k, s in self._groups.items()}

    def clear(self) -> None:
        """Forget every group (a later start begins afresh)."""
        with self._lock:
            self._groups.clear()
