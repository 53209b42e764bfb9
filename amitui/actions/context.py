"""What an action knows of the image it acts on: the context a form's prefills, warnings,
plans and rules read (``ActionSpec.initial_values``, ``warn``, ``plan``, ``context_rules``),
built the same way for the form, the bulk form and the command line."""

from __future__ import annotations

from amitui.aws.images import Image


def image_context(image: Image | None, region: str) -> dict[str, object]:
    """What a form may prefill from the selected image (and its spec's ``warn`` reads)."""
    if image is None:
        return {"region": region}
    return {
        "image_id": image.image_id,
        "image_name": image.name,
        "image_description": image.description,
        "image_tags": list(image.tags),
        "region": image.region,
        "snapshot_ids": tuple(image.snapshot_ids),
        "tags": tuple(image.tags),
        "deprecation_time": image.deprecation_time,
        "protection": image.protection,
        "public": image.public,
        "state": image.state,
        "owner_id": image.owner_id,
        "encrypted": image.encrypted,
    }
