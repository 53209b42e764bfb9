"""Tags: edit the image's tags in one field — add, change, remove — optionally on its
snapshots too. What is new or changed goes in one CreateTags, what was removed in one
DeleteTags; the form lists both before sending. Tags under the reserved ``aws:`` prefix
are AWS's: they are neither shown for editing nor removed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from amitui.actions.common import image_field
from amitui.actions.registry import register_action
from amitui.actions.spec import ActionSpec, Field


def _current(context: Mapping[str, object]) -> dict[str, str]:
    pairs = context.get("tags") or ()
    return {k: v for k, v in pairs if not k.lower().startswith("aws:")}  # type: ignore[attr-defined]


def _request(request: dict, values: Mapping[str, object]) -> None:
    """The CreateTags of every tag in the field (``plan`` sends only the differences)."""
    request["Resources"] = [values.get("ImageId")]
    request["Tags"] = [{"Key": k, "Value": v} for k, v in values.get("Tags") or ()]  # type: ignore[attr-defined]


def _plan(
    request: dict, values: Mapping[str, object], context: Mapping[str, object]
) -> list[tuple[str, dict]]:
    resources = list(request["Resources"])
    if values.get("AlsoSnapshots"):
        resources += list(context.get("snapshot_ids") or ())  # type: ignore[call-overload]
    current = _current(context)
    wanted = dict(values.get("Tags") or ())  # type: ignore[call-overload]
    changed = [{"Key": k, "Value": v} for k, v in wanted.items() if current.get(k) != v]
    removed = [{"Key": k} for k in current if k not in wanted]
    calls = []
    if changed:
        calls.append(("CreateTags", {"Resources": resources, "Tags": changed}))
    if removed:
        calls.append(("DeleteTags", {"Resources": resources, "Tags": removed}))
    return calls


def _preview(values: Mapping[str, object], context: Mapping[str, object]) -> str | None:
    request = {"Resources": [values.get("ImageId")]}
    calls = _plan(request, values, context)
    if not calls:
        return "No change yet: edit, add or remove tags in the field below."
    lines = []
    for operation, call in calls:
        what = ", ".join(
            t["Key"] + (f"={t['Value']}" if "Value" in t else "") for t in call["Tags"]
        )
        lines.append(f"{operation} on {len(call['Resources'])} resource(s): {what}")
    return "\n".join(lines)


def _merged(values: Mapping[str, object], context: Mapping[str, object]) -> dict[str, object]:
    """Over many images, the field adds or changes tags and removes none: each image keeps
    its own other tags."""
    wanted = {**_current(context), **dict(values.get("Tags") or ())}  # type: ignore[call-overload]
    return {"Tags": list(wanted.items())}


TAGS = register_action(
    ActionSpec(
        name="tags",
        bulk=True,
        bulk_values=_merged,
        bulk_note="Over many images the tags are added or changed; none is removed.",
        operation="CreateTags",
        title="Edit tags",
        label="Tags",
        summary="Add, change or remove the image's tags (the whole set is shown below).",
        needs_image=True,
        image_row="refreshes",
        warn=_preview,
        request_hook=_request,
        plan=_plan,
        fields=(
            replace(image_field("The AMI to tag."), api=False),
            Field(
                "Tags",
                "Tags",
                kind="tags",
                api=False,
                prefill="image_tags",
                resource_types=("image",),
                placeholder="e.g. Name=web, team=platform",
                help="key=value, comma-separated: keys ≤128, values ≤256, no aws:, at most 50.",
            ),
            Field(
                "AlsoSnapshots",
                "Also on its snapshots",
                kind="bool",
                default=False,
                api=False,
                help="Apply the same additions, changes and removals to the AMI's snapshots.",
            ),
        ),
    )
)
