"""One amitui process following a scope's tasks, for the two-process test:
``python -m tests.reliability.task_follower DB ENDPOINT POLL_INTERVAL [IDLE_WAIT]``
(IDLE_WAIT: how long its idle bulk workers wait before they look at the queue again).

It runs the real :class:`~amitui.tasks.service.TaskService` (poller, lease, bulk runner) on
the tasks file DB against ENDPOINT, with the credentials of its environment (each process
its own access key, so the endpoint can tell them apart). It prints ``ready <holder id>
<scope>`` once following, then one line per update it is told (``update <task id>
<status> <signature as JSON>``) and per poll failure (``error <region> <line>``). It stops
cleanly (releasing the lease) when its stdin is closed, printing ``stopped``.
"""

from __future__ import annotations

import json
import sys
import threading

import amitui.actions  # noqa: F401 (the built-in actions register their task kinds)
from amitui.aws.clients import AwsClients, default_config
from amitui.tasks import bulk_runner
from amitui.tasks.model import Task
from amitui.tasks.service import TaskService
from amitui.tasks.store import TaskStore
from amitui.tasks.watch import signature


def main(db: str, endpoint: str, interval: float) -> None:
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            print(line, flush=True)

    def updated(task: Task, _running: int) -> None:
        say(f"update {task.id} {task.status} {json.dumps(signature(task))}")

    def failed(region: str, line: str) -> None:
        say(f"error {region} {line}")

    config = default_config(
        retries={"mode": "standard", "max_attempts": 2}, connect_timeout=2, read_timeout=10
    )
    clients = AwsClients(endpoint_url=endpoint, config=config)
    store = TaskStore(db)
    service = TaskService(clients, store, interval, on_update=updated, on_error=failed)
    service.start(clients.identity().account)
    assert service.poller is not None and service.poller.lease is not None
    say(f"ready {service.poller.lease.holder} {service.scope}")
    sys.stdin.read()  # until the test closes it
    service.stop()
    store.close()
    say("stopped")


if __name__ == "__main__":
    if len(sys.argv) > 4:
        bulk_runner.IDLE_WAIT = float(sys.argv[4])
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
