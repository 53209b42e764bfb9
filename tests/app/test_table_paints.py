"""A page of rows that lands below the screenful asks for no repaint of the table (a
listing of many places brings a page every few milliseconds: ImageTable.rows_added), and
one that changes what the screen shows is drawn."""

from __future__ import annotations

from dataclasses import replace

from amitui.aws.images import Image
from tests.app.helpers import SIZE, loaded, make_app, table_lines, wait_for


def _images(count: int, start: int = 0) -> list[Image]:
    return [
        Image(image_id=f"ami-{n:017x}", region="us-east-1", name=f"paint-test-{n:05d}")
        for n in range(start, start + count)
    ]


async def test_rows_below_the_screen_ask_for_no_repaint(memory):
    app = make_app(memory, cache=False, regions=("us-east-1",))
    async with app.run_test(size=SIZE) as pilot:
        grid = await loaded(pilot)
        # The columns fill the width the table had before its vertical scrollbar showed:
        # Textual then toggles the horizontal one as rows come (a layout each time), which
        # is not what this test is about.
        grid.styles.overflow_x = "hidden"
        grid.rows.extend(_images(100))  # more than a screenful
        grid.rows_changed()
        await wait_for(
            pilot,
            lambda: grid._painted == grid._window() and not grid._layout_required,
            what="the table painted",
        )
        # What the table asks of Textual, between two events (nothing else runs meanwhile)
        grid._repaint_required = False
        height = grid.virtual_size.height
        grid.rows.extend(_images(50, start=100))  # arrival order: after every row shown
        grid.rows_added()
        assert grid.virtual_size.height == height + 50  # the scrollbar follows
        assert not grid._repaint_required  # the lines on screen show the same rows

        first = grid.rows.image_at(0)
        grid.rows.extend([replace(first, name="renamed-on-screen")])  # a row shown, changed
        grid.rows_added()
        assert grid._repaint_required
        await wait_for(
            pilot,
            lambda: any("renamed-on-screen" in line for line in table_lines(app)),
            what="the changed row shown",
        )
