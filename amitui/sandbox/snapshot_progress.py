"""DescribeSnapshots reports the progress of a pending image's snapshots, as AWS does.

moto answers every snapshot ``completed`` at ``100%``. On AWS the snapshots of an image
being created or copied are ``pending`` with a ``Progress`` percentage until the image is
ready; amitui shows that percentage as the task's progress. Here a snapshot of a
``pending`` sandbox image is ``pending`` with a Progress that grows linearly from its
StartTime to the image's ready time (capped at 99% while the image is pending) -- only
the snapshots made for that image (started when it was): a snapshot that existed before
(RegisterImage from a snapshot) stays completed, as on AWS. Every other snapshot keeps
moto's answer.

The rest of the call as EC2 answers it (moto's differs): SnapshotIds must look like
``snap-`` + 8 or 17 hex digits (InvalidSnapshotID.Malformed) and all exist
(InvalidSnapshot.NotFound for the whole call, naming the missing ones -- moto's message
is empty); OwnerIds (``self``, account ids) select by owner (moto ignores them);
MaxResults (5..1000) / NextToken page the answer in snapshot-id order, and cannot be
combined with SnapshotIds (InvalidParameterCombination). VolumeSize is the size of the
volume the snapshot was taken from; FullSnapshotSizeInBytes is answered where the
catalogue set one (catalogue_cleanup.py), as AWS gives it for some snapshots only.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from . import errors
from .moto_compat import ActionResult, EC2BaseResponse
from .pagination import check_max_results, fingerprint, paginate

SNAPSHOT_ID = re.compile(r"snap-(?:[0-9a-f]{8}|[0-9a-f]{17})")
MIN_RESULTS, MAX_RESULTS = 5, 1000
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
        snapshot_ids: list[str] = self._get_param("SnapshotIds", [])
        owners: list[str] = self._get_param("OwnerIds", [])
        max_results = self._get_param("MaxResults")
        next_token = self._get_param("NextToken")
        if snapshot_ids and (max_results is not None or next_token):
            raise errors.invalid_parameter_combination(
                "The parameter snapshotSet cannot be used with the parameter maxResults"
            )
        check_max_results(max_results, MIN_RESULTS, MAX_RESULTS)
        for snapshot_id in snapshot_ids:
            if not SNAPSHOT_ID.fullmatch(str(snapshot_id)):
                raise errors.malformed_snapshot_id(str(snapshot_id))
        self.error_on_dryrun()
        backend = self.ec2_backend
        known = backend.snapshots
        missing = [sid for sid in dict.fromkeys(snapshot_ids) if sid not in known]
        if missing:  # AWS fails the whole call, naming the snapshot
            raise errors.snapshot_not_found(", ".join(missing))
        snapshots = backend.describe_snapshots(snapshot_ids=snapshot_ids, filters=filters)
        if owners:
            wanted = {self.current_account if o == "self" else o for o in owners}
            snapshots = [s for s in snapshots if s.owner_id in wanted or _alias(s) in wanted]
        pending = pending_until(backend)
        now = time.time()
        shown: list[Any] = []
        for snapshot in snapshots:
            window = pending.get(snapshot.id)
            if window is None:
                shown.append(snapshot)
                continue
            shown.append(_PendingSnapshot(snapshot, snapshot_progress(*window, now)))
        if max_results is None and not next_token:
            return ActionResult({"Snapshots": shown})
        query = fingerprint(self.region, "DescribeSnapshots", sorted(owners), repr(filters))
        page, token = paginate(
            shown,
            key=lambda s: str(s.id),
            max_results=max_results,
            next_token=next_token,
            query=query,
            default_page=MAX_RESULTS,
        )
        result: dict[str, Any] = {"Snapshots": page}
        if token:
            result["NextToken"] = token
        return ActionResult(result)


def _alias(snapshot: Any) -> str | None:
    return getattr(snapshot, "owner_alias", None)
