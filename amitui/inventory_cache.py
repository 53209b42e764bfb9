"""The inventory cache: the last listing of each (endpoint, account, region, owners) scope,
shown at launch while the fresh listing loads. Disposable: a corrupt file is moved aside,
a newer schema disables the cache (never overwritten), and any unreadable entry is a miss.

Each scope is a header row (when, how many, the column names) and its chunks: a chunk is
CHUNK images as one zlib-compressed JSON array of rows (amitui.cache_rows). Saving and
loading go a chunk at a time, so 100,000 images never exist as one big blob, string or
list of lists in memory; ``entry`` hands the chunks over still compressed, for a reader
that shows the first screenful before the rest is decoded.

The file also remembers the account each (endpoint, profile) last signed in to
(``last_account``): a start reads that account's listing before AWS says who the caller
is, and checks it once AWS does.
Thread-safe (one connection behind a lock). Never imports textual or amitui.ui.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from amitui import paths
from amitui.aws.images import Image
from amitui.cache_rows import DECODE_ERRORS, FIELDS, Shared, decode, encode
from amitui.sqlite_file import Migration, SchemaTooNewError, open_database, transaction

log = logging.getLogger("amitui.inventory_cache")

#: (endpoint url or "aws", account id, region, owner-scope label, e.g. ListQuery.label()).
ScopeKey = tuple[str, str, str, str]

CACHE_MIGRATIONS: list[Migration] = [
    [
        """CREATE TABLE inventory (
            endpoint TEXT NOT NULL,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            owners TEXT NOT NULL,
            saved_at REAL NOT NULL,
            count INTEGER NOT NULL,
            columns TEXT NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (endpoint, account, region, owners)
        )""",
    ],
    [  # v2: chunks in rows of their own (the cache is disposable: v1 entries are dropped)
        "DROP TABLE inventory",
        """CREATE TABLE inventory (
            endpoint TEXT NOT NULL,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            owners TEXT NOT NULL,
            saved_at REAL NOT NULL,
            count INTEGER NOT NULL,
            columns TEXT NOT NULL,
            PRIMARY KEY (endpoint, account, region, owners)
        )""",
        """CREATE TABLE inventory_chunk (
            endpoint TEXT NOT NULL,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            owners TEXT NOT NULL,
            seq INTEGER NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (endpoint, account, region, owners, seq)
        )""",
    ],
    [  # v3: the account each (endpoint, profile) last signed in to (a cached start's guess)
        """CREATE TABLE account_seen (
            endpoint TEXT NOT NULL,
            profile TEXT NOT NULL,
            account TEXT NOT NULL,
            seen_at REAL NOT NULL,
            PRIMARY KEY (endpoint, profile)
        )""",
    ],
]

_SCOPE = "endpoint = ? AND account = ? AND region = ? AND owners = ?"


def _key(scope_key: Sequence[str | None]) -> tuple[str, str, str, str]:
    if len(scope_key) != 4:
        raise ValueError("scope_key is (endpoint, account, region, owners label)")
    endpoint, account, region, owners = scope_key
    return ((endpoint or "aws").rstrip("/"), account or "", region or "", owners or "")


class UnreadableEntry(ValueError):
    """A cached listing's chunk could not be decoded (the entry is damaged)."""


@dataclass(frozen=True)
class CachedEntry:
    """One scope's cached listing as stored: its chunks still compressed, decoded one at a
    time (``chunk``), so its first screenful can show before the rest is decoded."""

    key: tuple[str, str, str, str]
    saved_at: float
    #: how many images the entry holds
    count: int
    columns: tuple[str, ...]
    chunks: tuple[bytes, ...]
    _shared: Shared = field(default_factory=Shared, compare=False, repr=False)

    def chunk(self, index: int) -> list[Image]:
        """The images of chunk ``index`` (in the order they were saved). Raises
        UnreadableEntry if it is damaged. Chunks of one entry are decoded by one thread."""
        try:
            return decode(self.chunks[index], self.columns, self._shared)
        except DECODE_ERRORS as exc:
            raise UnreadableEntry(f"chunk {index}: {exc}") from exc

    def images(self) -> list[Image]:
        """Every image, chunk after chunk."""
        out: list[Image] = []
        for index in range(len(self.chunks)):
            out += self.chunk(index)
        return out


class InventoryCache:
    """Save and load a scope's whole listing. ``warnings`` says if the file was replaced
    or the cache is disabled (``enabled`` is False then: loads miss, saves do nothing)."""

    def __init__(
        self, path: Path | str | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path) if path is not None else paths.cache_db()
        self._clock = clock
        self._lock = threading.Lock()
        self._conn = None
        self.warnings: list[str] = []
        try:
            self._conn, self.warnings = open_database(
                self.path, CACHE_MIGRATIONS, synchronous="NORMAL", clock=clock
            )
        except SchemaTooNewError as exc:
            self.warnings.append(f"inventory cache disabled: {exc}")
            log.warning(self.warnings[-1])

    @property
    def enabled(self) -> bool:
        return self._conn is not None

    def save(self, scope_key: Sequence[str | None], images: Iterable[Image]) -> int:
        """Replace the scope's cached listing (in one transaction); returns how many images
        were saved."""
        if self._conn is None:
            return 0
        key = _key(scope_key)
        count = 0

        def counted() -> Iterator[Image]:
            nonlocal count
            for image in images:
                count += 1
                yield image

        with self._lock, self._transaction() as conn:
            self._delete(conn, key)
            conn.executemany(
                "INSERT INTO inventory_chunk (endpoint, account, region, owners, seq, data)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                ((*key, seq, data) for seq, data in enumerate(encode(counted()))),
            )
            conn.execute(
                "INSERT INTO inventory"
                " (endpoint, account, region, owners, saved_at, count, columns)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*key, self._clock(), count, json.dumps(FIELDS)),
            )
        return count

    def entry(self, scope_key: Sequence[str | None]) -> CachedEntry | None:
        """The scope's cached listing, its chunks not decoded yet, or None (miss). A few MB
        of compressed chunks at 100k images, read in one snapshot."""
        if self._conn is None:
            return None
        key = _key(scope_key)
        try:
            with self._lock, self._transaction() as conn:  # one snapshot of header and chunks
                row = conn.execute(
                    f"SELECT saved_at, count, columns FROM inventory WHERE {_SCOPE}", key
                ).fetchone()
                if row is None:
                    return None
                saved_at, count, columns = row
                chunks = conn.execute(
                    f"SELECT data FROM inventory_chunk WHERE {_SCOPE} ORDER BY seq", key
                ).fetchall()
            return CachedEntry(
                key, saved_at, count, tuple(json.loads(columns)), tuple(d for (d,) in chunks)
            )
        except (ValueError, TypeError) as exc:
            self.forget_unreadable(scope_key, exc)
            return None

    def load(self, scope_key: Sequence[str | None]) -> tuple[list[Image], float] | None:
        """The scope's cached images and when they were saved, or None (miss)."""
        entry = self.entry(scope_key)
        if entry is None:
            return None
        try:
            return entry.images(), entry.saved_at
        except UnreadableEntry as exc:
            self.forget_unreadable(scope_key, exc)
            return None

    def forget_unreadable(self, scope_key: Sequence[str | None], exc: Exception) -> None:
        """A damaged entry (found so here, or by a reader of ``CachedEntry.chunk``) is a
        miss: dropped, with a line in the log."""
        log.warning("inventory cache entry %s unreadable (%s): ignored", _key(scope_key), exc)
        self.forget(scope_key)

    def remember_account(self, endpoint: str | None, profile: str | None, account: str) -> None:
        """The account ``profile`` signed in to at ``endpoint``: the next start shows that
        account's cached listing before AWS is asked who the caller is (``last_account``)."""
        if self._conn is None or not account:
            return
        key = ((endpoint or "aws").rstrip("/"), profile or "")
        with self._lock:
            if self._account_row(key) == account:
                return  # the usual case: no write
            with self._transaction() as conn:
                conn.execute(
                    "INSERT OR REPLACE INTO account_seen (endpoint, profile, account, seen_at)"
                    " VALUES (?, ?, ?, ?)",
                    (*key, account, self._clock()),
                )

    def last_account(self, endpoint: str | None, profile: str | None) -> str | None:
        """The account ``profile`` last signed in to at ``endpoint`` (None: not known)."""
        if self._conn is None:
            return None
        with self._lock:
            return self._account_row(((endpoint or "aws").rstrip("/"), profile or ""))

    def _account_row(self, key: tuple[str, str]) -> str | None:
        assert self._conn is not None
        row = self._conn.execute(
            "SELECT account FROM account_seen WHERE endpoint = ? AND profile = ?", key
        ).fetchone()
        return row[0] if row else None

    def accounts(self, endpoint: str | None, region: str, owners: str) -> list[str]:
        """The accounts with a cached listing of (endpoint, region, owners label), sorted:
        ``amitui list --cached`` takes the account from here instead of asking AWS."""
        if self._conn is None:
            return []
        endpoint_key, _, region_key, owners_key = _key((endpoint, "", region, owners))
        with self._lock:
            found = self._conn.execute(
                "SELECT DISTINCT account FROM inventory"
                " WHERE endpoint = ? AND region = ? AND owners = ? ORDER BY account",
                (endpoint_key, region_key, owners_key),
            ).fetchall()
        return [account for (account,) in found]

    def forget(self, scope_key: Sequence[str | None]) -> None:
        if self._conn is None:
            return
        with self._lock, self._transaction() as conn:
            self._delete(conn, _key(scope_key))

    @staticmethod
    def _delete(conn: sqlite3.Connection, key: tuple[str, str, str, str]) -> None:
        conn.execute(f"DELETE FROM inventory WHERE {_SCOPE}", key)
        conn.execute(f"DELETE FROM inventory_chunk WHERE {_SCOPE}", key)

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        assert self._conn is not None
        return transaction(self._conn)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
