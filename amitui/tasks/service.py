"""The task service: one endpoint and account's tasks, recorded and followed.

It owns the scope, records the task a successful call started (in the calling thread,
committed before anyone is told it started), and runs the :class:`Poller` that follows
them. Updates go to ``on_update(task, running)`` and poll failures to
``on_error(region, line)``, on the poller's threads; the running count is read there, so
a UI thread never queries for it. Textual-free: :mod:`amitui.ui.task_tracker` turns the
callbacks into messages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from amitui.tasks.bulk_model import BulkItem, BulkRun, NewItem
from amitui.tasks.kinds import TaskKind
from amitui.tasks.lease import Lease, poll_lease_name
from amitui.tasks.model import CANCELLED, DEMO_ENDPOINT, Task, make_scope
from amitui.tasks.store import TaskStore

if TYPE_CHECKING:  # loaded as the account is known and tasks are followed (not at start)
    from amitui.tasks.bulk_runner import BulkRunner
    from amitui.tasks.credential_pause import CredentialPause
    from amitui.tasks.groups import GroupKey
    from amitui.tasks.poller import Poller

#: Why a task an earlier ``--demo`` left running ended.
DEMO_ENDED = "ended with the demo's sandbox (each --demo starts a fresh one)"

UpdateCallback = Callable[[Task, int], None]
#: ``on_credentials(line, account)``: an account's credentials were refused and its polling
#: and bulk runs pause (``line`` says why); ``on_credentials(None, account)``: they work
#: again, resumed. ``account`` "" is the followed account's own (every call pauses); with
#: --accounts, another account's id (or ``profile:NAME``): only its calls pause.
CredentialsCallback = Callable[[str | None, str], None]
ErrorCallback = Callable[[str, str], None]
BulkCallback = Callable[[BulkRun, BulkItem], None]


class TaskService:
    def __init__(
        self,
        clients: Any,
        store: TaskStore,
        poll_interval: float,
        *,
        demo: bool = False,
        on_update: UpdateCallback | None = None,
        on_error: ErrorCallback | None = None,
        on_bulk: BulkCallback | None = None,
        on_credentials: CredentialsCallback | None = None,
        bulk_workers: int = 3,
        follow: bool = True,
        accounts: Any = None,
        probe_interval: float | None = None,
        bulk_backoff: float = 1.0,
    ) -> None:
        """``follow=False``: record tasks and bulk runs only; poll nothing and send no bulk
        item in the background (a command that waits follows in the foreground).
        ``probe_interval``: seconds between probes of refused credentials (None: two poll
        intervals, at least 1 s and at most credential_pause.PROBE_INTERVAL).
        ``bulk_backoff``: the bulk runner's first backoff after a transient failure (s)."""
        self._clients = clients
        #: the AccountDirectory of --accounts (None: one made on demand, assuming the
        #: default role, for tasks of other accounts left by an earlier --accounts run)
        self.accounts = accounts
        self.store = store
        self.poll_interval = poll_interval
        self.demo = demo
        self.on_update = on_update
        self.on_error = on_error
        self.on_bulk = on_bulk
        self.on_credentials = on_credentials
        #: the followed account's credential pause (see tasks/credential_pause.py)
        self.pause: CredentialPause | None = None
        self.bulk_workers = bulk_workers
        self.follow = follow
        self.probe_interval = probe_interval
        self.bulk_backoff = bulk_backoff
        self.poller: Poller | None = None
        self.bulk: BulkRunner | None = None
        self.scope: str | None = None
        self._lock = threading.Lock()

    @property
    def clients(self) -> Any:
        return self._clients

    def start(self, account: str) -> None:
        """Begin following this endpoint and account's unfinished tasks (resumes them).
        Idempotent: a second call for the same account keeps the running poller."""
        scope = self._scope_of(account)
        with self._lock:
            if self.poller is not None and self.scope == scope:
                return
            self.scope = scope
            if self.demo:
                self._end_previous_demo(scope)
            self._start_poller(scope, account)

    def _end_previous_demo(self, scope: str) -> None:
        """Each ``--demo`` starts a fresh sandbox: what an earlier demo left running ran in
        a sandbox that is gone, and would otherwise end as "no longer exists" (a failure
        that never happened). Those tasks end cancelled, saying why."""
        for task in self.store.running_tasks(scope):
            self.store.update_task(task.id, status=CANCELLED, message=DEMO_ENDED, ended_unseen=True)

    def _start_poller(self, scope: str, account: str) -> None:
        """Follow the scope: poll its tasks and send its bulk items while this process
        holds the scope's lease (another amitui on the same tasks file may hold it: this
        one then reads the changes back from the store). The lease lasts 3 poll intervals
        from each renewal (every cycle), so a process that dies is taken over after that."""
        if not self.follow:
            return
        from amitui.tasks.account_pauses import AccountPauses
        from amitui.tasks.bulk_runner import BulkRunner
        from amitui.tasks.credential_pause import PROBE_INTERVAL, CredentialPause
        from amitui.tasks.poller import Poller

        lease = Lease(self.store, poll_lease_name(scope), ttl=3 * self.poll_interval)
        # credentials refused: no call, one probe every 30 s (sooner when polls are quick)
        probe_interval = self.probe_interval
        if probe_interval is None:
            probe_interval = min(PROBE_INTERVAL, max(1.0, 2 * self.poll_interval))
        self.pause = CredentialPause(
            self.clients,
            account,
            probe_interval=probe_interval,
            on_paused=lambda line: self._credentials(line, ""),
            on_resumed=lambda: self._credentials(None, ""),
        )
        # --accounts: another account's refused credentials pause that account only
        pauses = AccountPauses(
            self.pause,
            self.clients_for,
            on_paused=lambda account, line: self._credentials(line, account),
            on_resumed=lambda account: self._credentials(None, account),
        )
        self.poller = Poller(
            self.clients,
            self.store,
            scope,
            interval=self.poll_interval,
            fast_interval=min(3.0, self.poll_interval),
            on_update=self._updated,
            on_error=self._poll_error,
            lease=lease,
            clients_for=self.clients_for,
            pause=self.pause,
            pauses=pauses,
        )
        self.poller.start()
        if self.bulk is not None:
            self.bulk.stop()
        self.bulk = BulkRunner(
            self.clients,
            self.store.bulk,
            scope,
            workers=self.bulk_workers,
            base_backoff=self.bulk_backoff,
            on_update=self._bulk_updated,
            lease=lease,
            pause=self.pause,
            clients_for=self.clients_for,
            pauses=pauses,
        )
        self.bulk.start()

    def _bulk_updated(self, run: BulkRun, item: BulkItem) -> None:
        if self.on_bulk is not None:
            self.on_bulk(run, item)

    def _credentials(self, line: str | None, account: str) -> None:
        if self.on_credentials is not None:
            self.on_credentials(line, account)

    def _scope_of(self, account: str) -> str:
        """The endpoint's URL and the account; the demo's sandbox, whose port changes
        each run, by a stable name (``--demo`` only: an endpoint URL given by the user
        stays the scope, whatever it serves)."""
        name = DEMO_ENDPOINT if self.demo else None
        return make_scope(self.clients.endpoint_url, account, name)

    def _updated(self, task: Task) -> None:
        """Report (from any thread) that ``task`` changed, with the running count."""
        if self.on_update is not None:
            self.on_update(task, self.running_count())

    def _poll_error(self, group: GroupKey, message: str) -> None:
        if self.on_error is not None:
            self.on_error(group.region, message)

    def stop(self) -> None:
        with self._lock:  # not while start() is making the poller and the bulk runner
            poller, bulk = self.poller, self.bulk
        if bulk is not None:
            bulk.stop(timeout=2.0)
        if poller is not None:  # last: it releases the lease the bulk runner sent under
            poller.stop(timeout=2.0)

    def _following(self) -> Poller:
        if self.poller is None:
            raise RuntimeError("tasks are not followed yet: the account is not known")
        return self.poller

    def cancel(self, task_id: int) -> Task:
        """Ask AWS to cancel a running task (export/import); see :meth:`Poller.cancel`."""
        return self._following().cancel(task_id)

    def adopt(self, region: str) -> list[Task]:
        """Follow the region's export/import tasks amitui did not start."""
        return self._following().adopt(region)

    def _ensure_scope(self) -> str:
        if self.scope is None:
            account = self.clients.identity().account  # cached after startup
            self.scope = self._scope_of(account)
        return self.scope

    def clients_for(self, account: str) -> Any:
        """The clients of a task's account (Task.account): --accounts' directory's, or
        (a task left by an earlier --accounts run) the default role assumed in it."""
        if self.accounts is None:
            from amitui.aws.accounts import AccountDirectory, AccountsSpec

            with self._lock:
                if self.accounts is None:
                    self.accounts = AccountDirectory(self.clients, AccountsSpec("ids"))
        return self.accounts.clients(account)

    def record(self, kind: TaskKind | None, result: Any, account: str = "") -> Task | None:
        """Store the task a successful call started (thread-safe; committed on return).
        ``result``: a :class:`~amitui.aws.execute.CallResult`; None for a call that
        starts no task (``kind`` None, a failure, or an answer without the new id).
        ``account``: the call ran in that account (--accounts; "" the scope's own): the
        task keeps it and is polled with that account's credentials."""
        if kind is None or not result.ok or result.dry_run or not result.result_id:
            return None
        fields = kind.record(result.region, result.request, result.response or {}, result.result_id)
        task = self.store.add_task(scope=self._ensure_scope(), account=account, **fields)
        if self.poller is None:  # the account was unknown until now: follow its tasks
            self.start(self.clients.identity().account)
        else:
            self.poller.wake()
        if self.poller is not None:
            self.poller.tell(task)  # once: not again when the poller reads it back
        else:
            self._updated(task)
        return task

    # -- bulk runs: one action over many images (tasks/bulk_runner.py) -----------------

    def start_bulk(self, action: str, title: str, items: list[NewItem]) -> BulkRun:
        """Record a bulk run (committed on return: it survives a crash from here on) and
        have it sent. Thread-safe."""
        run = self.store.bulk.add_run(self._ensure_scope(), action, title, items)
        if self.bulk is None:  # the account was unknown until now
            self.start(self.clients.identity().account)
        else:
            self.bulk.wake()
        return run

    def retry_bulk(self, run_id: int) -> int:
        """Queue a run's failed items again; how many."""
        count = self.store.bulk.retry_failed(run_id)
        if count and self.bulk is not None:
            self.bulk.wake()
        return count

    def bulk_runs(self, include_cleared: bool = False) -> list[BulkRun]:
        if self.scope is None:
            return []
        return self.store.bulk.runs(self.scope, include_cleared=include_cleared)

    def bulk_items(self, run_id: int) -> list[BulkItem]:
        return self.store.bulk.items(run_id)

    def tasks(self, include_cleared: bool = False) -> list[Task]:
        if self.scope is None:
            return []
        return self.store.list_tasks(self.scope, include_cleared=include_cleared)

    def unfollowed(self) -> list[Task]:
        """Running tasks of other scopes (e.g. a sandbox that is gone): not followed here."""
        return self.store.unfollowed_tasks(self.scope) if self.scope else []

    def running_count(self) -> int:
        """Reads the store: call it from a worker thread (the update callback carries it)."""
        return self.store.count_running(self.scope) if self.scope else 0
