"""The account picker (A, issue 18): which of --accounts' accounts the inventory lists,
changed live. Pilot against the sandbox's organization."""

from __future__ import annotations

from amitui.ui.screens.pickers import AccountPicker
from amitui.ui.widgets.context_header import ContextHeader
from tests.app.helpers import (
    SIZE,
    loaded,
    make_app,
    message_text,
    screen_on_top,
    status_text,
    wait_for,
)
from tests.app.organization import REGIONS

NARROW = (80, 24)


def listed_accounts(app) -> set[str]:
    return {i.account for i in app.inventory.listing.rows.images}


def header_line(app) -> str:
    return app.inventory.query_one(ContextHeader).render_text().plain


async def pick(pilot, keys: set[str], submit: str = "enter") -> AccountPicker:
    """Open the picker, choose exactly ``keys``, apply with ``submit``."""
    await pilot.press("A")
    picker = await screen_on_top(pilot, AccountPicker)
    choices = picker.query_one("SelectionList")
    choices.deselect_all()
    for key in keys:
        choices.select(key)
    await pilot.press(submit)
    return picker


async def test_picking_one_member_account_lists_only_it_and_picking_back_adds_rows(organization):
    org = organization.summary
    member = next(iter(org.images))
    app = organization.app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, timeout=60)
        every = listed_accounts(app)
        assert {member, org.no_role} <= set(app.services.accounts.failures()) | every
        total = len(app.services.accounts.accounts())
        assert f"{total} accounts" in header_line(app)
        asked: list[str] = []
        directory = app.services.accounts
        clients = directory.clients
        directory.clients = lambda key: asked.append(key) or clients(key)  # type: ignore[method-assign]
        generation = app.inventory.listing.generation
        # Help, the footer and the palette offer the key (they list the active bindings).
        actions = {b.binding.action for b in app.inventory.active_bindings.values()}
        assert "pick_accounts" in actions
        # A mark on another account's image goes with its row; one on the member's stays.
        other = next(i for i in app.inventory.rows.images if i.account == org.management)
        kept = next(i for i in app.inventory.rows.images if i.account == member)
        app.inventory.marks.add([other, kept])

        await pick(pilot, {member})
        # The other accounts' rows leave at once, before anything is listed again.
        assert listed_accounts(app) == {member}
        assert app.inventory.marks.images() == [kept]
        await wait_for(pilot, lambda: app.inventory.listing.generation > generation)
        grid = await loaded(pilot, timeout=60)
        assert listed_accounts(app) == {member}
        for region in REGIONS:
            listed = {i.image_id for i in grid.rows.images if i.region == region}
            assert listed == set(org.images[member][region])
        # Only the chosen account's clients were asked for: the others are not reached.
        assert set(asked) == {member}
        # Its accounts and its failures: the account without the role is not listed.
        assert message_text(app).strip() == ""
        assert not app.inventory.listing.errors
        assert f"1 of {total} accounts" in header_line(app)
        assert f"in 1 of {total} accounts" in status_text(app)

        # Every account again: the rows (and the failing account's line) come back.
        await pilot.press("A")
        picker = await screen_on_top(pilot, AccountPicker)
        picker.query_one("SelectionList").select_all()
        await pilot.press("enter")
        await wait_for(pilot, lambda: listed_accounts(app) == every, what="every account again")
        await loaded(pilot, timeout=60)
        assert listed_accounts(app) == every
        assert f"account {org.no_role} (" in message_text(app)
        assert f"{total} accounts" in header_line(app)
        assert "1 of" not in header_line(app)


async def test_esc_in_the_account_picker_changes_nothing(organization):
    org = organization.summary
    member = next(iter(org.images))
    app = organization.app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, timeout=60)
        before = sorted((i.place, i.image_id) for i in app.inventory.listing.rows.images)
        generation = app.inventory.listing.generation
        await pick(pilot, {member}, submit="escape")
        await wait_for(pilot, lambda: pilot.app.screen is app.inventory, what="the picker gone")
        await pilot.pause()
        assert app.inventory.listing.generation == generation  # nothing listed again
        after = sorted((i.place, i.image_id) for i in app.inventory.listing.rows.images)
        assert after == before
        assert app.inventory.account_choice.chosen is None


async def test_at_least_one_account_must_remain(organization):
    app = organization.app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, timeout=60)
        generation = app.inventory.listing.generation
        picker = await pick(pilot, set())
        await wait_for(
            pilot,
            lambda: "at least one account" in str(picker.query_one("#error").render()),
            what="the picker's refusal",
        )
        assert pilot.app.screen is picker
        assert app.inventory.listing.generation == generation


async def test_the_account_picker_fits_80x24_and_marks_the_unreachable_account(organization):
    org = organization.summary
    app = organization.app()
    async with app.run_test(size=NARROW) as pilot:
        await loaded(pilot, timeout=60)
        await pilot.press("A")
        picker = await screen_on_top(pilot, AccountPicker)
        await pilot.pause()
        choices = picker.query_one("SelectionList")
        accounts = app.services.accounts.accounts()
        assert choices.option_count == len(accounts)
        screen = picker.region
        box = picker.query_one("Vertical").region
        assert screen.contains_region(box)
        for widget in (*picker.query("Label"), *picker.query("Button"), choices):
            assert box.contains_region(widget.region), widget
        # Every account is on screen at once (the sandbox has few), one line each.
        assert choices.content_region.height >= len(accounts)
        lines = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        (marked,) = [line for line in lines if "unreachable" in line]
        assert marked.startswith(f"{org.no_role} ({org.names[org.no_role]})")
        assert "AccessDenied" in marked
        member = next(iter(org.images))
        assert f"{member} ({org.names[member]})" in lines


async def test_without_accounts_the_key_is_not_offered(memory):
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        actions = {b.binding.action for b in app.inventory.active_bindings.values()}
        assert "pick_regions" in actions and "pick_accounts" not in actions
        # (help, the footer and the palette list the active bindings)
        await pilot.press("A")
        await pilot.pause()
        assert pilot.app.screen is app.inventory
        assert "accounts" not in header_line(app)


async def test_the_account_picker_is_driven_by_keys(organization):
    """space toggles the highlighted account, enter applies: keep only the second one."""
    app = organization.app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, timeout=60)
        keys = [a.key for a in app.services.accounts.accounts()]
        await pilot.press("A")
        picker = await screen_on_top(pilot, AccountPicker)
        choices = picker.query_one("SelectionList")
        assert pilot.app.focused is choices
        await pilot.press("space", "down")  # the first off, the second stays on
        for _ in keys[2:]:
            await pilot.press("down", "space")
        assert choices.selected == [keys[1]]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.inventory.account_choice.chosen == (keys[1],))
