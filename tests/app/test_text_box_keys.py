"""Keys typed faster than the app handles them reach a text box in the order typed: its
editing keys (backspace, arrows, home, delete) no longer run after the characters typed
behind them (Textual issue #6605; amitui/ui/widgets/text_box.py)."""

from __future__ import annotations

from tests.app.helpers import SIZE, loaded, make_app, type_filter, type_text, wait_for


async def test_a_burst_of_editing_keys_and_characters_edits_the_filter_in_order(memory):
    async with make_app(memory).run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        await type_filter(pilot, *"abc", value="abc")
        box = pilot.app.inventory.query_one("#filter")
        # all at once: abc -> ab -> ab2 -> |ab2 -> x|ab2 -> xa|b2 -> xa|2 -> xay|2
        await type_text(pilot, "backspace", "2", "home", "x", "right", "delete", "y")
        await wait_for(pilot, lambda: box.value == "xay2", what=f"xay2 (it holds {box.value!r})")
        assert box.cursor_position == 3
        await type_text(pilot, "end", "z", "left", "left", "backspace")
        await wait_for(pilot, lambda: box.value == "xa2z", what=f"xa2z (it holds {box.value!r})")


async def test_keys_typed_right_behind_slash_go_into_the_filter(memory):
    """'/' moves the focus to the filter before the keys typed behind it are handed out:
    "/base" typed at once filters on "base" (the 's' does not sort the table, nor the 'e'
    open the export form), and a '/' typed in the filter is a character."""
    async with make_app(memory).run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app = pilot.app
        await type_filter(pilot, "slash", *"base", value="base")
        box = app.inventory.query_one("#filter")
        assert app.screen is app.inventory and app.focused is box
        await type_filter(pilot, "slash", "x", value="base/x")
        assert app.screen is app.inventory
