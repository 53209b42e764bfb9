"""The cleanup screen (issue 17, retention preview) on the sandbox's seeded catalogue: it
opens from the inventory, asks usage before proposing anything, never proposes a seeded
image in use, protected or shared, previews again as N changes, says why a rule cannot be
used, and applies with a typed plan."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from textual.widgets import DataTable, Input

from amitui.cleanup import CleanupPlan, builtin_family
from amitui.ui.screens.cleanup import CleanupScreen
from tests.app.helpers import SIZE, loaded, make_app, rendered, screen_on_top, table, wait_for
from tests.support.snapshot_sizes import describe_snapshot_sizes

STAY = ("instance_only", "launch_template_v3", "asg_launch_configuration", "ssm_only")
STAY += ("asg_latest", "image_recipe_only", "protected", "protected_cooldown", "shared")


def answered(screen: CleanupScreen) -> bool:
    result = screen.result
    return bool(result is not None and not result.waiting and not screen.asking)


async def open_cleanup(pilot, plans: list | None = None) -> CleanupScreen:
    """The screen on the inventory's images, with snapshot sizes; every answer in."""
    app = pilot.app
    rows = table(app).rows
    images = [rows.image_at(i) for i in range(len(rows))]
    screen = CleanupScreen(images, app.services, snapshot_sizes=describe_snapshot_sizes)
    app.push_screen(screen, (plans if plans is not None else []).append)
    await screen_on_top(pilot, CleanupScreen)
    await wait_for(pilot, lambda: answered(screen) and screen.sizes, 60, "usage and sizes")
    return screen


@asynccontextmanager
async def seeded_cleanup(sandbox, plans: list | None = None) -> AsyncIterator[tuple]:
    """(pilot, the cleanup screen) of an app on the seeded sandbox, every answer in."""
    sandbox.reset()
    app = make_app(sandbox.url)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: app.account, what="the account")
        yield pilot, await open_cleanup(pilot, plans)


async def set_rule(pilot, screen: CleanupScreen, field: str, value: str) -> None:
    """Type a rule as the user does; wait for the preview it leads to (after the settle)."""
    before = screen.previews
    screen.query_one(f"#{field}", Input).value = value
    await wait_for(pilot, lambda: screen.previews > before, what="the preview")


async def test_the_key_opens_it_and_nothing_is_proposed_before_its_usage(sandbox, proxy):
    sandbox.reset()
    app = make_app(proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: app.account, what="the account")
        before = proxy.count("DescribeImageReferences")
        answers = proxy.hold("DescribeImageReferences")  # none comes before the first look
        await pilot.press("K")
        screen = await screen_on_top(pilot, CleanupScreen)
        # the first preview: everything the rules would propose waits for its answer
        assert screen.result is not None and screen.result.waiting and not screen.result.proposed
        waiting = len(screen.result.waiting)
        assert f"checking {waiting} images…" in rendered(screen.query_one("#summary"), 240)
        answers.set()
        await wait_for(pilot, lambda: answered(screen), 60, "the usage answers")
        asked = proxy.count("DescribeImageReferences") - before
        assert asked <= -(-waiting // 10) + 2, "ten images a reference query"
        result = screen.result
        assert result.proposed
        proposed = {v.image.image_id for v in result.proposed}
        assert not proposed & {sandbox.summary.usage[r] for r in STAY}
        for verdict in result.excluded:
            assert verdict.reasons
        shared = next(
            v for v in result.verdicts if v.image.image_id == sandbox.summary.usage["shared"]
        )
        if shared.decision == "excluded":  # not one of its family's newest
            assert any("210987654321" in r for r in shared.reasons)


async def test_changing_n_previews_again_and_apply_hands_back_the_plan(sandbox):
    plans: list[CleanupPlan | None] = []
    async with seeded_cleanup(sandbox, plans) as (pilot, screen):
        three = {v.key for v in screen.result.proposed}
        freed_three = screen.result.storage.freed_gib
        assert screen.result.storage.families[0].proposed_gib > 0  # bars: biggest win first

        await set_rule(pilot, screen, "keep", "1")
        assert screen.rules.keep_newest == 1
        await wait_for(pilot, lambda: answered(screen), 60, "the new candidates' usage")
        one = {v.key for v in screen.result.proposed}
        assert three < one and screen.result.storage.freed_gib > freed_three
        table_rows = screen.query_one("#proposed").row_count
        assert table_rows == len(one)
        screen.query_one("#proposed").focus()
        await pilot.press("down")  # the line under the table: that image's snapshots
        detail = rendered(screen.query_one("#row-detail"), 240)
        assert screen._rows["proposed"][1].image.image_id in detail and "GiB" in detail

        await set_rule(pilot, screen, "keep", "x")
        assert "keep newest: a whole number" in rendered(screen.query_one("#rule-error"))
        assert {v.key for v in screen.result.proposed} == one  # the last good preview stays
        await set_rule(pilot, screen, "keep", "1")

        screen.query_one("#delete-snapshots").value = True
        await pilot.pause()
        assert "frees " in rendered(screen.query_one("#summary"), 240)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: plans, what="the plan")
    (plan,) = plans
    assert plan is not None and plan.delete_snapshots and plan.rules.keep_newest == 1
    assert set(plan.image_ids) == one and len(plan.image_ids) == len(one)
    assert plan.freed_gib == screen.result.storage.freed_gib > 0


async def test_a_family_regex_groups_as_typed_and_a_bad_one_is_a_message(sandbox):
    async with seeded_cleanup(sandbox) as (pilot, screen):
        app = pilot.app
        await set_rule(pilot, screen, "regex", r"^(?P<family>[a-z]+)")
        families = {v.family for v in screen.result.verdicts}
        for verdict in screen.result.verdicts:
            word = re.match("[a-z]+", verdict.image.name)
            expected = word[0] if word else builtin_family(verdict.image.name)
            assert verdict.family.startswith(expected)  # (an architecture may follow)
        assert "batch" in families and screen.result.unmatched > 0
        await set_rule(pilot, screen, "regex", "(unclosed")
        error = rendered(screen.query_one("#rule-error"))
        assert "family regex: missing ), unterminated subpattern" in error
        assert {v.family for v in screen.result.verdicts} == families
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CleanupScreen), what="back")


async def test_a_preview_that_changes_no_row_leaves_the_tables_and_their_cursors(sandbox):
    """Usage answers come a batch of images at a time, each a new preview: a table whose rows
    did not change is not written again, so the row the user is on stays selected."""
    async with seeded_cleanup(sandbox) as (pilot, screen):
        proposed = screen.query_one("#proposed", DataTable)
        assert proposed.row_count > 2
        proposed.focus()
        await pilot.press("down", "down")
        assert proposed.cursor_row == 2
        before = screen.previews
        screen.refresh_preview()  # the same rules, answers and sizes
        await pilot.pause()
        assert screen.previews == before + 1 and proposed.cursor_row == 2
