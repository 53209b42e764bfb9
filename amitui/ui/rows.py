"""The inventory's data model: all rows, their sort order and the rows the filter keeps.

Pure Python (no Textual), so it is measured and tested on its own. Built for 100k rows:
one lowercase haystack per row, column values lowercased lazily and only for the columns
a query names, incremental filtering when a query narrows the previous one (rescan the
rows shown) or widens it (scan only the rows hidden), and timsort merges when pages
arrive into a sorted table.

A keystroke in the filter costs one pass per query term over the candidate rows, and each
pass runs in C (``map``/``compress`` over the haystacks): no Python loop per row. The
filter scans candidates in display order, so its result *is* the new ``visible`` list; the
per-row match flags are derived from it only when a sort or a replaced row needs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import suppress
from itertools import compress, repeat
from operator import not_

from amitui.aws.images import Image
from amitui.ui.columns import COLUMN_BY_KEY, haystack, haystacks, tags_text
from amitui.ui.query import Query, Term, parse_query


def _field_texts(field: str, images: Sequence[Image]) -> list[str]:
    """The lowercase text ``field:value`` terms search, one per image."""
    if field == "tag":  # "\0key=value\0key=value": "\0team=" finds a key, never a key suffix
        return ["\x00" + tags_text(i).lower() if i.tags else "\x00" for i in images]
    if field == "description":
        return [i.description.lower() for i in images]
    return [text.lower() for text in map(COLUMN_BY_KEY[field].cell, images)]


def _keep(candidates: Sequence[int], values: list[str], term: Term) -> list[int]:
    """The candidates (in their order) whose value contains the term's needle, or not."""
    needle = term.needle
    hits: Iterable[bool] = map(
        str.__contains__, map(values.__getitem__, candidates), repeat(needle)
    )
    if term.negated:
        hits = map(not_, hits)
    return list(compress(candidates, hits))


class ImageRows:
    def __init__(self) -> None:
        self.images: list[Image] = []
        self._hay: list[str] = []
        self._field_cache: dict[str, list[str]] = {}
        self._sort_cache: dict[str, list[object]] = {}
        #: 1 per row the query keeps; None while only ``visible`` knows (after a filter)
        self._match: bytearray | None = bytearray()
        self.order: list[int] = []
        self.visible: list[int] = []
        self.query = Query()
        self.sort_column: str | None = None
        self.sort_reverse = False
        self._index: dict[str, dict[str, int]] = {}  # region -> image id -> row index

    # -- size -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.visible)

    @property
    def total(self) -> int:
        return len(self.images)

    def image_at(self, visible_row: int) -> Image:
        return self.images[self.visible[visible_row]]

    def row_of(self, image_id: str, region: str | None = None) -> int | None:
        """The visible row showing ``image_id`` (in ``region`` if given), or None."""
        regions = [region] if region is not None else list(self._index)
        rows = []
        for name in regions:
            index = self._index.get(name, {}).get(image_id)
            if index is not None:
                with suppress(ValueError):  # ValueError: filtered out
                    rows.append(self.visible.index(index))  # a scan in C
        return min(rows, default=None)

    # -- loading ----------------------------------------------------------------------

    def clear(self) -> None:
        query, column, reverse = self.query, self.sort_column, self.sort_reverse
        self.__init__()
        self.query, self.sort_column, self.sort_reverse = query, column, reverse

    def extend(self, images: Iterable[Image]) -> None:
        """Add rows (a page as it arrives); replaces a row with the same id and region."""
        start = len(self.images)
        fresh: list[Image] = []
        replaced = False
        for image in images:
            ids = self._index.setdefault(image.region, {})
            existing = ids.get(image.image_id)
            if existing is not None:
                self._replace(existing, image)
                replaced = True
            else:
                ids[image.image_id] = start + len(fresh)
                fresh.append(image)
        if not fresh:
            self._rebuild_visible()
            return
        self.images.extend(fresh)
        self._hay.extend(haystacks(fresh))
        for field, values in self._field_cache.items():
            values.extend(_field_texts(field, fresh))
        for column, keys in self._sort_cache.items():
            keys.extend(map(COLUMN_BY_KEY[column].sort_key, fresh))
        new = range(start, len(self.images))
        kept = self._filter(new, self.query)
        self.order.extend(new)
        if replaced or self.sort_column is not None:
            match = self._matches()
            match.extend(bytes(len(self.images) - len(match)))
            for index in kept:
                match[index] = 1
            if self.sort_column is not None:
                self._sort_order()
            self._rebuild_visible()
        else:  # arrival order: the new rows simply go after the visible ones
            self.visible.extend(kept)
            self._match = None

    def _replace(self, index: int, image: Image) -> None:
        self.images[index] = image
        self._hay[index] = haystack(image)
        for field, values in self._field_cache.items():
            values[index] = _field_texts(field, [image])[0]
        for column, keys in self._sort_cache.items():
            keys[index] = COLUMN_BY_KEY[column].sort_key(image)
        self._matches()[index] = 1 if self._filter([index], self.query) else 0

    def remove(self, image_id: str, region: str) -> bool:
        """Drop one row (after a deregister). Rebuilds indices: rare, so O(n) is fine."""
        index = self._index.get(region, {}).get(image_id)
        if index is None:
            return False
        keep = [i for i in range(len(self.images)) if i != index]
        images = [self.images[i] for i in keep]
        self.clear()
        self.extend(images)
        return True

    # -- filtering --------------------------------------------------------------------

    def _values(self, field: str | None) -> list[str]:
        if field is None:
            return self._hay
        values = self._field_cache.get(field)
        if values is None:
            values = self._field_cache[field] = _field_texts(field, self.images)
        return values

    def _filter(
        self, candidates: Sequence[int], query: Query, known: tuple[Term, ...] = ()
    ) -> list[int]:
        """The candidates every term of ``query`` keeps, in the candidates' order.

        Terms in ``known`` are already true of every candidate, so they are not scanned.
        """
        kept = list(candidates)
        for term in query.terms:
            if not kept:
                break
            if term not in known:
                kept = _keep(kept, self._values(term.field), term)
        return kept

    def _matches(self) -> bytearray:
        """The per-row match flags, derived from ``visible`` if a filter left them stale."""
        if self._match is None:
            match = self._match = bytearray(len(self.images))
            for index in self.visible:
                match[index] = 1
        return self._match

    def set_filter(self, text: str) -> None:
        query = parse_query(text)
        if query == self.query:
            return
        previous, self.query = self.query, query
        if query.refines(previous):  # narrower: only the rows shown can stay
            # ("al2023 a" after "al2023": every row shown has "al2023", scan for "a" only)
            self.visible = self._filter(self.visible, query, known=previous.terms)
        elif not previous.empty and previous.refines(query):
            # Wider (a negation grew, "!wi" -> "!win"; a character erased): the rows shown
            # stay, and only the hidden ones are scanned.
            shown = set(self.visible)
            hidden = list(compress(self.order, map(not_, map(shown.__contains__, self.order))))
            shown.update(self._filter(hidden, query))
            self.visible = list(compress(self.order, map(shown.__contains__, self.order)))
        else:
            self.visible = self._filter(self.order, query)
        self._match = None  # both paths keep display order: what the filter kept is shown

    # -- sorting ----------------------------------------------------------------------

    def sort_by(self, column: str | None, reverse: bool = False) -> None:
        self.sort_column, self.sort_reverse = column, reverse
        if column is None:
            self.order = list(range(len(self.images)))
        else:
            self._sort_order()
        self._rebuild_visible()

    def _sort_order(self) -> None:
        assert self.sort_column is not None
        keys = self._sort_cache.get(self.sort_column)
        if keys is None:
            key_of = COLUMN_BY_KEY[self.sort_column].sort_key
            keys = self._sort_cache[self.sort_column] = list(map(key_of, self.images))
        # Stable in both directions: ties keep arrival order either way.
        self.order.sort(key=keys.__getitem__, reverse=self.sort_reverse)

    def _rebuild_visible(self) -> None:
        if self.query.empty:
            self.visible = list(self.order)
        else:
            self.visible = list(compress(self.order, map(self._matches().__getitem__, self.order)))
