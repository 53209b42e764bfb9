"""`amitui copy … --wait`: the exit code is the copy's outcome, and what it started is in
the UI's store, in the UI's scope."""

from __future__ import annotations

import re

import amitui.actions  # noqa: F401 (the built-in actions register their task kinds)
from amitui.aws.clients import AwsClients
from amitui.tasks.service import TaskService
from amitui.tasks.store import TaskStore
from tests.cli.conftest import unique

STARTED = re.compile(r"^started task (\d+): copy (ami-[0-9a-f]+) in (\S+)$")


def started_ids(lines: list[str]) -> list[int]:
    return [int(m.group(1)) for line in lines if (m := STARTED.match(line))]


def test_a_copy_that_becomes_available_exits_0(amitui, own_image, pending):
    pending(0.5)
    ran = amitui("copy", own_image(), "--to", "eu-west-1", "--name", unique(), "--wait")
    assert ran.code == 0, ran.err
    assert len(started_ids(ran.lines)) == 1
    assert ran.lines[-1].endswith("(eu-west-1): done available")


def test_a_copy_the_sandbox_fails_exits_1(amitui, own_image, pending):
    pending(0.5)
    name = unique("sandbox-fail")
    ran = amitui("copy", own_image(), "--to", "eu-west-1", "--name", name, "--wait")
    assert ran.code == 1
    assert "failed" in ran.lines[-1]


def test_two_destinations_are_two_tasks_followed_together(amitui, own_image, pending):
    pending(0.5)
    ran = amitui(
        "copy", own_image(), "--to", "eu-west-1", "--to", "ap-southeast-2", "--name", unique(),
        "--wait",
    )  # fmt: skip
    assert ran.code == 0, ran.err
    assert len(started_ids(ran.lines)) == 2
    done = [line for line in ran.lines if line.endswith("done available")]
    assert {re.search(r"\((\S+)\)", line).group(1) for line in done} == {
        "eu-west-1",
        "ap-southeast-2",
    }


def test_a_task_started_by_the_cli_is_in_the_uis_store_and_scope(amitui, sandbox, own_image):
    ran = amitui("copy", own_image(), "--to", "eu-west-1", "--name", unique())
    assert ran.code == 0, ran.err
    (task_id,) = started_ids(ran.lines)
    # the UI's own service, as the app makes it: same file, same endpoint and account
    clients = AwsClients(endpoint_url=sandbox.url)
    with TaskStore() as store:
        service = TaskService(clients, store, poll_interval=60)
        service.start(clients.identity().account)
        try:
            assert task_id in [t.id for t in service.tasks()]
        finally:
            service.stop()


def test_without_wait_it_prints_the_ids_and_returns_at_once(amitui, own_image, pending):
    pending(30)
    ran = amitui("copy", own_image(), "--to", "eu-west-1", "--name", unique())
    assert ran.code == 0
    assert len(started_ids(ran.lines)) == 1
    listed = amitui("tasks", "--running")
    assert str(started_ids(ran.lines)[0]) in listed.out
