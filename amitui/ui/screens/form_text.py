"""What the generic action form writes: the selected image's context for prefills, the
summary above the fields (with the image it is fixed to), and a value as field text."""

from __future__ import annotations

from rich.text import Text

from amitui.actions.spec import ActionSpec
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


def summary_text(spec: ActionSpec, image: Image | None) -> Text:
    """The spec's summary; a spec that shows its image lists the one it is fixed to."""
    text = Text(spec.summary)
    if spec.shows_image and image is not None:
        text.append("\n")
        for label, value in (
            ("Name", image.name),
            ("Image", image.image_id),
            ("Region", image.region),
            ("Created", image.creation_date),
            ("Snapshots", ", ".join(image.snapshot_ids) or "none"),
        ):
            text.append(f"\n{label:<10} ", style="dim")
            text.append(str(value), style="bold")
    return text


def as_text(value: object) -> str:
    """A prefilled value as an input's text (lists comma-separated, pairs as k=v)."""
    if isinstance(value, list | tuple):
        return ", ".join(f"{v[0]}={v[1]}" if isinstance(v, tuple) else str(v) for v in value)
    return str(value)
