"""The inventory: the account's images, streamed page by page into the virtual table."""

from __future__ import annotations

import gc
import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from amitui.aws.errors import describe_error
from amitui.aws.images import Image, ListQuery, iter_image_pages
from amitui.ui.messages import IdentityLoaded, ImagesPageLoaded, ListingFinished
from amitui.ui.rows import ImageRows
from amitui.ui.screens.inventory_actions import InventoryActions, action_key_bindings
from amitui.ui.screens.inventory_cache import InventoryCacheView
from amitui.ui.screens.inventory_filter import InventoryFilter
from amitui.ui.screens.inventory_status import InventoryStatus
from amitui.ui.widgets.context_header import ContextHeader
from amitui.ui.widgets.image_table import ImageTable
from amitui.ui.widgets.key_footer import KeyFooter


class InventoryScreen(
    InventoryActions, InventoryCacheView, InventoryFilter, InventoryStatus, Screen
):
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear_filter"),
        Binding("ctrl+r", "refresh", "Refresh", id="refresh"),
        Binding("y", "copy_id", "Copy id", id="copy_id"),
        Binding("o", "pick_owner", "Owners", id="owners"),
        Binding("R", "pick_regions", "Regions", id="regions"),
        Binding("D", "toggle_deprecated", "Deprecated", show=False, id="deprecated"),
        Binding("X", "toggle_disabled", "Disabled", show=False, id="disabled"),
    ]

    CSS_PATH = "inventory.tcss"

    def __init__(self, read_only: bool = False) -> None:
        super().__init__()
        for binding in action_key_bindings(read_only):
            for key in binding.key.split(","):
                self._bindings.key_to_bindings.setdefault(key.strip(), []).append(
                    binding.with_key(key.strip())
                )
        self.rows = ImageRows()
        self._incoming: ImageRows | None = None
        self.generation = 0
        self.pages_by_region: dict[str, int] = {}  # region -> pages loaded so far, while loading
        self.errors: dict[str, str] = {}
        self.started_at = 0.0
        self.finished_in: float | None = None
        self._keep: Image | None = None
        # The images shown when this listing began (just the list: not their haystacks
        # and sort keys, which a 100k table would otherwise hold twice while it reloads).
        self._before: list[Image] | None = None
        self._rows_query: ListQuery | None = None  # the query the live rows answer
        self._listing_query: ListQuery | None = None  # the query being listed
        self._spin = 0

    @property
    def settings(self):
        return self.app.settings

    def compose(self) -> ComposeResult:
        yield ContextHeader(id="context")
        with Vertical():
            yield Input(
                placeholder='filter: words, field:value (arch:arm64, name:"my image", '
                "tag:Team=web), !term",
                id="filter",
            )
            yield Static("", id="filter-note")  # why a filter may not do what it reads
            yield ImageTable(self.rows, id="images")
            yield Static("", id="message")
            yield Static("", id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(ImageTable)
        table.set_multi_region(len(self.app.regions) > 1)
        table.focus()
        # Filter as the value changes, not on Input.Changed: the message would reach this
        # screen only after the Input's own repaint, costing every keystroke a second frame.
        self.watch(self.query_one("#filter", Input), "value", self._filter_changed, init=False)
        self._update_header()
        self.set_interval(0.1, self._tick)
        self.load_images()

    # -- header and status (the rest is in InventoryStatus) ----------------------------

    def on_identity_loaded(self, message: IdentityLoaded) -> None:
        self._update_header()
        self.load_cached()
        if message.error:
            self.show_message(message.error, error=True)

    # -- loading ----------------------------------------------------------------------

    def load_images(self, keep: Image | None = None) -> None:
        """(Re)query every region; old rows stay until the first new page arrives."""
        self.generation += 1
        self.workers.cancel_group(self, "listing")
        gc.unfreeze()  # the rows about to be replaced may be collected again
        # A refresh of the same query keeps the rows of a region that fails (see below).
        same = self._rows_query == self.app.list_query or not self.rows.total
        self._before = self.rows.images if same else None
        self._listing_query = self.app.list_query
        self._incoming = ImageRows()
        self._incoming.query = self.rows.query
        self._incoming.sort_by(self.rows.sort_column, self.rows.sort_reverse)
        self._keep = keep
        self.pages_by_region = {region: 0 for region in self.app.regions}
        self.errors = {}
        self.started_at = time.perf_counter()
        self.finished_in = None
        self.show_message(None)
        self.query_one(ImageTable).set_multi_region(len(self.app.regions) > 1)
        self.load_cached()
        for region in self.app.regions:
            self._list_region(self.generation, region, self.app.list_query)
        self._update_status()

    @work(thread=True, exit_on_error=False, group="listing")
    def _list_region(self, generation: int, region: str, query: ListQuery) -> None:
        worker = get_current_worker()
        try:
            ec2 = self.app.clients.ec2(region)
            pages = iter_image_pages(
                ec2, region, query, self.settings.page_size, lambda: worker.is_cancelled
            )
            for number, page in enumerate(pages, 1):
                if worker.is_cancelled:
                    return
                self.post_message(ImagesPageLoaded(generation, region, page, number))
        except Exception as exc:  # every failure becomes one readable line
            self.post_message(
                ListingFinished(generation, region, describe_error(exc, self.settings.profile))
            )
            return
        self.post_message(ListingFinished(generation, region))

    def _adopt_incoming(self) -> None:
        if self._incoming is None:
            return
        keep = self._keep or self.query_one(ImageTable).current
        self.rows = self._incoming
        self._rows_query = self._listing_query
        self._incoming = None
        self.cached_at = None
        table = self.query_one(ImageTable)
        table.rows = self.rows
        self._keep_rows_of_failed(self.errors)
        table.rows_changed(keep=keep)

    def _keep_rows_of_failed(self, regions) -> None:
        """A region whose listing failed keeps the rows it had before this listing (the
        status line says it failed): a dead endpoint never empties the table."""
        before = self._before
        if before is None or before is self.rows.images or not regions:
            return  # no live page was adopted yet: the table still shows what it had
        have = {(i.region, i.image_id) for i in self.rows.images if i.region in regions}
        kept = [i for i in before if i.region in regions and (i.region, i.image_id) not in have]
        if kept:
            self.rows.extend(kept)

    @on(ImagesPageLoaded)
    def _page_loaded(self, message: ImagesPageLoaded) -> None:
        if message.generation != self.generation:
            return
        if self._incoming is not None:
            self._incoming.extend(message.images)
            self._adopt_incoming()
        else:
            self.rows.extend(message.images)
        table = self.query_one(ImageTable)
        if (
            self._keep is not None
            and self.rows.row_of(self._keep.image_id, self._keep.region) is not None
        ):
            table.rows_changed(keep=self._keep)
            self._keep = None
        else:
            table.rows_changed()
        self.pages_by_region[message.region] = message.page
        self._update_status()
        # The rows are long-lived and hold no cycles: keep the garbage collector from
        # re-scanning them on every collection while the next pages are parsed (at 100k
        # images this took the listing from 1.56x to 0.78x raw boto3; see benchmarks/).
        gc.freeze()

    @on(ListingFinished)
    def _listing_finished(self, message: ListingFinished) -> None:
        if message.generation != self.generation:
            return
        self.pages_by_region.pop(message.region, None)
        if message.error:
            self.errors[message.region] = message.error
            self._keep_rows_of_failed({message.region})
            self.table_changed()
            multi = len(self.app.regions) > 1
            self.show_message(
                "\n".join(f"{r}: {e}" if multi else e for r, e in self.errors.items()),
                error=True,
            )
        if not self.pages_by_region:
            self.finished_in = time.perf_counter() - self.started_at
            if self._incoming is not None:  # every region answered with nothing (or failed)
                if not self.errors:
                    self._adopt_incoming()
                self._incoming = None
            self._keep = None
            self._before = None
            if self.cached_at is None:  # the rows are live: remember them for next time
                for region in self.app.regions:
                    if region not in self.errors:
                        self.save_cache(region)
        self._update_status()

    def current_image(self) -> Image | None:
        return self.query_one(ImageTable).current

    def table_changed(self) -> None:
        self.query_one(ImageTable).rows_changed(keep=self.current_image())
        self._update_status()

    # -- filter (the rest is in InventoryFilter) --------------------------------------

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.query_one(ImageTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""  # the value watcher re-filters
        box.remove_class("shown")
        self.query_one(ImageTable).focus()

    # -- table events -----------------------------------------------------------------

    @on(ImageTable.RowActivated)
    def _open_detail(self, message: ImageTable.RowActivated) -> None:
        from amitui.ui.screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(message.image))

    @on(ImageTable.SortChanged)
    def _sorted(self) -> None:
        if self._incoming is not None:
            self._incoming.sort_by(self.rows.sort_column, self.rows.sort_reverse)
        self._update_status()

    # -- actions ----------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.app.ensure_identity()
        self.load_images(keep=self.query_one(ImageTable).current)

    def action_copy_id(self) -> None:
        image = self.query_one(ImageTable).current
        if image is None:
            self.notify("No image selected", severity="warning")
            return
        self.app.copy_to_clipboard(image.image_id)
        self.notify(f"Copied {image.image_id}")

    def action_pick_owner(self) -> None:
        from amitui.ui.screens.pickers import OwnerPicker

        def chosen(query: ListQuery | None) -> None:
            if query is not None and query != self.app.list_query:
                self.app.list_query = query
                self._update_header()
                self.load_images()

        self.app.push_screen(OwnerPicker(self.app.list_query), chosen)

    def action_pick_regions(self) -> None:
        from amitui.ui.screens.pickers import RegionPicker

        def chosen(regions: tuple[str, ...] | None) -> None:
            if regions and regions != self.app.regions:
                self.app.regions = regions
                self._update_header()
                self.load_images()

        self.app.push_screen(RegionPicker(self.app.available_regions(), self.app.regions), chosen)

    def _toggle(self, flag: str) -> None:
        q = self.app.list_query
        values = {
            "owners": q.owners,
            "include_deprecated": q.include_deprecated,
            "include_disabled": q.include_disabled,
            "executable_by_me": q.executable_by_me,
        }
        values[flag] = not values[flag]
        self.app.list_query = ListQuery(**values)
        self.notify(f"{flag.replace('_', ' ').capitalize()}: {'on' if values[flag] else 'off'}")
        self._update_header()
        self.load_images()

    def action_toggle_deprecated(self) -> None:
        self._toggle("include_deprecated")

    def action_toggle_disabled(self) -> None:
        self._toggle("include_disabled")
