"""Snapshot sizes, and the snapshots whose AMI is gone (issue 17's cleanup).

* ``snapshot_sizes(ec2, ids)``: DescribeSnapshots by SnapshotIds in chunks of at most
  ``CHUNK`` (1000). EC2 fails a whole call with InvalidSnapshot.NotFound when one id does
  not exist: the ids it names are set aside and the rest asked again; if the message
  names none, the chunk is split in halves until each missing id stands alone. A
  malformed id is never sent. Every asked id gets a ``SnapshotSize``: ``found`` False
  for a missing one. ``full_bytes`` is FullSnapshotSizeInBytes, which AWS gives for some
  snapshots only (the full written size at snapshot time: an upper bound on what
  deleting it frees, since snapshots are incremental); ``volume_gib`` is VolumeSize.
* ``orphaned_snapshots(ec2)``: this account's snapshots (OwnerIds ``self``, paged) whose
  description says which AMI they were made for -- ``Created by CreateImage(i-...) for
  ami-... from vol-...`` or ``Copied for DestinationAmi ami-... from SourceAmi ami-...
  for SourceSnapshot snap-...`` (the copy's snapshot lives in the destination region,
  with the destination AMI) -- where that AMI no longer exists. An AMI exists when
  DescribeImages (Owners ``self``, filter ``image-id``, chunks of ``FILTER_CHUNK``;
  disabled and deprecated included; a ``deregistered`` state counts as gone) lists it,
  or when it is in the Recycle Bin (ListImagesInRecycleBin): an image in the bin can be
  restored, and it needs its snapshots. If the bin could not be read, the orphans are
  returned with ``verified`` False (the AMI may be in the bin): unknown is not safe.
  Failing to list snapshots or images raises (there is no answer at all then).

Pure boto3; no UI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from amitui.aws.errors import describe_error, error_code
from amitui.aws.recycle_bin import images_in_bin

CHUNK = 1000
FILTER_CHUNK = 200
PAGE = 1000
SNAPSHOT_ID = re.compile(r"snap-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_ANY_SNAPSHOT = re.compile(r"snap-[0-9a-f]+")
CREATED_FOR = re.compile(r"Created by CreateImage\((i-[0-9a-f]+)\) for (ami-[0-9a-f]+)")
COPIED_FOR = re.compile(r"Copied for DestinationAmi (ami-[0-9a-f]+) from SourceAmi (ami-[0-9a-f]+)")
GIB = 1024**3


@dataclass(frozen=True, slots=True)
class SnapshotSize:
    snapshot_id: str
    found: bool
    volume_gib: int | None = None
    full_bytes: int | None = None

    @property
    def upper_bound_bytes(self) -> int | None:
        """What deleting it could free at most: the full size, else the volume's size."""
        if self.full_bytes is not None:
            return self.full_bytes
        return None if self.volume_gib is None else self.volume_gib * GIB


def _size(snapshot: dict[str, Any]) -> SnapshotSize:
    full = snapshot.get("FullSnapshotSizeInBytes")
    volume = snapshot.get("VolumeSize")
    return SnapshotSize(
        snapshot_id=snapshot["SnapshotId"],
        found=True,
        volume_gib=None if volume is None else int(volume),
        full_bytes=None if full is None else int(full),
    )


def snapshot_sizes(ec2: Any, snapshot_ids: Iterable[str]) -> dict[str, SnapshotSize]:
    """Sizes of ``snapshot_ids`` (every id answered; ``found`` False when missing)."""
    wanted = list(dict.fromkeys(snapshot_ids))
    out = {sid: SnapshotSize(sid, found=False) for sid in wanted}
    valid = [sid for sid in wanted if SNAPSHOT_ID.fullmatch(sid)]
    for start in range(0, len(valid), CHUNK):
        for snapshot in _describe_existing(ec2, valid[start : start + CHUNK]):
            out[snapshot["SnapshotId"]] = _size(snapshot)
    return out


def _describe_existing(ec2: Any, ids: list[str]) -> list[dict[str, Any]]:
    """DescribeSnapshots of ``ids``, leaving out the ones that do not exist."""
    pending = [ids]
    found: list[dict[str, Any]] = []
    while pending:
        batch = pending.pop()
        if not batch:
            continue
        try:
            found.extend(ec2.describe_snapshots(SnapshotIds=batch).get("Snapshots", []))
            continue
        except ClientError as exc:
            if error_code(exc) != "InvalidSnapshot.NotFound":
                raise
            message = str(exc.response.get("Error", {}).get("Message") or "")
        named = set(_ANY_SNAPSHOT.findall(message)) & set(batch)
        if named:
            pending.append([sid for sid in batch if sid not in named])
        elif len(batch) > 1:
            middle = len(batch) // 2
            pending.extend([batch[:middle], batch[middle:]])
        # a single id the answer did not name: it is the missing one
    return found


@dataclass(frozen=True, slots=True)
class Orphan:
    snapshot_id: str
    image_id: str  # the AMI the snapshot was made for, which no longer exists
    description: str
    volume_gib: int | None
    full_bytes: int | None
    started: datetime | None
    verified: bool  # False: the Recycle Bin could not be read; the AMI may be there

    @property
    def upper_bound_bytes(self) -> int | None:
        return SnapshotSize(
            self.snapshot_id, True, self.volume_gib, self.full_bytes
        ).upper_bound_bytes


@dataclass(frozen=True, slots=True)
class OrphanScan:
    orphans: tuple[Orphan, ...]
    bin_error: str | None = None  # why the Recycle Bin could not be read

    @property
    def verified(self) -> bool:
        return self.bin_error is None


def made_for(description: str | None) -> str | None:
    """The AMI a snapshot's description says it was made for (CreateImage/CopyImage)."""
    text = description or ""
    created = CREATED_FOR.search(text)
    if created:
        return created.group(2)
    copied = COPIED_FOR.search(text)
    return copied.group(1) if copied else None


def own_snapshots(ec2: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"OwnerIds": ["self"], "MaxResults": PAGE}
        if token:
            kwargs["NextToken"] = token
        page = ec2.describe_snapshots(**kwargs)
        out.extend(page.get("Snapshots", []))
        token = page.get("NextToken")
        if not token:
            return out


def existing_images(ec2: Any, image_ids: Iterable[str]) -> set[str]:
    """Which of ``image_ids`` are this account's registered images (any state but
    deregistered), by DescribeImages filters (an unknown id fails no call)."""
    wanted = sorted(set(image_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), FILTER_CHUNK):
        chunk = wanted[start : start + FILTER_CHUNK]
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {
                "Owners": ["self"],
                "Filters": [{"Name": "image-id", "Values": chunk}],
                "IncludeDeprecated": True,
                "IncludeDisabled": True,
                "MaxResults": PAGE,
            }
            if token:
                kwargs["NextToken"] = token
            page = ec2.describe_images(**kwargs)
            found.update(
                i["ImageId"] for i in page.get("Images", []) if i.get("State") != "deregistered"
            )
            token = page.get("NextToken")
            if not token:
                break
    return found


def orphaned_snapshots(ec2: Any) -> OrphanScan:
    """This account's snapshots made for an AMI that no longer exists, with sizes."""
    candidates = [(s, made_for(s.get("Description"))) for s in own_snapshots(ec2)]
    named = [(s, ami) for s, ami in candidates if ami]
    alive = existing_images(ec2, {ami for _, ami in named if ami})
    gone = [(s, ami) for s, ami in named if ami not in alive]
    bin_error: str | None = None
    in_bin: set[str] = set()
    if gone:
        try:
            in_bin = {image.image_id for image in images_in_bin(ec2)}
        except Exception as exc:  # AccessDenied, an endpoint without the call ...
            bin_error = describe_error(exc)
    orphans = tuple(
        Orphan(
            snapshot_id=s["SnapshotId"],
            image_id=str(ami),
            description=str(s.get("Description") or ""),
            volume_gib=s.get("VolumeSize"),
            full_bytes=s.get("FullSnapshotSizeInBytes"),
            started=s.get("StartTime"),
            verified=bin_error is None,
        )
        for s, ami in gone
        if ami not in in_bin
    )
    return OrphanScan(
        orphans=tuple(sorted(orphans, key=lambda o: o.snapshot_id)), bin_error=bin_error
    )


def size_pairs(ec2: Any, snapshot_ids: Iterable[str]) -> dict[str, tuple[int, int | None]]:
    """``{snapshot id: (VolumeSize GiB, FullSnapshotSizeInBytes or None)}`` of those that
    exist (the cleanup preview's lookup; see :func:`snapshot_sizes`)."""
    return {
        snapshot_id: (size.volume_gib or 0, size.full_bytes)
        for snapshot_id, size in snapshot_sizes(ec2, snapshot_ids).items()
        if size.found
    }
