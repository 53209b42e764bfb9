"""Opening amitui's SQLite files safely: private, versioned, and never fatal.

``open_database`` creates the file 0600 inside a 0700 directory, runs the schema
migrations (one version per transaction, recorded in ``PRAGMA user_version``), and:

- refuses a file written by a NEWER amitui with :class:`SchemaTooNewError`, leaving it
  untouched;
- moves a corrupt or unreadable file aside (``<name>.corrupt-<timestamp>``, with its -wal
  and -shm files) and makes a fresh one, returning a warning that says so;
- falls back to an in-memory database (with a warning) if even that fails, so startup
  never fails because of a state or cache file.

Used by :mod:`amitui.tasks.store` (tasks) and :mod:`amitui.inventory_cache` (stdlib sqlite3).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from amitui import paths

log = logging.getLogger("amitui.store")
log.addHandler(logging.NullHandler())  # warnings are also returned; never print into a TUI

#: A migration is a list of SQL statements run in one transaction.
Migration = Sequence[str]


class StoreError(RuntimeError):
    """The state file cannot be used; the message says why and what to do."""


class SchemaTooNewError(StoreError):
    def __init__(self, path: Path, found: int, known: int) -> None:
        super().__init__(
            f"{path} was written by a newer amitui (schema v{found}; this version knows up to "
            f"v{known}). Upgrade amitui, or set AMITUI_STATE_DIR to use another directory. "
            "The file was left untouched."
        )
        self.path = path
        self.found = found
        self.known = known


# sqlite error codes that mean "this file is not a usable database": move it aside.
_UNUSABLE = {
    sqlite3.SQLITE_CORRUPT,
    sqlite3.SQLITE_NOTADB,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_PERM,
}


class _Unusable(Exception):
    pass


def _is_unusable(exc: BaseException) -> bool:
    if isinstance(exc, _Unusable | PermissionError):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return False
    return (code & 0xFF) in _UNUSABLE


def _make_private_file(path: Path) -> None:
    if path.is_file():
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            try:
                if p.exists():
                    p.chmod(0o600)
            except OSError:
                pass
        return
    if path.exists():
        return  # not a file: opening it fails, and it is moved aside
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)


def _move_aside(path: Path, clock: Callable[[], float]) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(clock()))
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm", "-journal"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            try:
                os.replace(side, Path(f"{target}{suffix}"))
            except OSError:
                side.unlink(missing_ok=True)
    return target


#: SQLite's page cache per connection, in KiB (SQLite's default: 2000). The page cache
#: keeps every page read until it is full, so with the default a connection's memory grew
#: with its file for hours: the soak's task store, 1,000 tasks in 50 minutes, took
#: SQLite's heap from 0.64 to 1.62 MB (benchmarks/soak.py, RELIABILITY.md). These files
#: are small and read in whole rows or blobs; a page not cached is read again from the
#: system's file cache, in microseconds.
PAGE_CACHE_KIB = 256


def _connect(
    path: Path | str,
    migrations: Sequence[Migration],
    synchronous: str,
    check: bool,
    page_cache_kib: int = PAGE_CACHE_KIB,
) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10.0)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute(f"PRAGMA cache_size = -{page_cache_kib}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(migrations):
            raise SchemaTooNewError(Path(path), version, len(migrations))
        if str(path) != ":memory:":
            mode = execute_waiting(conn, "PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                log.warning("%s: WAL mode unavailable (journal_mode=%s)", path, mode)
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        if check:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise _Unusable(f"integrity check failed: {result}")
        _migrate(conn, migrations)
        return conn
    except BaseException:
        conn.close()
        raise


#: How long a write waits in all for another process's write to end (each attempt waits
#: the connection's busy timeout, 10 s): "database is locked" never reaches the user
#: unless another process keeps the file locked that long.
BUSY_PATIENCE = 120.0


def is_busy(exc: BaseException) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED (another connection holds the lock)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


def execute_waiting(
    conn: sqlite3.Connection, statement: str, patience: float = BUSY_PATIENCE
) -> sqlite3.Cursor:
    """Execute ``statement``, waiting (the busy timeout, then again) while another process
    holds the lock it needs. For a transaction's BEGIN: only the BEGIN can meet a busy
    file, as a ``BEGIN IMMEDIATE`` transaction holds the write lock from its start and WAL
    readers never block it. Also for the pragmas of opening a file another process opens
    at the same moment (switching a new file to WAL)."""
    deadline = time.monotonic() + patience
    while True:
        try:
            return conn.execute(statement)
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() > deadline:
                raise
            log.info("%s: the file is busy (%s): waiting", statement, exc)
            time.sleep(0.05)


@contextmanager
def transaction(
    conn: sqlite3.Connection, begin_with: str = "BEGIN"
) -> Iterator[sqlite3.Connection]:
    """One transaction on an autocommit (``isolation_level=None``) connection: committed if
    the block ends normally, rolled back if it raises. A busy file is waited for."""
    execute_waiting(conn, begin_with)
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _migrate(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> None:
    """Bring the schema to ``len(migrations)``, one version per transaction."""
    while True:
        with transaction(conn, "BEGIN IMMEDIATE"):  # also proves the file is writable
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= len(migrations):
                return
            for statement in migrations[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")


def open_database(
    path: Path | str,
    migrations: Sequence[Migration],
    *,
    synchronous: str = "FULL",
    check: bool = True,
    clock: Callable[[], float] = time.time,
    page_cache_kib: int = PAGE_CACHE_KIB,
) -> tuple[sqlite3.Connection, list[str]]:
    """Open (creating 0600 in a 0700 dir) and migrate a database; returns it and warnings.

    A corrupt or unreadable file is moved aside and replaced; if even that fails, an
    in-memory database is used (with a warning) so startup never fails because of it.
    :class:`SchemaTooNewError` is raised, never handled here: the file is kept as is.
    ``page_cache_kib`` bounds the connection's page cache (``PAGE_CACHE_KIB``).
    """
    if str(path) == ":memory:":
        return _connect(
            ":memory:", migrations, synchronous, check=False, page_cache_kib=page_cache_kib
        ), []
    path = Path(path)
    warnings: list[str] = []

    def in_memory(problem: str) -> tuple[sqlite3.Connection, list[str]]:
        warnings.append(
            f"{path} {problem}; using a temporary in-memory store: nothing will be "
            "remembered after this session"
        )
        log.warning(warnings[-1])
        return _connect(
            ":memory:", migrations, synchronous, check=False, page_cache_kib=page_cache_kib
        ), warnings

    try:
        paths.ensure_private_dir(path.parent)
        _make_private_file(path)
    except OSError as exc:
        return in_memory(f"cannot be created ({exc})")
    try:
        return _connect(path, migrations, synchronous, check, page_cache_kib), warnings
    except SchemaTooNewError:
        raise
    except (sqlite3.DatabaseError, OSError, _Unusable) as exc:
        if not _is_unusable(exc):  # e.g. locked by another process: not the file's fault
            raise StoreError(f"cannot open {path}: {exc}") from exc
        reason = " ".join(str(exc).split()) or type(exc).__name__
        try:
            aside = _move_aside(path, clock)
            _make_private_file(path)
            conn = _connect(path, migrations, synchronous, check, page_cache_kib)
        except (sqlite3.DatabaseError, OSError, _Unusable) as exc2:
            return in_memory(f"is unusable ({reason}) and could not be replaced ({exc2})")
        warnings.append(f"{path} was unusable ({reason}); moved it to {aside} and started afresh")
        log.warning(warnings[-1])
        return conn, warnings
