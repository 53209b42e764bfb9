"""Bulk runs in the tasks file (SQLite), beside the tasks: schema v2 and its queries.

Every write commits before it returns (the tasks file's durability: WAL, synchronous
FULL), so a run the UI announced, and each item's progress, survive a SIGKILL. An item is
claimed (``sending``) in the same transaction that picks it, so two workers never take the
same one. Never imports textual or amitui.ui.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from amitui.tasks.bulk_model import (
    DONE,
    FAILED,
    ITEM_STATUSES,
    QUEUED,
    SENDING,
    BulkItem,
    BulkRun,
    NewItem,
)

if TYPE_CHECKING:
    from amitui.tasks.store import TaskStore

#: Schema v2 of the tasks file (``TASK_MIGRATIONS[1]``). Never edit once released.
BULK_SCHEMA = [
    """CREATE TABLE bulk_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        scope TEXT NOT NULL,
        action TEXT NOT NULL,
        title TEXT NOT NULL,
        created_at REAL NOT NULL,
        finished_at REAL,
        note TEXT NOT NULL DEFAULT '',
        cleared INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX bulk_runs_by_scope ON bulk_runs (scope, created_at)",
    """CREATE TABLE bulk_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL REFERENCES bulk_runs (id) ON DELETE CASCADE,
        region TEXT NOT NULL,
        target_id TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        calls TEXT NOT NULL,
        snapshots TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL,
        next_call INTEGER NOT NULL DEFAULT 0,
        uncertain INTEGER NOT NULL DEFAULT 0,
        code TEXT NOT NULL DEFAULT '',
        message TEXT NOT NULL DEFAULT '',
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before REAL NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL,
        UNIQUE (run_id, region, target_id)
    )""",
    "CREATE INDEX bulk_items_by_run ON bulk_items (run_id, status)",
]

_ITEM_COLUMNS = (
    "id, run_id, region, target_id, name, calls, snapshots, status, next_call, uncertain, "
    "code, message, attempts, not_before, updated_at, account"
)


def _item(row: tuple[Any, ...]) -> BulkItem:
    (id_, run_id, region, target_id, name, calls, snapshots, status, next_call, uncertain,
     code, message, attempts, not_before, updated, account) = row  # fmt: skip
    return BulkItem(
        id=id_,
        run_id=run_id,
        region=region,
        target_id=target_id,
        name=name,
        calls=tuple((op, request) for op, request in json.loads(calls)),
        snapshots=tuple(json.loads(snapshots)),
        status=status,
        next_call=next_call,
        uncertain=bool(uncertain),
        code=code,
        message=message,
        attempts=attempts,
        not_before=not_before,
        updated_at=updated,
        account=account,
    )


class BulkRuns:
    """The bulk runs of one tasks file (``TaskStore.bulk``). Thread-safe like the store."""

    def __init__(self, store: TaskStore) -> None:
        self._store = store

    def _write(self) -> Any:
        return self._store.writing()

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._store.read(sql, args)

    def now(self) -> float:
        return self._store.now()

    # -- writes -----------------------------------------------------------------------

    def add_run(self, scope: str, action: str, title: str, items: Sequence[NewItem]) -> BulkRun:
        """Record a run and all its items, queued, in one transaction."""
        if not items:
            raise ValueError("a bulk run needs at least one image")
        now = self._store.now()
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO bulk_runs (scope, action, title, created_at) VALUES (?, ?, ?, ?)",
                (scope, action, title, now),
            )
            run_id = cur.lastrowid
            conn.executemany(
                "INSERT INTO bulk_items (run_id, region, target_id, name, calls, snapshots,"
                " status, updated_at, account) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        run_id,
                        i.region,
                        i.target_id,
                        i.name,
                        json.dumps([[op, req] for op, req in i.calls]),
                        json.dumps(list(i.snapshots)),
                        QUEUED,
                        now,
                        i.account,
                    )
                    for i in items
                ],
            )
        run = self.run(int(run_id or 0))
        assert run is not None
        return run

    def recover(self, scope: str, holder: str = "", lease: str | None = None) -> int:
        """Items a process that is gone left ``sending`` are queued again, uncertain; what
        waited out a backoff of that process is tried now. How many were left sending.

        Without ``lease``: a process starts alone on the scope; every ``sending`` item was
        left by a previous one. With ``lease`` (its name): only while ``holder`` holds it
        (checked in the same transaction, else nothing is done), and only the items that
        another holder claimed: only the lease's holder sends, so another holder's items
        were left by one that lost the lease (it died, or stopped)."""
        now = self._store.now()
        with self._write() as conn:
            if lease is not None and not _holds(conn, lease, holder, now):
                return 0
            others = "" if lease is None else " AND claimed_by != ?"
            cur = conn.execute(
                f"UPDATE bulk_items SET status = ?, uncertain = 1 WHERE status = ?{others}"
                " AND run_id IN (SELECT id FROM bulk_runs WHERE scope = ?)",
                (QUEUED, SENDING, *([] if lease is None else [holder]), scope),
            )
            conn.execute(
                "UPDATE bulk_items SET not_before = 0 WHERE status = ? AND not_before > 0"
                " AND run_id IN (SELECT id FROM bulk_runs WHERE scope = ?)",
                (QUEUED, scope),
            )
            return cur.rowcount

    def claim(self, scope: str, holder: str = "", lease: str | None = None) -> BulkItem | None:
        """The next queued item whose time has come, marked ``sending`` by ``holder``
        (None: none). With ``lease`` (its name), only while ``holder`` holds it (checked in
        the same transaction): one process sends a scope's items."""
        now = self._store.now()
        with self._write() as conn:
            if lease is not None and not _holds(conn, lease, holder, now):
                return None
            row = conn.execute(
                f"SELECT {_ITEM_COLUMNS} FROM bulk_items WHERE status = ? AND not_before <= ?"
                " AND run_id IN (SELECT id FROM bulk_runs WHERE scope = ? AND finished_at IS NULL)"
                " ORDER BY run_id, id LIMIT 1",
                (QUEUED, now, scope),
            ).fetchone()
            if row is None:
                return None
            conn.execute(
                "UPDATE bulk_items SET status = ?, attempts = attempts + 1, updated_at = ?,"
                " claimed_by = ? WHERE id = ?",
                (SENDING, now, holder, row[0]),
            )
        item = _item(row)
        return _replace(item, status=SENDING, attempts=item.attempts + 1, updated_at=now)

    def advance(self, item_id: int, next_call: int) -> None:
        """The item's calls before ``next_call`` are done (a resume starts there)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE bulk_items SET next_call = ?, uncertain = 0, updated_at = ? WHERE id = ?",
                (next_call, self._store.now(), item_id),
            )

    def finish(self, item_id: int, status: str, code: str = "", message: str = "") -> BulkRun:
        """The item ended (``done`` or ``failed``); the run ends with its last item."""
        if status not in (DONE, FAILED):
            raise ValueError(f"an item ends done or failed, not {status!r}")
        now = self._store.now()
        with self._write() as conn:
            conn.execute(
                "UPDATE bulk_items SET status = ?, code = ?, message = ?, uncertain = 0,"
                " updated_at = ? WHERE id = ?",
                (status, code, message, now, item_id),
            )
            (run_id,) = conn.execute(
                "SELECT run_id FROM bulk_items WHERE id = ?", (item_id,)
            ).fetchone()
            if status == DONE:  # the way is clear again: no longer waiting
                conn.execute("UPDATE bulk_runs SET note = '' WHERE id = ?", (run_id,))
            _end_if_finished(conn, run_id, now)
        run = self.run(run_id)
        assert run is not None
        return run

    def requeue(
        self, item_id: int, *, delay: float, message: str, uncertain: bool
    ) -> BulkRun | None:
        """Send the item again ``delay`` seconds from now (throttled, connection lost)."""
        now = self._store.now()
        with self._write() as conn:
            conn.execute(
                "UPDATE bulk_items SET status = ?, not_before = ?, message = ?,"
                " uncertain = MAX(uncertain, ?), updated_at = ? WHERE id = ?",
                (QUEUED, now + delay, message, int(uncertain), now, item_id),
            )
            row = conn.execute("SELECT run_id FROM bulk_items WHERE id = ?", (item_id,)).fetchone()
            if row is not None:
                conn.execute("UPDATE bulk_runs SET note = ? WHERE id = ?", (message, row[0]))
        return self.run(row[0]) if row is not None else None

    def clear_note(self, run_id: int) -> None:
        with self._write() as conn:
            conn.execute("UPDATE bulk_runs SET note = '' WHERE id = ? AND note != ''", (run_id,))

    def retry_failed(self, run_id: int) -> int:
        """Queue the run's failed items again (AWS refused them: nothing was done)."""
        now = self._store.now()
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE bulk_items SET status = ?, code = '', message = '', not_before = 0,"
                " updated_at = ? WHERE run_id = ? AND status = ?",
                (QUEUED, now, run_id, FAILED),
            )
            if cur.rowcount:
                conn.execute(
                    "UPDATE bulk_runs SET finished_at = NULL, cleared = 0 WHERE id = ?", (run_id,)
                )
            return cur.rowcount

    def clear_finished(self, scope: str) -> int:
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE bulk_runs SET cleared = 1 WHERE scope = ? AND finished_at IS NOT NULL",
                (scope,),
            )
            return cur.rowcount

    # -- reads ------------------------------------------------------------------------

    def run(self, run_id: int) -> BulkRun | None:
        found = self._runs("r.id = ?", (run_id,))
        return found[0] if found else None

    def runs(self, scope: str, include_cleared: bool = False) -> list[BulkRun]:
        where = "r.scope = ?" + ("" if include_cleared else " AND r.cleared = 0")
        return self._runs(where, (scope,))

    def unfinished(self, scope: str) -> list[BulkRun]:
        return self._runs("r.scope = ? AND r.finished_at IS NULL", (scope,))

    def _runs(self, where: str, args: Sequence[Any]) -> list[BulkRun]:
        rows = self._read(
            "SELECT r.id, r.scope, r.action, r.title, r.created_at, r.finished_at, r.note,"
            " r.cleared, i.status, COUNT(i.id) FROM bulk_runs r"
            f" LEFT JOIN bulk_items i ON i.run_id = r.id WHERE {where}"
            " GROUP BY r.id, i.status ORDER BY r.created_at, r.id",
            args,
        )
        runs: dict[int, BulkRun] = {}
        for id_, scope, action, title, created, finished, note, cleared, status, n in rows:
            run = runs.get(id_)
            if run is None:
                run = runs[id_] = BulkRun(
                    id_, scope, action, title, created, finished, {}, note, bool(cleared)
                )
            if status in ITEM_STATUSES:
                run.counts[status] = n
        return list(runs.values())

    def items(self, run_id: int) -> list[BulkItem]:
        rows = self._read(
            f"SELECT {_ITEM_COLUMNS} FROM bulk_items WHERE run_id = ? ORDER BY id", (run_id,)
        )
        return [_item(r) for r in rows]

    def changed_items(self, scope: str, since: float) -> list[BulkItem]:
        """The scope's items written at or after ``since`` (by any process), oldest first."""
        rows = self._read(
            f"SELECT {_ITEM_COLUMNS} FROM bulk_items WHERE updated_at >= ? AND run_id IN"
            " (SELECT id FROM bulk_runs WHERE scope = ?) ORDER BY updated_at, id",
            (since, scope),
        )
        return [_item(r) for r in rows]

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: it changes when another connection (another
        amitui process) commits to the file. A cheap read, no lock on the file."""
        return int(self._read("PRAGMA data_version")[0][0])

    def next_due(self, scope: str) -> float | None:
        """When the earliest waiting item may be sent (None: nothing is queued)."""
        rows = self._read(
            "SELECT MIN(not_before) FROM bulk_items WHERE status = ? AND run_id IN"
            " (SELECT id FROM bulk_runs WHERE scope = ? AND finished_at IS NULL)",
            (QUEUED, scope),
        )
        return rows[0][0] if rows and rows[0][0] is not None else None


def _holds(conn: sqlite3.Connection, lease: str, holder: str, now: float) -> bool:
    row = conn.execute(
        "SELECT 1 FROM leases WHERE name = ? AND holder = ? AND expires_at > ?",
        (lease, holder, now),
    ).fetchone()
    return row is not None


def _end_if_finished(conn: sqlite3.Connection, run_id: int, now: float) -> None:
    (left,) = conn.execute(
        "SELECT COUNT(*) FROM bulk_items WHERE run_id = ? AND status IN (?, ?)",
        (run_id, QUEUED, SENDING),
    ).fetchone()
    if not left:
        conn.execute(
            "UPDATE bulk_runs SET finished_at = ?, note = '' WHERE id = ? AND finished_at IS NULL",
            (now, run_id),
        )


def _replace(item: BulkItem, **changes: Any) -> BulkItem:
    from dataclasses import replace

    return replace(item, **changes)
