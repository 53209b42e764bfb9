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

A filter may also run in steps (``set_filter(text, first=n)``, then ``advance``): the scan
stops once ``n`` rows are found, so the first screenful shows at once, and ``visible`` is
always a prefix of the finished result. Anything else that reads or changes the rows as a
whole (a page arriving, a sort, a removal) finishes the scan first.
"""

from __future__ import annotations

from array import array
from collections.abc import Generator, Iterable, Sequence
from contextlib import suppress
from itertools import compress
from operator import not_, or_

from amitui.aws.images import Image, place_of
from amitui.ui.columns import COLUMN_BY_KEY, haystack, haystacks
from amitui.ui.query import Query, Term, parse_query
from amitui.ui.term_scan import field_texts, joined, keep, nowhere

#: Candidates tested per step of a stepped filter (a few milliseconds at most at 100k rows).
_STEP = 2048


class ImageRows:
    def __init__(self) -> None:
        self.images: list[Image] = []
        self._hay: list[str] = []
        # field -> its lowercase text for rows 0..k-1: filled as far as a filter needs it,
        # so the first screenful of a "field:value" filter costs no pass over every row
        self._field_cache: dict[str, list[str]] = {}
        #: field -> (version, its texts joined, needle -> in no row) for the fields worked
        #: out ahead (term_scan.nowhere: asked once per needle, not once per step)
        self._joined: dict[str, tuple[int, str, dict[str, bool]]] = {}
        self._sort_cache: dict[str, list[object]] = {}
        #: column -> (version, its ascending order), worked out ahead (presort.py)
        self._presorted: dict[str, tuple[int, array[int]]] = {}
        #: changes whenever the rows do (not their filter or order)
        self.version = 0
        #: 1 per row the query keeps; None while only ``visible`` knows (after a filter)
        self._match: bytearray | None = bytearray()
        self.order: list[int] = []
        self.visible: list[int] = []
        self.query = Query()
        self.sort_column: str | None = None
        self.sort_reverse = False
        self._index: dict[str, dict[str, int]] = {}  # place -> image id -> row index
        # A filter under way: candidates still to test (display order), where the scan
        # is, the terms already true of every candidate, and rows kept without a test
        # (the previous filter's rows, a subsequence of the candidates in their order) and
        # how many of those the scan passed.
        self._todo: Sequence[int] | None = None
        self._todo_at = 0
        self._todo_known: tuple[Term, ...] = ()
        self._todo_shown: Sequence[int] | None = None
        self._todo_shown_at = 0

    # -- size -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.visible)

    @property
    def total(self) -> int:
        return len(self.images)

    def image_at(self, visible_row: int) -> Image:
        return self.images[self.visible[visible_row]]

    def row_of(
        self, image_id: str, region: str | None = None, account: str | None = None
    ) -> int | None:
        """The first visible row showing ``image_id``, listed in ``region`` and ``account``
        when given (a row per place: an image shared with several accounts is listed in
        each), or None."""
        if region is not None and account is not None:
            places = [place_of(account, region)]
        else:
            places = [
                p
                for p in self._index
                if (region is None or p.rpartition("/")[2] == region)
                and (account is None or p.rpartition("/")[0] == account)
            ]
        rows = []
        for place in places:
            index = self._index.get(place, {}).get(image_id)
            if index is not None:
                with suppress(ValueError):  # ValueError: filtered out
                    rows.append(self.visible.index(index))  # a scan in C
        return min(rows, default=None)

    # -- loading ----------------------------------------------------------------------

    def clear(self) -> None:
        query, column, reverse = self.query, self.sort_column, self.sort_reverse
        version = self.version
        self.__init__()  # type: ignore[misc]  # ImageRows has no subclasses
        self.query, self.sort_column, self.sort_reverse = query, column, reverse
        self.version = version + 1

    def extend(self, images: Iterable[Image]) -> None:
        """Add rows (a page as it arrives); replaces a row with the same id and place."""
        self.finish()
        self._changed()
        start = len(self.images)
        fresh: list[Image] = []
        replaced = False
        for image in images:
            ids = self._index.setdefault(image.place, {})
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
            if len(values) == start:  # (one filled part way stays so: filled when needed)
                values.extend(field_texts(field, fresh))
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

    def _changed(self) -> None:
        self.version += 1
        self._presorted.clear()

    def _replace(self, index: int, image: Image) -> None:
        self._changed()
        self.images[index] = image
        self._hay[index] = haystack(image)
        for field, values in self._field_cache.items():
            if index < len(values):
                values[index] = field_texts(field, [image])[0]
        for column, keys in self._sort_cache.items():
            keys[index] = COLUMN_BY_KEY[column].sort_key(image)
        self._matches()[index] = 1 if self._filter([index], self.query) else 0

    def remove(self, image_id: str, region: str, account: str = "") -> bool:
        """Drop one row (after a deregister): the image as ``account`` lists it."""
        return self.remove_many([(place_of(account, region), image_id)]) == 1

    def remove_many(self, keys: Iterable[tuple[str, str]]) -> int:
        """Drop the rows of these (place, image id): one rebuild of the indices, O(n),
        however many go (a bulk deregister's finished items arrive together). How many."""
        drop = {
            index
            for place, image_id in keys
            if (index := self._index.get(place, {}).get(image_id)) is not None
        }
        if not drop:
            return 0
        self.finish()
        images = [image for i, image in enumerate(self.images) if i not in drop]
        self.clear()
        self.extend(images)
        return len(drop)

    # -- filtering --------------------------------------------------------------------

    def fill_texts(self, field: str, count: int) -> bool:
        """Work out ``count`` more rows' texts for ``field:value`` terms ahead of a filter
        (presort.py, between events), then their joined text (term_scan.nowhere). True
        once both are."""
        values = self._field_cache.setdefault(field, [])
        done = len(values)
        if done < len(self.images):
            values += field_texts(field, self.images[done : done + count])
            return False
        if not self.texts_joined(field):
            self._joined[field] = (self.version, joined(values), {})
        return True

    def texts_ready(self, field: str) -> bool:
        """Whether every row's texts for ``field:value`` terms are worked out."""
        return len(self._field_cache.get(field, ())) >= len(self.images)

    def texts_joined(self, field: str) -> bool:
        """Whether the texts of every row as they are now are joined (``fill_texts``)."""
        every = self._joined.get(field)
        return every is not None and every[0] == self.version

    def _values(self, field: str | None, rows: Sequence[int]) -> list[str]:
        """The texts a term on ``field`` searches, computed at least for ``rows``."""
        if field is None:
            return self._hay
        values = self._field_cache.setdefault(field, [])
        need = max(rows) + 1
        if len(values) < need:
            values += field_texts(field, self.images[len(values) : need])
        return values

    def _filter(
        self, candidates: Sequence[int], query: Query, known: tuple[Term, ...] = ()
    ) -> list[int]:
        """The candidates every term of ``query`` keeps, in the candidates' order.

        Terms in ``known`` are already true of every candidate, so they are not scanned,
        nor are those whose needle is in no row at all (``term_scan.nowhere``).
        """
        kept = list(candidates)
        for term in query.terms:
            if not kept:
                break
            if term not in known:
                field = f"{term.field}@date" if term.op else term.field
                if self._nowhere(field, term):
                    if term.negated:
                        continue  # true of every row
                    return []
                kept = keep(kept, self._values(field, kept), term)
        return kept

    def _nowhere(self, field: str | None, term: Term) -> bool:
        """Whether the term's needle is known to be in no row (``texts_joined`` fields)."""
        every = self._joined.get(field) if field else None
        if every is None or every[0] != self.version:
            return False
        _, text, known = every
        found = known.get(term.needle)
        if found is None:
            if len(known) >= 256:  # (needles typed since the rows last changed)
                known.clear()
            found = known[term.needle] = nowhere(term, text)
        return found

    def _matches(self) -> bytearray:
        """The per-row match flags, derived from ``visible`` if a filter left them stale."""
        if self._match is None:
            match = self._match = bytearray(len(self.images))
            for index in self.visible:
                match[index] = 1
        return self._match

    @property
    def filtering(self) -> bool:
        """True while a stepped filter has candidates left: ``visible`` is not final yet."""
        return self._todo is not None

    def set_filter(self, text: str, *, first: int | None = None) -> None:
        """Filter by ``text``; with ``first``, stop once that many rows are visible (or the
        scan ends) and leave the rest to ``advance``/``finish``."""
        query = parse_query(text)
        if query != self.query:
            previous, self.query = self.query, query
            self._match = None  # every path keeps display order: what is kept is shown
            if self._todo is not None:  # the previous filter is still under way
                if query.refines(previous) and self._todo_shown is None:
                    # what it found is narrowed now; its remaining candidates are tested
                    # against the new query when the scan reaches them
                    self.visible = self._filter(self.visible, query, known=previous.terms)
                else:
                    self._scan(self.order)
            elif query.refines(previous):
                # narrower: only the rows shown can stay ("al2023 a" after "al2023": every
                # row shown has "al2023", so scan them for "a" only)
                self._scan(self.visible, known=previous.terms)
            elif not previous.empty and previous.refines(query):
                # wider (a negation grew, "!wi" -> "!win"; a character erased): the rows
                # shown stay without a test, and only the hidden ones are scanned
                self._scan(self.order, shown=self.visible)
            else:
                self._scan(self.order)
        if first is None:
            self.finish()
        else:
            while self._todo is not None and len(self.visible) < first:
                self.advance(_STEP)

    def _scan(
        self,
        candidates: Sequence[int],
        known: tuple[Term, ...] = (),
        shown: Sequence[int] | None = None,
    ) -> None:
        self.visible = []
        self._todo, self._todo_at, self._todo_known, self._todo_shown = candidates, 0, known, shown
        self._todo_shown_at = 0

    def advance(self, count: int) -> None:
        """Test up to ``count`` more candidates of a filter under way."""
        todo = self._todo
        if todo is None:
            return
        end = min(self._todo_at + count, len(todo))
        chunk = todo[self._todo_at : end]
        shown = self._todo_shown
        if shown is None:
            kept = self._filter(chunk, self.query, self._todo_known)
        else:
            # The shown rows in this chunk are the next ones of ``shown`` (both lists are in
            # display order), so a set of as many of them as the chunk has rows tells them
            # apart: no set of every shown row (~90k for a negation) on the keystroke.
            at = self._todo_shown_at
            near = set(shown[at : at + len(chunk)])
            stays = list(map(near.__contains__, chunk))
            self._todo_shown_at = at + sum(stays)
            passed = set(self._filter(list(compress(chunk, map(not_, stays))), self.query))
            kept = list(compress(chunk, map(or_, stays, map(passed.__contains__, chunk))))
        self.visible += kept
        self._todo_at = end
        if end == len(todo):
            self._todo = self._todo_shown = None

    def filter_steps(self, count: int) -> Generator[None, None, None]:
        """The rest of a filter under way, ``count`` candidates a step."""
        while self._todo is not None:
            self.advance(count)
            yield

    def finish(self) -> None:
        """Finish a filter under way (``visible`` is then final)."""
        if self._todo is not None:
            self.advance(len(self._todo))

    # -- sorting ----------------------------------------------------------------------

    def sort_by(self, column: str | None, reverse: bool = False) -> None:
        self.finish()
        same_column = column == self.sort_column
        self.sort_column, self.sort_reverse = column, reverse
        if column is None:
            self.order = list(range(len(self.images)))
        else:
            self._sort_order(fresh=not same_column)
        self._rebuild_visible()

    def _sort_order(self, fresh: bool = False) -> None:
        """Sort ``order`` by the sort column. Stable in both directions: ties keep arrival
        order either way. Pages arriving and a flipped direction re-sort the current order
        (timsort merges its runs in linear time); another column sorts the rows from
        arrival order (``fresh``), which reads the keys in memory order: ~20% faster at
        100k rows than sorting the previous column's order."""
        assert self.sort_column is not None
        ahead = self.presorted(self.sort_column) if fresh and not self.sort_reverse else None
        if ahead is not None:
            self.order = ahead.tolist()
            return
        keys = self._sort_cache.get(self.sort_column)
        if keys is None:
            key_of = COLUMN_BY_KEY[self.sort_column].sort_key
            keys = self._sort_cache[self.sort_column] = list(map(key_of, self.images))
        if fresh:
            self.order = sorted(
                range(len(keys)),
                key=keys.__getitem__,  # type: ignore[arg-type]  # a list's, not a slice's
                reverse=self.sort_reverse,
            )
        else:
            self.order.sort(key=keys.__getitem__, reverse=self.sort_reverse)  # type: ignore[arg-type]

    def presorted(self, column: str) -> array[int] | None:
        """The column's ascending order worked out ahead for these rows, if it was."""
        ahead = self._presorted.get(column)
        return ahead[1] if ahead is not None and ahead[0] == self.version else None

    def keep_presorted(self, column: str, version: int, order: array[int]) -> None:
        """Keep an order ``presort`` worked out, if the rows are still those of ``version``."""
        if version == self.version:
            self._presorted[column] = (version, order)

    def _rebuild_visible(self) -> None:
        if self.query.empty:
            self.visible = list(self.order)
        else:
            self.visible = list(compress(self.order, map(self._matches().__getitem__, self.order)))
