"""Tasks from the UI: started by forms, followed by the poller, remembered across restarts."""

from __future__ import annotations

from amitui.store import TaskStore
from amitui.ui.screens.action_form import ActionForm
from amitui.ui.screens.confirm import ConfirmScreen
from amitui.ui.screens.tasks import HistoryScreen, TasksScreen
from tests.app.helpers import (
    SIZE,
    fill,
    loaded,
    make_app,
    open_form,
    own_images,
    select_image,
    wait_for,
)

FAST = {"poll_interval": 0.5}


def images(ec2, region="us-east-1"):
    return sorted(
        (i for i in own_images(ec2(region)) if i["State"] == "available"),
        key=lambda i: i["ImageId"],
    )


def exportable(ec2, region="us-east-1"):
    """Available images ExportImage takes: as on AWS, none with encrypted snapshots."""
    return [
        i
        for i in images(ec2, region)
        if not any(m.get("Ebs", {}).get("Encrypted") for m in i["BlockDeviceMappings"])
    ]


async def submit(pilot, form) -> None:
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ActionForm), 10, "submit")


async def start_copy(pilot, image, name=None, regions="eu-west-1"):
    await select_image(pilot, image["ImageId"])
    form = await open_form(pilot, "c")
    await fill(pilot, form, DestinationRegions=regions, **({"Name": name} if name else {}))
    await submit(pilot, form)
    await pilot.press("escape")  # clear the filter


async def start_export(pilot, image, prefix="exports/"):
    await select_image(pilot, image["ImageId"])
    form = await open_form(pilot, "e")
    await fill(
        pilot,
        form,
        DiskImageFormat="VMDK",
        S3ExportLocation__S3Bucket="amitui-exports",
        S3ExportLocation__S3Prefix=prefix,
    )
    await submit(pilot, form)
    await pilot.press("escape")


async def start_import(pilot, key="vms/web-frontend-2025.03.1.vmdk"):
    form = await open_form(pilot, "i")
    await fill(
        pilot,
        form,
        DiskContainers__0__UserBucket__S3Bucket="amitui-imports",
        DiskContainers__0__UserBucket__S3Key=key,
    )
    await submit(pilot, form)


async def test_copy_export_import_survive_a_restart_and_complete(sandbox, ec2, tmp_path):
    db = tmp_path / "tasks.sqlite3"
    pool = images(ec2)
    # Slow polling in the first session: everything is still running when we quit.
    first = make_app(sandbox.url, store=TaskStore(db), poll_interval=60)
    async with first.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await start_copy(pilot, pool[10])
        await start_export(pilot, exportable(ec2)[11])
        await start_import(pilot)
        started = first.tasks.tasks()
        assert sorted(t.kind for t in started) == ["copy", "export", "import"]
        running_at_quit = {t.target_id for t in first.tasks.tasks() if t.is_running}
        assert {t.kind for t in started if t.target_id in running_at_quit} >= {"export", "import"}
    # What was still running when the app had quit (a last poll may end a task on the way out).
    closed = TaskStore(db)
    running_at_quit = {t.target_id for t in closed.running_tasks()}
    closed.close()
    # The SQLite file alone carries them: a fresh store and a fresh app resume them.
    second = make_app(sandbox.url, store=TaskStore(db), **FAST)
    async with second.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("t")
        screen = await wait_for(
            pilot, lambda: isinstance(second.screen, TasksScreen) and second.screen
        )
        assert {t.target_id for t in screen.task_list} == {t.target_id for t in started}
        shown_running = {t.target_id for t in screen.task_list if t.is_running}
        assert shown_running  # resumed, not forgotten
        await wait_for(
            pilot,
            lambda: all(t.status == "done" for t in second.tasks.tasks()),
            30,
            "every task to finish",
        )
        done = {t.kind: t for t in second.tasks.tasks()}
        imported = done["import"].image_id
        assert imported and ec2().describe_images(ImageIds=[imported])["Images"]
        messages = " ".join(second.notified)
        assert messages.count("finished") == len(running_at_quit), second.notified
        # the finished copy/import refreshed their rows (the import's image is in us-east-1)
        await wait_for(
            pilot, lambda: second.inventory.rows.row_of(imported) is not None, 10, "import row"
        )


async def test_failed_copy_keeps_its_reason_and_history(sandbox, ec2):
    app = make_app(sandbox.url, **FAST)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await start_copy(
            pilot, images(ec2)[12], name="sandbox-fail-copy-for-test", regions="us-east-1"
        )
        task = await wait_for(
            pilot,
            lambda: next((t for t in app.tasks.tasks() if t.status == "failed"), None),
            20,
            "the copy to fail",
        )
        assert task.message  # the StateReason
        assert any("failed" in m for m in app.notified)
        row = await wait_for(
            pilot,
            lambda: (
                (i := app.inventory.rows.row_of(task.target_id)) is not None
                and app.inventory.rows.image_at(i).state == "failed"
            ),
            10,
        )
        assert row
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen))
        await pilot.press("enter")
        history = await wait_for(
            pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen
        )
        statuses = [r for r in history.table.columns[1]._cells]
        assert "running" in [str(s) for s in statuses] and "failed" in [str(s) for s in statuses]


async def test_cancel_an_import(sandbox, ec2):
    app = make_app(sandbox.url, **FAST)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await start_import(pilot, key="vms/legacy-centos7.ova")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen))
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await wait_for(
            pilot, lambda: app.tasks.tasks()[0].status == "cancelled", 20, "import cancelled"
        )
        (task,) = app.tasks.tasks()
        answer = ec2().describe_import_image_tasks(ImportTaskIds=[task.target_id])
        assert answer["ImportImageTasks"][0]["Status"] == "deleted"


async def test_cancel_a_pending_copy_needs_the_id_typed_back(slow_sandbox, ec2):
    app = make_app(slow_sandbox.url, **FAST)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await start_copy(pilot, images(ec2)[13], regions="us-east-1")
        (copy,) = app.tasks.tasks()
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen))
        await pilot.press("x")
        confirm = await wait_for(
            pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen
        )
        await pilot.click("#yes")  # nothing typed: refused
        assert app.screen is confirm
        assert app.tasks.store.get(copy.id).is_running
        confirm.query_one("#typed").focus()
        await pilot.press(*copy.target_id, "enter")
        await wait_for(
            pilot,
            lambda: app.tasks.store.get(copy.id).status != "running",
            20,
            "the copy to end: " + " | ".join(app.notified),
        )
        assert app.tasks.store.get(copy.id).status == "cancelled"
        gone = ec2().describe_images(Filters=[{"Name": "image-id", "Values": [copy.target_id]}])
        assert not gone["Images"] or gone["Images"][0]["State"] == "deregistered"


async def test_adopt_and_clear_finished(sandbox, ec2, monkeypatch):
    # An export that stays active for ~20 s: long enough to adopt on a busy machine.
    monkeypatch.setattr(sandbox, "pending_seconds", 5.0)
    foreign = ec2().export_image(
        ImageId=exportable(ec2)[14]["ImageId"],
        DiskImageFormat="RAW",
        S3ExportLocation={"S3Bucket": "amitui-exports", "S3Prefix": "adopt/"},
    )["ExportImageTaskId"]
    app = make_app(sandbox.url, **FAST)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: app.tasks.poller is not None)
        await pilot.press("t")
        screen = await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen)
        assert not screen.task_list
        await pilot.press("a")
        await wait_for(pilot, lambda: any(t.target_id == foreign for t in screen.task_list), 20)
        task = next(t for t in screen.task_list if t.target_id == foreign)
        assert task.adopted
        await wait_for(pilot, lambda: app.tasks.store.get(task.id).status == "done", 60)
        await pilot.press("C")
        await wait_for(pilot, lambda: not screen.task_list)
        assert [e.status for e in app.tasks.store.history(task.id)][-1] == "done"


async def test_tasks_belong_to_their_endpoint(sandbox, proxy, tmp_path):
    db = tmp_path / "tasks.sqlite3"
    store = TaskStore(db)
    store.add_task(
        scope=f"{sandbox.url}|123456789012",
        kind="copy",
        region="us-east-1",
        target_id="ami-0123456789abcdef0",
    )
    app = make_app(proxy.url, store=TaskStore(db))  # same account, another endpoint
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: app.tasks.scope is not None)
        assert app.tasks.tasks() == []
    assert proxy.count("DescribeImages") >= 1
