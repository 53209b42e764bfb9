"""A lease in the tasks file: which of the amitui processes on one state directory follows
a scope's tasks (polls AWS for them and sends its bulk items) right now.

Two terminals, or the UI and ``amitui tasks wait``, share one tasks file. Without a lease
both would poll every task every cycle, and a starting process would take the bulk items
another live process is sending for abandoned ones. With it, ONE process per scope (an
endpoint and account) polls and sends; the others read what it writes to the store.

A lease is one row (``name``: ``poll|<scope>``) with its ``holder`` (:func:`holder_id`:
unique per process) and an ``expires_at``. :meth:`Lease.acquire` takes it (free, or
expired) or renews it (ours) in ONE ``BEGIN IMMEDIATE`` transaction, so two processes
racing for it never both win. The holder renews it every poll cycle; a holder that dies
(even by SIGKILL) stops renewing, and another process takes it once it expired. A holder
that stops cleanly releases it, so the next one need not wait for the expiry.

Schema v3 of the tasks file (:data:`LEASE_SCHEMA`) adds the table, and ``claimed_by`` on
bulk items: the holder that claimed an item, so that a new holder re-queues only what a
holder that is gone was sending (see :meth:`amitui.tasks.bulk_store.BulkRuns.recover`).

Never imports textual or amitui.ui.
"""

from __future__ import annotations

import os
import threading
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amitui.tasks.store import TaskStore

#: Schema v3 of the tasks file (``TASK_MIGRATIONS[2]``). Never edit once released.
LEASE_SCHEMA = [
    """CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at REAL NOT NULL,
        taken_at REAL NOT NULL
    )""",
    "ALTER TABLE bulk_items ADD COLUMN claimed_by TEXT NOT NULL DEFAULT ''",
]


def holder_id() -> str:
    """An id unique to this process (and to each call): a random uuid and the pid."""
    return f"{uuid.uuid4().hex}-{os.getpid()}"


def poll_lease_name(scope: str) -> str:
    return f"poll|{scope}"


class Lease:
    """One named lease of a tasks file, as seen by one holder. Thread-safe."""

    def __init__(self, store: TaskStore, name: str, *, ttl: float, holder: str | None = None):
        if ttl <= 0:
            raise ValueError("a lease's time to live must be positive")
        self.store = store
        self.name = name
        self.ttl = float(ttl)
        self.holder = holder or holder_id()
        self._lock = threading.Lock()
        self._expires_at = 0.0
        #: how many times this holder took the lease (not counting renewals): a new
        #: generation means another holder may have left work behind
        self.generation = 0

    def acquire(self) -> bool:
        """Take the lease if it is free or expired, renew it if it is ours; whether we hold
        it now. One ``BEGIN IMMEDIATE`` transaction: of two processes racing, one wins."""
        now = self.store.now()
        expires = now + self.ttl
        with self.store.writing() as conn:
            row = conn.execute(
                "SELECT holder, expires_at FROM leases WHERE name = ?", (self.name,)
            ).fetchone()
            ours = row is not None and row[0] == self.holder and row[1] > now
            if row is not None and not ours and row[1] > now:
                held = False
            else:
                conn.execute(
                    "INSERT INTO leases (name, holder, expires_at, taken_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
                    " expires_at = excluded.expires_at,"
                    " taken_at = CASE WHEN ? THEN leases.taken_at ELSE excluded.taken_at END",
                    (self.name, self.holder, expires, now, int(ours)),
                )
                held = True
        with self._lock:
            if held and not ours:
                self.generation += 1
            self._expires_at = expires if held else 0.0
        return held

    def held(self) -> bool:
        """Whether we hold it, as of our last :meth:`acquire` (no query: cheap)."""
        with self._lock:
            return self.store.now() < self._expires_at

    def release(self) -> None:
        """Give the lease up now (a clean stop), if it is still ours."""
        with self._lock:
            self._expires_at = 0.0
        with self.store.writing() as conn:
            conn.execute(
                "DELETE FROM leases WHERE name = ? AND holder = ?", (self.name, self.holder)
            )

    def current(self) -> tuple[str, float] | None:
        """The holder and expiry stored now (expired or not); None if nobody took it."""
        rows = self.store.read("SELECT holder, expires_at FROM leases WHERE name = ?", (self.name,))
        return (rows[0][0], rows[0][1]) if rows else None
