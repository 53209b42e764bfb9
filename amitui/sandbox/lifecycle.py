"""Time-driven state: everything here is a pure function of "now".

Nothing in the sandbox runs a timer. An image or a task stores when it started and
when it would end; its state is computed whenever somebody looks. That keeps the
progressions deterministic for a given clock and free of background threads.
"""

from __future__ import annotations

from dataclasses import dataclass

# How many pending_seconds a whole export or import takes, start to completed.
TASK_DURATION_FACTOR = 4.0
# Where, as a fraction of the duration, a task following the failure convention fails.
TASK_FAIL_FRACTION = 0.5
# How many pending_seconds a deregistered image is still described (by id).
DEREGISTERED_VISIBLE_FACTOR = 4.0


@dataclass(frozen=True, slots=True)
class Step:
    """One StatusMessage of an active task: its share of the task's duration and the
    Progress it shows, ``start`` when it begins, rising in uneven jumps to ``end``."""

    message: str
    share: float
    start: int
    end: int


# The StatusMessages AWS shows, in order, with the uneven Progress it reports.
EXPORT_STEPS = (
    Step("validating", 0.10, 0, 0),
    Step("validated", 0.05, 5, 5),
    Step("converting", 0.55, 12, 71),
    Step("updating", 0.30, 80, 96),
)
IMPORT_STEPS = (
    Step("pending", 0.05, 2, 2),
    Step("validating", 0.07, 3, 3),
    Step("validated", 0.05, 7, 7),
    Step("converting", 0.38, 19, 43),
    Step("updating", 0.15, 58, 68),
    Step("booting", 0.12, 74, 74),
    Step("booted", 0.06, 81, 81),
    Step("preparing ami", 0.12, 90, 96),
)
# Within a step, Progress moves in this many jumps (not a smooth line).
PROGRESS_JUMPS = 4


def step_at(steps: tuple[Step, ...], fraction: float) -> tuple[int, int]:
    """(index of the step at ``fraction`` of the duration, Progress there)."""
    total = sum(step.share for step in steps)
    elapsed = 0.0
    for index, step in enumerate(steps):
        width = step.share / total
        if fraction < elapsed + width or index == len(steps) - 1:
            within = min(1.0, max(0.0, (fraction - elapsed) / width)) if width else 0.0
            jump = int(within * PROGRESS_JUMPS) / PROGRESS_JUMPS
            return index, step.start + round((step.end - step.start) * jump)
        elapsed += width
    raise ValueError("a timeline needs at least one step")  # pragma: no cover


def step_start(steps: tuple[Step, ...], message: str) -> float:
    """The fraction of the duration at which the step ``message`` begins."""
    total = sum(step.share for step in steps)
    elapsed = 0.0
    for step in steps:
        if step.message == message:
            return elapsed / total
        elapsed += step.share
    raise KeyError(message)


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
    step: int = -1  # index of the active step; len(steps) once completed; -1 otherwise

    @property
    def is_active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class TaskTimeline:
    """When a task started, how long it runs, and how it ends.

    ``fail_message`` set: the task ends ``deleted`` with that StatusMessage at
    ``fail_fraction`` of its duration. ``cancelled_at`` set: it is ``deleting``
    for ``deleting_seconds`` from then on, then ``deleted`` with ``cancel_message``.
    """

    started_at: float
    duration: float
    steps: tuple[Step, ...]
    deleting_seconds: float
    fail_message: str | None = None
    cancelled_at: float | None = None
    cancel_message: str | None = None
    fail_fraction: float = TASK_FAIL_FRACTION

    @property
    def completes_at(self) -> float | None:
        if self.fail_message is not None:
            return None
        return self.started_at + self.duration

    @property
    def fails_at(self) -> float | None:
        if self.fail_message is None:
            return None
        return self.started_at + self.duration * self.fail_fraction

    def phase(self, now: float) -> TaskPhase:
        ended = self._natural_end(now)
        if self.cancelled_at is not None and now >= self.cancelled_at and ended is None:
            if now < self.cancelled_at + self.deleting_seconds:
                return TaskPhase("deleting", self.cancel_message, None)
            return TaskPhase("deleted", self.cancel_message, None)
        if ended is not None:
            return ended
        fraction = max(0.0, (now - self.started_at) / self.duration) if self.duration else 1.0
        index, progress = step_at(self.steps, fraction)
        return TaskPhase("active", self.steps[index].message, progress, index)

    def reached(self, now: float, message: str) -> bool:
        """Whether the task got as far as the step ``message`` by ``now`` (a failure or
        a cancel stops it where it was)."""
        if self.phase(now).status == "completed":
            return True
        end = now
        for limit in (self.cancelled_at, self.fails_at):
            if limit is not None:
                end = min(end, limit)
        if not self.duration:
            return False
        return (end - self.started_at) / self.duration >= step_start(self.steps, message)

    def _natural_end(self, now: float) -> TaskPhase | None:
        """The phase the task reached on its own before any cancel took effect."""
        limit = now if self.cancelled_at is None else min(now, self.cancelled_at)
        fails_at = self.fails_at
        if fails_at is not None and limit >= fails_at:
            return TaskPhase("deleted", self.fail_message, None)
        completes_at = self.completes_at
        if completes_at is not None and limit >= completes_at:
            return TaskPhase("completed", None, None, len(self.steps))
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
            fail_fraction=self.fail_fraction,
        )
