"""What a :class:`~amitui.tasks.poller.Poller` does besides polling: cancel a task, adopt
the export and import tasks amitui did not start, and take, renew or let go of its lease
(and read back what another process wrote). The poller calls these.

Never imports textual or amitui.ui.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from amitui.aws.errors import describe_error
from amitui.tasks.calls import cancel_remote, list_active_transfers
from amitui.tasks.model import Task

if TYPE_CHECKING:
    from amitui.tasks.poller import Poller

log = logging.getLogger("amitui.poller")


def cancel(poller: Poller, task_id: int) -> Task:
    """Ask AWS to cancel a running task, note it in the store and poll soon.

    Export/import: CancelExportTask / CancelImportTask. Pending copy/create: the
    pending image is DEREGISTERED (the UI must have had the id typed back first).
    Raises ValueError if the task cannot be cancelled, or botocore's errors (the
    task then keeps running, with "cancel failed: ..." in its history)."""
    task = poller.store.get(task_id)
    if task is None or task.scope != poller.scope:
        raise ValueError(f"no task {task_id} in this scope")
    if not task.cancellable:
        raise ValueError(f"task {task_id} ({task.kind}, {task.status}) cannot be cancelled")
    # The intent is recorded first, so a poll that sees the effect (an export
    # `deleted`, a copy's image gone) already knows it was a cancel.
    marked = poller.store.mark_cancel_requested(task_id)
    try:
        cancel_remote(poller.clients_of(task.account).ec2(task.region), marked or task)
    except Exception as exc:
        line = describe_error(exc, getattr(poller.clients, "profile", None))
        reverted = poller.store.mark_cancel_requested(
            task_id, f"cancel failed: {line}", requested=False
        )
        if reverted is not None:
            poller.tell(reverted)
        raise
    poller.wake()
    if marked is not None:
        poller.tell(marked)
        return marked
    return task


def adopt(poller: Poller, region: str) -> list[Task]:
    """Follow the region's active export and import tasks that are not in the store
    yet (started by another tool, or by amitui before its state was lost)."""
    known = poller.store.target_ids(poller.scope, region)
    adopted = []
    for found in list_active_transfers(poller.clients.ec2(region), region):
        if found.target_id in known:
            continue
        adopted.append(
            poller.store.add_task(
                scope=poller.scope,
                kind=found.kind,
                region=region,
                target_id=found.target_id,
                source=found.source,
                name=found.name,
                image_id=found.image_id,
                aws_state=found.aws_state,
                progress=found.progress,
                message=found.message or "adopted",
                adopted=True,
            )
        )
    if adopted:
        poller.wake()
        for task in adopted:
            poller.tell(task)
    return adopted


# -- the lease (several processes on one tasks file) ------------------------------------


def hold(poller: Poller, force: bool = False) -> bool:
    """Take or renew the lease (once per cycle); whether this poller may poll now.

    While every group of this poller fails and waits out its backoff, it lets the lease
    go: another process, whose calls may work, polls meanwhile. It asks for it again when
    a group is due (or ``force``: now)."""
    lease = poller.lease
    if lease is None:
        return True
    if not force and poller.schedule.failing(poller._clock()):
        let_go(poller)
        return False
    try:
        held = lease.acquire()
    except Exception:
        log.exception("could not take the lease")
        held = False
    if held:
        poller.cycles_held += 1
    return held


def let_go(poller: Poller) -> None:
    """Release the lease if this poller holds it (it cannot poll for now)."""
    lease = poller.lease
    if lease is not None and lease.held():
        try:
            lease.release()
        except Exception:
            log.exception("could not release the lease")


def read_back(poller: Poller) -> None:
    """Tell what another process wrote (its polls, a cancel asked there, a task it
    recorded) as if polled here. Alone on the file (no lease), nothing to read."""
    if poller.lease is None or poller._stop.is_set():
        return
    try:
        changed = poller.reported.read(poller.store, poller.scope, poller._clock())
    except Exception:
        log.exception("could not read the tasks back")
        return
    poller._notify(changed, told=True)
