"""SQLite state: the tasks amitui follows, with their history; schema-versioned.

Durability: the tasks file runs in WAL mode with ``synchronous=FULL``, and every write is
committed before the method returns, so a task the UI announced survives a SIGKILL or a
power cut. Safety: files are created 0600 inside 0700 directories. Robustness: a corrupt
or unreadable file is moved aside (``<name>.corrupt-<timestamp>``) with a warning and a
fresh one is made; a file written by a NEWER amitui (higher ``PRAGMA user_version``) is
refused with :class:`SchemaTooNewError` and never touched (see :mod:`amitui.sqlite_file`).

Thread safety: one connection (``check_same_thread=False``) guarded by a lock; every
public method of :class:`TaskStore` may be called from any thread.

This module never imports textual or amitui.ui.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from amitui import paths
from amitui.sqlite_file import (
    SchemaTooNewError,
    StoreError,
    open_database,
    transaction,
)
from amitui.tasks.bulk_store import BulkRuns
from amitui.tasks.kinds import KINDS
from amitui.tasks.model import RUNNING, STATUSES, TERMINAL, Observation, Task, TaskEvent
from amitui.tasks.schema import TASK_MIGRATIONS

__all__ = [
    "TASK_MIGRATIONS",
    "SchemaTooNewError",
    "StoreError",
    "TaskStore",
    "open_database",
]


# Tasks ------------------------------------------------------------------------------------

_COLUMNS = (
    "id, scope, kind, region, target_id, source, name, image_id, status, aws_state, "
    "progress, message, created_at, updated_at, finished_at, cleared, adopted, cancel_requested, "
    "account"
)

_UNSET: Any = object()

#: The tasks file's page cache, in KiB (others get ``PAGE_CACHE_KIB``, 256). The file
#: grows with every task for as long as the app runs, and SQLite's heap followed it up
#: to the bound: +130 KiB at 200 tasks, the soak's first 10 minutes (benchmarks/soak.py).
#: At 64 it is full after ~50. Listing 1,000 tasks: 4.1-4.8 ms against 3.2-4.5 ms.
TASKS_PAGE_CACHE_KIB = 64


def _task(row: tuple[Any, ...]) -> Task:
    (id_, scope, kind, region, target, source, name, image_id, status, aws_state, progress,
     message, created, updated, finished, cleared, adopted, cancel, account) = row  # fmt: skip
    return Task(
        id=id_,
        scope=scope,
        kind=kind,
        region=region,
        target_id=target,
        source=source,
        name=name,
        image_id=image_id,
        status=status,
        aws_state=aws_state,
        progress=progress,
        message=message,
        created_at=created,
        updated_at=updated,
        finished_at=finished,
        cleared=bool(cleared),
        adopted=bool(adopted),
        cancel_requested=bool(cancel),
        account=account,
    )


class TaskStore:
    """The tasks file. Every method is thread-safe and commits before it returns."""

    def __init__(
        self, path: Path | str | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path) if path is not None else paths.tasks_db()
        self._clock = clock
        self._lock = threading.RLock()
        self._conn, self.warnings = open_database(
            self.path,
            TASK_MIGRATIONS,
            synchronous="FULL",
            clock=clock,
            page_cache_kib=TASKS_PAGE_CACHE_KIB,
        )
        #: the bulk runs in the same file
        self.bulk = BulkRuns(self)

    # plumbing
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, transaction(self._conn, "BEGIN IMMEDIATE") as conn:
            yield conn

    def writing(self) -> Any:
        """One write transaction (``BEGIN IMMEDIATE``), committed when the block ends."""
        return self._write()

    def read(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def now(self) -> float:
        return self._clock()

    def _one(self, where: str, args: Sequence[Any]) -> Task | None:
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM tasks WHERE {where}", args).fetchone()
        return _task(row) if row else None

    def _event(self, conn: sqlite3.Connection, task: Task, at: float) -> None:
        conn.execute(
            "INSERT INTO task_events (task_id, at, status, aws_state, progress, message)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (task.id, at, task.status, task.aws_state, task.progress, task.message),
        )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> TaskStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # writes
    def add_task(
        self,
        *,
        scope: str,
        kind: str,
        region: str,
        target_id: str,
        source: str = "",
        name: str = "",
        image_id: str = "",
        status: str = RUNNING,
        aws_state: str = "",
        progress: int | None = None,
        message: str = "started",
        adopted: bool = False,
        account: str = "",
    ) -> Task:
        """Record a task (committed, fsynced) and return it. Idempotent: adding the same
        (scope, region, target_id) again returns the task already stored."""
        if kind not in KINDS:
            raise ValueError(f"unknown task kind {kind!r}")
        if status not in STATUSES:
            raise ValueError(f"unknown task status {status!r}")
        if not target_id:
            raise ValueError("a task needs the id AWS returned (target_id)")
        now = self._clock()
        finished = now if status in TERMINAL else None
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO tasks (scope, kind, region, target_id, source, name, image_id,"
                " status, aws_state, progress, message, created_at, updated_at, finished_at,"
                " adopted, account) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (scope, region, target_id) DO NOTHING",
                (scope, kind, region, target_id, source, name, image_id, status, aws_state,
                 progress, message, now, now, finished, int(adopted), account),
            )  # fmt: skip
            if cur.rowcount == 0:
                existing = self._one(
                    "scope = ? AND region = ? AND target_id = ?", (scope, region, target_id)
                )
                assert existing is not None
                return existing
            task = self._one("id = ?", (cur.lastrowid,))
            assert task is not None
            self._event(conn, task, now)
        return task

    def update_task(
        self,
        task_id: int,
        *,
        status: str | None = None,
        aws_state: str | None = None,
        progress: int | None = _UNSET,
        message: str | None = None,
        image_id: str | None = None,
        ended_unseen: bool = False,
    ) -> Task | None:
        """Apply what AWS said. Returns the updated task if anything changed, else None.

        A history event is recorded when status, AWS state, progress or message changed.
        A task already finished (done/failed/cancelled) is never changed again.
        ``finished_at`` is now, or with ``ended_unseen`` (the task ended while nobody
        watched, e.g. amitui was closed) its last change before: AWS gives no end time,
        so the elapsed time stays a lower bound instead of counting the closed time.
        """
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown task status {status!r}")
        with self._write() as conn:
            now = self._clock()  # under the write lock: readers see writes in time order
            old = self._one("id = ?", (task_id,))
            if old is None or old.is_terminal:
                return None
            new = _task(
                (old.id, old.scope, old.kind, old.region, old.target_id, old.source, old.name,
                 old.image_id if image_id is None else image_id,
                 old.status if status is None else status,
                 old.aws_state if aws_state is None else aws_state,
                 old.progress if progress is _UNSET else progress,
                 old.message if message is None else message,
                 old.created_at, now, old.finished_at, old.cleared, old.adopted,
                 old.cancel_requested, old.account)
            )  # fmt: skip
            seen = ("status", "aws_state", "progress", "message")
            eventful = any(getattr(old, f) != getattr(new, f) for f in seen)
            if not eventful and new.image_id == old.image_id:
                return None
            if new.is_terminal:
                new.finished_at = old.updated_at if ended_unseen else now
            conn.execute(
                "UPDATE tasks SET image_id = ?, status = ?, aws_state = ?, progress = ?,"
                " message = ?, updated_at = ?, finished_at = ? WHERE id = ?",
                (new.image_id, new.status, new.aws_state, new.progress, new.message, now,
                 new.finished_at, task_id),
            )  # fmt: skip
            if eventful:
                self._event(conn, new, now)
        return new

    def apply(self, task_id: int, obs: Observation, ended_unseen: bool = False) -> Task | None:
        """:meth:`update_task` with an :class:`~amitui.tasks.model.Observation`."""
        return self.update_task(
            task_id,
            status=obs.status,
            aws_state=obs.aws_state,
            progress=obs.progress,
            message=obs.message,
            image_id=obs.image_id,
            ended_unseen=ended_unseen,
        )

    def mark_cancel_requested(
        self, task_id: int, message: str = "cancel requested", requested: bool = True
    ) -> Task | None:
        """Record that a cancel was asked for (the task ends `cancelled` when AWS confirms),
        or with ``requested=False`` that it failed. None if the task is unknown or over."""
        now = self._clock()
        with self._write() as conn:
            old = self._one("id = ?", (task_id,))
            if old is None or old.is_terminal:
                return None
            conn.execute(
                "UPDATE tasks SET cancel_requested = ?, message = ?, updated_at = ? WHERE id = ?",
                (int(requested), message, now, task_id),
            )
            new = self._one("id = ?", (task_id,))
            assert new is not None
            self._event(conn, new, now)
        return new

    def clear_finished(self, scope: str) -> list[int]:
        """Hide finished tasks from :meth:`list_tasks` (they stay in the history); the ids
        hidden, so a view can tell a late update of one of them from a new task."""
        terminal = ",".join("?" * len(TERMINAL))
        with self._write() as conn:
            ids = [
                id_
                for (id_,) in conn.execute(
                    f"SELECT id FROM tasks WHERE scope = ? AND cleared = 0"
                    f" AND status IN ({terminal})",
                    (scope, *TERMINAL),
                )
            ]
            conn.executemany("UPDATE tasks SET cleared = 1 WHERE id = ?", [(i,) for i in ids])
            return ids

    def clear_unfollowed(self, scope: str) -> int:
        """Hide the :meth:`unfollowed_tasks` seen from ``scope`` (a history event says so).
        They stay ``running``: if their own scope is followed again (same endpoint and
        account), they are polled and listed there again."""
        now = self._clock()
        with self._write() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM tasks WHERE status = ? AND scope != ? AND cleared = 0",
                (RUNNING, scope),
            ).fetchall()
            for row in rows:
                task = _task(row)
                conn.execute("UPDATE tasks SET cleared = 1 WHERE id = ?", (task.id,))
                task.message = "cleared while not followed (its endpoint was not in use)"
                self._event(conn, task, now)
            return len(rows)

    # reads
    def get(self, task_id: int) -> Task | None:
        with self._lock:
            return self._one("id = ?", (task_id,))

    def find(self, scope: str, region: str, target_id: str) -> Task | None:
        with self._lock:
            return self._one(
                "scope = ? AND region = ? AND target_id = ?", (scope, region, target_id)
            )

    def list_tasks(self, scope: str, include_cleared: bool = False) -> list[Task]:
        """The scope's tasks, newest first. Running tasks are always listed (one cleared
        while its scope was not followed is followed again here)."""
        where = "scope = ?" if include_cleared else "scope = ? AND (cleared = 0 OR status = ?)"
        args = (scope,) if include_cleared else (scope, RUNNING)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM tasks WHERE {where} ORDER BY created_at DESC, id DESC",
                args,
            ).fetchall()
        return [_task(r) for r in rows]

    def unfollowed_tasks(self, scope: str) -> list[Task]:
        """Tasks still ``running`` under ANOTHER scope (another endpoint or account, e.g. a
        sandbox that is gone), not cleared: nobody follows them from ``scope``. Newest
        first."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM tasks WHERE status = ? AND scope != ? AND cleared = 0"
                " ORDER BY created_at DESC, id DESC",
                (RUNNING, scope),
            ).fetchall()
        return [_task(r) for r in rows]

    def running_tasks(self, scope: str | None = None) -> list[Task]:
        """Tasks still running (all scopes when ``scope`` is None), oldest first."""
        sql = f"SELECT {_COLUMNS} FROM tasks WHERE status = ?"
        args: list[Any] = [RUNNING]
        if scope is not None:
            sql += " AND scope = ?"
            args.append(scope)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY id", args).fetchall()
        return [_task(r) for r in rows]

    def changed_since(self, scope: str, since: float) -> list[Task]:
        """The scope's tasks written at or after ``since`` (by any process), oldest first."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM tasks WHERE scope = ? AND updated_at >= ?"
                " ORDER BY updated_at, id",
                (scope, since),
            ).fetchall()
        return [_task(r) for r in rows]

    def count_running(self, scope: str) -> int:
        with self._lock:
            return self._conn.execute(
                "SELECT COUNT(*) FROM tasks WHERE status = ? AND scope = ?", (RUNNING, scope)
            ).fetchone()[0]

    def history(self, task_id: int) -> list[TaskEvent]:
        """Every change of the task, oldest first (the first is its start)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT task_id, at, status, aws_state, progress, message FROM task_events"
                " WHERE task_id = ? ORDER BY id",
                (task_id,),
            ).fetchall()
        return [TaskEvent(*r) for r in rows]

    def target_ids(self, scope: str, region: str, kind: str | None = None) -> set[str]:
        sql = "SELECT target_id FROM tasks WHERE scope = ? AND region = ?"
        args: list[Any] = [scope, region]
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind)
        with self._lock:
            return {r[0] for r in self._conn.execute(sql, args)}

    @property
    def schema_version(self) -> int:
        with self._lock:
            return self._conn.execute("PRAGMA user_version").fetchone()[0]
