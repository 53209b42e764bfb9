"""A page of rows that lands below the screenful asks for no repaint of the table (a
listing of many places brings a page every few milliseconds: ImageTable.rows_added), and
one that changes what the screen shows is drawn. A filter keystroke or a cursor step
repaints only the table lines that show something else (ImageTable._paint_changes), and
what the screen then shows is exactly what the table draws."""

from __future__ import annotations

from dataclasses import replace

from textual.geometry import Region

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


async def _painted(pilot, grid) -> None:
    await wait_for(
        pilot,
        lambda: not grid.rows.filtering and grid._painted == grid._window(),
        what="the table painted",
    )


async def test_a_filter_key_that_keeps_the_screenful_repaints_no_line_a_cursor_step_two(memory):
    app = make_app(memory, cache=False, regions=("us-east-1",))
    async with app.run_test(size=SIZE) as pilot:
        grid = await loaded(pilot)
        await pilot.press("slash", *"us-eas")  # every row is in us-east-1
        await _painted(pilot, grid)
        asked: list[tuple[Region, ...]] = []
        refresh = grid.refresh

        def recorded(*regions, **kwargs):
            asked.append(regions)
            return refresh(*regions, **kwargs)

        grid.refresh = recorded  # type: ignore[method-assign]
        await pilot.press("t")
        await _painted(pilot, grid)
        assert grid.rows.query.terms[0].value == "us-east"
        assert asked == []  # the same rows, the same cursor: no line to paint again

        await pilot.press("enter")  # to the table (a focus change: every line again)
        await _painted(pilot, grid)
        asked.clear()
        await pilot.press("j")
        await _painted(pilot, grid)
        assert grid.cursor_row == 1
        assert [(r.y, r.height) for regions in asked for r in regions] == [(1, 2)]
        assert all(asked), "a refresh of every line was asked for"


async def test_the_lines_on_screen_are_the_lines_the_table_draws_after_partial_paints(memory):
    """Filter keys (narrowing, widening, a negation, no match), cursor moves, a mark, a sort
    and esc: after each paint, the lines Textual keeps for the table (the ones not painted
    again are those of earlier paints) are the lines the table draws for its state now."""
    app = make_app(memory, cache=False, regions=("us-east-1",))
    async with app.run_test(size=SIZE) as pilot:
        grid = await loaded(pilot)
        steps = [
            ("slash", *"ami-0"),
            ("backspace",),
            ("backspace", "backspace", "exclamation_mark", "w"),
            ("i",),
            ("backspace",) * 3 + tuple("zzq"),  # no row: the hint
            ("escape",),
            ("j", "j", "j"),
            ("space",),  # a mark
            ("k",),
            ("s",),  # sorted: the cursor's image elsewhere
            ("G",),
            ("g",),
            ("slash", *"ubuntu"),
            ("enter", "j"),
            ("escape",),
        ]
        for keys in steps:
            await pilot.press(*keys)
            await _painted(pilot, grid)
            shown = grid.render_lines(grid.size.region)  # the lines kept since their paint
            grid.refresh()  # forget them: every line drawn again
            drawn = grid.render_lines(grid.size.region)
            assert shown == drawn, keys  # text and styles (the cursor, a mark)
