"""DescribeSnapshots reports the progress of a pending image's snapshots, as AWS does.

moto answers every snapshot ``completed`` at ``100%``. On AWS the snapshots of an image
being created or copied are ``pending`` with a ``Progress`` percentage until the image is
ready; amitui shows that percentage as the task's progress. Here a snapshot of a
``pending`` sandbox image is ``pending`` with a Progress that grows linearly from its
StartTime to the image's ready time (capped at 99% while the image is pending) -- only
the snapshots made for that image (started when it was): a snapshot that existed before
(RegisterImage from a snapshot) stays completed, as on AWS. Every other snapshot keeps
moto's answer. The rest of the call (ids, filters, errors) is moto's.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from .moto_compat import ActionResult, EC2BaseResponse

#: A snapshot started this many seconds before its image (or later) was made for it.
MADE_FOR_IMAGE_SLACK = 2.0


def _epoch(moment: datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def pending_until(backend: Any) -> dict[str, tuple[float, float]]:
    """Snapshot id -> (its start, the ready time of the pending image it was made for)."""
    out: dict[str, tuple[float, float]] = {}
    for ami in list(backend.amis.values()):
        ready_at = getattr(ami, "_ready_at", None)
        if ready_at is None or ami.state != "pending":
            continue
        created = _epoch(ami.creation_date)
        for snapshot_id in ami.snapshot_ids():
            snapshot = backend.snapshots.get(snapshot_id)
            if snapshot is None:
                continue
            started = _epoch(snapshot.start_time)
            if started >= created - MADE_FOR_IMAGE_SLACK:
                out[snapshot_id] = (started, ready_at)
    return out


def snapshot_progress(started: float, ready_at: float, now: float) -> int:
    span = max(ready_at - started, 1e-6)
    return max(0, min(99, int(100 * (now - started) / span)))


class _PendingSnapshot:
    """A moto snapshot seen while its image is pending: State and Progress replaced."""

    def __init__(self, snapshot: Any, progress: int) -> None:
        self._snapshot = snapshot
        self.status = "pending"
        self.progress = f"{progress}%"

    def __getattr__(self, name: str) -> Any:
        return getattr(self._snapshot, name)


class SnapshotProgressMixin(EC2BaseResponse):
    """Replaces moto's ``describe_snapshots`` on the sandbox's EC2 response class."""

    def describe_snapshots(self) -> ActionResult:
        filters = self._filters_from_querystring()
        snapshot_ids = self._get_param("SnapshotIds", [])
        snapshots = self.ec2_backend.describe_snapshots(snapshot_ids=snapshot_ids, filters=filters)
        pending = pending_until(self.ec2_backend)
        now = time.time()
        shown: list[Any] = []
        for snapshot in snapshots:
            window = pending.get(snapshot.id)
            if window is None:
                shown.append(snapshot)
                continue
            shown.append(_PendingSnapshot(snapshot, snapshot_progress(*window, now)))
        return ActionResult({"Snapshots": shown})
