"""A snapshot-size lookup for the cleanup screen's tests: ``(ec2, ids) -> {id: (VolumeSize,
FullSnapshotSizeInBytes or None)}`` from DescribeSnapshots, 500 ids a call. (The app's own
lookup is amitui.aws.snapshots.snapshot_sizes, issue 17's sandbox work.)"""

from __future__ import annotations

from typing import Any


def describe_snapshot_sizes(ec2: Any, ids: list[str]) -> dict[str, tuple[int, int | None]]:
    sizes: dict[str, tuple[int, int | None]] = {}
    for start in range(0, len(ids), 500):
        answer = ec2.describe_snapshots(SnapshotIds=ids[start : start + 500])
        for snap in answer.get("Snapshots") or []:
            full = snap.get("FullSnapshotSizeInBytes")
            sizes[snap["SnapshotId"]] = (int(snap.get("VolumeSize") or 0), full)
    return sizes
