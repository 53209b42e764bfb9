"""Leave a shared image (the consumer side): CancelImageLaunchPermission removes this
account's permission to launch an image another account shared with it. Typed-back id:
getting it back needs its owner to share it again."""

from __future__ import annotations

from amitui.actions.common import image_field, typed_back
from amitui.actions.registry import register_action
from amitui.actions.spec import ActionSpec, Field

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
        cross_validators=(typed_back,),
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
