"""The inventory's cache: the last listing of the current query shown at once (until the
first live page replaces it), and each fresh listing saved — both in thread workers of the
screen that owns it.

A cached listing arrives a chunk at a time (2,000 rows, decoded in the worker; the first
holds 250, a few screenfuls), and the status line says how much of it was read until the
rest is in. At launch the first chunk may already be there (amitui.cached_start: read
before the UI loaded, for the account the profile last signed in to): it is shown as the
screen mounts, and the rest is read once it is painted. When AWS names the account, the
rows of another account are dropped and that account's cached listing is read instead.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from amitui.aws.images import Image
from amitui.cached_start import AFTER_PAINT, CachedStart
from amitui.inventory_cache import CachedEntry, UnreadableEntry
from amitui.ui.messages import CachedImagesLoaded

if TYPE_CHECKING:
    from amitui.ui.screens.inventory import InventoryScreen


class CachedListing:
    def __init__(self, screen: InventoryScreen) -> None:
        self.screen = screen
        #: the cached start not used yet (it is used once, by the first listing)
        self._start: CachedStart | None = screen.services.start
        #: the account whose cached rows are shown or on their way (None: none)
        self.account: str | None = None
        #: the current read; a read whose number is not this one stops (see ``_wanted``)
        self._read_number = 0

    def key(
        self, region: str, account: str | None = None
    ) -> tuple[str | None, str, str, str] | None:
        """The cache key of a listed place: a region, or ``account/region`` (--accounts:
        each account's listing is kept on its own)."""
        screen = self.screen
        account = account or screen.session.account
        if "/" in region:
            account, _, region = region.rpartition("/")
        if screen.services.cache is None or not account:
            return None
        query = screen.session.list_query.label()
        return (screen.services.settings.endpoint_url, account, region, query)

    def load(self) -> bool:
        """Show the cached listing of the current query, if no live page came yet. Returns
        True when its first rows are shown already (the cached start's): the caller lets
        them be painted before starting work that holds the GIL for long."""
        screen = self.screen
        listing = screen.listing
        known = screen.session.account
        if self.account is not None and listing.showing_cached(listing.generation):
            if known is None or known == self.account:
                return False  # the right account's rows are shown (or not known yet)
            listing.drop_cached()  # another account's: AWS just said whose these are
            self.account = None
            self._read_number += 1
            screen.table_changed()
        start, self._start = self._start, None
        if start is not None and listing.waiting_for_first_page:
            query = screen.session.list_query.label()
            first, entries = start.first, start.entries
            start.release()  # used once: only the stream below keeps the entries
            if start.fits(listing.regions, query, known):
                generation = listing.generation
                if listing.cached_loaded(generation, first, start.saved_at, start.count):
                    self.account = start.account
                    self._read_number += 1
                    number = self._read_number
                    screen.table_changed()
                    later = partial(self._stream_later, number, generation, entries)
                    screen.call_after_refresh(screen.set_timer, AFTER_PAINT, later)
                    return True
        elif start is not None:
            start.release()
        if screen.services.cache is not None and known and listing.waiting_for_first_page:
            generation, regions = listing.generation, listing.regions
            self.account = known
            self._read_number += 1
            number = self._read_number
            screen.run_worker(
                lambda: self._read(number, generation, regions, known),
                thread=True,
                exit_on_error=False,
                group="cache",
                description="read cache",
            )
        return False

    def _wanted(self, number: int, generation: int) -> bool:
        """Whether read ``number`` of listing ``generation`` should go on (read from its
        thread: at worst one chunk more is decoded, and then refused by the listing)."""
        listing = self.screen.listing
        return number == self._read_number and (
            listing.showing_cached(generation)
            or (listing.waiting_for_first_page and listing.generation == generation)
        )

    def _stream_later(self, number: int, generation: int, entries: tuple[CachedEntry, ...]) -> None:
        """The rest of the cached start, once its first chunk is painted."""
        if not self._wanted(number, generation):
            return
        self.screen.run_worker(
            lambda: self._stream(number, generation, entries, skip_first=True),
            thread=True,
            exit_on_error=False,
            group="cache",
            description="read cache",
        )

    def _read(self, number: int, generation: int, regions: tuple[str, ...], account: str) -> None:
        cache = self.screen.services.cache
        entries = []
        for region in regions:
            key = self.key(region, account)
            entry = cache.entry(key) if key and cache else None
            if entry is None:
                return  # show a cache only when it covers every region listed
            entries.append(entry)
        if any(entry.count for entry in entries):
            self._stream(number, generation, tuple(entries), skip_first=False)

    def _stream(
        self, number: int, generation: int, entries: tuple[CachedEntry, ...], *, skip_first: bool
    ) -> None:
        """Decode the entries a chunk at a time (in this thread), each chunk posted as it
        is; stop once the cached rows are no longer wanted (a live page came)."""
        screen = self.screen
        saved_at = min(entry.saved_at for entry in entries)
        total = sum(entry.count for entry in entries)
        first = not skip_first
        for entry in entries:
            for index in range(len(entry.chunks)):
                if skip_first:
                    skip_first = False
                    continue
                if not self._wanted(number, generation):
                    return
                try:
                    images = entry.chunk(index)
                except UnreadableEntry as exc:
                    cache = screen.services.cache
                    if cache is not None:
                        cache.forget_unreadable(entry.key, exc)
                    screen.post_message(CachedImagesLoaded(generation, [], saved_at, failed=True))
                    return
                screen.post_message(
                    CachedImagesLoaded(generation, images, saved_at, total=total, first=first)
                )
                first = False

    def save(self, region: str) -> None:
        key = self.key(region)
        if key is None:
            return
        images = self.screen.listing.region_images(region)
        # A description of our own: by default Textual builds one from repr() of every
        # argument, which for 100k images is a ~100 MB string (it was the cache's peak).
        self.screen.run_worker(
            lambda: self._write(key, images),
            thread=True,
            exit_on_error=False,
            group="cache-save",
            description="save cache",
        )

    def _write(self, key: tuple[str | None, str, str, str], images: list[Image]) -> None:
        cache = self.screen.services.cache
        if cache is None:
            return
        try:
            cache.save(key, images)
        except Exception as exc:  # disposable: say so, and carry on without it
            self.screen.app.call_from_thread(
                self.screen.notify, f"Could not save the inventory cache: {exc}", severity="warning"
            )
