"""The inventory's chrome, driven with Pilot: palette keys, pickers, header, footer, hints.

Layout tests run at 80x24 and at a wide size."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from rich.style import Style
from textual.command import CommandPalette

from amitui.ui.screens.action_form import ActionForm
from amitui.ui.screens.detail import DetailScreen
from amitui.ui.screens.help import HelpScreen
from amitui.ui.screens.pickers import OwnerPicker, RegionPicker
from amitui.ui.screens.tasks import TasksScreen
from amitui.ui.widgets.key_footer import KeyFooter
from tests.app.helpers import (
    SIZE,
    filtered,
    loaded,
    make_app,
    own_images,
    rendered,
    screen_on_top,
    status_text,
    table,
    table_lines,
    type_filter,
    type_text,
    visible_images,
    wait_for,
)

NARROW = (80, 24)
SIZES = pytest.mark.parametrize("size", [NARROW, SIZE], ids=["80x24", "160x45"])


def header_line(app, screen=None) -> str:
    """The header as the terminal shows it (its render at its own width)."""
    return str((screen or app.inventory).query_one("#context").render())


def footer_keys(app) -> list:
    """The footer's keys (FooterKey widgets, found by their CSS type: the class is private)."""
    return list(app.screen.query("FooterKey"))


# -- bug 4: ctrl+p and ":" open the palette, on every screen ------------------------------


async def test_ctrl_p_and_colon_open_the_palette_on_every_screen(memory):
    async with make_app(memory).run_test(size=SIZE) as pilot:
        await loaded(pilot)

        async def palette_opens(where: str) -> None:
            screen = pilot.app.screen
            for key in ("ctrl+p", "colon"):
                await pilot.press(key)
                await wait_for(
                    pilot,
                    lambda: isinstance(pilot.app.screen, CommandPalette),
                    what=f"{key} to open the palette on {where}",
                )
                await pilot.press("escape")
                await wait_for(pilot, lambda s=screen: pilot.app.screen is s, what="palette closed")

        await palette_opens("the inventory")
        await pilot.press("enter")
        await screen_on_top(pilot, DetailScreen)
        await palette_opens("the detail screen")
        await pilot.press("escape", "t")
        await screen_on_top(pilot, TasksScreen)
        await palette_opens("the tasks screen")
        await pilot.press("question_mark")
        await screen_on_top(pilot, HelpScreen)
        await palette_opens("the help screen")


async def test_colon_still_types_into_the_filter(memory):
    async with make_app(memory).run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        await type_filter(pilot, *"arch:arm64", value="arch:arm64")
        assert pilot.app.inventory.query_one("#filter").value == "arch:arm64"
        assert pilot.app.screen is pilot.app.inventory
        assert {i.architecture for i in visible_images(pilot.app)} == {"arm64"}


async def test_a_filter_longer_than_its_box_scrolls_to_the_cursor(memory):
    """The filter box keeps its size whatever it holds (ui/widgets/steady_input.py: its
    text does not lay the screen out again), and still scrolls to show what is typed."""
    query = "name:" + "x" * 90 + "tail"
    async with make_app(memory).run_test(size=NARROW) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        await type_text(pilot, *query)
        box = pilot.app.inventory.query_one("#filter")
        await wait_for(pilot, lambda: box.value == query, what="the query typed")
        await filtered(pilot)
        assert box.outer_size.width <= NARROW[0] and box.outer_size.height == 3
        assert box.scroll_offset.x > 0
        await pilot.pause()
        shown = box.render_line(0).text  # its one line of text
        assert "tail" in shown and "name:" not in shown
        assert visible_images(pilot.app) == []


# -- bug 6: enter in the region picker applies it and goes no further ---------------------


@SIZES
@pytest.mark.parametrize("how", ["enter", "tab-enter"])
async def test_enter_in_the_region_picker_applies_without_opening_a_detail(memory, size, how):
    async with make_app(memory).run_test(size=size) as pilot:
        await loaded(pilot)
        assert table(pilot.app).current is not None  # a row the key could fall through to
        await pilot.press("R")
        picker = await screen_on_top(pilot, RegionPicker)
        picker.query_one("SelectionList").select("eu-west-1")
        if how == "tab-enter":
            await pilot.press("tab")
            assert pilot.app.focused is picker.query_one("#apply")
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.regions == ("us-east-1", "eu-west-1"))
        await loaded(pilot)
        await pilot.pause()
        assert pilot.app.screen is pilot.app.inventory
        assert not any(isinstance(s, DetailScreen) for s in pilot.app.screen_stack)


async def test_the_region_picker_title_is_whole_at_80_columns(memory):
    async with make_app(memory).run_test(size=NARROW) as pilot:
        await loaded(pilot)
        await pilot.press("R")
        picker = await screen_on_top(pilot, RegionPicker)
        await pilot.pause()
        box = picker.query_one("Vertical").content_region
        for label in picker.query("Label"):
            assert label.region.right <= box.right, str(label.render())


# -- owner picker: enter on a choice applies ----------------------------------------------


async def test_enter_on_an_owner_choice_applies(memory):
    async with make_app(memory).run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("o")
        picker = await screen_on_top(pilot, OwnerPicker)
        assert pilot.app.focused is picker.query_one("#scope")
        await pilot.press("down", "enter")  # "My images (self)" -> "Amazon"
        await wait_for(pilot, lambda: pilot.app.list_query.owners == ("amazon",))
        await loaded(pilot)
        assert pilot.app.screen is pilot.app.inventory
        owners = {i.owner for i in visible_images(pilot.app)}
        assert owners == {"amazon"}


async def test_enter_on_another_account_asks_for_the_id_then_applies(memory):
    async with make_app(memory).run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("o")
        picker = await screen_on_top(pilot, OwnerPicker)
        await pilot.press("down", "down", "down", "down", "enter")  # "Another account id"
        assert pilot.app.screen is picker
        assert pilot.app.focused is picker.query_one("#account")
        await type_text(pilot, *"210987654321", "enter")
        await wait_for(pilot, lambda: pilot.app.list_query.owners == ("210987654321",))
        assert pilot.app.screen is pilot.app.inventory


# -- filter: say why it may not do what it reads -----------------------------------------


async def test_unknown_field_and_unclosed_quote_are_explained_under_the_filter(memory):
    names = [
        i["Name"] for i in own_images(memory.ec2("us-east-1")) if i.get("Name", "").count("-") > 1
    ]
    word = names[0].split("-")[0]
    async with make_app(memory).run_test(size=NARROW) as pilot:
        await loaded(pilot)
        note = pilot.app.inventory.query_one("#filter-note")
        await pilot.press("slash", *"nme:web")
        assert note.display and "unknown field nme" in str(note.render())
        assert "did you mean name:" in str(note.render())
        await pilot.press(*["backspace"] * 7, *f'name:"{word}')
        assert "unclosed" in str(note.render())
        unclosed = {i.image_id for i in visible_images(pilot.app)}
        await pilot.press('"')
        assert not note.display
        await wait_for(pilot, lambda: not table(pilot.app).rows.filtering)
        assert unclosed and unclosed == {i.image_id for i in visible_images(pilot.app)}


# -- an empty list says what to try ------------------------------------------------------


@SIZES
async def test_an_empty_list_points_to_the_owner_and_region_keys(memory, size):
    app = make_app(memory, owners=("000000000000",))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        assert table(app).rows.total == 0
        lines = table_lines(app)
        assert "No images for owners 000000000000 in us-east-1" in lines[1]
        assert "Try o (owner scope) or R (regions)" in lines[2]
        assert "Try o (owner scope) or R (regions)" in status_text(app)


# -- header and footer at 80 columns and wide ---------------------------------------------


@SIZES
async def test_the_footer_shows_help_quit_and_tasks_first(memory, size):
    async with make_app(memory).run_test(size=size) as pilot:
        await loaded(pilot)
        # the footer is composed again once it knows its width: wait for that composition
        footer = pilot.app.screen.query_one(KeyFooter)
        await wait_for(
            pilot,
            lambda: footer._composed_width == size[0] and footer.is_mounted,
            what="the footer composed at the terminal's width",
        )
        # (its keys mounted and laid out: a footer being recomposed holds the old ones)
        keys = await wait_for(
            pilot,
            lambda: (
                (shown := footer_keys(pilot.app)[:4])
                and [k.action for k in shown[:3]] == ["help", "quit", "tasks"]
                and all(k.region.width for k in shown)
                and shown
            ),
            what="help, quit and tasks first in the footer, laid out",
        )
        for key in keys:  # whole, within the terminal
            assert key.region.right <= size[0], key.action


def keys_cut(app) -> list[str]:
    """The footer keys that do not fit whole before the palette key (or the edge)."""
    keys = footer_keys(app)
    palette = [k for k in keys if k.has_class("-command-palette")]
    limit = palette[0].region.x if palette else app.size.width
    return [k.action for k in keys if k not in palette and k.region.right > limit]


@SIZES
async def test_every_screen_s_footer_leaves_out_what_does_not_fit_whole(memory, size):
    """A narrow terminal drops the least useful keys whole (help and the palette list
    them), on every screen; the palette key keeps its place at the right."""
    async with make_app(memory).run_test(size=size) as pilot:
        await loaded(pilot)
        app = pilot.app
        for key, kind in (("enter", DetailScreen), ("t", TasksScreen), ("c", ActionForm)):
            await pilot.pause()
            assert keys_cut(app) == [], type(app.screen).__name__
            assert [k for k in footer_keys(app) if k.has_class("-command-palette")]
            await pilot.press(key)
            await screen_on_top(pilot, kind)
            await wait_for(pilot, lambda: footer_keys(app), what="the footer's keys")
            await pilot.pause()
            assert keys_cut(app) == [], kind.__name__
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.inventory, what="the inventory")


@SIZES
async def test_the_header_keeps_read_only_and_running_tasks_visible(memory, size):
    app = make_app(memory, read_only=True)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: "123456789012" in header_line(app), what="the account")
        app.running_tasks = 2
        await wait_for(pilot, lambda: "running" in header_line(app), what="the task count")
        header = app.inventory.query_one("#context")
        line = header_line(app)
        assert cell_len(line) <= header.content_size.width
        assert line.rstrip().endswith("READ-ONLY")
        assert "2 running" in line or "2 task(s) running" in line
        assert "123456789012" in line


async def test_read_only_footer_leaves_out_the_mutating_keys(memory):
    app = make_app(memory, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.pause()
        shown = {k.description for k in footer_keys(app)}
        assert "Filter" in shown and "Help" in shown
        assert not any("read-only" in d or d in ("Create", "Copy") for d in shown), shown
        # (that the keys and commands still answer "read-only": test_read_only.py)


@SIZES
async def test_a_defaulted_region_is_said_in_the_header(memory, size):
    app = make_app(memory, region_defaulted=True)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        line = header_line(app)
        assert "us-east-1 (default" in line
        if size[0] >= 160:
            assert "(default — set --region or AWS_REGION)" in line
        await pilot.press("R")
        picker = await screen_on_top(pilot, RegionPicker)
        picker.query_one("SelectionList").select("eu-west-1")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "eu-west-1" in header_line(app))
        assert "(default" not in header_line(app)


async def test_a_chosen_region_is_not_called_the_default(memory):
    async with make_app(memory).run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert "(default" not in header_line(pilot.app)


async def test_a_very_wide_terminal_spreads_the_columns(memory):
    async with make_app(memory).run_test(size=(320, 50)) as pilot:
        await loaded(pilot)
        widths = table(pilot.app).widths
        assert widths[0] < 320 // 3  # Name took ~200 cells before
        assert all(w > c.width for w, c in zip(widths, table(pilot.app).columns, strict=True))


async def test_config_keys_remap_a_binding_and_bad_entries_warn(memory):
    keys = {"filter": "f6", "nope": "x", "refresh": "ctrl+bogus+r"}
    app = make_app(memory, keys=keys)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        warnings = [n for n in app.notified if n.startswith("[keys]")]
        assert len(warnings) == 2 and any("nope" in w for w in warnings)
        await pilot.press("f6")
        await wait_for(pilot, lambda: app.focused is app.inventory.query_one("#filter"))
        await pilot.press("escape")
        await pilot.press("question_mark")
        help_screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, HelpScreen) and app.screen.is_mounted and app.screen,
        )
        lines = rendered(help_screen.query_one("#keys")).splitlines()
        assert any(line.split()[:2] == ["f6", "Filter"] for line in lines if line.strip())
        assert any(line.split()[:2] == ["^r", "Refresh"] for line in lines)  # default kept


async def test_the_theme_is_remembered_and_colours_the_table(memory):
    import tomllib

    from amitui import paths
    from amitui.settings import build_settings

    app = make_app(memory, theme="gruvbox")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.theme == "gruvbox"
        grid = table(app)

        def state_colour_is_the_themes() -> bool:
            """The available state's colour is the theme's $success (within rounding)."""
            shown = grid._style("state-ok").color
            success = Style.parse(app.current_theme.success or "").color
            assert shown is not None and success is not None
            pairs = zip(shown.get_truecolor(), success.get_truecolor(), strict=True)
            return all(abs(a - b) <= 2 for a, b in pairs)

        assert state_colour_is_the_themes()
        before = grid._style("state-ok").color
        app.theme = "nord"  # what the palette's theme switch does
        await wait_for(pilot, lambda: paths.config_file().exists(), what="config.toml")
        await wait_for(pilot, lambda: "nord" in paths.config_file().read_text(), what="theme")
        # the file can be written before the table is restyled (a loaded machine): wait
        await wait_for(pilot, state_colour_is_the_themes, what="the table in nord's colours")
        assert grid._style("state-ok").color != before
    assert tomllib.loads(paths.config_file().read_text())["theme"] == "nord"
    assert build_settings({}, env={}).theme == "nord"
