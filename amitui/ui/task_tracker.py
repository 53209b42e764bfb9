"""The app's link to the task store and the poller: records tasks, relays their updates.

Records are written in the calling (worker) thread before anyone is told a task started;
poller updates arrive on its threads and go up to the app as ``TaskUpdated`` messages.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from textual.message import Message

from amitui.aws.execute import CallResult, task_fields
from amitui.aws.fields import ActionSpec
from amitui.aws.poller import GroupKey, Poller
from amitui.aws.tasks import DEMO_ENDPOINT, Task, make_scope
from amitui.store import TaskStore


class TaskUpdated(Message):
    """A task changed (or ``None``: the scope is known). ``running`` is the scope's count
    of running tasks, read in the sender's thread: the UI thread never queries for it."""

    def __init__(self, task: Task | None, running: int) -> None:
        super().__init__()
        self.task = task
        self.running = running


class PollFailed(Message):
    def __init__(self, region: str, message: str) -> None:
        super().__init__()
        self.region = region
        self.message = message


class TaskTracker:
    def __init__(self, app, store: TaskStore, poll_interval: float) -> None:
        self.app = app
        self.store = store
        self.poll_interval = poll_interval
        self.poller: Poller | None = None
        self.scope: str | None = None
        self._lock = threading.Lock()

    def start(self, account: str) -> None:
        """Begin following this endpoint and account's unfinished tasks (resumes them).
        Idempotent: a second call for the same account keeps the running poller."""
        scope = self._scope_of(account)
        with self._lock:
            if self.poller is not None and self.scope == scope:
                return
            self.scope = scope
            self._start_poller()

    def _start_poller(self) -> None:
        self.poller = Poller(
            self.app.clients,
            self.store,
            self.scope,  # type: ignore[arg-type]  # started once the scope is known
            interval=self.poll_interval,
            fast_interval=min(3.0, self.poll_interval),
            on_update=self._updated,
            on_error=self._poll_error,
        )
        self.poller.start()

    def _scope_of(self, account: str) -> str:
        """The endpoint's URL and the account; the demo's sandbox, whose port changes
        each run, by a stable name (``--demo`` only: an endpoint URL given by the user
        stays the scope, whatever it serves)."""
        name = DEMO_ENDPOINT if self.app.settings.demo else None
        return make_scope(self.app.clients.endpoint_url, account, name)

    def _updated(self, task: Task | None) -> None:
        """Tell the app (from any thread) that ``task`` changed, with the running count."""
        self.app.post_message(TaskUpdated(task, self.running_count()))

    def _poll_error(self, group: GroupKey, message: str) -> None:
        self.app.post_message(PollFailed(group.region, message))

    def stop(self) -> None:
        if self.poller is not None:
            self.poller.stop(timeout=2.0)

    def _ensure_scope(self) -> str:
        if self.scope is None:
            account = self.app.clients.identity().account  # cached after startup
            self.scope = self._scope_of(account)
        return self.scope

    def record(
        self, spec: ActionSpec, values: Mapping[str, object], result: CallResult
    ) -> Task | None:
        """Store the task a successful call started (thread-safe; committed on return)."""
        fields = task_fields(spec, values, result)
        if fields is None:
            return None
        task = self.store.add_task(scope=self._ensure_scope(), **fields)
        if self.poller is None:  # the account was unknown until now: follow its tasks
            self.start(self.app.clients.identity().account)
        else:
            self.poller.wake()
        self._updated(task)
        return task

    def tasks(self, include_cleared: bool = False) -> list[Task]:
        if self.scope is None:
            return []
        return self.store.list_tasks(self.scope, include_cleared=include_cleared)

    def unfollowed(self) -> list[Task]:
        """Running tasks of other scopes (e.g. a sandbox that is gone): not followed here."""
        return self.store.unfollowed_tasks(self.scope) if self.scope else []

    def running_count(self) -> int:
        """Reads the store: call it from a worker thread (TaskUpdated carries it)."""
        return self.store.count_running(self.scope) if self.scope else 0
