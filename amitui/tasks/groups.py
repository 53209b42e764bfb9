"""Polling groups: which tasks share one describe call, and when each group is due.

Pure bookkeeping for :class:`~amitui.tasks.poller.Poller` (no threads, no AWS call, no
store): the poller holds its lock around these.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from amitui.tasks.model import Task

THROTTLE_CODES = ("RequestLimitExceeded", "Throttling", "ThrottlingException")


class GroupKey(NamedTuple):
    """One polling group: all running tasks of a region followed by the same API."""

    region: str
    api: str  # "images" | "export" | "import"
    #: the tasks' account (Task.account; "" the scope's own): polled with its credentials
    account: str = ""

    def __str__(self) -> str:
        where = f"{self.account}/{self.region}" if self.account else self.region
        return f"{where}/{self.api}"


@dataclass(slots=True)
class GroupState:
    """Scheduling state of one group (a snapshot is returned by :meth:`Poller.groups`)."""

    key: GroupKey
    next_due: float = 0.0
    last_poll: float | None = None
    failures: int = 0
    last_error: str | None = None
    delay: float = 0.0
    in_flight: bool = False
    cycles: int = 0
    task_ids: tuple[int, ...] = field(default_factory=tuple)

    def copy(self) -> GroupState:
        return replace(self)

    def polled(self, now: float, delay: float, error: str | None = None) -> None:
        """A poll ended (``error``: how it failed); the next one is ``delay`` from now."""
        self.in_flight = False
        self.failures = self.failures + 1 if error else 0
        self.last_error = error
        self.last_poll = now
        self.cycles += 1
        self.delay = delay
        self.next_due = now + delay


@dataclass(frozen=True, slots=True)
class Timing:
    """How often a group polls: every ``interval`` seconds, every ``fast_interval`` while
    one of its tasks is in its first ``fast_window`` seconds, backing off exponentially
    (with jitter) up to ``max_backoff`` after errors."""

    interval: float
    fast_interval: float
    fast_window: float
    max_backoff: float

    def period(self, tasks: Sequence[Task], now: float) -> float:
        young = any(now - t.created_at < self.fast_window for t in tasks)
        return self.fast_interval if young else self.interval

    def backoff(self, failures: int, period: float, rng: random.Random) -> float:
        """Exponential backoff with "equal jitter" from the group's usual period: each
        delay is at least the previous one's ceiling, so a failing group's next poll only
        moves later, up to ``max_backoff``."""
        ceiling = min(self.max_backoff, period * (2**failures))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


def regroup(
    groups: dict[GroupKey, GroupState], running: Iterable[Task], now: float, timing: Timing
) -> dict[GroupKey, list[Task]]:
    """Group the running tasks; create states for new groups and drop empty ones (not
    while a poll of theirs is in flight). A task joining a slow group makes it fast."""
    grouped: dict[GroupKey, list[Task]] = {}
    for task in running:
        grouped.setdefault(GroupKey(task.region, task.api, task.account), []).append(task)
    for key, tasks in grouped.items():
        state = groups.get(key)
        if state is None:
            state = groups[key] = GroupState(key, next_due=now)
        state.task_ids = tuple(t.id for t in tasks)
        if state.failures == 0 and state.last_poll is not None:
            state.next_due = min(state.next_due, state.last_poll + timing.period(tasks, now))
    for key in [k for k, s in groups.items() if k not in grouped and not s.in_flight]:
        del groups[key]
    return grouped
