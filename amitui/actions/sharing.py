"""Sharing: who may launch the image (ModifyImageAttribute LaunchPermission), or back to
private with no shares at all (ResetImageAttribute launchPermission).

Accounts (12 digits), organizations (``arn:aws:organizations::…:organization/o-…``) and
organizational units (``…:ou/o-…/ou-…``) are added or removed; "public" shares with every
AWS account (refused by AWS while the region's image block public access is on: its error
is shown in the form). The current shares are listed above the fields before sending."""

from __future__ import annotations

import re
from collections.abc import Mapping

from amitui.actions.common import ACCOUNT_ID, image_field, usage_shown_only
from amitui.actions.registry import register_action
from amitui.actions.spec import FORM_ERROR, ActionSpec, Field

PUBLIC_CHOICES = ("unchanged", "public", "not public", "reset to private")
_ORG = re.compile(r"arn:aws[a-z-]*:organizations::\d{12}:organization/o-[a-z0-9]{10,32}")
_OU = re.compile(
    r"arn:aws[a-z-]*:organizations::\d{12}:ou/o-[a-z0-9]{10,32}/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}"
)


def principal(value: str) -> dict[str, str] | None:
    """The LaunchPermission entry ``value`` names, or None."""
    if ACCOUNT_ID.fullmatch(value):
        return {"UserId": value}
    if _ORG.fullmatch(value):
        return {"OrganizationArn": value}
    if _OU.fullmatch(value):
        return {"OrganizationalUnitArn": value}
    return None


def _principal(value: str) -> str | None:
    if principal(value) is not None:
        return None
    return "An account id (12 digits), an organization ARN or an OU ARN."


def _permissions(request: dict, values: Mapping[str, object]) -> None:
    add = [principal(v) for v in values.get("ShareWith") or ()]  # type: ignore[attr-defined]
    remove = [principal(v) for v in values.get("StopSharingWith") or ()]  # type: ignore[attr-defined]
    public = values.get("Public")
    if public == "public":
        add.append({"Group": "all"})
    elif public == "not public":
        remove.append({"Group": "all"})
    permission: dict[str, list] = {}
    if add:
        permission["Add"] = add
    if remove:
        permission["Remove"] = remove
    if permission:
        request["LaunchPermission"] = permission


def _plan(
    request: dict, values: Mapping[str, object], context: Mapping[str, object]
) -> list[tuple[str, dict]]:
    if values.get("Public") == "reset to private":
        reset = {"ImageId": request["ImageId"], "Attribute": "launchPermission"}
        return [("ResetImageAttribute", reset)]
    calls = [("ModifyImageAttribute", request)] if "LaunchPermission" in request else []
    accounts = [v for v in values.get("ShareWith") or () if ACCOUNT_ID.fullmatch(v)]  # type: ignore[attr-defined]
    if values.get("SnapshotVolumes") and accounts:
        for snapshot in context.get("snapshot_ids") or ():  # type: ignore[attr-defined]
            permission = {"Add": [{"UserId": a} for a in accounts]}
            calls.append(
                (
                    "ModifySnapshotAttribute",
                    {
                        "SnapshotId": snapshot,
                        "Attribute": "createVolumePermission",
                        "CreateVolumePermission": permission,
                    },
                )
            )
    return calls


def _rules(values: Mapping[str, object]) -> dict[str, str]:
    add = set(values.get("ShareWith") or ())  # type: ignore[call-overload]
    remove = set(values.get("StopSharingWith") or ())  # type: ignore[call-overload]
    if add & remove:
        return {"StopSharingWith": f"Both added and removed: {', '.join(sorted(add & remove))}."}
    reset = values.get("Public") == "reset to private"
    if reset and (add or remove):
        return {"Public": "Reset removes every share: leave the lists empty."}
    if not (add or remove or values.get("Public") not in (None, "unchanged")):
        return {FORM_ERROR: "Nothing to change: add or remove someone, or change public."}
    return {}


def _preview(values: Mapping[str, object], context: Mapping[str, object]) -> str | None:
    lines = []
    if values.get("Public") == "public":
        lines.append("Public: every AWS account can launch it (and copy it).")
    if values.get("Public") == "reset to private":
        lines.append("Reset: every account, organization and OU loses access; not public.")
    if context.get("encrypted") and values.get("ShareWith"):
        lines.append(
            "Its snapshots are encrypted: the accounts also need use of the KMS key "
            "(kms:Decrypt, kms:CreateGrant, ...), which amitui does not change; a key "
            "AWS manages (aws/ebs) cannot be shared at all."
        )
    return "\n".join(lines) or None


def _blocked(values: Mapping[str, object], context: Mapping[str, object]) -> dict[str, str]:
    """Public sharing while the region's image block public access is on: AWS refuses it."""
    if values.get("Public") == "public" and context.get("public_sharing") == "block-new-sharing":
        region = context.get("region") or "this region"
        return {
            "Public": f"Public sharing is blocked in {region} (image block public access is "
            "on for the account): AWS refuses it. Turn the block off first (EC2 console, "
            "or DisableImageBlockPublicAccess)."
        }
    return {}


SHARING = register_action(
    ActionSpec(
        name="sharing",
        operation="ModifyImageAttribute",
        title="Share image",
        label="Sharing",
        summary="Who may launch this image: accounts, organizations, OUs, everyone.",
        needs_image=True,
        image_row="refreshes",
        warn=_preview,
        usage_guard=usage_shown_only,
        cross_validators=(_rules,),
        context_rules=(_blocked,),
        request_hook=_permissions,
        plan=_plan,
        fields=(
            image_field("The AMI to share."),
            Field(
                "ShareWith",
                "Share with",
                kind="list",
                api=False,
                validators=(_principal,),
                placeholder="e.g. 111111111111, arn:aws:organizations::…:organization/o-…",
                help="Accounts, organization ARNs or OU ARNs to add (comma-separated).",
            ),
            Field(
                "StopSharingWith",
                "Stop sharing with",
                kind="list",
                api=False,
                validators=(_principal,),
                help="Accounts, organization ARNs or OU ARNs to remove.",
            ),
            Field(
                "Public",
                "Public",
                kind="choice",
                api=False,
                default="unchanged",
                choices=PUBLIC_CHOICES,
                help="public: every AWS account; reset to private: remove every share too.",
            ),
            Field(
                "SnapshotVolumes",
                "Snapshots too",
                kind="bool",
                default=False,
                api=False,
                help="Let the added accounts create volumes from its snapshots "
                "(createVolumePermission).",
            ),
        ),
    )
)
