"""Which of the inventory table's lines a change altered (ui/widgets/table_window.py)."""

from __future__ import annotations

from amitui.aws.images import Image
from amitui.ui.widgets.table_window import changed_lines, window

FRAME = ("rows", 0, 5)


def images(*names: str) -> list[Image]:
    return [
        Image(image_id=f"ami-{n:017x}", region="us-east-1", name=name)
        for n, name in enumerate(names)
    ]


def unmarked(image: Image) -> bool:
    return False


def test_the_same_rows_cursor_and_marks_change_no_line():
    a, b, c = images("a", "b", "c")
    before = window(FRAME, [a, b, c], 0, 5, 0, unmarked, ())
    assert changed_lines(before, window(FRAME, [a, b, c], 0, 5, 0, unmarked, ())) == []


def test_a_cursor_step_changes_its_two_lines_and_a_row_its_own():
    a, b, c, d = images("a", "b", "c", "d")
    before = window(FRAME, [a, b, c, d], 0, 5, 0, unmarked, ())
    assert changed_lines(before, window(FRAME, [a, b, c, d], 0, 5, 1, unmarked, ())) == [(1, 2)]
    assert changed_lines(before, window(FRAME, [a, b, d, c], 0, 5, 0, unmarked, ())) == [(3, 2)]
    marked = window(FRAME, [a, b, c, d], 0, 5, 0, lambda i: i is c, ())
    assert changed_lines(before, marked) == [(3, 1)]


def test_rows_gone_leave_blank_or_hint_lines_that_change():
    a, b, c = images("a", "b", "c")
    before = window(FRAME, [a, b, c], 0, 5, 0, unmarked, ())
    fewer = window(FRAME, [a], 0, 5, 0, unmarked, ())
    assert changed_lines(before, fewer) == [(2, 2)]
    empty = window(FRAME, [], 0, 5, 0, unmarked, ("No image matches the filter.", "esc clears it"))
    assert changed_lines(fewer, empty) == [(1, 2)]  # the hint's two lines (line 3 stays blank)


def test_another_frame_or_no_paint_yet_changes_every_line():
    a, b = images("a", "b")
    before = window(FRAME, [a, b], 0, 5, 0, unmarked, ())
    assert changed_lines(None, before) is None
    scrolled = window(("rows", 1, 5), [b], 1, 5, 1, unmarked, ())
    assert changed_lines(before, scrolled) is None
