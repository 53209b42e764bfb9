"""The six image actions as declarative specs (see :mod:`amitui.aws.fields`).

``ACTIONS`` maps the action name to its ``ActionSpec``, in key-map order
(``n`` create, ``c`` copy, ``e`` export, ``i`` import, ``r`` register,
``ctrl+d`` deregister). Required fields and enum choices agree with botocore's
EC2 model (tests/unit/test_action_specs.py compares them); where a form is
stricter than the API it says why in the field's help.
"""

from __future__ import annotations

from collections.abc import Mapping

from amitui.aws import storage_validators as sv
from amitui.aws import validators as v
from amitui.aws.action_fields import (
    description_field,
    encrypted_field,
    image_field,
    kms_key_field,
    kms_needs_encrypted,
    name_field,
    tags_field,
)
from amitui.aws.disk_actions import EXPORT, IMPORT, REGISTER
from amitui.aws.fields import FORM_ERROR, ActionSpec, Field

# -- copy --------------------------------------------------------------------------


def _copy_key_region(values: Mapping[str, object]) -> dict[str, str]:
    key_region = sv.kms_arn_region(values.get("KmsKeyId") or "")  # type: ignore[arg-type]
    targets = values.get("DestinationRegions") or []
    others = [r for r in targets if r != key_region]  # type: ignore[attr-defined]
    if key_region and others:
        return {
            "KmsKeyId": f"This key is in {key_region} but the copy goes to {others[0]}: "
            "use an alias or key id, which resolve in each region."
        }
    return {}


COPY = ActionSpec(
    name="copy",
    operation="CopyImage",
    title="Copy image",
    key="c",
    summary="Copy the image to one or more regions (one CopyImage per destination).",
    client_token=True,
    fan_out="DestinationRegions",
    fields=(
        Field(
            "SourceImageId",
            "Source image",
            required=True,
            validators=(v.image_id,),
            prefill="image_id",
            help="The AMI to copy.",
        ),
        Field(
            "SourceRegion",
            "Source region",
            required=True,
            validators=(v.region,),
            prefill="region",
            picker="regions",
            help="The region the source AMI is in.",
        ),
        Field(
            "DestinationRegions",
            "Destination regions",
            kind="regions",
            required=True,
            api=False,
            validators=(v.region,),
            picker="regions",
            placeholder="e.g. us-west-2, eu-west-1",
            help="One copy per region, each a task of its own; the call is made there.",
        ),
        name_field(prefill="image_name_copy"),
        description_field(),
        encrypted_field(
            "Encrypt the copy's snapshots (with the KMS key below, or the EBS default)."
        ),
        kms_key_field("Must exist in each destination region; needs Encrypted."),
        Field(
            "CopyImageTags",
            "Copy the image's tags",
            kind="bool",
            default=False,
            help="Copy the source AMI's user-defined tags to the new AMI.",
        ),
        tags_field(("image", "snapshot"), "Tags for the new AMI and its snapshots."),
        Field(
            "SnapshotCopyCompletionDurationMinutes",
            "Complete within (minutes)",
            kind="int",
            validators=(v.snapshot_copy_minutes,),
            placeholder="e.g. 60",
            help="Time-based copy: 15 to 2880, in steps of 15. Empty = best effort.",
        ),
    ),
    cross_validators=(kms_needs_encrypted, _copy_key_region),
)

# -- create ------------------------------------------------------------------------


def _reboot_warning(values: Mapping[str, object]) -> str | None:
    if values.get("NoReboot"):
        return None
    instance = values.get("InstanceId") or "The instance"
    return (
        f"{instance} will REBOOT while the image is taken: AWS shuts it down and starts it "
        "again so the file systems are consistent. Turn on No reboot to avoid it."
    )


CREATE = ActionSpec(
    name="create",
    operation="CreateImage",
    title="Create image from instance",
    key="n",
    summary="Create an AMI from an instance (the instance reboots unless No reboot is on).",
    confirm=_reboot_warning,
    fields=(
        Field(
            "InstanceId",
            "Instance",
            required=True,
            validators=(v.instance_id,),
            prefill="instance_id",
            picker="instances",
            help="The instance to image (its EBS volumes are snapshotted).",
        ),
        name_field(),
        description_field(),
        Field(
            "NoReboot",
            "No reboot",
            kind="bool",
            default=False,
            help="Off: the instance REBOOTS for a consistent image. On: no reboot, "
            "but open files may be inconsistent.",
        ),
        tags_field(("image", "snapshot"), "Tags for the new AMI and its snapshots."),
    ),
)

# -- deregister ------------------------------------------------------------------------


def _typed_back(values: Mapping[str, object]) -> dict[str, str]:
    image, typed = values.get("ImageId"), values.get("ConfirmImageId")
    if image and typed and typed != image:
        return {"ConfirmImageId": f"Does not match: type {image} to confirm."}
    return {}


DEREGISTER = ActionSpec(
    name="deregister",
    operation="DeregisterImage",
    title="Deregister image",
    key="ctrl+d",
    summary="Deregister the image: permanent (unless a Recycle Bin rule keeps it).",
    cross_validators=(_typed_back,),
    fields=(
        image_field("The AMI to deregister. Instances already running from it keep running."),
        Field(
            "ConfirmImageId",
            "Type the image id back",
            required=True,
            api=False,
            help="Deregistering is permanent unless a Recycle Bin retention rule covers it.",
        ),
        Field(
            "DeleteAssociatedSnapshots",
            "Also delete its snapshots",
            kind="bool",
            default=False,
            help="Also deletes the AMI's EBS snapshots, permanently (unless Recycle Bin).",
        ),
    ),
)

ACTIONS: dict[str, ActionSpec] = {
    spec.name: spec for spec in (CREATE, COPY, EXPORT, IMPORT, REGISTER, DEREGISTER)
}


def get_action(name: str) -> ActionSpec:
    """The spec for an action name; KeyError lists the known names."""
    try:
        return ACTIONS[name]
    except KeyError:
        raise KeyError(f"unknown action {name!r}; known: {', '.join(ACTIONS)}") from None


__all__ = ["ACTIONS", "FORM_ERROR", "ActionSpec", "Field", "get_action"]
