"""The cleanup workbench end to end on the sandbox (issue 17's "must show"): the retention
preview with its default rules on one nightly family, nothing excluded proposed; apply;
the bulk deregister with the snapshots; an independent boto3 client sees exactly the
proposed images and their snapshots gone and every other image untouched; one image is
restored from the Recycle Bin; and orphaned snapshots are deleted in bulk."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from amitui.ui.screens.bulk_form import BulkForm
from amitui.ui.screens.cleanup import CleanupScreen
from amitui.ui.screens.confirm import ConfirmScreen
from amitui.ui.screens.orphans import OrphansScreen
from amitui.ui.screens.recycle_bin import RecycleBinScreen
from tests.app.helpers import (
    SIZE,
    loaded,
    make_app,
    own_images,
    screen_on_top,
    table,
    type_text,
    wait_for,
)

FAMILY = "web-api"


def snapshots_of(images: list[dict]) -> dict[str, set[str]]:
    return {
        i["ImageId"]: {
            b["Ebs"]["SnapshotId"] for b in i.get("BlockDeviceMappings", []) if "Ebs" in b
        }
        for i in images
    }


def own_snapshot_ids(client) -> set[str]:
    ids: set[str] = set()
    for page in client.get_paginator("describe_snapshots").paginate(OwnerIds=["self"]):
        ids |= {s["SnapshotId"] for s in page["Snapshots"]}
    return ids


def run_finished(app) -> bool:
    runs = app.tasks.bulk_runs()
    return bool(runs) and all(r.finished for r in runs)


async def filter_to(pilot, text: str) -> None:
    await pilot.press("slash")
    pilot.app.inventory.query_one("#filter", Input).value = text
    await pilot.press("enter")
    await wait_for(pilot, lambda: not table(pilot.app).rows.filtering, what="the filter")


async def test_preview_apply_bulk_deregister_verify_and_restore_one(sandbox, ec2, proxy):
    seeded = sandbox.reset().cleanup
    region = seeded["rbin_region"]
    family_ids = set(seeded["families"][FAMILY]["images"]) - set(seeded["in_bin"])
    never = set(seeded["in_use"]) | set(seeded["protected"]) | set(seeded["shared"])
    never |= set(seeded["recently_launched"])
    direct = ec2(region)
    before = {i["ImageId"]: i for i in own_images(direct)}
    snapshots = snapshots_of(list(before.values()))

    app = make_app(proxy.url, regions=(region,))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: app.account, what="the account")
        await filter_to(pilot, FAMILY)
        assert {
            table(app).rows.image_at(n).image_id for n in range(len(table(app).rows))
        } == family_ids

        await pilot.press("K")
        screen = await screen_on_top(pilot, CleanupScreen)
        await wait_for(
            pilot,
            lambda: screen.result is not None and not screen.result.waiting and not screen.asking,
            60,
            "every answer",
        )
        result = screen.result
        proposed = {v.image.image_id for v in result.proposed}
        excluded = {v.image.image_id for v in result.excluded}
        assert proposed and proposed <= family_ids
        assert not proposed & never, "an image in use, protected, shared or launched was proposed"
        assert never & family_ids <= excluded | {v.image.image_id for v in result.kept}
        for verdict in result.excluded:
            assert verdict.reasons  # each excluded image says why
        newest = seeded["families"][FAMILY]["images"][:3]
        assert not proposed & set(newest)  # the newest 3 are kept

        screen.query_one("#delete-snapshots").value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        form = await screen_on_top(pilot, BulkForm)
        assert {i.image_id for i in app.inventory.marks} == proposed
        assert form.values()["DeleteAssociatedSnapshots"] is True
        await wait_for(pilot, lambda: form.usages is not None, 60, "what uses them")
        assert sum(p.ok for p in form.plans) == len(proposed)
        days = seeded["rbin_days"]
        says = str(form.query_one("#usage").content)
        assert f"{len(proposed)} can be restored for {days} days" in says  # the rule, read
        form.query_one("#confirm", Input).focus()
        await type_text(pilot, *f"deregister {len(proposed)}")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, BulkForm), what="started")
        await wait_for(pilot, lambda: run_finished(app), 90, "the bulk run")
        (run,) = app.tasks.bulk_runs()
        assert run.done == len(proposed) and run.failed == 0

        after = {i["ImageId"] for i in own_images(direct)}
        assert after == set(before) - proposed  # exactly those, nothing else
        left = own_snapshot_ids(direct)
        gone = set().union(*(snapshots[i] for i in proposed))
        assert gone and not gone & left
        kept_snapshots = set().union(*(snapshots[i] for i in after))
        assert kept_snapshots <= left

        # one comes back from the Recycle Bin
        await pilot.press("escape")
        await pilot.press("B")
        bin_screen = await screen_on_top(pilot, RecycleBinScreen)
        await wait_for(pilot, lambda: not bin_screen.reads.waiting, what="the bin")
        assert proposed <= {image_id for _, image_id in bin_screen.images}
        back = sorted(proposed)[0]
        row = bin_screen._order.index((region, back))
        bin_screen.query_one("#bin", DataTable).move_cursor(row=row)
        await pilot.press("r")
        await screen_on_top(pilot, ConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: (region, back) not in bin_screen.images, what="restored")
    restored = direct.describe_images(ImageIds=[back])["Images"]
    assert restored and restored[0]["State"] == "available"


async def test_orphaned_snapshots_are_deleted_in_bulk_and_only_those(sandbox, ec2, proxy):
    seeded = sandbox.reset().cleanup
    region = seeded["rbin_region"]
    orphans = set(seeded["orphans"][region])
    direct = ec2(region)
    before = own_snapshot_ids(direct)
    app = make_app(proxy.url, regions=(region,))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: app.account, what="the account")
        app.inventory.open_orphans()  # what its palette command runs
        screen = await screen_on_top(pilot, OrphansScreen)
        await wait_for(pilot, lambda: not screen.reads.waiting, what="the scan")
        assert {s for _, s in screen.orphans} == orphans
        await pilot.press("asterisk")
        await pilot.press("ctrl+d")
        confirm = await screen_on_top(pilot, ConfirmScreen)
        assert confirm.expected == f"delete {len(orphans)}"
        await type_text(pilot, *confirm.expected)
        await pilot.press("enter")
        await wait_for(pilot, lambda: run_finished(app), 60, "the deletion")
        await wait_for(
            pilot, lambda: not screen.reads.waiting and not screen.orphans, 30, "none left"
        )
    assert own_snapshot_ids(direct) == before - orphans
