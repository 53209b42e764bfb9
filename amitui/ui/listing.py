"""The inventory's listing rules, in plain Python (no Textual): InventoryScreen is a view of it.

A listing is one query of every region (with --accounts, of every ``account/region``
place: "region" below means a place; Image.place says which a row came from). Each
``begin`` starts a new *generation*; pages, cached rows and ends of an older generation
are ignored. The rows on screen stay until the first live page of the new generation
arrives (then the incoming rows replace them: "adopted"); cached rows of the same query may
fill the wait. A region whose listing fails keeps the rows it had before (a dead endpoint
never empties the table); the rows are saved to the cache once every region answered,
except the failed ones and unless cached rows are still what is shown.

Garbage collection is not this module's business: see amitui/ui/collector.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from amitui.aws.images import Image, ListQuery
from amitui.ui.rows import ImageRows


@dataclass(slots=True)
class PageShown:
    """What the view does after a page. ``adopted``: the rows object changed (give it to
    the table, its cursor on ``adopt_keep``); then ``keep`` is the image the cursor should
    stay on (None: wherever it is)."""

    adopted: bool
    adopt_keep: Image | None
    keep: Image | None


@dataclass(slots=True)
class RegionEnded:
    """A region answered its last page or failed. ``done``: every region has; ``save``: the
    regions whose live rows go to the cache now; ``errors``: every failure so far."""

    done: bool
    errors: dict[str, str]
    save: list[str] = field(default_factory=list)
    #: the incoming (empty) rows replaced the shown ones: give them to the table
    adopted: bool = False
    adopt_keep: Image | None = None


class Listing:
    def __init__(self) -> None:
        self.rows = ImageRows()
        self.generation = 0
        self.regions: tuple[str, ...] = ()
        #: region -> pages loaded so far, while that region is loading
        self.pages_by_region: dict[str, int] = {}
        self.errors: dict[str, str] = {}
        self.started_at = 0.0
        self.finished_in: float | None = None
        #: when the cached rows shown were saved (None: the rows are live)
        self.cached_at: float | None = None
        #: while cached rows are shown: how many the cached listing holds, and how many of
        #: them were read so far (they arrive a chunk at a time, the first screenful first)
        self.cached_total = 0
        self.cached_read = 0
        self._cached_generation: int | None = None  # the listing the cached rows stream into
        self._incoming: ImageRows | None = None
        self._keep: Image | None = None
        # The images shown when this listing began (just the list: not their haystacks
        # and sort keys, which a 100k table would otherwise hold twice while it reloads).
        self._before: list[Image] | None = None
        #: regions whose listing the user stopped (esc) before it ended: their rows are partial
        self.stopped: tuple[str, ...] = ()
        self._rows_query: ListQuery | None = None  # the query the live rows answer
        self._listing_query: ListQuery | None = None  # the query being listed
        #: the cached rows the live ones replaced, by image id, while the listing runs: a
        #: live image equal to its cached one (same place too) is kept as that object
        #: (see ``_reuse``)
        self._replaced: dict[str, Image] | None = None

    @property
    def loading(self) -> bool:
        return bool(self.pages_by_region)

    @property
    def waiting_for_first_page(self) -> bool:
        """No live page of this generation was adopted yet (cached rows may stand in)."""
        return self._incoming is not None

    def begin(self, regions: Iterable[str], query: ListQuery, keep: Image | None = None) -> int:
        """Start listing ``query`` in ``regions``; returns the new generation."""
        self.generation += 1
        self._replaced = None
        self._cached_generation = None  # cached rows still on their way are not wanted now
        self.cached_total = self.cached_read
        # A refresh of the same query keeps the rows of a region that fails.
        same = self._rows_query == query or not self.rows.total
        self._before = self.rows.images if same else None
        self._listing_query = query
        self._incoming = ImageRows()
        self._incoming.query = self.rows.query
        self._incoming.sort_by(self.rows.sort_column, self.rows.sort_reverse)
        self._keep = keep
        self.regions = tuple(regions)
        self.pages_by_region = {region: 0 for region in self.regions}
        self.errors = {}
        self.stopped = ()
        self.started_at = time.perf_counter()
        self.finished_in = None
        return self.generation

    def page_loaded(
        self, generation: int, region: str, images: list[Image], page: int, current: Image | None
    ) -> PageShown | None:
        """A page of live images; ``current`` is the image under the table's cursor.
        None: the page is of an older generation (ignored)."""
        if generation != self.generation:
            return None
        adopted = self._incoming is not None
        adopt_keep = None
        if self._replaced:
            self._reuse(images)
        if self._incoming is not None:
            self._incoming.extend(images)
            adopt_keep = self._keep or current
            self._adopt()
        else:
            self.rows.extend(images)
        keep = None
        if (
            self._keep is not None
            and self.rows.row_of(self._keep.image_id, self._keep.region) is not None
        ):
            keep, self._keep = self._keep, None
        self.pages_by_region[region] = page
        return PageShown(adopted, adopt_keep, keep)

    def _reuse(self, images: list[Image]) -> None:
        """Put the cached image in the place of each live one equal to it. The cached rows
        are mostly what the live listing brings again: kept, they become the live rows and
        each page's fresh copies are freed at once (into the same memory the next page
        takes). Freed instead, 100k cached rows left their memory to the allocator, which
        gave little of it to the live rows: the peak of a start with a filled cache was
        ~30 MB above one without."""
        replaced = self._replaced
        assert replaced is not None
        for n, image in enumerate(images):
            cached = replaced.pop(image.image_id, None)
            if cached is not None and cached == image:
                images[n] = cached

    def _adopt(self) -> None:
        assert self._incoming is not None
        if self.cached_at is not None:  # cached rows shown: the live ones replace them
            self._replaced = {i.image_id: i for i in self.rows.images}
        self.rows = self._incoming
        self._rows_query = self._listing_query
        self._incoming = None
        self._forget_cached()
        self._keep_rows_of_failed(set(self.errors))

    def _keep_rows_of_failed(self, regions: set[str]) -> None:
        """A region whose listing failed keeps the rows it had before this listing."""
        before = self._before
        if before is None or before is self.rows.images or not regions:
            return  # no live page was adopted yet: the table still shows what it had
        have = {(i.place, i.image_id) for i in self.rows.images if i.place in regions}
        kept = [i for i in before if i.place in regions and (i.place, i.image_id) not in have]
        if kept:
            self.rows.extend(kept)

    def region_finished(
        self, generation: int, region: str, error: str | None, current: Image | None
    ) -> RegionEnded | None:
        """A region's listing ended (``error``: it failed); ``current`` is the image under
        the table's cursor. None: an older generation (ignored)."""
        if generation != self.generation:
            return None
        self.pages_by_region.pop(region, None)
        if error:
            self.errors[region] = error
            self._keep_rows_of_failed({region})
        ended = RegionEnded(done=not self.pages_by_region, errors=dict(self.errors))
        if ended.done:
            self._replaced = None  # (cached rows no live page brought again are gone)
            self.finished_in = time.perf_counter() - self.started_at
            if self._incoming is not None:  # every region answered with nothing (or failed)
                if not self.errors:
                    ended.adopted, ended.adopt_keep = True, self._keep or current
                    self._adopt()
                self._incoming = None
            self._keep = None
            self._before = None
            if self.cached_at is None:  # the rows are live: remember them for next time
                ended.save = [r for r in self.regions if r not in self.errors]
        return ended

    def stop(self) -> tuple[str, ...]:
        """The user stopped this listing: the rows shown so far stay (partial, and not
        saved to the cache), pages still on their way are ignored. The regions stopped."""
        stopped = tuple(self.pages_by_region)
        if not stopped:
            return ()
        self.generation += 1  # late pages and ends of the stopped listing are ignored
        self._replaced = None
        self.pages_by_region.clear()
        self.stopped = stopped
        self.finished_in = None
        self._incoming = None  # no live page yet: what was shown stays shown
        self._keep = None
        self._before = None
        return stopped

    def cached_loaded(
        self, generation: int, images: list[Image], saved_at: float, total: int | None = None
    ) -> bool:
        """The first cached rows of this listing's query (``total``: how many the cached
        listing holds, the rest following through ``cached_more``): shown only while no
        live page came. Returns whether they are shown."""
        if generation != self.generation or self._incoming is None:
            return False  # a live page got here first
        if self.rows.total:  # the previous query's rows: replace them with the cached ones
            self.rows.clear()
        elif self._before is self.rows.images:
            # Nothing was shown when this listing began: nothing to keep for a region that
            # fails. (Kept, this list would take in the cached rows and hold them, 100k
            # images, until the live listing ends: the peak of a cached start.)
            self._before = None
        self.rows.extend(images)
        self.cached_at = saved_at
        self._cached_generation = generation
        self.cached_read = len(images)
        self.cached_total = len(images) if total is None else total
        return True

    def cached_more(self, generation: int, images: list[Image]) -> bool:
        """More rows of the cached listing shown: added while it is still what is shown.
        Returns whether they were (False: a live page replaced the cached rows; stop)."""
        if not self.showing_cached(generation):
            return False
        self.rows.extend(images)
        self.cached_read += len(images)
        return True

    def showing_cached(self, generation: int) -> bool:
        """The cached rows shown are those of listing ``generation`` (no live page replaced
        them, and no other listing began): more of them are still wanted."""
        return self.cached_at is not None and self._cached_generation == generation

    @property
    def reading_cache(self) -> bool:
        """Cached rows are shown and more of them are on their way."""
        return self._cached_generation is not None and self.cached_read < self.cached_total

    def drop_cached(self) -> bool:
        """Stop showing the cached rows (they are another account's, or the cached listing
        turned out damaged part way): the table is empty until the live rows come. Returns
        whether there were cached rows to drop."""
        if self.cached_at is None:
            return False
        self.rows.clear()
        self._before = None  # nothing of them is kept for a failing region either
        self._forget_cached()
        return True

    def _forget_cached(self) -> None:
        self.cached_at = self._cached_generation = None
        self.cached_total = self.cached_read = 0

    def drop_other_places(self, places: Iterable[str]) -> int:
        """Drop the rows (shown, and kept for a failing place) listed anywhere but
        ``places``: the account picker left their accounts out. How many rows went."""
        keep = set(places)
        if self._before is not None:
            self._before = [i for i in self._before if i.place in keep]
        kept = [i for i in self.rows.images if i.place in keep]
        dropped = self.rows.total - len(kept)
        if dropped:
            self.rows.finish()
            self.rows.clear()
            self.rows.extend(kept)
        return dropped

    def region_images(self, region: str) -> list[Image]:
        """The rows listed in ``region`` (a place: ``account/region`` with --accounts)."""
        return [i for i in self.rows.images if i.place == region]

    def set_filter(self, text: str, first: int | None) -> None:
        """Filter the rows shown (``first``: the rows to find now; the rest is scanned in
        steps by the table) and the rows on their way."""
        self.rows.set_filter(text, first=first)
        if self._incoming is not None:
            self._incoming.set_filter(text)

    def sort_changed(self) -> None:
        """The shown rows were sorted: the incoming ones follow."""
        if self._incoming is not None:
            self._incoming.sort_by(self.rows.sort_column, self.rows.sort_reverse)
