"""Snapshots of every screen (pytest-textual-snapshot), from the seeded sandbox: the
inventory (plain, filtered, READ-ONLY, with a failed region's error), the detail, help,
tasks, w's file modal, each action form (and the deregister form of an image in use), each picker
(owners, regions, and every form field's list), the confirm modal and the cleanup preview.

What changes from run to run is pinned: the clock (ages, task times, in UTC), the
sandbox's catalogue (reset to seed 7; the pickers' dates, and a filter in the lists whose
order among equal dates the sandbox does not fix), the endpoint's random port (every
header shows one fixed URL) and the load time shown in the status.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from textual.widgets import Input

from amitui.aws import lookups
from amitui.tasks.store import TaskStore
from amitui.ui import columns, usage_text
from amitui.ui.screens import tasks as tasks_screen
from amitui.ui.widgets.context_header import ContextHeader
from tests.app.helpers import (
    field_widget,
    fill,
    loaded,
    make_app,
    open_form,
    picker_shown,
    select_image,
    wait_for,
)

FROZEN = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
ENDPOINT = "http://127.0.0.1:5055"
SIZE = (160, 45)


class FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        return FROZEN if tz else FROZEN.replace(tzinfo=None)


@pytest.fixture
def pinned(sandbox, monkeypatch):
    """The clock frozen (a rename in columns fails here, loudly), times shown in UTC and
    the catalogue reset. The state, cache and config dirs are the test's own
    (tests/conftest.py)."""
    sandbox.reset()
    monkeypatch.setattr(columns, "datetime", FrozenDatetime)
    monkeypatch.setattr(columns, "_AGE_CACHE", {})
    monkeypatch.setattr(columns, "_now_iso", (0.0, ""))
    # the sandbox's instances, snapshots and buckets are made when it is reset: their dates
    # in the pickers are pinned too
    monkeypatch.setattr(lookups, "_day", lambda value: "2026-01-10" if value else "")
    now = FROZEN.timestamp()
    monkeypatch.setattr(tasks_screen, "time", SimpleNamespace(time=lambda: now))
    # "checked 12:00:00, 0s ago" under a usage answer (pin_usage sets its time)
    monkeypatch.setattr(
        usage_text,
        "time",
        SimpleNamespace(time=lambda: now, strftime=time.strftime, localtime=time.localtime),
    )
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield sandbox
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def proxy(sandbox):
    """A fault-injecting proxy in front of the sandbox (tests/support/proxy.py)."""
    from tests.support.proxy import RecordingProxy

    box = RecordingProxy(sandbox.url).start()
    yield box
    box.stop()


async def pin_headers(pilot) -> None:
    """Every header on the stack shows one fixed endpoint (the sandbox's port varies), and
    every text field's cursor stops blinking, shown (a slow, loaded machine would take the
    picture in either phase of the blink). The header's public sharing state is read
    after the account: wait for it, so it cannot change after the picture's state."""
    await wait_for(pilot, lambda: pilot.app.public_sharing, what="the public sharing state")
    for screen in pilot.app.screen_stack:
        for header in screen.query(ContextHeader):
            header.update_context(endpoint=ENDPOINT)
        for field in screen.query(Input):
            field.cursor_blink = False
    await pilot.pause()


async def pin_usage(pilot) -> None:
    """Wait for the usage answers on the stack (detail, deregister form), then show them as
    asked at the frozen time; the detail's usage report and lineage too."""
    from amitui.ui.screens.action_form import ActionForm
    from amitui.ui.screens.detail import DetailScreen

    for screen in pilot.app.screen_stack:
        if isinstance(screen, DetailScreen):
            await _pin_detail(pilot, screen)
        if isinstance(screen, ActionForm) and screen.usage.active:
            await _pin_form(pilot, screen)
    await pilot.pause()


async def _pin_detail(pilot, screen) -> None:
    from dataclasses import replace

    image, cache = screen.image, screen.services.usage
    answer = await wait_for(pilot, lambda: cache.get(image.region, image.image_id), what="usage")
    cache.put(replace(answer, checked_at=FROZEN.timestamp()))
    screen._show_usage(cache.get(image.region, image.image_id))
    report = screen.query_one("#report")
    await wait_for(pilot, lambda: "Looking" not in str(report.content), what="the report part")
    lineage = screen.query_one("#lineage")
    await wait_for(pilot, lambda: lineage.option_count, what="the lineage")


async def _pin_form(pilot, form) -> None:
    from dataclasses import replace

    answer = await wait_for(pilot, lambda: form.usage.usage, what="usage")
    form.usage.usage = replace(answer, checked_at=FROZEN.timestamp())
    form.show_errors(form.validate(form.values()))


async def settle(pilot) -> None:
    app = pilot.app
    await loaded(pilot)
    header = app.inventory.query_one("#context")
    await wait_for(pilot, lambda: "123456789012" in str(header.render()), what="the account")
    # The warm-up adds the forms' stylesheets in steps after start: a form opened before or
    # after a step is styled the same, but its SVG may list the same styles in another
    # order. Every picture is taken once it is done.
    await wait_for(pilot, lambda: app.warm_up.done, what="the warm-up")
    app.inventory.listing.finished_in = 1.0
    app.inventory.update_status()
    await pin_headers(pilot)


async def screen_of(pilot, name: str):
    return await wait_for(
        pilot,
        lambda: (
            type(pilot.app.screen).__name__ == name
            and pilot.app.screen.is_mounted
            and pilot.app.screen
        ),
        10,
        name,
    )


def snap(snap_compare, app, run_before, size=SIZE) -> bool:
    # Every picture waits for the warm-up (settle): it starts at once, its steps back to back.
    app.warm_up.first_step = app.warm_up.between_steps = 0.0
    return snap_compare(app, terminal_size=size, run_before=run_before)


# -- the inventory ------------------------------------------------------------------------


def test_inventory(snap_compare, pinned):
    assert snap(snap_compare, make_app(pinned.url), settle)


def test_filtered_inventory(snap_compare, pinned):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("slash", *"arch:arm64 !ubuntu")
        await wait_for(pilot, lambda: not pilot.app.inventory.rows.filtering)
        await pin_headers(pilot)

    assert snap(snap_compare, make_app(pinned.url), run_before)


def test_read_only_inventory(snap_compare, pinned):
    assert snap(snap_compare, make_app(pinned.url, read_only=True), settle)


def test_a_failed_region_in_the_error_bar(snap_compare, pinned, proxy):
    """eu-west-1 answers UnauthorizedOperation: its line says so; us-east-1 lists."""
    proxy.fault_by_region = lambda action, region, n: (
        "denied" if action == "DescribeImages" and region == "eu-west-1" else None
    )
    app = make_app(proxy.url, regions=("us-east-1", "eu-west-1"), attempts=1)

    async def run_before(pilot):
        await settle(pilot)
        await wait_for(pilot, lambda: pilot.app.inventory.listing.errors, what="the region's error")
        await pin_headers(pilot)

    assert snap(snap_compare, app, run_before)


# -- detail, help, tasks ------------------------------------------------------------------


def test_detail(snap_compare, pinned):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("enter")
        screen = await screen_of(pilot, "DetailScreen")
        await wait_for(pilot, lambda: screen.query_one("#devices").content, what="detail")
        await pin_usage(pilot)
        await pin_headers(pilot)

    assert snap(snap_compare, make_app(pinned.url), run_before)


def test_help(snap_compare, pinned):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await screen_of(pilot, "HelpScreen")
        await pin_headers(pilot)

    assert snap(snap_compare, make_app(pinned.url), run_before)


def test_write_view(snap_compare, pinned, monkeypatch):
    """w over a filtered view: the path (a name of the pinned time), in a pinned folder."""
    from pathlib import Path

    from amitui.ui.screens import inventory_write

    monkeypatch.setattr(
        inventory_write,
        "time",
        SimpleNamespace(strftime=time.strftime, localtime=lambda _=None: FROZEN.timetuple()),
    )
    app = make_app(pinned.url)

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("slash", *"arch:arm64", "enter")
        await wait_for(pilot, lambda: not pilot.app.inventory.rows.filtering)
        pilot.app.inventory.writer.cwd = Path("/home/you/reports")
        await pilot.press("w")
        await screen_of(pilot, "WriteViewScreen")
        await pin_headers(pilot)

    assert snap(snap_compare, app, run_before)


def test_tasks(snap_compare, pinned, tmp_path):
    """Finished tasks of each kind and state (the poller leaves them be), and one still
    running under another endpoint (listed, not followed)."""
    at = FROZEN.timestamp() - 600
    store = TaskStore(tmp_path / "tasks.sqlite3", clock=lambda: at)
    scope = f"{pinned.url}|123456789012"
    rows = (
        ("copy", "ami-0a1b2c3d4e5f60001", "done", 100),
        ("export", "export-ami-0123456789abcdef0", "failed", 40),
        ("import", "import-ami-0123456789abcdef1", "cancelled", 10),
        ("create", "ami-0a1b2c3d4e5f60002", "done", None),
    )
    for kind, target, status, progress in rows:
        task = store.add_task(scope=scope, kind=kind, region="us-east-1", target_id=target)
        store.update_task(task.id, status=status, progress=progress, message=f"{kind} {status}")
    store.add_task(
        scope="https://ec2.gone.example|123456789012",
        kind="export",
        region="eu-west-1",
        target_id="export-ami-0fedcba9876543210",
    )

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("t")
        screen = await screen_of(pilot, "TasksScreen")
        await wait_for(pilot, lambda: len(screen.task_list) == len(rows), what="the tasks")
        await pin_headers(pilot)

    assert snap(snap_compare, make_app(pinned.url, store=store), run_before)


# -- the action forms and the confirm modal ------------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["c", "n", "ctrl+d", "e", "i", "r"],
    ids=["copy", "create", "deregister", "export", "import", "register"],
)
def test_action_form(snap_compare, pinned, key):
    async def run_before(pilot):
        await settle(pilot)
        await open_form(pilot, key)
        await pin_usage(pilot)
        await pin_headers(pilot)

    assert snap(snap_compare, make_app(pinned.url), run_before)


def test_deregister_form_of_an_image_in_use(snap_compare, pinned):
    """What it breaks, listed before the id is typed back, and the override naming it."""

    async def run_before(pilot):
        await settle(pilot)
        await select_image(pilot, pinned.summary.usage["asg_latest"])
        await open_form(pilot, "ctrl+d")
        await pin_usage(pilot)
        await pin_headers(pilot)

    assert snap(snap_compare, make_app(pinned.url), run_before)


def test_confirm_a_create_that_reboots(snap_compare, pinned, ec2):
    region = "ap-southeast-2"
    reservations = ec2(region).describe_instances()["Reservations"]
    instance = sorted(i["InstanceId"] for r in reservations for i in r["Instances"])[0]

    async def run_before(pilot):
        await settle(pilot)
        form = await open_form(pilot, "n")
        await fill(pilot, form, InstanceId=instance, Name="nightly-web")
        await pilot.press("ctrl+s")
        await screen_of(pilot, "ConfirmScreen")
        await pin_headers(pilot)

    assert snap(snap_compare, make_app(pinned.url, regions=(region,)), run_before)


# -- the pickers ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["o", "R"], ids=["owners", "regions"])
def test_inventory_picker(snap_compare, pinned, key):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press(key)
        await wait_for(pilot, lambda: pilot.app.screen is not pilot.app.inventory)
        await pin_headers(pilot)

    assert snap(snap_compare, make_app(pinned.url), run_before)


@pytest.mark.parametrize(
    ("key", "api_name", "region", "typed"),
    [
        ("c", "DestinationRegions", "us-east-1", ""),
        ("n", "InstanceId", "ap-southeast-2", ""),
        ("e", "S3ExportLocation.S3Bucket", "us-east-1", "exports"),
        ("r", "BlockDeviceMappings.0.Ebs.SnapshotId", "eu-west-1", "legacy"),
    ],
    ids=["destination-regions", "instances", "buckets", "snapshots"],
)
def test_form_picker(snap_compare, pinned, key, api_name, region, typed):
    async def run_before(pilot):
        from amitui.ui.screens.choice_picker import ChoicePicker

        await settle(pilot)
        form = await open_form(pilot, key)
        field_widget(form, api_name).focus()
        await pilot.press("ctrl+o")
        picker = await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, ChoicePicker)
                and pilot.app.screen.is_mounted
                and pilot.app.screen
            ),
            10,
            "the picker",
        )
        await wait_for(pilot, lambda: picker.lookup or picker.error, what="the picker's list")
        if typed:
            total = len(picker.lookup.choices)
            await pilot.press(*typed)
            await wait_for(pilot, lambda: 0 < len(picker_shown(picker)) < total, what=typed)
        await pin_headers(pilot)

    assert snap(snap_compare, make_app(pinned.url, regions=(region,)), run_before)


# -- cleanup ------------------------------------------------------------------------------


def test_cleanup(snap_compare, pinned):
    """The retention preview of us-east-1 (issue 17) at the frozen time, every usage answer
    and snapshot size in, with the delete-snapshots toggle on."""
    from amitui.ui.screens.cleanup import CleanupScreen
    from tests.support.snapshot_sizes import describe_snapshot_sizes

    async def run_before(pilot):
        await settle(pilot)
        rows = pilot.app.inventory.rows
        images = [rows.image_at(i) for i in range(len(rows))]
        screen = CleanupScreen(
            images,
            pilot.app.services,
            snapshot_sizes=describe_snapshot_sizes,
            clock=lambda: FROZEN,
        )
        pilot.app.push_screen(screen)
        await screen_of(pilot, "CleanupScreen")
        await wait_for(
            pilot,
            lambda: screen.sizes and not screen.asking and not screen.result.waiting,
            60,
            "usage and sizes",
        )
        screen.query_one("#delete-snapshots").value = True
        await pin_headers(pilot)

    assert snap(snap_compare, make_app(pinned.url), run_before)
