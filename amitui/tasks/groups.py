"""Polling groups: which tasks share one describe call, and each group's schedule state."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

THROTTLE_CODES = ("RequestLimitExceeded", "Throttling", "ThrottlingException")


class GroupKey(NamedTuple):
    """One polling group: all running tasks of a region followed by the same API."""

    region: str
    api: str  # "images" | "export" | "import"

    def __str__(self) -> str:
        return f"{self.region}/{self.api}"


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
