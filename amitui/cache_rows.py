"""The inventory cache's row format: Image rows to and from zlib-compressed JSON chunks.

A chunk is up to CHUNK images (the first: FIRST_CHUNK, a few screenfuls) as one JSON array
of rows (one array per image, the values in the order of ``columns``), compressed. Encoding
and decoding work a chunk at a time, so 100,000 images never exist as one big blob, string
or list of lists, and a listing can be shown a chunk at a time as it is decoded (the first
screenfuls first).

Decoding shares what repeats: the few-valued fields are interned (as ``Image.from_api``
does), and names, descriptions, deprecation times and tag tuples are one object per
distinct value across every chunk of a listing (``Shared``): 100,000 cached images of 40,000
distinct descriptions hold 40,000 strings, not 100,000 (~15 MB less at 100k images).
Never imports textual or amitui.ui.
"""

from __future__ import annotations

import gc
import json
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from sys import intern
from typing import Any

from amitui.aws.images import Image

FIELDS = tuple(f.name for f in fields(Image))

#: Images per chunk: encoding and decoding work a chunk at a time, so a 100k listing never
#: exists as one giant list of lists, string or blob.
CHUNK = 2000
#: Images in a listing's first chunk: what a cached start decodes and paints before
#: anything else (a few screenfuls; 2,000 took ~30 ms more to decode and index first).
FIRST_CHUNK = 250

#: What a damaged chunk raises while it is decoded.
DECODE_ERRORS = (ValueError, TypeError, IndexError, zlib.error)


@contextmanager
def gc_paused() -> Iterator[None]:
    # json.loads of 100k small lists triggers the cyclic GC hundreds of times (the lists
    # hold no cycles): pausing it halves the load time.
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def encode(images: Iterable[Image]) -> Iterator[bytes]:
    """zlib-compressed JSON arrays of up to CHUNK rows (one array per image; the first of
    up to FIRST_CHUNK); at least one."""
    names = FIELDS
    batch: list[list[Any]] = []
    empty = True
    size = FIRST_CHUNK
    with gc_paused():
        for img in images:
            batch.append([getattr(img, n) for n in names])
            if len(batch) == size:
                yield _pack(batch)
                batch.clear()
                empty = False
                size = CHUNK
        if batch or empty:
            yield _pack(batch)


def _pack(rows: list[list[Any]]) -> bytes:
    return zlib.compress(json.dumps(rows, separators=(",", ":"), ensure_ascii=False).encode(), 1)


#: Fields with few distinct values: one interned string each.
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
#: Text fields that repeat across images (a family's description, a name copied to many
#: regions): one string per distinct value within a listing.
_REPEATED = ("name", "description", "deprecation_time")


class Shared:
    """One object per distinct value of the repeating fields, across a listing's chunks."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.tags: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = {}


def decode(data: bytes, columns: tuple[str, ...], shared: Shared | None = None) -> list[Image]:
    """One chunk's images. Raises one of DECODE_ERRORS if the chunk is damaged."""
    with gc_paused():
        return _rows_to_images(json.loads(zlib.decompress(data)), columns, shared or Shared())


def _rows_to_images(rows: list[list[Any]], columns: tuple[str, ...], shared: Shared) -> list[Image]:
    if columns == FIELDS:
        tags_at = FIELDS.index("tags")
        snaps_at = FIELDS.index("snapshot_ids")
        few = [FIELDS.index(name) for name in _FEW_VALUED]
        repeated = [FIELDS.index(name) for name in _REPEATED]
        same_text = shared.texts.setdefault
        same_tags = shared.tags.setdefault
        for row in rows:
            for at in few:
                if isinstance(row[at], str):
                    row[at] = intern(row[at])
            for at in repeated:
                value = row[at]
                if isinstance(value, str):
                    row[at] = same_text(value, value)
            tags = row[tags_at]
            if tags:
                tags = tuple(map(tuple, tags))
                row[tags_at] = same_tags(tags, tags)
            else:
                row[tags_at] = ()
            snaps = row[snaps_at]
            row[snaps_at] = tuple(snaps) if snaps else ()
        return [Image(*row) for row in rows]
    # Written by another version of Image: keep the columns both know, defaults elsewhere.
    known = [(i, n) for i, n in enumerate(columns) if n in FIELDS]
    out = []
    for row in rows:
        values: dict[str, Any] = {n: row[i] for i, n in known}
        if "tags" in values:
            values["tags"] = tuple(tuple(t) for t in values["tags"])
        if "snapshot_ids" in values:
            values["snapshot_ids"] = tuple(values["snapshot_ids"])
        out.append(Image(**values))
    return out
