"""Leave a shared image (the consumer side): CancelImageLaunchPermission removes this
account's permission to launch an image another account shared with it. Typed-back id:
getting it back needs its owner to share it again."""

from __future__ import annotations

from collections.abc import Mapping

from amitui.actions.common import image_field
from amitui.actions.registry import register_action
from amitui.actions.spec import ActionSpec, Field


def _typed_back(values: Mapping[str, object]) -> dict[str, str]:
    image, typed = values.get("ImageId"), values.get("ConfirmImageId")
    if image and typed and typed != image:
        return {"ConfirmImageId": f"Does not match: type {image} to confirm."}
    return {}


LEAVE = register_action(
    ActionSpec(
        name="leave-shared",
        operation="CancelImageLaunchPermission",
        title="Leave shared image",
        label="Leave shared image",
        summary=(
            "Stop being able to launch an image another account shared with you "
            "(only its owner can share it again)."
        ),
        needs_image=True,
        image_row="removes",
        shows_image=True,
        cross_validators=(_typed_back,),
        fields=(
            image_field("The shared AMI to leave."),
            Field(
                "ConfirmImageId",
                "Type the image id back",
                required=True,
                api=False,
                help="Only the owner can share it with you again.",
            ),
        ),
    )
)
