"""Disable an image (DisableImage) or enable it again (EnableImage).

Disabling removes EVERY launch permission and hides the image from listings (X shows
disabled images); enabling does not give the permissions back. The form lists the
current shares (what will be lost) before anything is sent."""

from __future__ import annotations

from amitui.actions.common import image_field, usage_shown_only
from amitui.actions.registry import register_action
from amitui.actions.spec import ActionSpec

DISABLE = register_action(
    ActionSpec(
        name="disable",
        bulk=True,
        operation="DisableImage",
        title="Disable image",
        label="Disable",
        summary=(
            "Disable the image: it cannot be launched, is hidden from listings, and AWS "
            "removes EVERY launch permission (the shares listed below). Enabling it later "
            "does NOT restore them."
        ),
        needs_image=True,
        image_row="refreshes",
        shows_image=True,
        usage_guard=usage_shown_only,
        fields=(image_field("The AMI to disable."),),
    )
)

ENABLE = register_action(
    ActionSpec(
        name="enable",
        bulk=True,
        operation="EnableImage",
        title="Enable image",
        label="Enable",
        summary="Enable a disabled image: launchable again, without its former shares.",
        needs_image=True,
        image_row="refreshes",
        fields=(image_field("The disabled AMI to enable."),),
    )
)
