"""Ends the sandbox's running work when a test says so, not when a clock says so.

A test that needs a task or a pending image to finish starts it on a sandbox where it would
run for a long time (``pending_seconds`` 60: it cannot end before the test has looked at it
running, however loaded the machine), then calls ``finish_now``: every pending image and
every running export or import task ends at once, as if its time had passed, and the next
describe answers it done (or failed, for one that was to fail; ``deleted``, for one being
cancelled). Nothing waits for time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, TypeVar

T = TypeVar("T")


def finish_now(sandbox: Any) -> int:
    """End what is running in ``sandbox`` now; how many images and tasks that was."""
    now = time.time()
    with sandbox.state.lock:
        ended = _end_image_times("_ready_at", now)
        for book in sandbox.state.books.values():
            for task in (*book.exports.values(), *book.imports.values()):
                timeline = task.timeline
                cancelled_at = timeline.cancelled_at
                if cancelled_at is None and timeline.started_at + timeline.duration > now:
                    task.timeline = replace(timeline, started_at=now - timeline.duration)
                    ended += 1
                elif cancelled_at is not None and cancelled_at + timeline.deleting_seconds > now:
                    # cancelled: its ``deleting`` ends now (``deleted``)
                    task.timeline = replace(timeline, deleting_seconds=now - cancelled_at)
                    ended += 1
    return ended


def forget_deregistered(sandbox: Any) -> int:
    """End now the while in which the sandbox still describes deregistered images by id
    (as AWS does, for a few pending_seconds); how many it forgot."""
    now = time.time()
    ended = 0
    with sandbox.state.lock:
        for book in sandbox.state.books.values():
            for ami_id, (until, ami) in list(book.deregistered.items()):
                if until > now:
                    book.deregistered[ami_id] = (now, ami)
                    ended += 1
    return ended


def end_cooldowns(sandbox: Any) -> int:
    """End now every deregistration protection cooldown of ``sandbox`` still running (the
    images read ``disabled`` again), as if its time had passed; how many that was."""
    with sandbox.state.lock:
        return _end_image_times("_protected_until", time.time())


def _end_image_times(attr: str, now: float) -> int:
    """Set each sandbox image's time ``attr`` still after ``now`` to ``now`` (the caller
    holds the sandbox's lock); how many that was."""
    from moto.ec2.models import ec2_backends

    ended = 0
    for regions in list(ec2_backends.values()):
        for backend in list(regions.values()):
            for ami in list(backend.amis.values()):
                until = getattr(ami, attr, None)
                if until is not None and until > now:
                    setattr(ami, attr, now)
                    ended += 1
    return ended


def finish_reports(sandbox: Any) -> int:
    """Make every pending usage report (CreateImageUsageReport) of ``sandbox`` available
    now, as if its pending time had passed; how many that was."""
    now = time.time()
    ended = 0
    with sandbox.state.lock:
        for book in sandbox.state.books.values():
            for report in book.reports.values():
                if report.ready_at > now:
                    report.ready_at = now
                    ended += 1
    return ended


#: Where :func:`walk` looks: every 2% of a task's duration (each step of AWS's export and
#: import lasts at least 5% of it, so each is seen at least twice).
WALK = tuple(i / 50 for i in range(50))


def walk(
    sandbox: Any,
    task_ids: Iterable[str],
    read: Callable[[], T],
    fractions: Iterable[float] = WALK,
) -> list[T]:
    """Every moment of the export or import tasks ``task_ids``, without waiting: before
    each ``read()`` their timelines are moved so that now is that fraction (``fractions``,
    :data:`WALK` unless told) of the way through, then :func:`finish_now` ends them and a
    last ``read()`` sees it.
    Start them on a sandbox with a long ``pending_seconds`` (tests/sandbox: ``pending_for``), so the
    moment moves less than a step between the move and the read however loaded the machine.
    A cancelled task is not moved (its ``deleting`` lasts until :func:`finish_now`); one to
    fail ends as it would at its failing fraction."""
    wanted = set(task_ids)
    seen = []
    for fraction in fractions:
        now = time.time()
        with sandbox.state.lock:
            for book in sandbox.state.books.values():
                for task_id, task in (*book.exports.items(), *book.imports.items()):
                    timeline = task.timeline
                    if task_id in wanted and timeline.cancelled_at is None:
                        moved = now - fraction * timeline.duration
                        task.timeline = replace(timeline, started_at=moved)
        seen.append(read())
    finish_now(sandbox)
    seen.append(read())
    return seen


def walk_image(
    sandbox: Any,
    image_id: str,
    read: Callable[[], T],
    fractions: Iterable[float] = WALK,
    span: float = 600.0,
) -> list[T]:
    """:func:`walk` for a pending image (a copy or a new image) and the snapshots made for
    it: before each ``read()`` the image's pending time is set to ``span`` seconds, now
    being that fraction of the way through (its creation and its snapshots' start moved
    back, its ready time ahead), then :func:`finish_now` ends it and a last ``read()`` sees
    it. Start it on a sandbox with a long ``pending_seconds`` (a moment moves less than a
    step between the move and the read however loaded the machine)."""
    from datetime import UTC, datetime

    from moto.ec2.models import ec2_backends

    seen = []
    for fraction in fractions:
        now = time.time()
        started = datetime.fromtimestamp(now - fraction * span, UTC).replace(tzinfo=None)
        with sandbox.state.lock:
            for regions in list(ec2_backends.values()):
                for backend in list(regions.values()):
                    ami = backend.amis.get(image_id)
                    if ami is None or getattr(ami, "_ready_at", None) is None:
                        continue
                    ami.creation_date = started
                    ami._ready_at = now + (1 - fraction) * span
                    for snapshot_id in ami.snapshot_ids():
                        if snapshot_id in backend.snapshots:
                            backend.snapshots[snapshot_id].start_time = started
        seen.append(read())
    finish_now(sandbox)
    seen.append(read())
    return seen
