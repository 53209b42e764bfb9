"""The inventory's cache: show the last listing at once, save each fresh one.

Mixed into InventoryScreen. Cached rows are shown only until the first live page of the
same query arrives (then the live rows replace them); the status line says they are
cached and how old they are. Loading and saving run in thread workers.
"""

from __future__ import annotations

import time

from textual import work
from textual.message import Message

from amitui.aws.images import Image
from amitui.ui.columns import duration


class CachedImagesLoaded(Message):
    def __init__(self, generation: int, images: list[Image], saved_at: float) -> None:
        super().__init__()
        self.generation = generation
        self.images = images
        self.saved_at = saved_at


class InventoryCacheView:
    cached_at: float | None = None

    def cache_key(self, region: str) -> tuple[str | None, str, str, str] | None:
        account = self.app.account
        if self.app.cache is None or not account:
            return None
        return (self.settings.endpoint_url, account, region, self.app.list_query.label())

    def load_cached(self) -> None:
        """Show the cached listing of the current query, if no live page came yet."""
        if self.app.cache is not None and self.app.account and self._incoming is not None:
            self._read_cache(self.generation, self.app.regions)

    @work(thread=True, exit_on_error=False, group="cache")
    def _read_cache(self, generation: int, regions: tuple[str, ...]) -> None:
        images: list[Image] = []
        oldest = None
        for region in regions:
            key = self.cache_key(region)
            hit = self.app.cache.load(key) if key else None
            if hit is None:
                return  # show a cache only when it covers every region listed
            images += hit[0]
            oldest = hit[1] if oldest is None else min(oldest, hit[1])
        if images and oldest is not None:
            self.post_message(CachedImagesLoaded(generation, images, oldest))

    def on_cached_images_loaded(self, message: CachedImagesLoaded) -> None:
        if message.generation != self.generation or self._incoming is None:
            return  # a live page got here first
        if self.rows.total:  # the previous query's rows: replace them with the cached ones
            self.rows.clear()
        self.rows.extend(message.images)
        self.cached_at = message.saved_at
        self.table_changed()

    def save_cache(self, region: str) -> None:
        key = self.cache_key(region)
        if key is not None:
            images = [i for i in self.rows.images if i.region == region]
            self._write_cache(key, images)

    # A description of our own: by default Textual builds one from repr() of every
    # argument, which for 100k images is a ~100 MB string (it was the cache's memory peak).
    @work(thread=True, exit_on_error=False, group="cache-save", description="save cache")
    def _write_cache(self, key, images: list[Image]) -> None:
        try:
            self.app.cache.save(key, images)
        except Exception as exc:  # disposable: say so, and carry on without it
            self.app.call_from_thread(
                self.notify, f"Could not save the inventory cache: {exc}", severity="warning"
            )

    def cache_note(self) -> str | None:
        if self.cached_at is None:
            return None
        return f"cached {duration(time.time() - self.cached_at)} ago · refreshing"
