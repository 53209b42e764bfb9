"""Runs the queued items of one scope's bulk runs: a few calls in flight, never one twice.

``workers`` threads (3 by default) each claim an item (``sending``, committed), make its
calls in order and record the outcome, so at most ``workers`` calls are in flight whatever
the run's size. AWS's refusal of a call fails the item with AWS's code and message (the
user may retry the failed items). A throttle, a server error or a lost connection queues
the item again after a backoff shared by every worker (exponential with jitter, up to
``max_backoff``), and the run shows why it waits.

Nothing is done twice: an item whose call may have reached AWS without its answer reaching
us (the process died while sending, the connection dropped) is ``uncertain``; before it
is sent again, the call's effect is looked for (:data:`ALREADY_DONE`: a deregistered image
is gone, a deleted snapshot too: amitui/tasks/bulk_effects.py). Calls without such a
check are idempotent (protection, deprecation, tags, description...): sending them again
changes nothing.

Two processes on one tasks file: given the scope's :class:`~amitui.tasks.lease.Lease`,
a runner sends only while its process holds it (each claim checks it in the claim's own
transaction), and when its process takes it, re-queues (uncertain) only the items another
holder claimed and left ``sending``: a live process's items are never taken from it. While
another process sends, the runner reads back what it wrote and tells each item's end (or
wait) through ``on_update`` once, as if sent here.

Under --accounts each item is sent in its image's account, with that account's clients
(amitui/tasks/account_clients.py); an account that cannot be reached fails its items, nothing
sent. Textual-free; ``on_update(run, item)`` is called on the worker threads.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from amitui.aws.errors import describe_error
from amitui.aws.execute import call
from amitui.tasks.account_clients import AccountClients
from amitui.tasks.account_pauses import AccountPauses
from amitui.tasks.bulk_effects import ALREADY_DONE, GONE_CODES, already_done
from amitui.tasks.bulk_model import DONE, FAILED, SENDING, BulkItem, BulkRun
from amitui.tasks.bulk_store import BulkRuns
from amitui.tasks.credential_pause import CredentialPause
from amitui.tasks.groups import THROTTLE_CODES
from amitui.tasks.lease import Lease

log = logging.getLogger(__name__)

UpdateCallback = Callable[[BulkRun, BulkItem], None]

#: The longest an idle worker waits before it looks at the queue again.
IDLE_WAIT = 5.0
#: How often the idle holder's first worker asks SQLite whether another process committed
#: (``PRAGMA data_version``), so that a run started in another amitui is sent at once.
WATCH_INTERVAL = 0.25

#: How far back each read-back looks before the previous one began (see tasks/watch.py).
READ_BACK_SLACK = 30.0

#: Codes after which the same call may simply be sent again later.
TRANSIENT_CODES = (
    *THROTTLE_CODES,
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
    "Unavailable",
    "RequestTimeout",
    "EndpointConnectionError",
    "ConnectionClosedError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ConnectionError",
    "ProxyConnectionError",
)


class BulkRunner:
    def __init__(
        self,
        clients: Any,
        runs: BulkRuns,
        scope: str,
        *,
        workers: int = 3,
        on_update: UpdateCallback | None = None,
        base_backoff: float = 1.0,
        max_backoff: float = 60.0,
        rng: random.Random | None = None,
        lease: Lease | None = None,
        pause: CredentialPause | None = None,
        clients_for: Callable[[str], Any] | None = None,
        pauses: AccountPauses | None = None,
    ) -> None:
        self.clients = clients
        #: each item's clients: its account's (--accounts: TaskService.clients_for)
        self.accounts = AccountClients(clients, clients_for)
        #: while the account's credentials are refused, nothing is sent (items wait)
        self.pause = pause or CredentialPause(clients)
        self.pause.listen(self.wake)
        #: --accounts: each other account's pause (its items wait, the others' go)
        self.pauses = pauses or AccountPauses(self.pause, self.accounts.of)
        self.pauses.listen(lambda _account: self.wake())
        #: sends only while this lease is held (renewed by the poller); None: always
        self.lease = lease
        self._recovered = 0  # the lease generation whose leftovers were recovered
        # what was told of the items another process sent: id -> (status, message, when)
        self._told_items: dict[int, tuple[str, str, float]] = {}
        self._read_since: float | None = None
        self._read_start: float | None = None
        self.runs = runs
        self.scope = scope
        self.workers = workers
        self.on_update = on_update
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self._rng = rng or random.Random()
        self._cond = threading.Condition()
        self._stopping = False
        self._threads: list[threading.Thread] = []
        self._paused_until = 0.0
        self._failures = 0  # transient failures in a row (the backoff's exponent)
        self.in_flight = 0
        #: the most calls ever in flight at once (the "a few calls" promise, observable)
        self.peak_in_flight = 0

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        """Resume what a previous process left (its ``sending`` items become uncertain)
        and start the workers."""
        if self.lease is None:
            self._recover()
        with self._cond:
            if self._stopping:
                return
            for n in range(self.workers):
                thread = threading.Thread(
                    target=self._loop, args=(n,), name=f"bulk-{n}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _recover(self) -> None:
        if self.lease is None:
            recovered = self.runs.recover(self.scope)
        else:
            recovered = self.runs.recover(self.scope, self.lease.holder, self.lease.name)
        if recovered:
            log.info("bulk: %d item(s) were being sent when amitui stopped", recovered)

    def _holding(self) -> bool:
        """Whether this process may send now; when it just took the lease, what the
        previous holder left sending is queued again first (once per taking)."""
        lease = self.lease
        if lease is None:
            return True
        if not lease.held():
            return False
        with self._cond:
            generation = lease.generation
            if self._recovered == generation:
                return True
            self._recovered = generation
        try:
            self._recover()
        except Exception:
            with self._cond:
                self._recovered = 0  # tried again by the next claim
            raise
        return True

    def read_back(self) -> None:
        """Tell the items another process sent (ended, or waiting again) as if sent here,
        each change once; never what changed before the first read."""
        now = self.runs.now()
        with self._cond:
            if self._read_start is None:
                self._read_start = now
            since = max(self._read_start, (self._read_since or now) - READ_BACK_SLACK)
            self._read_since = now
        for item in self.runs.changed_items(self.scope, since):
            seen = (item.status, item.message, item.updated_at)
            with self._cond:
                told = self._told_items.get(item.id)
                if told is not None and (told[:2] == seen[:2] or told[2] > seen[2]):
                    continue
                self._told_items[item.id] = seen
            # what the sender tells: an end, or a wait (queued again, saying why)
            telling = item.status in (DONE, FAILED) or (item.status != SENDING and item.message)
            run = self.runs.run(item.run_id) if telling else None
            if run is not None:
                self._told(run, item)
        with self._cond:  # ended items no later read returns need no memory
            for item_id in [i for i, t in self._told_items.items() if t[2] < since]:
                if self._told_items[item_id][0] in (DONE, FAILED):
                    del self._told_items[item_id]

    def _claim(self) -> BulkItem | None:
        if self.lease is None:
            return self.runs.claim(self.scope)
        return self.runs.claim(self.scope, self.lease.holder, self.lease.name)

    def wake(self) -> None:
        """New or retried items: look now."""
        with self._cond:
            self._cond.notify_all()

    def stop(self, timeout: float = 2.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            threads = list(self._threads)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout)

    # -- the loop ---------------------------------------------------------------------

    def _wait(self, seconds: float) -> None:
        with self._cond:
            if not self._stopping:
                self._cond.wait(max(0.0, seconds))

    def _loop(self, worker: int = 0) -> None:
        while not self._stopping:
            if not (worker == 0 and self.pause.probe_if_due()) and self.pause.paused:
                self._wait(min(5.0, max(0.01, self.pause.wait_time())))
                continue
            if worker == 0:
                self.pauses.probe_due()
            paused = self._paused_until - time.time()
            if paused > 0:
                self._wait(paused)
                continue
            try:
                if not self._holding():  # another process sends this scope's items
                    if worker == 0:
                        self.read_back()
                    self._wait(1.0)
                    continue
                item = self._claim()
            except Exception:
                log.exception("bulk: could not read the queue")
                self._wait(1.0)
                continue
            if item is None:
                due = self.runs.next_due(self.scope)
                idle = IDLE_WAIT if due is None else min(IDLE_WAIT, due - time.time())
                if worker == 0 and self.lease is not None:
                    self._watch(idle)
                else:
                    self._wait(idle)
                continue
            with self._cond:
                self.in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                self._process(item)
            except Exception as exc:  # a store failure: the item is tried again later
                log.exception("bulk: item %s", item.id)
                self._transient(item, describe_error(exc), uncertain=True)
            finally:
                with self._cond:
                    self.in_flight -= 1

    def _watch(self, seconds: float) -> None:
        """``_wait``, ended early (every worker woken) when another process committed to
        the file and an item is due: a run recorded where the lease is not held goes now."""
        deadline = time.time() + seconds
        version = self.runs.data_version()
        while True:
            with self._cond:
                left = deadline - time.time()
                if self._stopping or left <= 0 or self._cond.wait(min(WATCH_INTERVAL, left)):
                    return  # stopped, waited enough, or woken here (wake())
            if (now_version := self.runs.data_version()) == version:
                continue
            version, due = now_version, self.runs.next_due(self.scope)
            if due is not None and due <= time.time():
                self.wake()
                return

    def _process(self, item: BulkItem) -> None:
        pause = self.pauses.of(item.account)
        if self.pauses.paused(item.account):  # its account's credentials are refused
            self._wait_for_credentials(item, uncertain=item.uncertain, delay=pause.wait_time())
            return
        try:
            clients = self.accounts.of(item.account)
        except Exception as exc:  # the account cannot be reached: nothing was sent
            self._ended(item, FAILED, "AccountUnavailable", str(exc) or describe_error(exc))
            return
        if item.uncertain and item.next_call < len(item.calls):
            operation, request = item.calls[item.next_call]
            check = ALREADY_DONE.get(operation)
            if check is not None:
                try:
                    done = check(clients.ec2(item.region), request)
                except Exception as exc:
                    if pause.check(exc):
                        self._wait_for_credentials(item, uncertain=True)
                    else:
                        self._transient(item, describe_error(exc), uncertain=True)
                    return
                if done:
                    if item.next_call + 1 < len(item.calls):
                        self.runs.advance(item.id, item.next_call + 1)
                        item = replace(item, next_call=item.next_call + 1, uncertain=False)
                    else:
                        note = f"{operation} had already happened (its answer was lost)"
                        self._ended(item, DONE, "", note)
                        return
        notes: list[str] = []
        for index in range(item.next_call, len(item.calls)):
            operation, request = item.calls[index]
            snapshots = item.snapshots if operation == "DeregisterImage" else ()
            result = call(clients, item.region, operation, request, image_snapshots=snapshots)
            if result.ok:
                self.runs.advance(item.id, index + 1)
                notes += result.notes
                continue
            code = result.code or ""
            there = (
                already_done(clients.ec2(item.region), operation, request)
                if code in GONE_CODES
                else False
            )
            if there is None:
                # refused as gone, and whether that is our own earlier attempt could not be
                # checked (the endpoint went away meanwhile): unknown, not a failure; looked
                # for again before anything is sent (uncertain)
                self._transient(item, result.error or code, uncertain=True)
                return
            if there:
                # botocore retried a call whose first answer was lost, or someone else
                # did it first: either way what was asked is true now
                note = f"already gone when asked again ({code}): not done twice"
                if index + 1 < len(item.calls):
                    self.runs.advance(item.id, index + 1)
                    notes.append(note)
                    continue
                self._failures = 0
                self._ended(item, DONE, "", "; ".join([*notes, note]))
                return
            if pause.refused(code, result.error or code):  # it did nothing: sent again
                self._wait_for_credentials(item, uncertain=False)
                return
            if code in TRANSIENT_CODES:
                throttled = code in THROTTLE_CODES
                self._transient(item, result.error or code, uncertain=not throttled)
                return
            self._ended(item, FAILED, code, result.error or code)
            return
        self._failures = 0
        self._ended(item, DONE, "", "; ".join(notes))

    def _ended(self, item: BulkItem, status: str, code: str, message: str) -> None:
        run = self.runs.finish(item.id, status, code, message)
        self._told(run, replace(item, status=status, code=code, message=message))

    def _transient(self, item: BulkItem, why: str, *, uncertain: bool) -> None:
        """Try the item again after the shared backoff; the run says why it waits."""
        with self._cond:
            self._failures += 1
            ceiling = min(self.max_backoff, self.base_backoff * 2 ** min(self._failures, 16))
            delay = ceiling / 2 + self._rng.uniform(0, ceiling / 2)
            self._paused_until = max(self._paused_until, time.time() + delay)
        message = f"waiting {delay:.0f} s: {why}"
        run = self.runs.requeue(item.id, delay=delay, message=message, uncertain=uncertain)
        if run is not None:
            self._told(run, replace(item, status="queued", message=message))

    def _wait_for_credentials(self, item: BulkItem, *, uncertain: bool, delay: float = 0.0) -> None:
        """Queue the item again, untouched, until the credentials work (the pause;
        ``delay``: another account's, until its next probe)."""
        message = "waiting for valid credentials (paused)"
        run = self.runs.requeue(item.id, delay=delay, message=message, uncertain=uncertain)
        if run is not None:
            self._told(run, replace(item, status="queued", message=message))

    def _told(self, run: BulkRun, item: BulkItem) -> None:
        if self.on_update is not None:
            try:
                self.on_update(run, item)
            except Exception:
                log.exception("bulk: update callback")
