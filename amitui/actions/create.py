"""Create: CreateImage from an instance (which reboots unless No reboot is on)."""

from __future__ import annotations

from collections.abc import Mapping

from amitui.actions.common import description_field, name_field, tags_field
from amitui.actions.registry import register_action
from amitui.actions.spec import ActionSpec, Field
from amitui.aws import validators as v
from amitui.tasks.calls import deregister_pending
from amitui.tasks.kinds import API_IMAGES, Cancel, TaskKind


def _reboot_warning(values: Mapping[str, object]) -> str | None:
    if values.get("NoReboot"):
        return None
    instance = values.get("InstanceId") or "The instance"
    return (
        f"{instance} will REBOOT while the image is taken: AWS shuts it down and starts it "
        "again so the file systems are consistent. Turn on No reboot to avoid it."
    )


CREATE = register_action(
    ActionSpec(
        name="create",
        operation="CreateImage",
        title="Create image from instance",
        summary="Create an AMI from an instance (the instance reboots unless No reboot is on).",
        result_key="ImageId",
        task=TaskKind(
            "create",
            poll=API_IMAGES,
            source=lambda request, response, target: str(request.get("InstanceId", "")),
            cancel=Cancel(deregister_pending, states=("", "pending"), deregisters=True),
            snapshot_progress=True,
            refresh="target",
        ),
        image_row="adds",
        confirm=_reboot_warning,
        fields=(
            Field(
                "InstanceId",
                "Instance",
                required=True,
                validators=(v.instance_id,),
                prefill="instance_id",
                lookup="instances",
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
)
