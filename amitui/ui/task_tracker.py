"""The app's link to the task service: its callbacks become Textual messages.

Records are written in the calling (worker) thread before anyone is told a task started
(see :class:`~amitui.tasks.service.TaskService`); poller updates arrive on its threads
and go up to the app as ``TaskUpdated`` messages.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.message import Message

from amitui.aws.clients import AwsClients
from amitui.tasks.bulk_model import BulkItem, BulkRun
from amitui.tasks.model import Task
from amitui.tasks.service import TaskService
from amitui.tasks.store import TaskStore


class TaskUpdated(Message):
    """A task changed. ``running`` is the scope's count of running tasks, read in the
    sender's thread: the UI thread never queries for it."""

    def __init__(self, task: Task, running: int) -> None:
        super().__init__()
        self.task = task
        self.running = running


class BulkUpdated(Message):
    """A bulk run's item changed (ended, or waits to be sent again)."""

    def __init__(self, run: BulkRun, item: BulkItem) -> None:
        super().__init__()
        self.run = run
        self.item = item


class PollFailed(Message):
    def __init__(self, region: str, message: str) -> None:
        super().__init__()
        self.region = region
        self.message = message


class CredentialsPaused(Message):
    """An account's credentials were refused: its polling and bulk runs paused (``line``
    says why), or, with ``line`` None, they work again and both resumed. ``account`` ""
    is the signed-in account (everything paused); else another account of --accounts."""

    def __init__(self, line: str | None, account: str = "") -> None:
        super().__init__()
        self.line = line
        self.account = account


class TaskTracker(TaskService):
    """The app's :class:`TaskService`, posting its updates to the app."""

    def __init__(
        self,
        app: App,
        clients: AwsClients,
        store: TaskStore,
        poll_interval: float,
        *,
        demo: bool = False,
        accounts: Any = None,
    ) -> None:
        super().__init__(
            clients,
            store,
            poll_interval,
            demo=demo,
            accounts=accounts,
            on_update=lambda task, running: self._post(TaskUpdated(task, running)),
            on_error=lambda region, line: self._post(PollFailed(region, line)),
            on_bulk=lambda run, item: self._post(BulkUpdated(run, item)),
            on_credentials=lambda line, account: self._post(CredentialsPaused(line, account)),
        )
        self._app = app

    def _post(self, message: Message) -> None:
        self._app.post_message(message)
