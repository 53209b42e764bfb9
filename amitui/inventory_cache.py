"""The inventory cache: the last listing of each (endpoint, account, region, owners) scope,
shown at launch while the fresh listing loads. Disposable: a corrupt file is moved aside,
a newer schema disables the cache (never overwritten), and any unreadable entry is a miss.

Each scope is a header row (when, how many, the column names) and its chunks: a chunk is
CHUNK images as one zlib-compressed JSON array of rows (one array per image). Saving and
loading go a chunk at a time, so 100,000 images never exist as one big blob, string or
list of lists in memory, and they save and load in well under a second.
Thread-safe (one connection behind a lock). Never imports textual or amitui.ui.
"""

from __future__ import annotations

import gc
import json
import logging
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import fields
from pathlib import Path
from sys import intern
from typing import Any

from amitui import paths
from amitui.aws.images import Image
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
]

_SCOPE = "endpoint = ? AND account = ? AND region = ? AND owners = ?"

_FIELDS = tuple(f.name for f in fields(Image))


def _key(scope_key: Sequence[str | None]) -> tuple[str, str, str, str]:
    if len(scope_key) != 4:
        raise ValueError("scope_key is (endpoint, account, region, owners label)")
    endpoint, account, region, owners = scope_key
    return ((endpoint or "aws").rstrip("/"), account or "", region or "", owners or "")


@contextmanager
def _gc_paused() -> Iterator[None]:
    # json.loads of 100k small lists triggers the cyclic GC hundreds of times (the lists
    # hold no cycles): pausing it halves the load time.
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


#: Images per chunk: encoding and decoding work a chunk at a time, so a 100k listing never
#: exists as one giant list of lists, string or blob.
CHUNK = 2000


def _encode(images: Iterable[Image]) -> Iterator[bytes]:
    """zlib-compressed JSON arrays of up to CHUNK rows (one array per image); at least one."""
    names = _FIELDS
    batch: list[list[Any]] = []
    empty = True
    with _gc_paused():
        for img in images:
            batch.append([getattr(img, n) for n in names])
            if len(batch) == CHUNK:
                yield _pack(batch)
                batch.clear()
                empty = False
        if batch or empty:
            yield _pack(batch)


def _pack(rows: list[list[Any]]) -> bytes:
    return zlib.compress(json.dumps(rows, separators=(",", ":"), ensure_ascii=False).encode(), 1)


def _decode(chunks: Iterable[bytes], columns: list[str]) -> list[Image]:
    images: list[Image] = []
    with _gc_paused():
        for data in chunks:
            images += _rows_to_images(json.loads(zlib.decompress(data)), columns)
    return images


#: Fields with few distinct values: one shared string each (as Image.from_api does), which
#: saves tens of MB when 100k rows come back from the cache.
_FEW_VALUED = (
    "region",
    "state",
    "architecture",
    "platform",
    "root_device_type",
    "owner_id",
    "owner_alias",
    "virtualization_type",
    "image_type",
)


def _rows_to_images(rows: list[list[Any]], columns: list[str]) -> list[Image]:
    if tuple(columns) == _FIELDS:
        tags_at = _FIELDS.index("tags")
        snaps_at = _FIELDS.index("snapshot_ids")
        shared = [_FIELDS.index(name) for name in _FEW_VALUED]
        for row in rows:
            for at in shared:
                if isinstance(row[at], str):
                    row[at] = intern(row[at])
            tags = row[tags_at]
            row[tags_at] = tuple(map(tuple, tags)) if tags else ()
            snaps = row[snaps_at]
            row[snaps_at] = tuple(snaps) if snaps else ()
        return [Image(*row) for row in rows]
    # Written by another version of Image: keep the columns both know, defaults elsewhere.
    known = [(i, n) for i, n in enumerate(columns) if n in _FIELDS]
    out = []
    for row in rows:
        values: dict[str, Any] = {n: row[i] for i, n in known}
        if "tags" in values:
            values["tags"] = tuple(tuple(t) for t in values["tags"])
        if "snapshot_ids" in values:
            values["snapshot_ids"] = tuple(values["snapshot_ids"])
        out.append(Image(**values))
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
                ((*key, seq, data) for seq, data in enumerate(_encode(counted()))),
            )
            conn.execute(
                "INSERT INTO inventory"
                " (endpoint, account, region, owners, saved_at, count, columns)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*key, self._clock(), count, json.dumps(_FIELDS)),
            )
        return count

    def load(self, scope_key: Sequence[str | None]) -> tuple[list[Image], float] | None:
        """The scope's cached images and when they were saved, or None (miss)."""
        if self._conn is None:
            return None
        key = _key(scope_key)
        try:
            with self._lock, self._transaction() as conn:  # one snapshot of header and chunks
                row = conn.execute(
                    f"SELECT saved_at, columns FROM inventory WHERE {_SCOPE}", key
                ).fetchone()
                if row is None:
                    return None
                saved_at, columns = row
                chunks = conn.execute(
                    f"SELECT data FROM inventory_chunk WHERE {_SCOPE} ORDER BY seq", key
                )
                return _decode((data for (data,) in chunks), json.loads(columns)), saved_at
        except (ValueError, TypeError, IndexError, zlib.error) as exc:
            log.warning("inventory cache entry %s unreadable (%s): ignored", key, exc)
            self.forget(scope_key)
            return None

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
