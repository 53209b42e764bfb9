"""The Recycle Bin's EC2 side: deregistered images a retention rule keeps (issue 17).

* DeregisterImage (image_actions.py) of an image that an ``EC2_IMAGE`` retention rule of
  its region retains (rbin_rules.py: a Region-level rule retains every image but those
  with an exclusion tag; a tag-level rule, those with one of its tags) puts it in the
  bin (``retain``) for the rule's retention period; the longest rule wins. It is gone
  from DescribeImages as any deregistered image is (described by id, ``deregistered``,
  for a moment). Without a rule, deregistering is permanent, as before.
  DeleteAssociatedSnapshots deletes the snapshots either way: the sandbox has no
  ``EBS_SNAPSHOT`` retention (a snapshot rule would put them in the bin on AWS).
* ListImagesInRecycleBin: ImageIds (at most 20; malformed: InvalidAMIID.Malformed; ids
  not in the bin are left out), MaxResults 1..1000 (default 1000) / NextToken in
  image-id order, DryRun. Each entry: ImageId, Name, Description, RecycleBinEnterTime,
  RecycleBinExitTime (enter + retention). An entry whose exit time has passed is
  permanently deleted (dropped the next time the bin is looked at).
* RestoreImageFromRecycleBin: the image comes back ``available`` with the same id, tags
  and snapshots; an id not in the bin is InvalidAMIID.NotFound (AWS documents only the
  common errors for this call; that is EC2's code for an image it cannot find); a name
  another image of the region took meanwhile is InvalidAMIName.Duplicate. DryRun.
  Restoring an image whose snapshots were deleted with it brings back an image whose
  snapshots no longer exist (on AWS they would be in the bin under a snapshot rule and
  would have to be restored first).
* DeleteSnapshot of a snapshot that a registered image, or an image in the bin, still
  uses is InvalidSnapshot.InUse ("The snapshot snap-... is currently in use by ami-...").
  moto only checks the one image that created the snapshot, and not the bin.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from . import errors
from .amis import check_name_free
from .describe_images import check_image_id
from .moto_compat import ActionResult, EC2BaseResponse, EC2ClientError
from .pagination import check_max_results, fingerprint, paginate
from .rbin_rules import retaining_rule
from .state import RegionBook, SandboxState

MAX_IDS = 20
MIN_RESULTS, MAX_RESULTS = 1, 1000
DAY_SECONDS = 24 * 3600.0


@dataclass
class BinEntry:
    ami: Any
    entered: float
    exits: float
    rule_id: str


def _when(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def retain(book: RegionBook, ami: Any, tags: dict[str, str], now: float | None = None) -> bool:
    """Put a just-deregistered image in the bin if a rule of ``book``'s region retains
    it; True if one did. The caller holds the state's lock."""
    rule = retaining_rule(list(book.rbin_rules.values()), "EC2_IMAGE", tags)
    if rule is None:
        return False
    entered = time.time() if now is None else now
    book.recycle_bin[ami.id] = BinEntry(
        ami, entered, entered + rule.retention_days * DAY_SECONDS, rule.identifier
    )
    return True


def live_entries(book: RegionBook, now: float) -> dict[str, BinEntry]:
    """The bin's entries still retained at ``now`` (expired ones are dropped for good)."""
    for ami_id, entry in list(book.recycle_bin.items()):
        if entry.exits <= now:
            book.recycle_bin.pop(ami_id, None)
    return dict(book.recycle_bin)


def snapshot_user(backend: Any, book: RegionBook, snapshot_id: str, skip: str = "") -> str | None:
    """The id of an image (registered, or in the bin) that uses the snapshot, or None."""
    images = list(backend.amis.values()) + [e.ami for e in book.recycle_bin.values()]
    for ami in images:
        if ami.id != skip and snapshot_id in _snapshot_ids(ami):
            return str(ami.id)
    return None


def _snapshot_ids(ami: Any) -> list[str]:
    return [m["Ebs"]["SnapshotId"] for m in ami.block_device_mappings if m.get("Ebs")]


class RecycleBinMixin(EC2BaseResponse):
    sandbox_state: ClassVar[SandboxState]

    def _book(self) -> RegionBook:
        return self.sandbox_state.book(self.current_account, self.region)

    def list_images_in_recycle_bin(self) -> ActionResult:
        ami_ids: list[str] = self._get_param("ImageIds", [])
        max_results = self._get_param("MaxResults")
        if len(ami_ids) > MAX_IDS:
            raise errors.invalid_parameter_value(
                f"You can specify up to {MAX_IDS} image IDs in a single request ({len(ami_ids)})."
            )
        for ami_id in ami_ids:
            check_image_id(ami_id)
        check_max_results(max_results, MIN_RESULTS, MAX_RESULTS)
        self.error_on_dryrun()
        with self.sandbox_state.lock:
            entries = live_entries(self._book(), time.time())
        wanted = [e for i, e in entries.items() if not ami_ids or i in ami_ids]
        query = fingerprint(self.region, "ListImagesInRecycleBin", sorted(ami_ids))
        page, token = paginate(
            wanted,
            key=lambda e: str(e.ami.id),
            max_results=max_results,
            next_token=self._get_param("NextToken"),
            query=query,
            default_page=MAX_RESULTS,
        )
        result: dict[str, Any] = {"Images": [_bin_info(e) for e in page]}
        if token:
            result["NextToken"] = token
        return ActionResult(result)

    def restore_image_from_recycle_bin(self) -> ActionResult:
        ami_id = check_image_id(self._get_param("ImageId"))
        self.error_on_dryrun()
        state, backend = self.sandbox_state, self.ec2_backend
        with state.lock:
            book = self._book()
            entry = live_entries(book, time.time()).get(ami_id)
            if entry is None:
                raise errors.ami_not_found([ami_id])
            check_name_free(backend, entry.ami.name)
            del book.recycle_bin[ami_id]
            book.deregistered.pop(ami_id, None)
            if ami_id in backend.deleted_amis:
                backend.deleted_amis.remove(ami_id)
            entry.ami.state = "available"
            backend.amis[ami_id] = entry.ami
        return ActionResult({"Return": True})

    def delete_snapshot(self) -> ActionResult:
        snapshot_id = self._get_param("SnapshotId")
        if isinstance(snapshot_id, str) and snapshot_id in self.ec2_backend.snapshots:
            with self.sandbox_state.lock:
                user = snapshot_user(self.ec2_backend, self._book(), snapshot_id)
            if user is not None and not self._get_param("DryRun"):
                raise EC2ClientError(
                    "InvalidSnapshot.InUse",
                    f"The snapshot {snapshot_id} is currently in use by {user}",
                )
        return super().delete_snapshot()  # type: ignore[misc]  # EC2Response, later in the MRO


def _bin_info(entry: BinEntry) -> dict[str, Any]:
    info: dict[str, Any] = {
        "ImageId": entry.ami.id,
        "Name": entry.ami.name,
        "RecycleBinEnterTime": _when(entry.entered),
        "RecycleBinExitTime": _when(entry.exits),
    }
    if entry.ami.description:
        info["Description"] = entry.ami.description
    return info
