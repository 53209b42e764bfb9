"""The tasks file's schema: its migrations, one list of statements per version (v1 the
tasks and their history, v2 the bulk runs, v3 the lease, v4 the task's account, v5 the
bulk item's account). Never edit a released one."""

from __future__ import annotations

from amitui.sqlite_file import Migration
from amitui.tasks.bulk_store import BULK_SCHEMA
from amitui.tasks.lease import LEASE_SCHEMA

#: Schema of the tasks file. Version N is reached by running TASK_MIGRATIONS[N-1].
#: To add the next version, append a list of statements, e.g.::
#:
#:     TASK_MIGRATIONS.append([
#:         "ALTER TABLE tasks ADD COLUMN request_id TEXT NOT NULL DEFAULT ''",
#:     ])
#:
#: and read the new column in ``_task``. Never edit a released migration.
TASK_MIGRATIONS: list[Migration] = [
    [
        """CREATE TABLE tasks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            scope TEXT NOT NULL,
            kind TEXT NOT NULL,
            region TEXT NOT NULL,
            target_id TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL DEFAULT '',
            image_id TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            aws_state TEXT NOT NULL DEFAULT '',
            progress INTEGER,
            message TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            finished_at REAL,
            cleared INTEGER NOT NULL DEFAULT 0,
            adopted INTEGER NOT NULL DEFAULT 0,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            UNIQUE (scope, region, target_id)
        )""",
        "CREATE INDEX tasks_by_status ON tasks (status, scope)",
        "CREATE INDEX tasks_by_scope ON tasks (scope, created_at)",
        """CREATE TABLE task_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
            at REAL NOT NULL,
            status TEXT NOT NULL,
            aws_state TEXT NOT NULL DEFAULT '',
            progress INTEGER,
            message TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX task_events_by_task ON task_events (task_id, id)",
    ],
    BULK_SCHEMA,  # v2: bulk runs and their items (amitui/tasks/bulk_store.py)
    LEASE_SCHEMA,  # v3: who follows a scope; who claimed a bulk item (amitui/tasks/lease.py)
    # v4 (issue 18): the account a task runs in, when not the scope's own (--accounts: an
    # image of a member account); '' is the scope's account, as every earlier task is.
    ["ALTER TABLE tasks ADD COLUMN account TEXT NOT NULL DEFAULT ''"],
    # v5 (issue 18): the account a bulk item acts in (--accounts: marks over several
    # accounts, each item sent with its image's account's credentials); '' the scope's.
    ["ALTER TABLE bulk_items ADD COLUMN account TEXT NOT NULL DEFAULT ''"],
]
