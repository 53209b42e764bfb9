"""Sort orders (and tag texts) computed ahead, so a column's first sort at 100k rows does
not sort and a first tag filter does not build 100k tag texts.

Sorting 100,000 names takes 60-100 ms on a 2-core machine: one block of the UI thread
(``sorted`` holds the GIL), and a first sort that misses the 100 ms target once it is
painted. Once the rows have stopped changing, ``presort`` works out the ascending order
of each shown column (``Column.presort``: all of them) in steps of a few
milliseconds: the column's sort keys a chunk at a time, each chunk's indices sorted,
then the chunks merged (``heapq.merge``: stable, ties in the order of the chunks, so in
arrival order, exactly as ``sorted(range(n))``). The table runs the steps between other
events (``ImageTable``), and ImageRows keeps a finished order only while its rows are the
ones it was computed from (``version``).

``prefill`` then works out the texts ``field:value`` terms search for fields whose text is
built rather than read (``tag:``: each row's tag pairs joined, ~35 ms at 100k rows): a rare
tag's first keystroke scans every row to find its screenful, and paid that on the key;
then joins them into one text (term_scan.nowhere), which tells at once that a tag typed
part way (``tag:Te``) is on no row.

An order is an ``array`` of row indices (4 bytes a row, 400 kB per column at 100k rows);
the keys are dropped once sorted, so memory grows by 4 MB for the ten default columns,
and by 2-4 MB more while a column is under way (its keys, one object per distinct value).
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Generator, Iterable
from itertools import islice
from typing import TYPE_CHECKING

from amitui.ui.columns import COLUMN_BY_KEY

if TYPE_CHECKING:
    from amitui.ui.rows import ImageRows

#: Rows per step: about 1-2 ms of work a step on a quiet 2-core machine.
CHUNK = 2048
#: Fields whose filter texts are worked out ahead (``ImageRows.fill_texts``).
PREFILL_FIELDS = ("tag",)
#: Distinct keys beyond which a column's keys are taken as they come (names: all distinct)
MANY = 4096


def presort(rows: ImageRows, columns: Iterable[str]) -> Generator[None, None, None]:
    """Compute each column's ascending order in steps (yield after each); a finished order
    is handed to ``rows.keep_presorted``, which keeps it only if the rows did not change
    since this began. The caller stops stepping when they do."""
    version = rows.version
    images = rows.images
    for column in columns:
        if rows.presorted(column) is not None:
            continue
        key_of = COLUMN_BY_KEY[column].sort_key
        keys: list[object] = []
        same: dict[object, object] = {}  # one object per distinct key, while they are few
        for start in range(0, len(images), CHUNK):
            chunk = list(map(key_of, images[start : start + CHUNK]))
            if len(same) < MANY:  # a platform's 100k "linux/unix" copies: 6 MB -> one
                chunk = list(map(same.setdefault, chunk, chunk))
            keys.extend(chunk)
            yield
        del same
        key = keys.__getitem__
        runs = []  # as arrays: a list would hold an int object (28 bytes) per row
        for start in range(0, len(keys), CHUNK):
            run = sorted(range(start, min(start + CHUNK, len(keys))), key=key)  # type: ignore[arg-type]
            runs.append(array("I", run))
            yield
        order = array("I")
        merged = heapq.merge(*runs, key=key)  # type: ignore[arg-type]
        while piece := list(islice(merged, CHUNK)):
            order.extend(piece)
            yield
        rows.keep_presorted(column, version, order)


def prefill(rows: ImageRows, fields: Iterable[str] = PREFILL_FIELDS) -> Generator[None, None, None]:
    """Work out each field's filter texts for every row, a chunk per step (yield after
    each). The caller stops stepping when the rows change."""
    for field in fields:
        while not rows.fill_texts(field, CHUNK):
            yield
