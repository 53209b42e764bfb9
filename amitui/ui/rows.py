"""The inventory's data model: all rows, their sort order and the rows the filter keeps.

Pure Python (no Textual), so it is measured and tested on its own. Built for 100k rows:
one lowercase haystack per row, column values lowercased lazily and only for the columns
a query names, incremental filtering when a query refines the previous one, and
timsort merges when pages arrive into a sorted table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from amitui.aws.images import Image
from amitui.ui.columns import COLUMN_BY_KEY, haystack, haystacks, tags_text
from amitui.ui.query import Query, Term, parse_query


def _field_text(field: str) -> Callable[[Image], str]:
    if field == "tag":
        return lambda i: "\x00" + tags_text(i).lower()
    if field == "description":
        return lambda i: i.description.lower()
    cell = COLUMN_BY_KEY[field].cell
    return lambda i: cell(i).lower()


class ImageRows:
    def __init__(self) -> None:
        self.images: list[Image] = []
        self._hay: list[str] = []
        self._field_cache: dict[str, list[str]] = {}
        self._sort_cache: dict[str, list[object]] = {}
        self._match = bytearray()
        self.order: list[int] = []
        self.visible: list[int] = []
        self.query = Query()
        self.sort_column: str | None = None
        self.sort_reverse = False
        self._index_by_key: dict[tuple[str, str], int] = {}

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
        for row, index in enumerate(self.visible):
            image = self.images[index]
            if image.image_id == image_id and (region is None or image.region == region):
                return row
        return None

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
        index_by_key = self._index_by_key
        for image in images:
            key = (image.region, image.image_id)
            existing = index_by_key.get(key)
            if existing is not None:
                self._replace(existing, image)
                replaced = True
            else:
                index_by_key[key] = start + len(fresh)
                fresh.append(image)
        if not fresh:
            self._rebuild_visible()
            return
        self.images.extend(fresh)
        self._hay.extend(haystacks(fresh))
        for field, values in self._field_cache.items():
            text = _field_text(field)
            values.extend(text(i) for i in fresh)
        for column, keys in self._sort_cache.items():
            keys.extend(map(COLUMN_BY_KEY[column].sort_key, fresh))
        new = range(start, len(self.images))
        if self.query.empty:
            self._match.extend(b"\x01" * len(fresh))
        else:
            test = self._tester(self.query)
            self._match.extend(1 if test(i) else 0 for i in new)
        self.order.extend(new)
        if self.sort_column is not None:
            self._sort_order()
        if replaced or self.sort_column is not None:
            self._rebuild_visible()
        else:  # arrival order: the new rows simply go after the visible ones
            match = self._match
            self.visible.extend(i for i in new if match[i])

    def _replace(self, index: int, image: Image) -> None:
        self.images[index] = image
        self._hay[index] = haystack(image)
        for field, values in self._field_cache.items():
            values[index] = _field_text(field)(image)
        for column, keys in self._sort_cache.items():
            keys[index] = COLUMN_BY_KEY[column].sort_key(image)
        self._match[index] = 1 if self._tester(self.query)(index) else 0

    def remove(self, image_id: str, region: str) -> bool:
        """Drop one row (after a deregister). Rebuilds indices: rare, so O(n) is fine."""
        index = self._index_by_key.get((region, image_id))
        if index is None:
            return False
        keep = [i for i in range(len(self.images)) if i != index]
        images = [self.images[i] for i in keep]
        self.clear()
        self.extend(images)
        return True

    # -- filtering --------------------------------------------------------------------

    def _values(self, field: str) -> list[str]:
        values = self._field_cache.get(field)
        if values is None:
            text = _field_text(field)
            values = self._field_cache[field] = [text(i) for i in self.images]
        return values

    def _term_test(self, term: Term) -> Callable[[int], bool]:
        values = self._hay if term.field is None else self._values(term.field)
        needle = "\x00" + term.value if term.field == "tag" else term.value
        if term.negated:
            return lambda i: needle not in values[i]
        return lambda i: needle in values[i]

    def _tester(self, query: Query) -> Callable[[int], bool]:
        tests = [self._term_test(t) for t in query.terms]
        if not tests:
            return lambda i: True
        if len(tests) == 1:
            return tests[0]
        return lambda i: all(t(i) for t in tests)

    def set_filter(self, text: str) -> None:
        query = parse_query(text)
        if query == self.query:
            return
        previous, self.query = self.query, query
        if query.refines(previous):
            candidates: Iterable[int] = self.visible
        else:
            candidates = range(len(self.images))
            self._match = bytearray(len(self.images))
        match = self._match
        if len(query.terms) == 1 and query.terms[0].field is None and not query.terms[0].negated:
            needle, hay = query.terms[0].value, self._hay
            kept = [i for i in candidates if needle in hay[i]]
        else:
            test = self._tester(query)
            kept = [i for i in candidates if test(i)]
        if candidates is self.visible:
            for i in self.visible:
                match[i] = 0
        for i in kept:
            match[i] = 1
        self._rebuild_visible()

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
            keys = self._sort_cache[self.sort_column] = [key_of(i) for i in self.images]
        # Stable in both directions: ties keep arrival order either way.
        self.order.sort(key=keys.__getitem__, reverse=self.sort_reverse)

    def _rebuild_visible(self) -> None:
        if self.query.empty:
            self.visible = list(self.order)
        else:
            match = self._match
            self.visible = [i for i in self.order if match[i]]
