"""`amitui tasks` and `amitui tasks wait`: the UI's store, read and followed from a shell."""

from __future__ import annotations

import json
import threading

import amitui.actions  # noqa: F401 (the built-in actions register their task kinds)
from amitui.actions import get_action
from amitui.actions.run import run_action
from amitui.aws.clients import AwsClients
from amitui.tasks.service import TaskService
from amitui.tasks.store import TaskStore
from tests.cli.conftest import unique


def start_copy_as_the_ui_does(sandbox, image: str, name: str) -> tuple[int, TaskService]:
    """What the copy form does on submit: run_action, then TaskService.record; the UI's
    service then follows its tasks (stop it)."""
    clients = AwsClients(endpoint_url=sandbox.url)
    values = {"SourceImageId": image, "SourceRegion": "us-east-1",
              "DestinationRegions": "eu-west-1", "Name": name}  # fmt: skip
    (result,) = run_action(clients, get_action("copy"), values, "us-east-1")
    assert result.ok, result.error
    store = TaskStore()
    service = TaskService(clients, store, poll_interval=0.3)
    task = service.record(get_action("copy").task, result)
    assert task is not None
    return task.id, service


def test_tasks_wait_follows_a_task_the_ui_started(amitui, sandbox, own_image, pending):
    pending(0.5)
    task_id, ui = start_copy_as_the_ui_does(sandbox, own_image(), unique())
    ui.stop()  # the UI quit: the command follows alone
    ui.store.close()
    ran = amitui("tasks", "wait", str(task_id))
    assert ran.code == 0, ran.err
    assert ran.lines[0].startswith(f"task {task_id} copy ")
    assert ran.lines[-1].endswith("(eu-west-1): done available")


def test_tasks_wait_beside_a_running_ui(amitui, sandbox, own_image, pending):
    pending(0.5)
    task_id, ui = start_copy_as_the_ui_does(sandbox, own_image(), unique("sandbox-fail"))
    try:
        ran = amitui("tasks", "wait", str(task_id))
    finally:
        ui.stop()
        ui.store.close()
    assert ran.code == 1
    assert "failed" in ran.lines[-1]


def test_tasks_wait_on_an_unknown_id_exits_2(amitui):
    ran = amitui("tasks", "wait", "4242")
    assert ran.code == 2
    assert ran.err.startswith("amitui: no task 4242 here")
    assert amitui("tasks", "wait", "abc").code == 2


def test_tasks_wait_on_finished_tasks_returns_at_once(amitui, own_image, pending):
    pending(0.3)
    ok = amitui("copy", own_image(), "--to", "eu-west-1", "--name", unique(), "--wait")
    bad = amitui("copy", own_image(), "--to", "eu-west-1", "--name", unique("sandbox-fail"),
                 "--wait")  # fmt: skip
    ok_id, bad_id = ok.lines[0].split()[2].rstrip(":"), bad.lines[0].split()[2].rstrip(":")
    assert amitui("tasks", "wait", ok_id).code == 0
    assert amitui("tasks", "wait", ok_id, bad_id).code == 1


def test_tasks_json_shape(amitui, own_image, pending):
    pending(30)
    started = amitui("copy", own_image(), "--to", "eu-west-1", "--name", unique())
    task_id = int(started.lines[0].split()[2].rstrip(":"))
    objects = json.loads(amitui("tasks", "--format", "json").out)
    (task,) = [o for o in objects if o["type"] == "task" and o["id"] == task_id]
    assert set(task) == {
        "type", "id", "kind", "status", "region", "target_id", "image_id", "name", "source",
        "aws_state", "progress", "message", "created_at", "finished_at", "elapsed_seconds",
    }  # fmt: skip
    assert (task["kind"], task["status"], task["region"]) == ("copy", "running", "eu-west-1")
    assert task["created_at"].endswith("Z") and task["finished_at"] is None
    running = json.loads(amitui("tasks", "--running", "--format", "json").out)
    assert all(o["status"] == "running" for o in running)


def test_bulk_runs_are_listed_as_their_own_objects(amitui, sandbox, own_image):
    from amitui.tasks.bulk_model import NewItem
    from amitui.tasks.model import make_scope

    clients = AwsClients(endpoint_url=sandbox.url)
    scope = make_scope(sandbox.url, clients.identity().account)
    with TaskStore() as store:
        item = NewItem("us-east-1", own_image(), [("CreateTags", {"Resources": [own_image()]})])
        run = store.bulk.add_run(scope, "tags", "Tags on 1 image", [item])
    objects = json.loads(amitui("tasks", "--format", "json").out)
    (bulk,) = [o for o in objects if o["type"] == "bulk"]
    assert bulk["id"] == f"bulk-{run.id}" and bulk["action"] == "tags"
    assert bulk["status"] == "running" and bulk["items"] == 1
    table = amitui("tasks").lines
    assert table[0].split()[:3] == ["ID", "KIND", "STATUS"]
    assert any(line.startswith(f"bulk-{run.id} ") for line in table)


def test_global_flags_may_come_before_the_command(amitui, sandbox):
    ran = amitui("--region", "eu-west-1", "tasks", "--format", "json")
    assert ran.code == 0 and json.loads(ran.out) == []


def test_interrupting_a_wait_exits_130_and_cancels_nothing(amitui, own_image, pending, ec2):
    import _thread
    import signal

    pending(300)  # the copy cannot end while the test runs
    started = amitui("copy", own_image(), "--to", "eu-west-1", "--name", unique())
    task_id = started.lines[0].split()[2].rstrip(":")
    image = started.lines[0].split()[4]
    before = signal.getsignal(signal.SIGINT)
    stop = threading.Event()

    def press_ctrl_c_once_following() -> None:
        # ctrl+c as the user presses it: once the wait has taken SIGINT over (it follows)
        while signal.getsignal(signal.SIGINT) is before:
            if stop.wait(0.01):
                return
        _thread.interrupt_main()

    presser = threading.Thread(target=press_ctrl_c_once_following)
    presser.start()
    try:
        ran = amitui("tasks", "wait", task_id)
    finally:
        stop.set()
        presser.join()
    assert ran.code == 130
    assert "stopped following (nothing was cancelled)" in ran.err
    assert signal.getsignal(signal.SIGINT) is before  # the handler is given back
    assert ec2("eu-west-1").describe_images(ImageIds=[image])["Images"][0]["State"] == "pending"
