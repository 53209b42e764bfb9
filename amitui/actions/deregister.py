"""Deregister: DeregisterImage, after the image id is typed back; its row goes.

Before it sends, the form asks what still uses the image (amitui/aws/usage_checks.py). An
image that something references, that is protected or shared, or whose check could not be
made ("not verified") is refused unless "Deregister anyway" is ticked; the form names what
that breaks beside the tick."""

from __future__ import annotations

from collections.abc import Mapping

from amitui.actions.common import image_field, typed_back
from amitui.actions.registry import register_action
from amitui.actions.spec import FORM_ERROR, ActionSpec, Field
from amitui.aws.usage import Usage

OVERRIDE = "DeregisterAnyway"


def _snapshots_go_too(values: Mapping[str, object], image: Mapping[str, object]) -> str | None:
    snapshots = image.get("snapshot_ids") or ()
    if values.get("DeleteAssociatedSnapshots") and snapshots:
        return "These snapshots will be deleted too: " + ", ".join(snapshots)  # type: ignore[arg-type]
    return None


def _refused_while_used(values: Mapping[str, object], usage: Usage | None) -> dict[str, str]:
    if usage is None:
        return {FORM_ERROR: "Still checking what uses this image: nothing was sent."}
    if usage.clear or values.get(OVERRIDE):
        return {}
    if usage.references or usage.protected:
        why = "It is in use, protected or shared (listed above)"
    else:
        why = "What uses it is not verified: a check could not be made (listed above)"
    return {OVERRIDE: f"{why}: tick “Deregister anyway” to deregister it regardless."}


DEREGISTER = register_action(
    ActionSpec(
        name="deregister",
        bulk=True,
        recycle_bin=True,
        operation="DeregisterImage",
        title="Deregister image",
        summary="Deregister the image: permanent (unless a Recycle Bin rule keeps it).",
        needs_image=True,
        image_row="removes",
        shows_image=True,
        warn=_snapshots_go_too,
        cross_validators=(typed_back,),
        usage_guard=_refused_while_used,
        usage_override=OVERRIDE,
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
            Field(
                OVERRIDE,
                "Deregister anyway",
                kind="bool",
                default=False,
                api=False,
                help="Needed only when something uses the image or the check failed.",
            ),
        ),
    )
)
