"""What one process has told of its scope's tasks: each change once, never an older state
after a newer one, whoever wrote it.

Several amitui processes may share one tasks file (two terminals; the UI and ``amitui tasks
wait``); only the holder of the scope's lease polls AWS (:mod:`amitui.tasks.lease`), and
the others learn of the changes from the store. :class:`Reported` is the poller's memory of
what it told through its ``on_update`` callback: its own polls' changes and those it reads
back from the store (:meth:`Reported.read`) pass through :meth:`Reported.fresh`, so a
change is told once in a process even when it is both made here and read back, or when a
lease changes hands mid-change.

Never imports textual or amitui.ui.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from amitui.tasks.model import TERMINAL, Task

if TYPE_CHECKING:
    from amitui.tasks.store import TaskStore

#: How far back each read of the store looks, before the previous read began: a write is
#: committed within moments of the time it records (and the processes share one clock).
SLACK = 30.0


def signature(task: Task) -> tuple[object, ...]:
    """What a change is: what a user is shown of a task as it runs and ends (not whether
    it was cleared from the list: that is no change of the task, and is not told)."""
    return (
        task.status,
        task.aws_state,
        task.progress,
        task.message,
        task.image_id,
        task.cancel_requested,
    )


class Reported:
    """Thread-safe; one per poller (per process and scope)."""

    def __init__(self, slack: float = SLACK) -> None:
        self.slack = slack
        self._lock = threading.Lock()
        self._told: dict[int, tuple[float, tuple[object, ...]]] = {}
        self._since: float | None = None
        self._start: float | None = None

    def fresh(self, task: Task) -> bool:
        """Whether ``task`` is a change not told yet (and remember it as told): not the
        state told last, nor one older than it (a read racing a write)."""
        now = signature(task)
        with self._lock:
            last = self._told.get(task.id)
            if last is not None and (last[1] == now or task.updated_at < last[0]):
                return False
            self._told[task.id] = (task.updated_at, now)
            return True

    def read(self, store: TaskStore, scope: str, now: float) -> list[Task]:
        """The scope's tasks changed (by any process) since the previous read, that were not
        told yet, oldest change first. Never what changed before the first read: that is
        in the store's list already when this process starts watching."""
        with self._lock:
            if self._start is None:
                self._start = now
            since = max(self._start, (self._since or now) - self.slack)
            self._since = now
        told = [t for t in store.changed_since(scope, since) if self.fresh(t)]
        self._forget(since)
        return told

    def _forget(self, before: float) -> None:
        """Finished tasks no read will return again need no memory (a long day)."""
        with self._lock:
            done = [i for i, (at, sig) in self._told.items() if at < before and sig[0] in TERMINAL]
            for task_id in done:
                del self._told[task_id]
