"""Marks and bulk actions from the UI, end to end on the sandbox (issue 17): space, * and u
mark and unmark; marks survive filtering and sorting; a bulk deregister previews each
image's request, wants the count typed back, and deregisters exactly the marked images
and their snapshots (checked with an independent boto3 client); a bulk tag run adds a tag
to each marked image and keeps each one's own tags."""

from __future__ import annotations

import dataclasses
import uuid

from textual.widgets import DataTable, Input, Static

from amitui.ui.screens.bulk_form import BulkForm
from amitui.ui.screens.bulk_runs import BulkRunsTable
from amitui.ui.screens.tasks import TasksScreen
from tests.app.helpers import (
    SIZE,
    fill,
    loaded,
    make_app,
    own_images,
    rendered,
    screen_on_top,
    status_text,
    table,
    type_text,
    wait_for,
)
from tests.support.sandbox_time import finish_now


def copies(sandbox, ec2, count: int, prefix: str) -> list[dict]:
    """``count`` new available images of ours named ``<prefix>-n`` (copies of a seeded one):
    their pending time is ended at once (finish_now), not waited through."""
    client = ec2()
    source = sorted(
        (i for i in own_images(client) if i["State"] == "available"), key=lambda i: i["ImageId"]
    )[5]
    ids = [
        client.copy_image(
            SourceImageId=source["ImageId"], SourceRegion="us-east-1", Name=f"{prefix}-{n}"
        )["ImageId"]
        for n in range(count)
    ]
    finish_now(sandbox)
    waiter = client.get_waiter("image_available")
    waiter.wait(ImageIds=ids, WaiterConfig={"Delay": 0.2, "MaxAttempts": 200})
    return client.describe_images(ImageIds=ids)["Images"]


def cells(data_table: DataTable) -> str:
    """A DataTable's rows as plain text, one line per row."""
    return "\n".join(
        " ".join(str(cell) for cell in data_table.get_row_at(row))
        for row in range(data_table.row_count)
    )


def marked_ids(app) -> set[str]:
    return {i.image_id for i in app.inventory.marks}


async def filter_to(pilot, text: str) -> None:
    await pilot.press("slash")
    box = pilot.app.inventory.query_one("#filter", Input)
    box.value = text
    await pilot.press("enter")
    await wait_for(pilot, lambda: not table(pilot.app).rows.filtering, what="the filter")


async def test_marks_bulk_deregister_with_snapshots_and_nothing_else(sandbox, ec2, proxy):
    prefix = f"bulk-{uuid.uuid4().hex[:8]}"
    made = copies(sandbox, ec2, 4, prefix)
    ids = [i["ImageId"] for i in made]
    snapshots = {
        bdm["Ebs"]["SnapshotId"] for i in made for bdm in i["BlockDeviceMappings"] if "Ebs" in bdm
    }
    others_before = {i["ImageId"] for i in own_images(ec2())} - set(ids)
    app = make_app(proxy.url, regions=("us-east-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await filter_to(pilot, prefix)
        assert len(table(app).rows) == 4
        await pilot.press("asterisk")
        assert marked_ids(app) == set(ids)
        size = sum(i.size_gib for i in app.inventory.marks)
        assert size > 0 and f"4 marked · {size} GiB" in status_text(app)
        await pilot.press("u")
        assert marked_ids(app) == set() and "marked" not in status_text(app)

        # space marks the row and moves on: the first three rows
        table(app).cursor_row = 0
        await pilot.press("space", "space", "space")
        shown = [table(app).rows.image_at(n).image_id for n in range(4)]
        assert marked_ids(app) == set(shown[:3])
        # marks survive a sort and another filter
        await pilot.press("S")
        await filter_to(pilot, "")
        assert marked_ids(app) == set(shown[:3])
        await filter_to(pilot, prefix)

        await pilot.press("ctrl+d")
        form = await screen_on_top(pilot, BulkForm)
        await wait_for(pilot, lambda: form.usages is not None, 60, "what uses the images")
        await fill(pilot, form, DeleteAssociatedSnapshots=True)
        preview = cells(form.query_one("#preview", DataTable))
        for image_id in shown[:3]:
            assert image_id in preview
        assert shown[3] not in preview
        assert preview.count("DeleteAssociatedSnapshots=True") == 3
        # the count must be typed back
        await pilot.press("ctrl+s")
        assert "Type “deregister 3”" in rendered(form.query_one("#outcome"))
        assert proxy.count("DeregisterImage") == 0
        # a dry run asks AWS about each image; nothing changes
        await pilot.press("ctrl+t")
        await wait_for(
            pilot, lambda: "allowed for all 3" in rendered(form.query_one("#outcome")), 20
        )
        assert proxy.count("DeregisterImage") == 3
        assert len(own_images(ec2(), name=f"{prefix}-*")) == 4
        form.query_one("#confirm", Input).focus()
        await type_text(pilot, *"deregister 3")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, BulkForm), what="started")

        await wait_for(
            pilot, lambda: len(table(app).rows) == 1, 60, "the three rows to go as they end"
        )
        assert table(app).rows.image_at(0).image_id == shown[3]
        await pilot.press("t")
        tasks = await screen_on_top(pilot, TasksScreen)
        runs = tasks.query_one(BulkRunsTable)
        await wait_for(pilot, lambda: runs.runs and next(iter(runs.runs.values())).finished)
        assert "3/3" in cells(runs)

    direct = ec2()
    left = {i["ImageId"] for i in own_images(direct)}
    assert not set(shown[:3]) & left and shown[3] in left
    assert others_before <= left  # nothing else was touched
    gone_snapshots = {
        bdm["Ebs"]["SnapshotId"]
        for i in made
        if i["ImageId"] in shown[:3]
        for bdm in i["BlockDeviceMappings"]
        if "Ebs" in bdm
    }
    remaining = {s["SnapshotId"] for s in direct.describe_snapshots(OwnerIds=["self"])["Snapshots"]}
    assert gone_snapshots and not gone_snapshots & remaining
    assert (snapshots - gone_snapshots) <= remaining


async def test_bulk_tags_add_to_each_image_and_keep_their_own(sandbox, ec2, proxy):
    prefix = f"bulktag-{uuid.uuid4().hex[:8]}"
    made = copies(sandbox, ec2, 2, prefix)
    ids = [i["ImageId"] for i in made]
    ec2().create_tags(Resources=[ids[0]], Tags=[{"Key": "own", "Value": "first"}])
    app = make_app(proxy.url, regions=("us-east-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await filter_to(pilot, prefix)
        await pilot.press("asterisk")
        await pilot.press("T")
        form = await screen_on_top(pilot, BulkForm)
        await fill(pilot, form, Tags="team=web")
        preview = cells(form.query_one("#preview", DataTable))
        assert preview.count("CreateTags") == 2 and "DeleteTags" not in preview
        await pilot.press("ctrl+s")  # not destructive: no count to type
        await wait_for(pilot, lambda: not isinstance(app.screen, BulkForm), what="started")
        await wait_for(
            pilot,
            lambda: all(
                ("team", "web") in table(app).rows.image_at(n).tags
                for n in range(len(table(app).rows))
            ),
            what="both rows read again with the tag",
        )
    tags = {
        i["ImageId"]: {t["Key"]: t["Value"] for t in i.get("Tags", [])}
        for i in ec2().describe_images(ImageIds=ids)["Images"]
    }
    assert tags[ids[0]] == {"own": "first", "team": "web"}
    assert tags[ids[1]] == {"team": "web"}


async def test_a_failed_item_shows_aws_code_and_is_retried(sandbox, ec2, proxy):
    from amitui.ui.screens.bulk_runs import BulkRunScreen

    prefix = f"bulkretry-{uuid.uuid4().hex[:8]}"
    ids = [i["ImageId"] for i in copies(sandbox, ec2, 2, prefix)]
    protected = sorted(ids)[0]
    ec2().enable_image_deregistration_protection(ImageId=protected)
    app = make_app(proxy.url, regions=("us-east-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await filter_to(pilot, prefix)
        await pilot.press("asterisk", "ctrl+d")
        form = await screen_on_top(pilot, BulkForm)
        await wait_for(pilot, lambda: form.usages is not None, 60, "what uses them")
        assert sum(p.ok for p in form.plans) == 1  # the protected one is left out…
        await fill(pilot, form, DeregisterAnyway=True)  # …unless the override is ticked
        assert sum(p.ok for p in form.plans) == 2
        form.query_one("#confirm", Input).value = "deregister 2"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, BulkForm), what="started")

        def run():
            runs = app.tasks.bulk_runs()
            return runs[0] if runs else None

        await wait_for(pilot, lambda: run() and run().finished, what="the run")
        assert (run().done, run().failed) == (1, 1)  # AWS refused the protected one
        await pilot.press("t")
        tasks = await screen_on_top(pilot, TasksScreen)
        runs_table = tasks.query_one(BulkRunsTable)
        await wait_for(pilot, lambda: runs_table.runs, what="the runs table")
        assert "1 failed" in cells(runs_table)
        runs_table.focus()
        await pilot.press("enter")
        detail = await screen_on_top(pilot, BulkRunScreen)
        items = detail.query_one("#items", DataTable)
        await wait_for(pilot, lambda: items.row_count == 2, what="the items")
        (failed,) = [i for i in detail.items if i.status == "failed"]
        assert failed.target_id == protected and failed.code
        assert failed.code in cells(items)  # AWS's code where the user is looking

        ec2().disable_image_deregistration_protection(ImageId=protected)
        await pilot.press("r")

        def retried() -> bool:  # one reading of the run (two could straddle the retry)
            now = run()
            return now is not None and now.finished and now.failed == 0

        await wait_for(pilot, retried, what="the retry")
        assert run().done == 2
    assert not own_images(ec2(), name=f"{prefix}-*")


async def test_a_run_updated_while_its_screen_closes_does_not_crash_the_app(memory):
    """A run goes on as the user quits with its screen open: the app removes the screen's
    widgets, and an update arriving then (from the bulk runner's thread) is not shown."""

    from amitui.tasks.bulk_model import BulkRun
    from amitui.ui.screens.bulk_runs import BulkRunScreen

    run = BulkRun(id=7, scope="s", action="deregister", title="deregister 2", created_at=0.0)
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = BulkRunScreen(run, app.services)
        app.push_screen(screen)
        await screen_on_top(pilot, BulkRunScreen)
        shown = dataclasses.replace(run, counts={"done": 1, "queued": 1})
        screen.run_changed(shown)
        assert "1/2" in str(screen.query_one("#run-title", Static).render())
        await screen.query_one("#run-box").remove()  # as the app does to a closing screen
        screen.run_changed(dataclasses.replace(run, counts={"done": 2}))
        await pilot.pause()
        assert app.is_running and app.return_code is None
