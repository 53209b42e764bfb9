"""What the generic action form writes: the summary above the fields (with the image it
is fixed to) and a value as field text. (The image's context for prefills is
amitui.actions.context's.)"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from amitui.actions.spec import ActionSpec
from amitui.aws.images import Image


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


def show(box: Static, text: Text) -> None:
    """Show ``text`` in ``box`` unless it shows it already: an update lays the form out
    again (the text may change its height), and a form's live checks re-send the same
    lines at each change (every field's error line, ~120 widgets laid out for nothing)."""
    shown = box.content
    same = (
        shown == text
        if isinstance(shown, Text)
        else isinstance(shown, str) and not text.spans and shown == text.plain
    )
    if not same:
        box.update(text)
