"""Deprecation: schedule it (EnableImageDeprecation) or clear it (DisableImageDeprecation).

The time is typed as a date or from now (``+90d``, ``+6m``; see when.py), shown as AWS will
store it (UTC, rounded to the minute) before it is sent; the row changes in place."""

from __future__ import annotations

from collections.abc import Mapping

from amitui.actions.common import image_field
from amitui.actions.registry import register_action
from amitui.actions.spec import ActionSpec, Field
from amitui.actions.when import FORMATS_HELP, iso_minute, parse_when


def _when(value: str) -> str | None:
    found = parse_when(value)
    return found if isinstance(found, str) else None


def _deprecate_at(request: dict, values: Mapping[str, object]) -> None:
    found = parse_when(str(values.get("When") or ""))
    if not isinstance(found, str):
        request["DeprecateAt"] = iso_minute(found)


def _shown(values: Mapping[str, object], image: Mapping[str, object]) -> str | None:
    found = parse_when(str(values.get("When") or "")) if values.get("When") else None
    if found is None or isinstance(found, str):
        return None
    before = f" (now {image['deprecation_time']})" if image.get("deprecation_time") else ""
    return (
        f"Deprecated from {found:%Y-%m-%d %H:%M} UTC{before}: it then drops out of listings "
        "unless deprecated images are included (D); instances keep running."
    )


DEPRECATE = register_action(
    ActionSpec(
        name="deprecate",
        bulk=True,
        operation="EnableImageDeprecation",
        title="Schedule deprecation",
        label="Deprecate",
        summary="Set when the image becomes deprecated (it can still be launched by id).",
        needs_image=True,
        image_row="refreshes",
        warn=_shown,
        request_hook=_deprecate_at,
        fields=(
            image_field("The AMI to deprecate."),
            Field(
                "When",
                "Deprecate at",
                required=True,
                api=False,
                validators=(_when,),
                placeholder="e.g. +90d or 2027-06-30",
                help=f"UTC: {FORMATS_HELP}. AWS rounds to the minute; at most 10 years ahead.",
            ),
        ),
    )
)

UNDEPRECATE = register_action(
    ActionSpec(
        name="undeprecate",
        bulk=True,
        operation="DisableImageDeprecation",
        title="Clear deprecation",
        label="Undeprecate",
        summary="Remove the image's deprecation time: it is listed as current again.",
        needs_image=True,
        image_row="refreshes",
        fields=(image_field("The AMI whose deprecation time is cleared."),),
    )
)
