"""The inventory's cache: the last listing of the current query shown at once (until the
first live page replaces it), and each fresh listing saved — both in thread workers of the
screen that owns it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from amitui.aws.images import Image
from amitui.ui.messages import CachedImagesLoaded

if TYPE_CHECKING:
    from amitui.ui.screens.inventory import InventoryScreen


class CachedListing:
    def __init__(self, screen: InventoryScreen) -> None:
        self.screen = screen

    def key(self, region: str) -> tuple[str | None, str, str, str] | None:
        """The cache key of a listed place: a region, or ``account/region`` (--accounts:
        each account's listing is kept on its own)."""
        screen = self.screen
        account = screen.session.account
        if "/" in region:
            account, _, region = region.rpartition("/")
        if screen.services.cache is None or not account:
            return None
        query = screen.session.list_query.label()
        return (screen.services.settings.endpoint_url, account, region, query)

    def load(self) -> None:
        """Show the cached listing of the current query, if no live page came yet."""
        screen = self.screen
        if (
            screen.services.cache is not None
            and screen.session.account
            and screen.listing.waiting_for_first_page
        ):
            generation, regions = screen.listing.generation, screen.listing.regions
            screen.run_worker(
                lambda: self._read(generation, regions),
                thread=True,
                exit_on_error=False,
                group="cache",
                description="read cache",
            )

    def _read(self, generation: int, regions: tuple[str, ...]) -> None:
        cache = self.screen.services.cache
        images: list[Image] = []
        oldest = None
        for region in regions:
            key = self.key(region)
            hit = cache.load(key) if key and cache else None
            if hit is None:
                return  # show a cache only when it covers every region listed
            images += hit[0]
            oldest = hit[1] if oldest is None else min(oldest, hit[1])
        if images and oldest is not None:
            self.screen.post_message(CachedImagesLoaded(generation, images, oldest))

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
