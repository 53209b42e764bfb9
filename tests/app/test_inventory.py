"""The inventory, driven with Pilot on the in-memory EC2 (the sandbox's seeded catalogue,
served from memory: tests/support/memory_ec2.py)."""

from __future__ import annotations

import asyncio
import time

import pytest

from amitui.ui.screens.detail import DetailScreen
from amitui.ui.screens.help import HelpScreen
from tests.app.helpers import (
    SIZE,
    loaded,
    make_app,
    own_images,
    rendered,
    status_text,
    table,
    table_lines,
    type_filter,
    visible_images,
    wait_for,
)
from tests.support.textual_hooks import on_paint


async def test_pages_stream_into_the_table(memory):
    truth = {i["ImageId"] for i in own_images(memory.ec2("us-east-1"))}
    app = make_app(memory, page_size=25, listing="paged")
    async with app.run_test(size=SIZE) as pilot:
        widget = await loaded(pilot)
        assert {i.image_id for i in widget.rows.images} == truth
        assert widget.rows.total == len(truth) >= 100
        assert f"{len(truth):,} images" in status_text(app)
    pages = -(-len(truth) // 25)
    assert app.clients.calls["describe_images"] == pages  # MaxResults paging, a call a page


@pytest.fixture
def pages_shown(monkeypatch):
    """Every live page the inventory's Listing takes: (region, page number, image ids)."""
    from amitui.ui.listing import Listing

    shown: list[tuple[str, int, list[str]]] = []
    original = Listing.page_loaded

    def page_loaded(self, generation, region, images, page, current):
        shown.append((region, page, [i.image_id for i in images]))
        return original(self, generation, region, images, page, current)

    monkeypatch.setattr(Listing, "page_loaded", page_loaded)
    return shown


async def test_partitioned_pages_merge_into_the_sequential_listings_images_each_once(
    memory, pages_shown
):
    regions = ("us-east-1", "eu-west-1")
    truth = {(r, i["ImageId"]) for r in regions for i in own_images(memory.ec2(r))}
    app = make_app(memory, page_size=25, regions=regions, listing="partitioned")
    async with app.run_test(size=SIZE) as pilot:
        widget = await loaded(pilot)
        assert {(i.region, i.image_id) for i in widget.rows.images} == truth
        assert widget.rows.total == len(truth)
        assert f"{len(truth):,} images" in status_text(app)
    arrived = [(region, i) for region, _, ids in pages_shown for i in ids]
    assert len(arrived) == len(set(arrived)) == len(truth)  # no image came twice
    for region in regions:  # each region's pages numbered as they came
        numbers = [n for r, n, _ in pages_shown if r == region]
        assert numbers == list(range(1, len(numbers) + 1))
    partitions = [
        f["Values"][0]
        for _, params in app.clients.requests
        for f in params.get("Filters") or []
        if f["Name"] == "creation-date"
    ]
    assert len(partitions) > 2 * 20  # every year of both regions, and months of big years
    assert any(p.count("-") == 2 for p in partitions)  # a year split into months


async def test_rows_show_while_pages_are_still_loading(memory):
    total = len(own_images(memory.ec2("us-east-1")))
    app = make_app(memory, page_size=5)
    memory.hold()  # the listing answers its first page, then waits
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: table(app).rows.total > 0, what="first page")
            assert app.inventory.listing.pages_by_region  # still loading
            assert table(app).rows.total < total
            assert "loading page" in status_text(app)
            await pilot.press("j", "j")  # the table answers while pages are due
            assert table(app).cursor_row == 2
            memory.release()
            await loaded(pilot)
            assert table(app).rows.total == total
    finally:
        memory.release()


async def test_esc_stops_a_listing_under_way_and_keeps_its_rows(memory):
    total = len(own_images(memory.ec2("us-east-1")))
    app = make_app(memory, page_size=5)
    memory.hold()  # the listing answers its first page, then waits
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: table(app).rows.total > 0, what="first page")
            assert app.inventory.listing.loading
            await pilot.press("escape")
            assert not app.inventory.listing.loading
            shown = table(app).rows.total
            assert 0 < shown < total and "stopped" in status_text(app)
            answered = memory.passed_gate
            memory.release()  # the stopped listing's page comes late: it is ignored
            await wait_for(pilot, lambda: memory.passed_gate > answered, what="the late page")
            await pilot.pause()  # its message handled
            await pilot.pause()
            assert table(app).rows.total == shown and "stopped" in status_text(app)
            await pilot.press("ctrl+r")
            await loaded(pilot)
            assert table(app).rows.total == total and "stopped" not in status_text(app)
    finally:
        memory.release()


async def test_filter_plain_field_negation_and_clear(memory):
    everything = own_images(memory.ec2("us-east-1"))
    # from the listing the app gets, not a filtered query: the in-memory EC2 records a new
    # query when first asked, and HTTP tests of this worker may have added images since
    arm = {i["ImageId"] for i in everything if i["Architecture"] == "arm64"}
    async with make_app(memory).run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        await type_filter(pilot, *"arm64", value="arm64")
        shown = {i.image_id for i in visible_images(pilot.app)}
        assert shown and arm <= shown
        assert f"{len(shown):,} of {len(everything):,} images match" in status_text(pilot.app)

        await pilot.press(*["backspace"] * 5)
        await type_filter(pilot, *"arch:arm64", value="arch:arm64")
        assert {i.image_id for i in visible_images(pilot.app)} == arm

        await pilot.press(*["backspace"] * 10)
        await type_filter(pilot, *"!arch:arm64", value="!arch:arm64")
        assert {i.image_id for i in visible_images(pilot.app)} == {
            i["ImageId"] for i in everything
        } - arm

        await pilot.press("escape")
        assert len(visible_images(pilot.app)) == len(everything)
        assert table(pilot.app).has_focus


async def test_tag_and_state_filters(memory):
    client = memory.ec2("us-east-1")
    everything = own_images(client)
    tagged = [i for i in everything if i.get("Tags")]
    key, value = tagged[0]["Tags"][0]["Key"], tagged[0]["Tags"][0]["Value"]
    expected = {
        i["ImageId"]
        for i in everything
        if any(
            t["Key"].lower() == key.lower() and t["Value"].lower().startswith(value.lower())
            for t in i.get("Tags", [])
        )
    }
    async with make_app(memory).run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        await type_filter(pilot, *f"tag:{key}={value}", value=f"tag:{key}={value}")
        assert {i.image_id for i in visible_images(pilot.app)} == expected
        await pilot.press("escape", "slash")
        await type_filter(pilot, *"state:available", value="state:available")
        available = {i["ImageId"] for i in everything if i["State"] == "available"}
        assert available and available != {i["ImageId"] for i in everything}
        assert {i.image_id for i in visible_images(pilot.app)} == available


async def test_markup_in_a_name_shows_literally(memory):
    marked = [i for i in own_images(memory.ec2("us-east-1")) if "[" in i.get("Name", "")]
    assert marked, "the sandbox catalogue has a name with markup"
    name = marked[0]["Name"]
    async with make_app(memory).run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *marked[0]["ImageId"], "enter")
        lines = table_lines(pilot.app)
        assert any(name[:20] in line for line in lines[1:]), lines[:3]


async def test_sort_by_header_click_and_keys(memory):
    async with make_app(memory).run_test(size=SIZE) as pilot:
        widget = await loaded(pilot)
        created_x = table_lines(pilot.app)[0].index("Created")
        await pilot.click(widget, offset=(created_x + 1, 0))
        dates = [i.creation_date for i in visible_images(pilot.app)]
        assert dates == sorted(dates) and len(set(dates)) > 10
        assert "Created ▲" in table_lines(pilot.app)[0]
        await pilot.click(widget, offset=(created_x + 1, 0))
        dates = [i.creation_date for i in visible_images(pilot.app)]
        assert dates == sorted(dates, reverse=True)
        assert "Created ▼" in table_lines(pilot.app)[0]
        await pilot.press("s")  # next column, same direction
        assert widget.rows.sort_column == "owner"
        await pilot.press("S")
        assert widget.rows.sort_reverse is False


async def test_the_sort_orders_are_worked_out_after_each_listing_and_a_sort_uses_them(memory):
    async with make_app(memory).run_test(size=SIZE) as pilot:
        widget = await loaded(pilot)
        first = widget.rows
        await wait_for(pilot, lambda: widget.presorted, what="the orders worked out")
        ahead = first.presorted("name")
        await pilot.press("s")  # the first column: Name
        assert widget.rows.order == ahead.tolist()
        names = [i.name.lower() for i in visible_images(pilot.app)]
        assert names == sorted(names) and len(set(names)) > 10
        await pilot.press("ctrl+r")  # a listing makes new rows: their orders are made again
        await loaded(pilot)
        assert widget.rows is not first
        await wait_for(pilot, lambda: widget.presorted, what="the new rows' orders")


async def test_detail_shows_everything_and_copies_the_id(memory):
    async with make_app(memory).run_test(size=SIZE) as pilot:
        widget = await loaded(pilot)
        image = widget.current
        await pilot.press("enter")
        screen = await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, DetailScreen)
                and pilot.app.screen.is_mounted
                and pilot.app.screen
            ),
        )
        await wait_for(
            pilot,
            lambda: image.image_id in rendered(screen.query_one("#summary")),
            what="the detail to load",
        )
        raw = memory.ec2("us-east-1").describe_images(ImageIds=[image.image_id])["Images"][0]
        names = [bdm["DeviceName"] for bdm in raw.get("BlockDeviceMappings", [])]
        assert names
        await wait_for(
            pilot,
            lambda: all(n in rendered(screen.query_one("#devices")) for n in names),
            what="every device",
        )
        sharing = "public (all AWS accounts)" if raw.get("Public") else "private"
        await wait_for(
            pilot,
            lambda: sharing in rendered(screen.query_one("#permissions")),
            what=f"the permissions: {sharing}",
        )
        await pilot.press("J")
        await wait_for(
            pilot, lambda: screen.query_one("TabbedContent").active == "raw", what="the raw tab"
        )
        assert image.image_id in rendered(screen.query_one("#json"))
        await pilot.press("y")
        await wait_for(pilot, lambda: pilot.app.clipboard == image.image_id, what="the id copied")
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is pilot.app.inventory, what="back")


async def test_refresh_keeps_the_cursor_on_the_same_image(memory):
    async with make_app(memory).run_test(size=SIZE) as pilot:
        widget = await loaded(pilot)
        await pilot.press(*"jjjjjjj")
        chosen = widget.current
        generation = pilot.app.inventory.listing.generation
        await pilot.press("ctrl+r")
        assert pilot.app.inventory.listing.generation == generation + 1  # a real re-query
        await loaded(pilot)
        assert table(pilot.app).current.image_id == chosen.image_id


async def test_owner_switch_to_amazon_requeries(memory):
    async with make_app(memory).run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("o")
        await pilot.click("#scope-amazon")
        await pilot.click("#apply")
        await wait_for(pilot, lambda: pilot.app.list_query.owners == ("amazon",))
        await loaded(pilot)
        images = visible_images(pilot.app)
        assert images and all(i.owner == "amazon" for i in images)
        assert "owners amazon" in str(pilot.app.inventory.query_one("#context").render())


async def test_two_regions_merge_with_a_region_column(memory):
    east = {i["ImageId"] for i in own_images(memory.ec2("us-east-1"))}
    west = {i["ImageId"] for i in own_images(memory.ec2("eu-west-1"))}
    app = make_app(memory, regions=("us-east-1", "eu-west-1"))
    async with app.run_test(size=SIZE) as pilot:
        widget = await loaded(pilot)
        by_region = {}
        for image in widget.rows.images:
            by_region.setdefault(image.region, set()).add(image.image_id)
        assert by_region == {"us-east-1": east, "eu-west-1": west}
        assert "Region" in table_lines(app)[0]
        await pilot.press("slash")
        await type_filter(pilot, *"region:eu-west-1", value="region:eu-west-1")
        assert {i.image_id for i in visible_images(app)} == west


async def test_header_shows_account_endpoint_and_read_only(memory):
    app = make_app(memory, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: "123456789012" in str(app.inventory.query_one("#context").render()),
            what="the account id in the header",
        )
        header = str(app.inventory.query_one("#context").render())
        assert memory.url in header
        assert "READ-ONLY" in header


async def test_help_and_palette_list_the_commands(memory):
    async with make_app(memory).run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        help_screen = await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, HelpScreen)
                and pilot.app.screen.is_mounted
                and pilot.app.screen
            ),
        )
        text = rendered(help_screen.query_one("#keys"))
        for description in ("Filter", "Refresh", "Copy id", "Owners", "Regions", "Quit"):
            assert description in text
        await pilot.press("escape")
        commands = [c.title for c in pilot.app.get_system_commands(pilot.app.inventory)]
        for description in ("Filter", "Refresh", "Owners", "Regions", "Deprecated"):
            assert description in commands
        # that ":" (and ctrl+p) opens the palette, here and on every screen, is
        # test_inventory_chrome.py's test_ctrl_p_and_colon_open_the_palette_on_every_screen


async def test_region_picker_lists_several_regions_concurrently(memory):
    from amitui.ui.screens.pickers import RegionPicker

    west = {i["ImageId"] for i in own_images(memory.ec2("ap-southeast-2"))}
    async with make_app(memory).run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("R")
        picker = await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, RegionPicker)
                and pilot.app.screen.is_mounted
                and pilot.app.screen
            ),
        )
        choices = picker.query_one("SelectionList")
        assert "ap-southeast-2" in [
            choices.get_option_at_index(i).value for i in range(choices.option_count)
        ]
        choices.select("ap-southeast-2")
        await pilot.click("#apply")
        await wait_for(pilot, lambda: pilot.app.regions == ("us-east-1", "ap-southeast-2"))
        widget = await loaded(pilot)
        assert {i.image_id for i in widget.rows.images if i.region == "ap-southeast-2"} == west
        assert "us-east-1, ap-southeast-2" in str(
            pilot.app.inventory.query_one("#context").render()
        )


@pytest.mark.parametrize(
    ("key", "flag", "parameter"),
    [
        ("D", "include_deprecated", "IncludeDeprecated"),
        ("X", "include_disabled", "IncludeDisabled"),
    ],
    ids=["deprecated", "disabled"],
)
async def test_deprecated_and_disabled_toggles_requery_with_them(memory, key, flag, parameter):
    """Each toggle lists again, asking for those images too, and shows what comes back.
    (AWS lists an owner's own deprecated images anyway: only disabled ones show up here.)"""
    client = memory.ec2()
    hidden = {i["ImageId"] for i in own_images_of(client, **{parameter: True})} - {
        i["ImageId"] for i in own_images_of(client)
    }
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        widget = await loaded(pilot)
        assert not hidden & {i.image_id for i in widget.rows.images}
        generation = pilot.app.inventory.listing.generation
        await pilot.press(key)
        assert getattr(pilot.app.list_query, flag)
        assert pilot.app.inventory.listing.generation == generation + 1
        widget = await loaded(pilot)
        _, params = [r for r in app.clients.requests if r[0] == "describe_images"][-1]
        assert params.get(parameter) is True
        shown = {i.image_id for i in widget.rows.images}
        assert shown == {i["ImageId"] for i in own_images_of(client, **{parameter: True})}
        assert hidden <= shown
    if parameter == "IncludeDisabled":
        assert hidden, "the catalogue has disabled images of its own"


def own_images_of(client, **extra) -> list[dict]:
    """Every image of the account DescribeImages lists (all pages)."""
    images, token = [], None
    while True:
        page = client.describe_images(
            Owners=["self"], **extra, **({"NextToken": token} if token else {})
        )
        images += page["Images"]
        token = page.get("NextToken")
        if not token:
            return images


async def test_a_big_filter_paints_the_rows_on_screen_first_then_finishes(memory, monkeypatch):
    """A filter finds the screenful first and scans the rest after the paint. With tiny
    steps (so ~120 rows take many), every paint while it scans shows exactly the first rows
    of the final result and, from the frame after the keystroke's own (the count follows
    the rows by a frame), says it is still filtering; keys typed meanwhile still end in
    the right rows, count and cursor."""
    import amitui.ui.rows
    import amitui.ui.widgets.image_table as image_table
    from amitui.ui.rows import ImageRows

    monkeypatch.setattr(amitui.ui.rows, "_STEP", 4)
    monkeypatch.setattr(image_table, "FILTER_STEP", 4)
    monkeypatch.setattr(image_table, "FILTER_SLICE", 0.0)  # one step, then yield
    everything = own_images(memory.ec2("us-east-1"))
    app = make_app(memory)
    paints = []

    async def a_paint_between_steps(steps, seconds, still=lambda: True) -> bool:
        """in_slices, one step a slice, each followed by the next paint (or 0.2 s if none
        comes): a scan spans paints however the machine schedules it."""
        steps, done = iter(steps), object()
        while still():
            if next(steps, done) is done:
                return True
            seen, deadline = len(paints), time.monotonic() + 0.2
            while len(paints) == seen and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
        return False

    monkeypatch.setattr(image_table, "in_slices", a_paint_between_steps)

    same_frame = [False]  # no turn of the event loop since the last paint

    def record():
        if app.inventory.is_mounted:
            rows = app.inventory.rows
            shown = [i.image_id for i in visible_images(app)[: table(app).size.height]]
            paint = (rows.filtering, rows.query, shown, status_text(app))
            # A screen update that lays out paints, then repaints, in one go: nothing can
            # run between the two (no key, no callback), so they are one frame, the last.
            if same_frame[0]:
                paints[-1] = paint
            else:
                paints.append(paint)
                same_frame[0] = True
                asyncio.get_running_loop().call_soon(same_frame.__setitem__, 0, False)

    def query_text(query) -> str:
        return " ".join(t.value for t in query.terms)

    on_paint(app, record)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        typed = ""
        for key in [*"al2", "backspace", "backspace", *"mzn"]:
            await pilot.press(key)
            typed = typed[:-1] if key == "backspace" else typed + key
            # the keystroke's rows painted, then its count (a frame later) or its end: the
            # next key comes while a long scan still runs, not after it
            await wait_for(
                pilot,
                lambda typed=typed: (
                    paints
                    and query_text(paints[-1][1]) == typed
                    and (not paints[-1][0] or "filtering" in paints[-1][3])
                ),
                what=f"a paint of {typed!r}",
            )
        await wait_for(pilot, lambda: not table(app).rows.filtering, what="the filter")
        await wait_for(
            pilot,
            lambda: paints and not paints[-1][0] and query_text(paints[-1][1]) == "amzn",
            what="a paint of the finished filter",
        )

        def final(query_text):
            rows = ImageRows()
            rows.extend(table(app).rows.images)
            rows.set_filter(query_text)
            return [rows.image_at(i).image_id for i in range(len(rows))]

        expected = final("amzn")
        assert [i.image_id for i in visible_images(app)] == expected
        assert f"{len(expected):,} of {len(everything):,} images match" in status_text(app)
        assert table(app).current.image_id in expected
        during = [(before, p) for before, p in zip([None, *paints], paints, strict=False) if p[0]]
        assert during, "no paint happened while a filter was still scanning"
        counted = 0
        for before, (_, query, shown, status) in during:
            text = query_text(query)
            assert shown == final(text)[: len(shown)], text
            if before is not None and before[1] == query:  # not the keystroke's own paint
                assert "filtering" in status and "+ of" in status
                counted += 1
        assert counted, "no paint while scanning said so"
        assert not paints[-1][0] and "filtering" not in paints[-1][3]
