"""Follow tasks to their end from a shell: `amitui tasks wait` and an action's --wait.

The command runs the UI's own :class:`~amitui.tasks.poller.Poller` on the scope (the same
batched describe calls, backoff and reading of AWS's answers) and reads the tasks back
from the store, so it works alone or beside a running UI: whichever holds the scope's
lease polls and writes the change, and both see it. It prints one line per change and
stops when every task ended. Interrupting it stops the poller only: nothing remote is
cancelled.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from amitui.commands.common import FAILED, OK, Context
from amitui.tasks.lease import Lease, poll_lease_name
from amitui.tasks.model import DONE, Task
from amitui.tasks.poller import Poller

#: How often the store is read again even when this process's poller changed nothing
#: (a UI polling the same tasks writes there too).
READ_EVERY = 0.5


def task_line(task: Task) -> str:
    """``task 12 copy ami-0abc… (eu-west-1): running pending 40% — copying``; a task whose
    image is another id (an export's source, an import's result) names it too."""
    where = task.region
    if task.image_id and task.image_id != task.target_id:
        where += f", image {task.image_id}"
    state = task.status
    if task.aws_state and task.aws_state != task.status:
        state += f" {task.aws_state}"
    if task.progress is not None and task.is_running:
        state += f" {task.progress}%"
    line = f"task {task.id} {task.kind} {task.target_id} ({where}): {state}"
    if task.message and task.message != task.aws_state:
        line += f" — {task.message}"
    return line


def _seen(task: Task) -> tuple[object, ...]:
    return (task.status, task.aws_state, task.progress, task.message, task.image_id)


@contextmanager
def ctrl_c_sets(*events: threading.Event) -> Iterator[None]:
    """While the block runs, ctrl+c (SIGINT) sets ``events`` instead of raising wherever the
    main thread happens to be: a KeyboardInterrupt raised inside a finalizer or a garbage
    collection callback is printed and lost, a flag is not. The caller raises at a point of
    its own choosing. Off the main thread (where no signal handler can be set) it does
    nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(_signum: int, _frame: object) -> None:
        for event in events:
            event.set()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def follow(ctx: Context, scope: str, ids: Sequence[int]) -> int:
    """Print each change of the tasks ``ids`` (of ``scope``) until all ended: OK when all
    are done, FAILED when any failed or was cancelled. Ctrl+c raises KeyboardInterrupt from
    the loop (the poller is stopped first)."""
    changed = threading.Event()
    errors: dict[str, str] = {}

    def poll_failed(group: object, line: str) -> None:
        region = getattr(group, "region", "?")
        if errors.get(region) != line:  # once per distinct error, not every retry
            errors[region] = line
            ctx.warn(f"{region}: {line} (retrying)")
        changed.set()

    interval = ctx.settings.poll_interval
    # With a UI (or another command) following the scope, whoever holds the lease polls
    # and this command reads its changes back from the store.
    lease = Lease(ctx.store, poll_lease_name(scope), ttl=3 * interval)
    poller = Poller(
        ctx.clients,
        ctx.store,
        scope,
        interval=interval,
        fast_interval=min(3.0, interval),
        on_update=lambda _task: changed.set(),
        on_error=poll_failed,
        lease=lease,
    )
    interrupted = threading.Event()
    poller.start()
    try:
        with ctrl_c_sets(interrupted, changed):
            return _print_changes(ctx, ids, changed, interrupted)
    finally:
        poller.stop(timeout=2.0)


def _print_changes(
    ctx: Context, ids: Sequence[int], changed: threading.Event, interrupted: threading.Event
) -> int:
    """Read the tasks back at each change (or every READ_EVERY s) and print what changed,
    until every task ended; KeyboardInterrupt once ``interrupted`` is set."""
    last: dict[int, tuple[object, ...]] = {}
    while not interrupted.is_set():
        tasks = [t for t in (ctx.store.get(i) for i in ids) if t is not None]
        for task in tasks:
            if last.get(task.id) != _seen(task):
                last[task.id] = _seen(task)
                ctx.say(task_line(task))
        if all(t.is_terminal for t in tasks):
            return OK if all(t.status == DONE for t in tasks) else FAILED
        changed.wait(READ_EVERY)
        changed.clear()
    raise KeyboardInterrupt
