"""The background worker pool that follows running tasks until they finish.

Each cycle the :class:`Poller` reads its scope's running tasks from the store (so tasks
resume after a restart), groups them by ``(account, region, api)`` and makes ONE describe
call per group (:mod:`amitui.tasks.calls`) with that account's clients. Groups run on a
small thread pool, each on its own schedule: every ``interval`` seconds, every
``fast_interval`` while one of its tasks is in its first ``fast_window`` seconds, backing
off exponentially (with jitter) after errors, so a failing region never stalls the others.

Callbacks run on the poller's threads: ``on_update(task)`` for every task whose stored
state changed, ``on_error(group, line)`` when a group's call fails (the line from
:func:`amitui.aws.errors.describe_error`). A UI hands them to its own thread.

Several processes on one tasks file: given the scope's :class:`~amitui.tasks.lease.Lease`,
each cycle takes or renews it first, and only its holder polls AWS; every poller reads
back what changed in the store and tells it through ``on_update``, each change once
(:class:`~amitui.tasks.watch.Reported`). ``stop()`` releases the lease.

Credentials refused (expired or unknown): the poller pauses, with no call but one probe at
a modest interval, and resumes by itself once valid credentials appear
(:class:`~amitui.tasks.credential_pause.CredentialPause`, shared with the bulk runner).
Never imports textual or amitui.ui; the store is passed in (duck-typed ``TaskStore``).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from amitui.aws.errors import describe_error, error_code
from amitui.tasks import poller_actions
from amitui.tasks.account_clients import AccountClients
from amitui.tasks.account_pauses import AccountPauses
from amitui.tasks.calls import observe_group
from amitui.tasks.credential_pause import CredentialPause
from amitui.tasks.groups import THROTTLE_CODES, GroupKey, GroupState, Timing
from amitui.tasks.kinds import KINDS
from amitui.tasks.lease import Lease
from amitui.tasks.model import NOT_FOUND_GRACE, RUNNING, Observation, Task
from amitui.tasks.schedule import Due, Schedule
from amitui.tasks.watch import Reported

if TYPE_CHECKING:
    from amitui.tasks.store import TaskStore

log = logging.getLogger("amitui.poller")
log.addHandler(logging.NullHandler())  # never let logging's last resort write to the TUI


class _Stopped(Exception):
    pass


UpdateCallback = Callable[[Task], None]
ErrorCallback = Callable[[GroupKey, str], None]


class Poller:
    """Follows one scope's running tasks. ``start()``/``stop()`` run it in the background;
    ``poll_once()`` runs one synchronous cycle (tests, or a manual refresh).

    Thread-safe: ``wake``, ``cancel``, ``adopt``, ``groups`` may be called from any thread.
    """

    def __init__(
        self,
        clients: Any,
        store: TaskStore,
        scope: str,
        *,
        interval: float = 15.0,
        fast_interval: float = 3.0,
        fast_window: float = 60.0,
        on_update: UpdateCallback | None = None,
        on_error: ErrorCallback | None = None,
        max_workers: int = 4,
        max_backoff: float = 300.0,
        not_found_grace: float = NOT_FOUND_GRACE,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        lease: Lease | None = None,
        clients_for: Callable[[str], Any] | None = None,
        pause: CredentialPause | None = None,
        pauses: AccountPauses | None = None,
    ) -> None:
        if interval <= 0 or fast_interval <= 0:
            raise ValueError("poll intervals must be positive")
        self.clients = clients
        #: the clients of a task's account (Task.account, --accounts); "" -> ``clients``
        self.accounts = AccountClients(clients, clients_for)
        self.store = store
        self.scope = scope
        self.interval = float(interval)
        self.fast_interval = min(float(fast_interval), self.interval)
        self.fast_window = float(fast_window)
        self.max_backoff = float(max_backoff)
        self.not_found_grace = float(not_found_grace)
        self.on_update = on_update
        self.on_error = on_error
        self._clock = clock
        timing = Timing(self.interval, self.fast_interval, self.fast_window, self.max_backoff)
        #: every group's state and when it is due (its own lock)
        self.schedule = Schedule(timing, rng or random.Random())
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._max_workers = max(1, int(max_workers))
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None
        # Since when this poller watches, and which tasks it saw running since: a task
        # older than that which is first seen finished ended while nobody watched.
        self._watching_since = clock()
        self._seen_running: set[int] = set()
        #: polls only while holding it, and reads others' changes back (None: alone)
        self.lease = lease
        self.reported = Reported()
        #: cycles in which this poller held the lease and polled (or would have)
        self.cycles_held = 0
        #: while the account's credentials are refused, no poll: a probe now and then
        self.pause = pause or CredentialPause(clients, clock=clock)
        self.pause.listen(self._resumed)
        #: --accounts: each other account's pause (its groups wait, the others poll)
        self.pauses = pauses or AccountPauses(self.pause, self.accounts.of, clock=clock)
        self.pauses.listen(self._account_resumed)

    # lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background loop (idempotent)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="amitui-poller", daemon=True)
            self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop the loop (waits up to ``timeout`` for it; it never blocks on AWS calls).
        Calls already in flight finish in the background, bounded by botocore's timeouts:
        what they learn is still written to the store, but no callback fires after
        ``stop()``. Safe to call twice."""
        self._stop.set()
        self._wake.set()
        with self._lock:  # start() assigns and starts the thread under the lock
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        if self.lease is not None and self.lease.held():
            try:  # the next process takes over now, not when it expires
                self.lease.release()
            except Exception:
                log.exception("could not release the lease")
        with self._lock:
            pool, self._pool = self._pool, None
        # Queued polls are cancelled below: forget the schedule so that a later
        # start() begins afresh (late results of running calls find no state).
        self.schedule.clear()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def _resumed(self) -> None:
        """The credentials work again: every group is due now, its failures forgotten."""
        self.schedule.forgive(self._clock())
        self._wake.set()

    def _account_resumed(self, account: str) -> None:
        """Another account's credentials work again: its groups are due now."""
        self.schedule.forgive(self._clock(), account)
        self._wake.set()

    def wake(self) -> None:
        """Poll every group that is not backing off now (e.g. after adding a task)."""
        self.schedule.wake(self._clock())
        self._wake.set()

    def __enter__(self) -> Poller:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    # scheduling --------------------------------------------------------------------------

    def _executor(self, create: bool = True) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                if not create:
                    raise _Stopped
                self._pool = ThreadPoolExecutor(
                    max_workers=self._max_workers, thread_name_prefix="amitui-poll"
                )
            return self._pool

    def _due(self, now: float, force: bool) -> Due:
        """The groups of running tasks (of the kinds an action registered) due now."""
        running = [t for t in self.store.running_tasks(self.scope) if t.kind in KINDS]
        return self.schedule.take_due(running, now, force, self.pauses.paused)

    # one group ---------------------------------------------------------------------------

    def clients_of(self, account: str) -> Any:
        """The clients that poll (and cancel) the tasks of ``account``."""
        return self.accounts.of(account)

    def _poll_group(self, key: GroupKey, tasks: list[Task]) -> None:
        try:
            ec2 = self.clients_of(key.account).ec2(key.region)
            observations = observe_group(
                ec2,
                key.api,
                tasks,
                now=self._clock(),
                grace=self.not_found_grace,
                refresh=lambda t: self.store.get(t.id),
            )
        except Exception as exc:
            self._group_failed(key, tasks, exc)
            return
        changed: list[Task] = []
        try:
            for task in tasks:
                obs = observations.get(task.id)
                if obs is None:
                    continue
                updated = self.store.apply(task.id, obs, ended_unseen=self._unseen(task, obs))
                if updated is not None:
                    changed.append(updated)
        except Exception as exc:  # the store failing is reported like an AWS error
            self._group_failed(key, tasks, exc)
            self._notify(changed)
            return
        finished = {t.id for t in changed if t.is_terminal}
        remaining = [t for t in tasks if t.id not in finished] or tasks
        self.schedule.polled(key, remaining, self._clock())
        self._notify(changed)

    def _unseen(self, task: Task, obs: Observation) -> bool:
        """Whether an observed end happened while nobody watched (see Task.ended_unseen)."""
        with self._lock:
            if obs.status == RUNNING:
                self._seen_running.add(task.id)
                return False
            seen = task.id in self._seen_running
            self._seen_running.discard(task.id)
        return not seen and task.created_at < self._watching_since

    def _group_failed(self, key: GroupKey, tasks: list[Task], exc: Exception) -> None:
        line = describe_error(exc, getattr(self.clients, "profile", None))
        delay = self.schedule.failed(key, tasks, self._clock(), line)
        code = error_code(exc)
        kind = "throttled" if code in THROTTLE_CODES else "failed"
        log.warning("poll %s %s (retry in %.1fs): %s", key, kind, delay, line)
        if self.pauses.of(key.account).check(exc, line):
            return  # told once by the pause, which probes until the credentials work
        if self.on_error is not None and not self._stop.is_set():
            try:
                self.on_error(key, line)
            except Exception:
                log.exception("on_error callback failed")

    def tell(self, task: Task) -> None:
        """Report a change made in this process (a task recorded here) through
        ``on_update``, unless it was told already: read back, it is not told again."""
        self._notify([task])

    def _notify(self, changed: list[Task], told: bool = False) -> None:
        """Tell each change once (``told``: :class:`Reported` counted them already)."""
        if self.on_update is None or self._stop.is_set():
            return
        for task in changed:
            if not told and not self.reported.fresh(task):
                continue  # told already (read back from the store first)
            try:
                self.on_update(task)
            except Exception:
                log.exception("on_update callback failed for task %s", task.id)

    # cycles ------------------------------------------------------------------------------

    def _submit(self, pool: ThreadPoolExecutor, due: Due) -> list[Future[None]]:
        futures = []
        for n, (key, tasks) in enumerate(due):
            try:
                futures.append(pool.submit(self._poll_group, key, tasks))
            except RuntimeError as exc:  # the pool was shut down by stop()
                self.schedule.released(k for k, _ in due[n:])
                raise _Stopped from exc
        return futures

    def poll_once(
        self, force: bool = True, timeout: float | None = 60.0
    ) -> dict[GroupKey, GroupState]:
        """Run one cycle now and wait for it: every group (or only the due ones when
        ``force`` is False). Returns a snapshot of the polled groups' states. While the
        credentials are refused, it probes them instead (and polls if they work)."""
        pool = self._executor()
        if not self.pause.probe_if_due(force=force):
            poller_actions.let_go(self)
            return {}
        if not poller_actions.hold(self, force):
            poller_actions.read_back(self)
            return {}
        self.pauses.probe_due(force=force)
        due = self._due(self._clock(), force)
        wait(self._submit(pool, due), timeout=timeout)
        poller_actions.read_back(self)
        snapshot = self.groups()
        return {key: snapshot[key] for key, _ in due if key in snapshot}

    def _run(self) -> None:
        log.debug("poller started for %s", self.scope)
        while not self._stop.is_set():
            self._wake.clear()
            try:
                pool = self._executor(create=not self._stop.is_set())
                if not self.pause.probe_if_due():  # credentials refused: one probe, no poll
                    poller_actions.let_go(self)
                    timeout = min(self.fast_interval, max(0.01, self.pause.wait_time()))
                elif poller_actions.hold(self):
                    self.pauses.probe_due()
                    futures = self._submit(pool, self._due(self._clock(), force=False))
                    for future in futures:
                        future.add_done_callback(lambda _f: self._wake.set())
                    timeout = self._next_wait(self._clock())
                else:  # another process polls: read what it writes
                    timeout = self.fast_interval
                poller_actions.read_back(self)
            except _Stopped:
                break
            except Exception:
                log.exception("poller cycle failed")
                timeout = self.fast_interval
            self._wake.wait(timeout)
        log.debug("poller stopped for %s", self.scope)

    def _next_wait(self, now: float) -> float:
        # Re-read the store at least every fast_interval so new tasks are picked up even
        # if nobody calls wake(); the next due group may come sooner.
        dues = self.schedule.next_due(self.pauses.paused)
        probe = self.pauses.wait_time()
        if probe is not None:
            dues.append(now + probe)
        soonest = min(dues, default=now + self.fast_interval)
        return max(0.01, min(self.fast_interval, soonest - now))

    def groups(self) -> dict[GroupKey, GroupState]:
        """A snapshot of every group's scheduling state."""
        return self.schedule.snapshot()

    # actions (amitui/tasks/poller_actions.py) ------------------------------------------

    def cancel(self, task_id: int) -> Task:
        """Ask AWS to cancel a running task, note it in the store and poll soon (see
        :func:`amitui.tasks.poller_actions.cancel`)."""
        return poller_actions.cancel(self, task_id)

    def adopt(self, region: str) -> list[Task]:
        """Follow the region's active export and import tasks that are not in the store
        yet (started by another tool, or by amitui before its state was lost)."""
        return poller_actions.adopt(self, region)
