"""Deregistration protection: enable it (with or without the 24-hour cooldown) or disable
it (EnableImageDeregistrationProtection / DisableImageDeregistrationProtection)."""

from __future__ import annotations

from amitui.actions.common import image_field
from amitui.actions.registry import register_action
from amitui.actions.spec import ActionSpec, Field

PROTECT = register_action(
    ActionSpec(
        name="protect",
        bulk=True,
        operation="EnableImageDeregistrationProtection",
        title="Protect from deregistration",
        label="Protect",
        summary="DeregisterImage is refused while protection is on (amitui's form refuses first).",
        needs_image=True,
        image_row="refreshes",
        fields=(
            image_field("The AMI to protect."),
            Field(
                "WithCooldown",
                "With 24-hour cooldown",
                kind="bool",
                default=False,
                help="When protection is later disabled, it stays on for 24 more hours.",
            ),
        ),
    )
)

UNPROTECT = register_action(
    ActionSpec(
        name="unprotect",
        bulk=True,
        operation="DisableImageDeregistrationProtection",
        title="Remove deregistration protection",
        label="Unprotect",
        summary=(
            "Turn protection off. If it was enabled with cooldown, it stays on for 24 hours "
            "(DescribeImages says until when)."
        ),
        needs_image=True,
        image_row="refreshes",
        fields=(image_field("The AMI to unprotect."),),
    )
)
