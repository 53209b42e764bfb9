"""Tasks from the UI: started by forms, followed by the poller, remembered across restarts."""

from __future__ import annotations

import pytest
from textual.widgets import Button, DataTable

from amitui.tasks.model import DEMO_ENDPOINT, make_scope
from amitui.tasks.service import DEMO_ENDED
from amitui.tasks.store import TaskStore
from amitui.ui.screens.action_form import ActionForm
from amitui.ui.screens.confirm import ConfirmScreen
from amitui.ui.screens.task_views import NO_PERCENT, ellipsize
from amitui.ui.screens.tasks import HistoryScreen, TasksScreen
from amitui.ui.task_tracker import TaskUpdated
from amitui.ui.widgets.context_header import ContextHeader
from tests.app.helpers import (
    SIZE,
    fill,
    loaded,
    make_app,
    open_form,
    own_images,
    rendered,
    screen_on_top,
    select_image,
    type_text,
    wait_for,
)
from tests.support.sandbox_time import finish_now

FAST = {"poll_interval": 0.5}
SIZES = pytest.mark.parametrize("size", [(80, 24), SIZE], ids=["80x24", "wide"])
ACCOUNT = "123456789012"


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
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ActionForm), what="submit")


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
    # No poll after the start in the first session (however long a loaded machine takes):
    # what was running when started is still running when we quit.
    first = make_app(sandbox.url, store=TaskStore(db), poll_interval=3600)
    # The three run for minutes (pending 600 s, the export and import 4 x that): they end
    # when the second session has them on screen (finish_now), not on a clock.
    before, sandbox.pending_seconds = sandbox.pending_seconds, 600.0
    try:
        async with first.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await start_copy(pilot, pool[10])
            await start_export(pilot, exportable(ec2)[11])
            await start_import(pilot)
            started = first.tasks.tasks()
            assert sorted(t.kind for t in started) == ["copy", "export", "import"]
    finally:
        sandbox.pending_seconds = before
    # What the file says was running when the first app stopped (its poller may have
    # finished a fast copy before then): exactly these must finish in the second session.
    running_at_quit = {
        t.target_id for t in TaskStore(db).list_tasks(first.tasks.scope) if t.is_running
    }
    assert {t.kind for t in started if t.target_id in running_at_quit} == {
        "copy",
        "export",
        "import",
    }
    # The SQLite file alone carries them: a fresh store and a fresh app resume them.
    second = make_app(sandbox.url, store=TaskStore(db), **FAST)
    async with second.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("t")
        screen = await wait_for(
            pilot,
            lambda: (
                isinstance(second.screen, TasksScreen)
                and second.screen.is_mounted
                and second.screen
            ),
        )
        assert {t.target_id for t in screen.task_list} == {t.target_id for t in started}
        assert all(t.is_running for t in second.tasks.tasks())  # resumed, still running
        finish_now(sandbox)
        await wait_for(
            pilot,
            lambda: all(t.status == "done" for t in second.tasks.tasks()),
            120,
            "every task to finish",
        )
        done = {t.kind: t for t in second.tasks.tasks()}
        imported = done["import"].image_id
        assert imported and ec2().describe_images(ImageIds=[imported])["Images"]
        # resumed, not forgotten: each task running at quit finished here, announced once
        # (the store says done before the app's message announces it: wait for those)
        await wait_for(
            pilot,
            lambda: sum("finished" in m for m in second.notified) >= len(running_at_quit),
            what="every resumed task's announcement",
        )
        finished = [m for m in second.notified if "finished" in m]
        assert sorted(t for m in finished for t in running_at_quit if t in m) == sorted(
            running_at_quit
        )
        assert len(finished) == len(running_at_quit)
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
            what="the copy to fail",
        )
        assert task.message  # the StateReason
        # the store changes in the poller's thread, the toast when the app hears of it
        await wait_for(pilot, lambda: any("failed" in m for m in app.notified), what="the toast")
        row = await wait_for(
            pilot,
            lambda: (
                (i := app.inventory.rows.row_of(task.target_id)) is not None
                and app.inventory.rows.image_at(i).state == "failed"
            ),
        )
        assert row
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.is_mounted)
        await pilot.press("enter")
        history = await wait_for(
            pilot,
            lambda: isinstance(app.screen, HistoryScreen) and app.screen.is_mounted and app.screen,
        )
        statuses = list(history.table.columns[1].cells)
        assert "running" in [str(s) for s in statuses] and "failed" in [str(s) for s in statuses]


@SIZES
async def test_cancel_an_import_says_what_each_answer_does(sandbox, ec2, proxy, monkeypatch, size):
    # the import runs for minutes, and its cancel stays "deleting" until finish_now
    monkeypatch.setattr(sandbox, "pending_seconds", 60.0)
    app = make_app(proxy.url, **FAST)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await start_import(pilot, key="vms/legacy-centos7.ova")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.is_mounted)
        await pilot.press("x")
        confirm = await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConfirmScreen) and app.screen.is_mounted and app.screen,
        )
        labels = {str(b.label) for b in confirm.query(Button)}
        assert labels == {"Cancel the import (y)", "Keep it running (n)"}
        assert app.focused.id == "no"  # Enter keeps it running, and says so
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.is_mounted)
        (task,) = app.tasks.tasks()
        assert any(f"{task.target_id} keeps running" in m for m in app.notified)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.is_mounted)
        assert proxy.count("CancelImportTask") == 0 and app.tasks.store.get(task.id).is_running
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        # answered, so the sandbox has it "deleting" (counted on arrival, it may not yet: a
        # finish_now before then ends nothing, and the cancel then takes its own minute)
        await wait_for(
            pilot, lambda: proxy.outcomes("CancelImportTask")["200"], what="the cancel answered"
        )
        assert app.tasks.store.get(task.id).status != "cancelled"  # not before AWS says so
        finish_now(sandbox)
        await wait_for(pilot, lambda: app.tasks.tasks()[0].status == "cancelled", what="cancelled")
        assert any(m.startswith("Cancel requested for import") for m in app.notified)
        assert proxy.count("CancelImportTask") == 1
        answer = ec2().describe_import_image_tasks(ImportTaskIds=[task.target_id])
        assert answer["ImportImageTasks"][0]["Status"] == "deleted"


async def test_cancelling_a_pending_copy_deregisters_it_and_marks_it_cancelled(slow_sandbox, ec2):
    """The end-to-end cancel (the typed-back id's refusals: reliability/test_safety.py)."""
    app = make_app(slow_sandbox.url, **FAST)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await start_copy(pilot, images(ec2)[13], regions="us-east-1")
        (copy,) = app.tasks.tasks()
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.is_mounted)
        await pilot.press("x")
        confirm = await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConfirmScreen) and app.screen.is_mounted and app.screen,
        )
        confirm.query_one("#typed").focus()
        await type_text(pilot, *copy.target_id, "enter")
        await wait_for(
            pilot,
            lambda: app.tasks.store.get(copy.id).status != "running",
            what="the copy to end: " + " | ".join(app.notified),
        )
        assert app.tasks.store.get(copy.id).status == "cancelled"
        gone = ec2().describe_images(Filters=[{"Name": "image-id", "Values": [copy.target_id]}])
        assert not gone["Images"] or gone["Images"][0]["State"] == "deregistered"


async def test_adopt_and_clear_finished(slow_sandbox, ec2):
    # An export that stays active (4 minutes) until the test ends it, once adopted; the
    # only task of the account: the earlier tests' leftovers would be adopted too and
    # clearing waits for all of them (twice 61 s in whole runs, never alone)
    sandbox = slow_sandbox
    sandbox.reset()
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
        screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, TasksScreen) and app.screen.is_mounted and app.screen,
        )
        assert not screen.task_list
        await pilot.press("a")
        await wait_for(pilot, lambda: any(t.target_id == foreign for t in screen.task_list))
        (task,) = screen.task_list
        assert task.target_id == foreign
        assert task.adopted and app.tasks.store.get(task.id).is_running
        finish_now(sandbox)
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
        assert app.tasks.scope == f"{proxy.url}|123456789012"  # only the endpoint differs
        assert app.tasks.tasks() == []


def header_counts(app) -> list[int]:
    return [h.running_tasks for s in app.screen_stack for h in s.query(ContextHeader)]


@SIZES
async def test_every_header_counts_running_tasks_down_to_zero(slow_sandbox, ec2, size):
    sandbox = slow_sandbox  # the copy runs until the test ends it (finish_now)
    app = make_app(sandbox.url, **FAST)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        name = f"header-count-{size[0]}x{size[1]}"  # AMI names are unique per region
        await start_copy(pilot, images(ec2)[15], name=name, regions="us-east-1")
        await pilot.press("t")
        screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, TasksScreen) and app.screen.is_mounted and app.screen,
        )
        header = screen.query_one(ContextHeader)
        # the inventory's and the tasks screen's (the count comes with the service's next
        # update, which a loaded machine may deliver after the screen is mounted)
        await wait_for(pilot, lambda: header_counts(app) == [1, 1], what="both headers at 1")
        assert "1 task(s) running" in str(header.render_text())
        (copy,) = app.tasks.tasks()
        finish_now(sandbox)
        await wait_for(pilot, lambda: app.tasks.store.get(copy.id).status == "done")
        await wait_for(pilot, lambda: header_counts(app) == [0, 0], what="every header at 0")
        assert "running" not in str(header.render_text())


@SIZES
async def test_a_demo_ends_an_earlier_demo_s_tasks_and_shows_a_gone_endpoints_tasks(
    sandbox, ec2, tmp_path, size
):
    """Each demo starts a fresh sandbox: what an earlier demo left running ends cancelled,
    saying so (not "failed: no longer exists" a minute later); a task left under an old
    port's URL by a demo from before the stable scope is shown as not followed."""
    db = tmp_path / "tasks.sqlite3"
    store = TaskStore(db)
    # A copy started by an earlier demo (another port, same name: the demo's scope) ...
    image = images(ec2)[16]["ImageId"]
    resumed = store.add_task(
        scope=make_scope("http://127.0.0.1:1", ACCOUNT, DEMO_ENDPOINT),
        kind="copy",
        region="us-east-1",
        target_id=image,
    )
    # ... and an export that a demo from before this fix left under its port's URL.
    gone = store.add_task(
        scope=f"http://127.0.0.1:2|{ACCOUNT}",
        kind="export",
        region="us-east-1",
        target_id="export-ami-0123456789abcdef0",
    )
    app = make_app(sandbox.url, store=TaskStore(db), demo=True, **FAST)

    def ended_task():
        return app.tasks.store.get(resumed.id)

    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: app.tasks.scope == f"{DEMO_ENDPOINT}|{ACCOUNT}")
        ended = await wait_for(
            pilot, lambda: app.tasks.store.get(resumed.id).status == "cancelled" and ended_task()
        )
        assert ended.message == DEMO_ENDED
        await pilot.press("t")
        screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, TasksScreen) and app.screen.is_mounted and app.screen,
        )
        assert [t.id for t in screen.task_list] == [resumed.id]
        assert [t.id for t in screen.unfollowed] == [gone.id]
        table = screen.query_one("#tasks", DataTable)
        row = table.get_row(str(gone.id))
        keys = [str(c.key.value) for c in table.ordered_columns]
        assert str(row[keys.index("status")]) == "not followed"
        assert "http://127.0.0.1:2" in str(row[keys.index("message")])
        assert "1 not followed" in str(screen.query_one("#task-status").render())
        await pilot.press("C")
        await wait_for(pilot, lambda: not screen.unfollowed, what="the gone task cleared")
        assert any("1 not followed" in m for m in app.notified)
        assert table.row_count == 0  # the ended copy was cleared too
        assert app.tasks.store.get(gone.id).status == "running"  # not made up


async def test_progress_bars_elapsed_and_an_honest_no_percentage(slow_sandbox, ec2, tmp_path):
    db = tmp_path / "tasks.sqlite3"
    client = ec2()
    snapshot = client.describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": "tag:Name", "Values": ["legacy-app root volume"]}]
    )["Snapshots"][0]["SnapshotId"]
    registered = client.register_image(
        Name="registered-for-no-percentage",
        Architecture="x86_64",
        VirtualizationType="hvm",
        RootDeviceName="/dev/xvda",
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": snapshot}}],
    )["ImageId"]
    store = TaskStore(db)
    store.add_task(
        scope=make_scope(slow_sandbox.url, ACCOUNT),
        kind="register",
        region="us-east-1",
        target_id=registered,
    )
    app = make_app(slow_sandbox.url, store=TaskStore(db), **FAST)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await start_copy(pilot, images(ec2)[17], regions="us-east-1")
        await pilot.press("t")
        screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, TasksScreen) and app.screen.is_mounted and app.screen,
        )
        table = screen.query_one("#tasks", DataTable)
        keys = [str(c.key.value) for c in table.ordered_columns]
        copy = next(t for t in app.tasks.tasks() if t.kind == "copy")
        reg = next(t for t in app.tasks.tasks() if t.kind == "register")

        def cell(task, key):
            return str(table.get_row(str(task.id))[keys.index(key)])

        # a bar ends with its percentage ("no % from AWS", shown until the copy's snapshot
        # progress is in, has a % too)
        await wait_for(pilot, lambda: cell(copy, "progress").endswith("%"), what="a percentage")
        assert "░" in cell(copy, "progress")  # a bar, from the copy's snapshots' Progress
        assert app.tasks.store.get(copy.id).progress is not None
        await wait_for(pilot, lambda: cell(reg, "status") == "running (pending)")
        assert cell(reg, "progress") == NO_PERCENT
        first = cell(copy, "elapsed")
        await wait_for(pilot, lambda: cell(copy, "elapsed") != first, what="elapsed to tick")


async def test_the_history_follows_the_cursor(sandbox, ec2):
    app = make_app(sandbox.url, **FAST)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await start_copy(pilot, images(ec2)[18], regions="us-east-1")
        await start_export(pilot, exportable(ec2)[19])
        finish_now(sandbox)  # the export would run 4 s more
        await wait_for(pilot, lambda: all(t.is_terminal for t in app.tasks.tasks()))
        await pilot.press("t")
        screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, TasksScreen) and app.screen.is_mounted and app.screen,
        )
        pane = screen.query_one("#history-text")
        for _ in range(2):
            task = screen.selected()
            await wait_for(
                pilot,
                lambda task=task: (
                    screen.history_events
                    and screen.history_events[0].task_id == task.id
                    and task.target_id in rendered(pane)
                ),
                5,
                f"the history of {task.kind}",
            )
            statuses = [e.status for e in screen.history_events]
            assert statuses[0] == "running" and statuses[-1] == "done"
            if task.kind == "export":  # the finished message names the object
                key = f"s3://amitui-exports/exports/{task.target_id}.vmdk"
                assert screen.history_events[-1].message == f"exported to {key}"
            await pilot.press("down")


def test_long_sources_are_cut_at_a_word_with_an_ellipsis():
    source = "s3://amitui-imports/vms/web frontend 2025.03.1 final build.vmdk"
    cut = ellipsize(source, 40)
    assert len(cut) <= 40 and cut.endswith("…") and cut == "s3://amitui-imports/vms/web frontend…"
    assert ellipsize("ami-0123 (us-east-1)", 40) == "ami-0123 (us-east-1)"
    assert ellipsize("x" * 50, 10) == "x" * 9 + "…"  # no word to cut at


async def test_a_task_update_before_the_tasks_screen_is_built_is_not_lost(memory):
    """The app hands every update to each tasks screen on the stack, one just pushed or
    being taken down included: without its table it must not crash the app, and once
    built it shows the task (read from the store)."""
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: app.tasks.scope, what="the account")
        task = app.tasks.store.add_task(
            scope=app.tasks.scope,
            kind="copy",
            region="us-east-1",
            target_id="ami-0123456789abcdef0",
        )
        screen = TasksScreen(app.services)
        app.push_screen(screen)
        screen.task_changed(task)  # what app.on_task_updated does, before the screen is built
        await screen_on_top(pilot, TasksScreen)
        assert [t.id for t in screen.task_list] == [task.id]
        assert screen.query_one("#tasks", DataTable).row_count == 1
        # Taken down (the app quitting removes the widgets first): an update is no crash.
        await screen.query_one("#tasks", DataTable).remove()
        screen.task_changed(app.tasks.store.update_task(task.id, message="later"))


async def test_a_task_cleared_as_it_ends_does_not_come_back(memory):
    """The poller writes a task's end to the store, then its update travels to the UI as a
    message. C pressed between the two clears the task (the store says it ended); the late
    update must not bring it back as a new row. (Seen in CI: the list stayed non-empty.)"""
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        scope = await wait_for(pilot, lambda: app.tasks.scope, what="the account")
        store = app.tasks.store
        ending = store.add_task(
            scope=scope, kind="copy", region="us-east-1", target_id="ami-0123456789abcdef0"
        )
        await pilot.press("t")
        screen = await screen_on_top(pilot, TasksScreen)
        await wait_for(pilot, lambda: [t.id for t in screen.task_list] == [ending.id])
        ended = store.update_task(ending.id, status="done", aws_state="available")
        await pilot.press("C")  # before the poller's message about the end arrives
        await wait_for(pilot, lambda: not screen.task_list, what="the list cleared")
        later = store.add_task(
            scope=scope, kind="copy", region="us-east-1", target_id="ami-0fedcba9876543210"
        )
        app.post_message(TaskUpdated(ended, 1))  # the late update
        app.post_message(TaskUpdated(later, 1))  # handled after it: a new task is listed
        await wait_for(pilot, lambda: any(t.id == later.id for t in screen.task_list))
        assert [t.id for t in screen.task_list] == [later.id]
        assert screen.query_one("#tasks", DataTable).row_count == 1
