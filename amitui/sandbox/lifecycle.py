"""Time-driven state: everything here is a pure function of "now".

Nothing in the sandbox runs a timer. An image or a task stores when it started and
when it would end; its state is computed whenever somebody looks. That keeps the
progressions deterministic for a given clock and free of background threads.
"""

from __future__ import annotations

from dataclasses import dataclass

# How many pending_seconds a whole export or import takes, start to completed.
TASK_DURATION_FACTOR = 4.0
# Where, as a fraction of the duration, a task following the "fail" convention fails.
TASK_FAIL_FRACTION = 0.5

EXPORT_STEPS = ("validating", "converting", "updating")
IMPORT_STEPS = ("pending", "converting", "updating")


def image_state(now: float, ready_at: float | None, final_state: str) -> str:
    """An image is `pending` until ready_at, then its final state."""
    if ready_at is not None and now < ready_at:
        return "pending"
    return final_state


@dataclass(frozen=True, slots=True)
class TaskPhase:
    """What a task looks like at one moment, in AWS's words."""

    status: str  # active | completed | deleting | deleted
    message: str | None  # StatusMessage
    progress: int | None  # percent, only while active

    @property
    def is_active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class TaskTimeline:
    """When a task started, how long it runs, and how it ends.

    ``fail_message`` set: the task ends ``deleted`` with that StatusMessage at
    ``TASK_FAIL_FRACTION`` of its duration. ``cancelled_at`` set: it is ``deleting``
    for ``deleting_seconds`` from then on, then ``deleted`` with ``cancel_message``.
    """

    started_at: float
    duration: float
    steps: tuple[str, ...]
    deleting_seconds: float
    fail_message: str | None = None
    cancelled_at: float | None = None
    cancel_message: str | None = None

    @property
    def completes_at(self) -> float | None:
        if self.fail_message is not None:
            return None
        return self.started_at + self.duration

    @property
    def fails_at(self) -> float | None:
        if self.fail_message is None:
            return None
        return self.started_at + self.duration * TASK_FAIL_FRACTION

    def phase(self, now: float) -> TaskPhase:
        ended = self._natural_end(now)
        if self.cancelled_at is not None and now >= self.cancelled_at and ended is None:
            if now < self.cancelled_at + self.deleting_seconds:
                return TaskPhase("deleting", self.cancel_message, None)
            return TaskPhase("deleted", self.cancel_message, None)
        if ended is not None:
            return ended
        fraction = max(0.0, (now - self.started_at) / self.duration) if self.duration else 1.0
        index = min(int(fraction * len(self.steps)), len(self.steps) - 1)
        return TaskPhase("active", self.steps[index], min(99, int(fraction * 100)))

    def _natural_end(self, now: float) -> TaskPhase | None:
        """The phase the task reached on its own before any cancel took effect."""
        limit = now if self.cancelled_at is None else min(now, self.cancelled_at)
        fails_at = self.fails_at
        if fails_at is not None and limit >= fails_at:
            return TaskPhase("deleted", self.fail_message, None)
        completes_at = self.completes_at
        if completes_at is not None and limit >= completes_at:
            return TaskPhase("completed", None, None)
        return None

    def cancelled(self, now: float, message: str) -> TaskTimeline:
        return TaskTimeline(
            started_at=self.started_at,
            duration=self.duration,
            steps=self.steps,
            deleting_seconds=self.deleting_seconds,
            fail_message=self.fail_message,
            cancelled_at=now,
            cancel_message=message,
        )
