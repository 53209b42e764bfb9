"""The inventory table's lines as Strips: its header, and one image's row.

Plain functions of what a line shows: the columns and their widths, the image and whether
it is under the cursor, on an odd line or marked, and ``style(name)``, the table's theme
style of that name ("base", "header", "sorted", "cursor", "odd", "marked", a state class,
"deprecated"). Which row goes on which line, and the scroll, are the table's
(image_table.py). Cells are plain strings turned into Segments: AMI names such as
``[x] build`` are never read as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from amitui.aws.images import Image
from amitui.ui.columns import Column, fit

#: A row's state cell takes its colour from the theme (the component class named here).
STATE_CLASSES = {
    "available": "state-ok",
    "pending": "state-busy",
    "transient": "state-busy",
    "failed": "state-bad",
    "error": "state-bad",
    "invalid": "state-bad",
    "deregistered": "state-gone",
    "disabled": "state-gone",
}
#: Styles that only colour a cell's text (the row's background stays).
PARTIAL = frozenset((*STATE_CLASSES.values(), "deprecated"))
#: The table's component styles by name (``image-table--NAME``), besides "base".
STYLE_NAMES = ("header", "sorted", "cursor", "odd", "marked", *sorted(PARTIAL))


def header_strip(
    columns: Sequence[Column],
    widths: Sequence[int],
    sorted_by: tuple[str | None, bool],
    style: Callable[[str], Style],
    width: int,
) -> Strip:
    """The column titles; the sort column's with ▲ (ascending) or ▼ (``sorted_by``:
    (column key, reverse))."""
    base = style("header")
    sorted_style = style("sorted")
    column, reverse = sorted_by
    segments = [Segment(" ", base)]
    for col, cells in zip(columns, widths, strict=True):
        title = col.title
        title_style = base
        if col.key == column:
            title += " ▼" if reverse else " ▲"
            title_style = sorted_style
        segments.append(Segment(fit(title, cells), title_style))
        segments.append(Segment(" ", base))
    return Strip(segments, width)


def row_strip(
    image: Image,
    columns: Sequence[Column],
    widths: Sequence[int],
    style: Callable[[str], Style],
    width: int,
    *,
    cursor: bool,
    odd: bool,
    marked: bool,
) -> Strip:
    """One image's cells; a mark (●) in the first cell; state and deprecation coloured
    unless the row is under the cursor (whose style says it all). Cells of the row's own
    style are joined into one segment: a line is a few segments, not two per column, and
    each segment costs Textual's styling and compositing again at every paint."""
    base = style("base")
    if cursor:
        base = base + style("cursor")
    elif odd:
        base = base + style("odd")
    if marked:
        base = base + style("marked")
    segments: list[Segment] = []
    run = ["●" if marked else " "]  # text in the base style, not yet a segment
    for col, cells in zip(columns, widths, strict=True):
        text = fit(col.cell(image), cells)
        cell_style = None
        if not cursor:
            if col.key == "state" and image.state in STATE_CLASSES:
                cell_style = base + style(STATE_CLASSES[image.state])
            elif col.key == "deprecation" and image.deprecation_time:
                cell_style = base + style("deprecated")
        if cell_style is None:
            run.append(text)
        else:
            segments.append(Segment("".join(run), base))
            segments.append(Segment(text, cell_style))
            run = []
        run.append(" ")
    segments.append(Segment("".join(run), base))
    return Strip(segments, width)
