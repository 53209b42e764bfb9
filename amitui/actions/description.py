"""Description: ModifyImageAttribute Description (at most 255 characters)."""

from __future__ import annotations

from amitui.actions.common import image_field
from amitui.actions.registry import register_action
from amitui.actions.spec import ActionSpec, Field
from amitui.aws import validators as v

DESCRIBE = register_action(
    ActionSpec(
        name="description",
        bulk=True,
        operation="ModifyImageAttribute",
        title="Change description",
        label="Description",
        summary="Replace the image's description.",
        needs_image=True,
        image_row="refreshes",
        fields=(
            image_field("The AMI to describe."),
            Field(
                "Description.Value",
                "Description",
                required=True,
                validators=(v.description,),
                prefill="image_description",
                help="At most 255 characters.",
            ),
        ),
    )
)
