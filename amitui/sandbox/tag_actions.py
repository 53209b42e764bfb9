"""Tags and snapshot permissions, as EC2 checks them (issue 16).

* CreateTags / DeleteTags (moto's, with AWS's tag rules checked first): a key is 1 to
  128 characters, a value at most 256; keys starting with ``aws:`` are reserved
  (InvalidParameterValue, both calls); a resource has at most 50 tags, counting
  the ones it has and the new keys (TagLimitExceeded, nothing tagged). An image
  the caller cannot see is InvalidAMIID.NotFound, as in DescribeImages.
* ModifySnapshotAttribute ``createVolumePermission`` (moto 5.2.5 ignores the
  ``CreateVolumePermission`` structure boto3 sends): Add/Remove of ``UserId``
  (12 digits) and ``Group`` ``all``, or the older OperationType + UserIds +
  GroupNames. An encrypted snapshot cannot be made public (InvalidParameterValue,
  our wording). The owner's snapshots only. DescribeSnapshotAttribute answers the
  attribute asked for: ``createVolumePermission`` (users and groups) or
  ``productCodes`` (none).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from . import errors
from .describe_images import visible_to
from .moto_compat import ActionResult, EC2BaseResponse, EmptyResult
from .state import SandboxState
from .tagging import check_tag

MAX_TAGS = 50
SNAPSHOT_ID = re.compile(r"snap-(?:[0-9a-f]{8}|[0-9a-f]{17})")
ACCOUNT_ID = re.compile(r"\d{12}")


class TagActionsMixin(EC2BaseResponse):
    sandbox_state: ClassVar[SandboxState]

    def create_tags(self) -> ActionResult:
        resources: list[str] = self._get_param("Resources", [])
        tags = self._get_param("Tags", [])
        for tag in tags:
            check_tag(tag.get("Key"), tag.get("Value"))
        self._check_images_visible(resources)
        keys = {tag.get("Key") for tag in tags}
        for resource in resources:
            have = self.ec2_backend.tags.get(resource) or {}
            if len(have) + len(keys - set(have)) > MAX_TAGS:
                raise errors.tag_limit_exceeded()
        return super().create_tags()  # type: ignore[misc]  # moto's, later in the MRO

    def delete_tags(self) -> ActionResult:
        for tag in self._get_param("Tags", []):
            if str(tag.get("Key") or "").lower().startswith("aws:"):
                raise errors.reserved_tag_key()
        self._check_images_visible(self._get_param("Resources", []))
        return super().delete_tags()  # type: ignore[misc]

    def _check_images_visible(self, resources: list[str]) -> None:
        for resource in resources:
            ami = self.ec2_backend.amis.get(resource) if resource.startswith("ami-") else None
            if ami is not None and not visible_to(ami, self.current_account):
                raise errors.ami_not_found([resource])

    # -- snapshots -------------------------------------------------------------------
    def _own_snapshot(self) -> Any:
        snapshot_id = self._get_param("SnapshotId")
        if not isinstance(snapshot_id, str) or not SNAPSHOT_ID.fullmatch(snapshot_id):
            raise errors.malformed_snapshot_id(str(snapshot_id or ""))
        self.error_on_dryrun()
        snapshot = self.ec2_backend.snapshots.get(snapshot_id)
        if snapshot is None:
            raise errors.snapshot_not_found(snapshot_id)
        if snapshot.owner_id != self.current_account:
            raise errors.not_snapshot_owner(snapshot_id)
        return snapshot

    def _volume_permission_change(self) -> tuple[list[dict], list[dict]]:
        get = self._get_param
        change = get("CreateVolumePermission") or {}
        add, remove = list(change.get("Add") or []), list(change.get("Remove") or [])
        operation = get("OperationType")
        legacy = [{"UserId": u} for u in get("UserIds") or []]
        legacy += [{"Group": g} for g in get("GroupNames") or []]
        if operation in ("add", "remove"):
            (add if operation == "add" else remove).extend(legacy)
        elif legacy:
            raise errors.missing_parameter("OperationType")
        for item in (*add, *remove):
            user, group = item.get("UserId"), item.get("Group")
            if user is not None and not ACCOUNT_ID.fullmatch(str(user)):
                raise errors.invalid_launch_permission("userId", user)
            if group is not None and group != "all":
                raise errors.invalid_launch_permission("UserGroup", group)
        return add, remove

    def modify_snapshot_attribute(self) -> ActionResult:
        attribute = self._get_param("Attribute") or "createVolumePermission"
        if attribute != "createVolumePermission":
            raise errors.invalid_parameter_value(
                f"Value ({attribute}) for parameter attribute is invalid. "
                "Only createVolumePermission can be modified."
            )
        add, remove = self._volume_permission_change()
        if not add and not remove:
            raise errors.missing_parameter("CreateVolumePermission")
        snapshot = self._own_snapshot()
        with self.sandbox_state.lock:
            if {"Group": "all"} in add and snapshot.encrypted:
                raise errors.invalid_parameter_value(
                    f"Snapshot {snapshot.id} is encrypted; an encrypted snapshot can't be "
                    "made public (share it with accounts, and its KMS key with them)."
                )
            for item in add:
                if "UserId" in item:
                    snapshot.create_volume_permission_userids.add(item["UserId"])
                if "Group" in item:
                    snapshot.create_volume_permission_groups.add(item["Group"])
            for item in remove:
                snapshot.create_volume_permission_userids.discard(item.get("UserId"))
                snapshot.create_volume_permission_groups.discard(item.get("Group"))
        return EmptyResult()

    def describe_snapshot_attribute(self) -> ActionResult:
        attribute = self._get_param("Attribute")
        if attribute not in ("createVolumePermission", "productCodes"):
            raise errors.invalid_parameter_value(
                f"Value ({attribute}) for parameter attribute is invalid."
            )
        snapshot = self._own_snapshot()
        result: dict[str, Any] = {"SnapshotId": snapshot.id}
        if attribute == "productCodes":
            result["ProductCodes"] = []
        else:
            result["CreateVolumePermissions"] = [
                {"Group": g} for g in sorted(snapshot.create_volume_permission_groups)
            ] + [{"UserId": u} for u in sorted(snapshot.create_volume_permission_userids)]
        return ActionResult(result)
