"""The inventory cache: the last listing of each (endpoint, account, region, owners) scope,
shown at launch while the fresh listing loads. Disposable: a corrupt file is moved aside,
a newer schema disables the cache (never overwritten), and any unreadable entry is a miss.

Each scope is one row holding a zlib-compressed JSON array of rows (one array per image,
columns named once in the row), so 100,000 images save and load in well under a second.
Thread-safe (one connection behind a lock). Never imports textual or amitui.ui.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from sys import intern
from typing import Any

from amitui import paths
from amitui.aws.images import Image
from amitui.sqlite_file import Migration, SchemaTooNewError, open_database

log = logging.getLogger("amitui.store")

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
]

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


#: Images per JSON line: encoding and decoding work a chunk at a time, so a 100k listing
#: never exists as one giant list of lists or one giant string.
CHUNK = 2000


def _encode(images: Iterable[Image]) -> tuple[bytes, int]:
    """zlib of JSON lines, each an array of up to CHUNK rows (one array per image)."""
    names = _FIELDS
    packer = zlib.compressobj(1)
    parts: list[bytes] = []
    count = 0
    batch: list[list[Any]] = []

    def flush() -> None:
        line = json.dumps(batch, separators=(",", ":"), ensure_ascii=False) + "\n"
        parts.append(packer.compress(line.encode()))
        batch.clear()

    with _gc_paused():
        for img in images:
            batch.append([getattr(img, n) for n in names])
            count += 1
            if len(batch) == CHUNK:
                flush()
        if batch or not count:
            flush()
    parts.append(packer.flush())
    return b"".join(parts), count


def _decode(data: bytes, columns: list[str]) -> list[Image]:
    """Decompress and parse a line (CHUNK rows) at a time: no transient copy of it all."""
    images: list[Image] = []
    unpacker = zlib.decompressobj()
    pending = b""
    with _gc_paused():
        for start in range(0, len(data), 1 << 16):
            pending += unpacker.decompress(data[start : start + (1 << 16)])
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if line.strip():
                    images += _rows_to_images(json.loads(line), columns)
        pending += unpacker.flush()
        if pending.strip():
            images += _rows_to_images(json.loads(pending), columns)
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
        """Replace the scope's cached listing; returns how many images were saved."""
        if self._conn is None:
            return 0
        data, count = _encode(images)
        key = _key(scope_key)
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO inventory"
                " (endpoint, account, region, owners, saved_at, count, columns, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, self._clock(), count, json.dumps(_FIELDS), data),
            )
        return count

    def load(self, scope_key: Sequence[str | None]) -> tuple[list[Image], float] | None:
        """The scope's cached images and when they were saved, or None (miss)."""
        if self._conn is None:
            return None
        key = _key(scope_key)
        with self._lock:
            row = self._conn.execute(
                "SELECT saved_at, columns, data FROM inventory"
                " WHERE endpoint = ? AND account = ? AND region = ? AND owners = ?",
                key,
            ).fetchone()
        if row is None:
            return None
        saved_at, columns, data = row
        try:
            return _decode(data, json.loads(columns)), saved_at
        except (ValueError, TypeError, IndexError, zlib.error) as exc:
            log.warning("inventory cache entry %s unreadable (%s): ignored", key, exc)
            self.forget(scope_key)
            return None

    def forget(self, scope_key: Sequence[str | None]) -> None:
        if self._conn is None:
            return
        with self._lock:
            self._conn.execute(
                "DELETE FROM inventory"
                " WHERE endpoint = ? AND account = ? AND region = ? AND owners = ?",
                _key(scope_key),
            )

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
