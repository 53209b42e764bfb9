"""What each of the inventory table's lines shows, and which lines a change altered.

A filter keystroke that narrows a query often leaves the screenful as it was ("ubunt" ->
"ubuntu"), and a cursor step changes two lines: painting only the lines that show
something else spares Textual the other ~40 lines' strips, styles and compositing (a
filter keystroke's paint took 5-15 ms for the table alone when every line was redrawn).

A ``Window`` is a plain description of the table's lines: the ``frame`` that every line
depends on (where it is scrolled, its size and focus, the columns and their widths, the
sort shown in the header) and one key per body line (the image, whether the cursor is on
it, whether it is marked; or the hint text an empty table shows). Rows are compared as
objects: ImageRows replaces a changed image by a new object, never edits one in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from amitui.aws.images import Image


@dataclass(frozen=True, slots=True)
class Window:
    frame: tuple[object, ...]
    lines: tuple[object, ...]  # one key per body line (line 1 of the table onwards)


def window(
    frame: tuple[object, ...],
    shown: Sequence[Image],
    top: int,
    height: int,
    cursor: int,
    marked: Callable[[Image], bool],
    hint: Sequence[str],
) -> Window:
    """The table's lines: ``shown`` are the images on the body lines from row ``top`` on
    (fewer than ``height`` at the end of the rows), then ``hint``'s lines (the empty
    table's), then blank lines."""
    lines: list[object] = [
        (image, top + n == cursor, marked(image)) for n, image in enumerate(shown)
    ]
    for row in range(top + len(lines), top + height):
        lines.append(hint[row] if row < len(hint) else None)
    return Window(frame, tuple(lines))


def changed_lines(painted: Window | None, now: Window) -> list[tuple[int, int]] | None:
    """The runs of table lines (first line, count; line 0 is the header, which the frame
    decides) that show something else now than at the ``painted`` paint; None when every
    line does (another frame, or nothing painted yet)."""
    if painted is None or painted.frame != now.frame or len(painted.lines) != len(now.lines):
        return None
    runs: list[tuple[int, int]] = []
    for line, (before, after) in enumerate(zip(painted.lines, now.lines, strict=True), 1):
        if before != after:
            if runs and sum(runs[-1]) == line:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((line, 1))
    return runs
