"""Copy: one CopyImage per destination region, each a task followed to available."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from amitui.actions.common import (
    description_field,
    encrypted_field,
    kms_key_field,
    kms_needs_encrypted,
    name_field,
    tags_field,
)
from amitui.actions.registry import register_action
from amitui.actions.spec import ActionSpec, Field
from amitui.aws import storage_validators as sv
from amitui.aws import validators as v
from amitui.tasks.calls import deregister_pending
from amitui.tasks.kinds import API_IMAGES, Cancel, TaskKind


def _source(request: Mapping, response: Mapping, target: str) -> str:
    return f"{request.get('SourceImageId')} ({request.get('SourceRegion')})"


def _copy_key_region(values: Mapping[str, object]) -> dict[str, str]:
    key_region = sv.kms_arn_region(values.get("KmsKeyId") or "")  # type: ignore[arg-type]
    targets = cast("list[str]", values.get("DestinationRegions") or [])
    others = [r for r in targets if r != key_region]
    if key_region and others:
        return {
            "KmsKeyId": f"This key is in {key_region} but the copy goes to {others[0]}: "
            "use an alias or key id, which resolve in each region."
        }
    return {}


COPY = register_action(
    ActionSpec(
        name="copy",
        operation="CopyImage",
        title="Copy image",
        summary="Copy the image to one or more regions (one CopyImage per destination).",
        needs_image=True,
        result_key="ImageId",
        task=TaskKind(
            "copy",
            poll=API_IMAGES,
            source=_source,
            cancel=Cancel(deregister_pending, states=("", "pending"), deregisters=True),
            snapshot_progress=True,
            refresh="target",
        ),
        image_row="adds",
        client_token=True,
        fan_out="DestinationRegions",
        account_note=(
            "The copy is made in this same account: AWS copies an image only within the "
            "account that calls CopyImage. For another account, share the image with it "
            "(Sharing), then copy it from that account."
        ),
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
                lookup="regions",
                help="The region the source AMI is in.",
            ),
            Field(
                "DestinationRegions",
                "Destination regions",
                kind="regions",
                required=True,
                api=False,
                validators=(v.region,),
                lookup="regions",
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
)
