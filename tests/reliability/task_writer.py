"""A process that records tasks through the real TaskStore as fast as it can, for the
SIGKILL test: ``python -m tests.reliability.task_writer DB``.

The main thread adds tasks and prints ``started <target id>`` after each ``add_task``
returns (as the app tells the user only after the task is committed); a second thread
applies progress updates to the tasks already started, as the poller does. It runs
until it is killed.
"""

from __future__ import annotations

import sys
import threading

import amitui.actions  # noqa: F401 (the built-in actions register their task kinds)
from amitui.tasks.model import Observation
from amitui.tasks.store import TaskStore

SCOPE = "http://sandbox|123456789012"
KINDS = ("copy", "create", "register", "export", "import")


def target_id(kind: str, n: int) -> str:
    if kind == "export":
        return f"export-ami-{n:017x}"
    if kind == "import":
        return f"import-ami-{n:017x}"
    return f"ami-{n:017x}"


def main(path: str) -> None:
    store = TaskStore(path)
    started: list[int] = []
    lock = threading.Lock()

    def updates() -> None:
        progress = 0
        while True:
            with lock:
                ids = started[-20:]
            for task_id in ids:
                progress = (progress + 7) % 100
                store.apply(
                    task_id,
                    Observation(status="running", aws_state="pending", progress=progress),
                )

    threading.Thread(target=updates, daemon=True).start()
    n = 0
    while True:
        n += 1
        kind = KINDS[n % len(KINDS)]
        task = store.add_task(
            scope=SCOPE,
            kind=kind,
            region=("us-east-1", "eu-west-1")[n % 2],
            target_id=target_id(kind, n),
            source=f"ami-source ({n})",
            name=f"task {n} [bold]",
        )
        with lock:
            started.append(task.id)
        print(f"started {task.target_id}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
