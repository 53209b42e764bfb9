"""Launch permissions, descriptions and block public access, as EC2 answers them (issue 16).

* ModifyImageAttribute, owner only (AuthFailure): ``LaunchPermission`` Add/Remove of
  ``UserId`` (12 digits), ``Group`` ``all`` (public), ``OrganizationArn``
  (``arn:aws:organizations::<account>:organization/o-...``) and
  ``OrganizationalUnitArn`` (``...:ou/o-.../ou-...``); a malformed one is
  InvalidAMIAttributeItemValue and nothing changes. The older form (Attribute
  ``launchPermission``, OperationType, UserIds, UserGroups, OrganizationArns,
  OrganizationalUnitArns) works too. ``Description`` (or Attribute ``description`` +
  Value) sets the description, at most 255 characters. One attribute per call
  (InvalidParameterCombination). A disabled image can't be shared (IncorrectState).
  Adding ``Group=all`` while the region's image block public access is
  ``block-new-sharing`` is OperationNotPermitted with AWS's message; images that were
  public before stay public.
* DescribeImageAttribute ``launchPermission`` (owner only) lists them in AWS's shape;
  ``description`` answers for any image the caller can see. ResetImageAttribute
  ``launchPermission`` makes the image private (every permission removed).
* CancelImageLaunchPermission: the caller leaves an image another account shared
  with the caller's account id. Refused (InvalidParameterValue, our wording) for an
  image the caller owns and for one it sees only as public (or through an
  organization); InvalidAMIID.NotFound for one it cannot see.
* Get/Enable/DisableImageBlockPublicAccess: per account and region (``RegionBook``);
  the seeded state is in catalogue_lifecycle.py. AWS takes up to 10 minutes to apply
  a change; the sandbox applies it at once. ManagedBy is ``account``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from . import errors
from .describe_images import check_image_id, own_image, visible_to
from .moto_compat import ActionResult, EC2BaseResponse, EmptyResult
from .state import SandboxState

ACCOUNT_ID = re.compile(r"\d{12}")
ORGANIZATION_ARN = re.compile(r"arn:aws[\w-]*:organizations::\d{12}:organization/o-[a-z0-9]{10,32}")
OU_ARN = re.compile(
    r"arn:aws[\w-]*:organizations::\d{12}:ou/o-[a-z0-9]{10,32}/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}"
)
PERMISSION_KINDS = {
    "UserId": ("userId", ACCOUNT_ID),
    "Group": ("UserGroup", re.compile("all")),
    "OrganizationArn": ("organizationArn", ORGANIZATION_ARN),
    "OrganizationalUnitArn": ("organizationalUnitArn", OU_ARN),
}
LEGACY_LISTS = (
    ("UserIds", "UserId"),
    ("UserGroups", "Group"),
    ("OrganizationArns", "OrganizationArn"),
    ("OrganizationalUnitArns", "OrganizationalUnitArn"),
)
MAX_DESCRIPTION = 255
BLOCKED = "block-new-sharing"
UNBLOCKED = "unblocked"


def checked_permissions(items: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """Launch permission items, one kind each, every value as EC2 accepts it."""
    out = []
    for item in items or []:
        for key, value in item.items():
            if key not in PERMISSION_KINDS:
                continue
            kind, pattern = PERMISSION_KINDS[key]
            if not isinstance(value, str) or not pattern.fullmatch(value):
                raise errors.invalid_launch_permission(kind, value)
            out.append({key: value})
    return out


class SharingMixin(EC2BaseResponse):
    sandbox_state: ClassVar[SandboxState]

    # -- ModifyImageAttribute ------------------------------------------------------
    def _launch_permission_change(self) -> tuple[list[dict], list[dict]] | None:
        get = self._get_param
        change = get("LaunchPermission") or {}
        add, remove = list(change.get("Add") or []), list(change.get("Remove") or [])
        operation = get("OperationType")
        legacy = [(key, get(name) or []) for name, key in LEGACY_LISTS]
        if operation in ("add", "remove"):
            target = add if operation == "add" else remove
            target.extend({key: value} for key, values in legacy for value in values)
        elif any(values for _key, values in legacy):
            raise errors.missing_parameter("OperationType")
        if not (add or remove or get("Attribute") == "launchPermission"):
            return None
        return checked_permissions(add), checked_permissions(remove)

    def _new_description(self) -> str | None:
        given = self._get_param("Description")
        if isinstance(given, dict) and "Value" in given:
            return str(given["Value"] or "")
        if self._get_param("Attribute") == "description":
            return str(self._get_param("Value") or "")
        return None

    def modify_image_attribute(self) -> ActionResult:
        ami_id = check_image_id(self._get_param("ImageId"))
        permissions = self._launch_permission_change()
        description = self._new_description()
        others = [self._get_param(n) for n in ("ImdsSupport", "ProductCodes")]
        asked = sum(x is not None for x in (permissions, description)) + sum(map(bool, others))
        if asked > 1:
            raise errors.one_attribute_at_a_time()
        if asked == 0:
            raise errors.no_attribute()
        if description is not None and len(description) > MAX_DESCRIPTION:
            raise errors.description_too_long(len(description))
        self.error_on_dryrun()
        ami = own_image(self.ec2_backend, self.current_account, ami_id)
        if permissions is None and description is None:
            return super().modify_image_attribute()  # type: ignore[misc]  # moto's
        with self.sandbox_state.lock:
            if description is not None:
                ami.description = description
            else:
                assert permissions is not None
                self._change_permissions(ami, *permissions)
        return EmptyResult()

    def _change_permissions(self, ami: Any, add: list[dict], remove: list[dict]) -> None:
        if add and ami.state == "disabled":
            raise errors.disabled_image_not_shareable(ami.id)
        if {"Group": "all"} in add and not ami.is_public and self._blocked():
            raise errors.public_sharing_blocked()
        for permission in add:
            if permission not in ami.launch_permissions:
                ami.launch_permissions.append(permission)
        for permission in remove:
            if permission in ami.launch_permissions:
                ami.launch_permissions.remove(permission)

    # -- DescribeImageAttribute / ResetImageAttribute ------------------------------
    def describe_image_attribute(self) -> ActionResult:
        attribute = self._get_param("Attribute")
        if attribute not in ("launchPermission", "description"):
            return super().describe_image_attribute()  # type: ignore[misc]
        ami_id = check_image_id(self._get_param("ImageId"))
        self.error_on_dryrun()
        if attribute == "launchPermission":
            ami = own_image(self.ec2_backend, self.current_account, ami_id)
            shares = [dict(p) for p in ami.launch_permissions]
            return ActionResult({"ImageId": ami_id, "LaunchPermissions": shares})
        ami = self.ec2_backend.amis.get(ami_id)
        if ami is None or not visible_to(ami, self.current_account):
            raise errors.ami_not_found([ami_id])
        value = {"Value": ami.description} if ami.description else {}
        return ActionResult({"ImageId": ami_id, "Description": value})

    def reset_image_attribute(self) -> Any:  # moto annotates its own as str
        ami_id = check_image_id(self._get_param("ImageId"))
        attribute = self._get_param("Attribute")
        if attribute != "launchPermission":
            raise errors.invalid_parameter_value(
                f"Value ({attribute}) for parameter attribute is invalid. "
                "Only launchPermission can be reset."
            )
        self.error_on_dryrun()
        ami = own_image(self.ec2_backend, self.current_account, ami_id)
        with self.sandbox_state.lock:
            ami.launch_permissions.clear()
        return EmptyResult()

    # -- CancelImageLaunchPermission -----------------------------------------------
    def cancel_image_launch_permission(self) -> ActionResult:
        ami_id = check_image_id(self._get_param("ImageId"))
        self.error_on_dryrun()
        account = self.current_account
        ami = self.ec2_backend.amis.get(ami_id)
        if ami is None or not visible_to(ami, account):
            raise errors.ami_not_found([ami_id])
        if ami.owner_id == account:
            raise errors.own_image_cancel(ami_id)
        mine = {"UserId": account}
        with self.sandbox_state.lock:
            if mine not in ami.launch_permissions:
                raise errors.not_shared_with_you(ami_id)
            ami.launch_permissions.remove(mine)
        return ActionResult({"Return": True})

    # -- image block public access -------------------------------------------------
    def _blocked(self) -> bool:
        book = self.sandbox_state.book(self.current_account, self.region)
        return book.image_block_public_access == BLOCKED

    def _set_block(self, value: str) -> None:
        book = self.sandbox_state.book(self.current_account, self.region)
        with self.sandbox_state.lock:
            book.image_block_public_access = value

    def get_image_block_public_access_state(self) -> ActionResult:
        self.error_on_dryrun()
        state = self.sandbox_state.book(self.current_account, self.region)
        return ActionResult(
            {"ImageBlockPublicAccessState": state.image_block_public_access, "ManagedBy": "account"}
        )

    def enable_image_block_public_access(self) -> ActionResult:
        wanted = self._get_param("ImageBlockPublicAccessState")
        if wanted != BLOCKED:
            raise errors.invalid_parameter_value(
                f"Value ({wanted}) for parameter ImageBlockPublicAccessState is invalid. "
                f"Valid value: {BLOCKED}."
            )
        self.error_on_dryrun()
        self._set_block(BLOCKED)
        return ActionResult({"ImageBlockPublicAccessState": BLOCKED})

    def disable_image_block_public_access(self) -> ActionResult:
        self.error_on_dryrun()
        self._set_block(UNBLOCKED)
        return ActionResult({"ImageBlockPublicAccessState": UNBLOCKED})
