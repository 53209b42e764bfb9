"""The inventory: the account's images, streamed page by page into the virtual table.

The screen is a view of a Listing (amitui/ui/listing.py: the generation, cached vs live vs
failed regions and the query bookkeeping); it runs the workers that list, read and save
the cache, and shows what the listing holds."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from amitui.aws.images import Image, ListQuery
from amitui.cached_start import AFTER_PAINT
from amitui.ui.failures import failure_lines
from amitui.ui.listing import Listing
from amitui.ui.marks import Marks
from amitui.ui.messages import (
    AccountsResolved,
    CachedImagesLoaded,
    IdentityLoaded,
    ImagesChanged,
    ImagesPageLoaded,
    ListingFinished,
)
from amitui.ui.rows import ImageRows
from amitui.ui.screens.fresh import NotRestyledWhenFresh
from amitui.ui.screens.inventory_account_choice import AccountChoice
from amitui.ui.screens.inventory_accounts import AccountListing
from amitui.ui.screens.inventory_actions import action_key_bindings
from amitui.ui.screens.inventory_cache import CachedListing
from amitui.ui.screens.inventory_changed import ChangedImages
from amitui.ui.screens.inventory_filter import FilterBox
from amitui.ui.screens.inventory_forms import ActionForms
from amitui.ui.screens.inventory_marks import MarkedRows
from amitui.ui.screens.inventory_scope import ScopeChoices, ScopeKeys
from amitui.ui.screens.inventory_status import SPINNER, empty_hint, status_text, tick_repaints
from amitui.ui.screens.inventory_write import ViewWriter
from amitui.ui.services import Services
from amitui.ui.widgets.context_header import ContextHeader
from amitui.ui.widgets.image_table import ImageTable
from amitui.ui.widgets.key_footer import KeyFooter
from amitui.ui.widgets.steady_input import SteadyInput

if TYPE_CHECKING:  # the forms load when one opens (not before the first rows show)
    from amitui.ui.screens.action_form import FormOutcome


class InventoryScreen(NotRestyledWhenFresh, ScopeKeys, Screen):
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="filter", priority=True),  # check_action
        Binding(
            "escape", "clear_filter", "Clear filter / stop listing", show=False, id="clear_filter"
        ),
        Binding("ctrl+r", "refresh", "Refresh", id="refresh"),
        Binding("y", "copy_id", "Copy id", id="copy_id"),
        Binding("o", "pick_owner", "Owners", id="owners"),
        Binding("R", "pick_regions", "Regions", id="regions"),
        Binding("A", "pick_accounts", "Accounts", id="accounts"),  # only with --accounts
        Binding("C", "pick_columns", "Columns", show=False, id="columns"),
        Binding("D", "toggle_deprecated", "Deprecated", show=False, id="deprecated"),
        Binding("X", "toggle_disabled", "Disabled", show=False, id="disabled"),
        Binding("space", "toggle_mark", "Mark", id="mark"),
        Binding("asterisk", "mark_shown", "Mark all shown", show=False, id="mark_shown"),
        Binding("u", "clear_marks", "Unmark all", show=False, id="clear_marks"),
        Binding("B", "recycle_bin", "Recycle Bin", show=False, id="recycle_bin"),
        Binding("K", "cleanup", "Cleanup…", show=False, id="cleanup"),
        Binding("w", "write_view", "Write view", show=False, id="write_view"),
    ]

    CSS_PATH = "inventory.tcss"
    #: The table has the focus from the start. Textual's default ("*") focused the filter
    #: field as the screen composed, and on_mount's table.focus() moved it on later: two
    #: focus changes before the first frame, each restyling the field and recomposing the
    #: footer, and the first frame showed the field's footer (3 keys, not 15).
    AUTO_FOCUS = "#images"

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.settings = services.settings
        self.session = services.session
        for binding in action_key_bindings(self.settings.read_only):
            for key in binding.key.split(","):
                self._bindings.key_to_bindings.setdefault(key.strip(), []).append(
                    binding.with_key(key.strip())
                )
        self.listing = Listing()
        self.marks = Marks()
        self.marked = MarkedRows(self)
        self.choices = ScopeChoices(self)
        self.forms = ActionForms(self)
        self.cache = CachedListing(self)
        self.accounts = AccountListing(self)
        self.account_choice = AccountChoice(self)
        self.writer = ViewWriter(self)
        self.changed = ChangedImages(self)
        self.filter_box = FilterBox(self)
        self._spin = 0
        self._ticks = 0  # timer ticks while listing (inventory_status.tick_repaints)
        self._status_due = False  # the status line is to be updated after the next paint

    # The rows the listing holds (the marks, the forms and the tests read them).
    @property
    def rows(self) -> ImageRows:
        return self.listing.rows

    def compose(self) -> ComposeResult:
        yield ContextHeader(self.settings, id="context")
        with Vertical():
            yield SteadyInput(
                placeholder='filter: words, field:value (arch:arm64, name:"my image", '
                "tag:Team=web), !term",
                id="filter",
            )
            yield Static("", id="filter-note")  # why a filter may not do what it reads
            yield ImageTable(self.rows, self.marks, id="images")
            yield Static("", id="message")
            yield Static("", id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(ImageTable)
        table.shown = self.services.settings.columns
        table.set_multi_region(len(self.session.regions) > 1, self.services.accounts is not None)
        # Filter as the value changes, not on Input.Changed: the message would reach this
        # screen only after the Input's own repaint, costing every keystroke a second frame.
        self.watch(self.filter_box.box, "value", self.filter_box.changed, init=False)
        # A new owner scope or region set (pickers, toggles) is a new listing.
        self.watch(self.app, "list_query", self._session_changed, init=False)
        self.watch(self.app, "regions", self._session_changed, init=False)
        self.set_interval(0.1, self._tick)
        self.load_images()

    def _session_changed(self) -> None:
        self.load_images()

    # -- header, message and status -----------------------------------------------------

    def show_message(self, text: str | None, error: bool = False) -> None:
        widget = self.query_one("#message", Static)
        widget.set_class(bool(text), "shown")
        widget.set_class(error, "error")
        widget.update(Text(text or ""))

    def _tick(self) -> None:
        if self.listing.loading:
            self._ticks += 1
            if tick_repaints(self.listing, self._ticks):
                self._spin = (self._spin + 1) % len(SPINNER)
                self.update_status()

    def update_status(self, *, line: bool = True) -> None:
        """The empty table's hint and the status line (``line=False``: the hint now, the
        line after the next paint)."""
        hint = empty_hint(self.listing, self.session.regions, self.session.list_query.label())
        self.query_one(ImageTable).show_hint(hint)
        if not line:
            if not self._status_due:
                self._status_due = True
                self.call_after_refresh(self._status_after_paint)
            return
        accounts = self.account_choice.summary()
        text = status_text(
            self.listing, self.session.regions, self._spin, hint, self.marks, accounts
        )
        self.query_one("#status", Static).update(text, layout=False)  # one line, always

    def _status_after_paint(self) -> None:
        self._status_due = False
        self.update_status()

    def on_identity_loaded(self, message: IdentityLoaded) -> None:
        self.cache.load()
        if message.error:
            self.show_message(message.error, error=True)

    # -- loading ----------------------------------------------------------------------

    def load_images(self, keep: Image | None = None) -> None:
        """(Re)query every region (with --accounts, every account x region); old rows stay
        until the first new page arrives."""
        self.workers.cancel_group(self, "listing")
        regions, query = self.session.regions, self.session.list_query
        if self.accounts.active and not self.accounts.resolved:
            self.show_message("Reading the accounts to list…")
            self.accounts.resolve()  # AccountsResolved lists again
            return
        places = self.account_choice.places(regions) if self.accounts.active else regions
        generation = self.listing.begin(places, query, keep)
        self.show_message(None)
        self.query_one(ImageTable).set_multi_region(len(regions) > 1, self.accounts.active)
        if self.accounts.active:
            self.account_choice.show()
        if self.cache.load():
            # Cached rows are shown already: listing imports boto3 (~0.3 s of CPU, holding
            # the GIL), so it starts once they are painted.
            self.call_after_refresh(
                self.set_timer, AFTER_PAINT, partial(self._list, generation, places, query)
            )
            # The status line (what says the rows are cached) missed the first frame, which
            # paints it before its first layout: paint it again right after.
            self.call_after_refresh(self.update_status)
        else:
            self._list(generation, places, query)
        self.update_status()

    def _list(self, generation: int, places: tuple[str, ...], query: ListQuery) -> None:
        if generation != self.listing.generation:
            return  # another listing began meanwhile
        if self.accounts.active:
            self.accounts.fan_out(generation, places, query)
        else:
            for region in places:
                self.accounts.list_region(generation, region, query)

    @on(AccountsResolved)
    def _accounts_resolved(self, message: AccountsResolved) -> None:
        if message.error:
            self.show_message(message.error, error=True)
            return
        self.load_images()

    @on(ImagesPageLoaded)
    def _page_loaded(self, message: ImagesPageLoaded) -> None:
        table = self.query_one(ImageTable)
        shown = self.listing.page_loaded(
            message.generation, message.region, message.images, message.page, table.current
        )
        if shown is None:
            return  # an older listing's
        if shown.adopted:
            table.rows = self.rows
            table.rows_changed(keep=shown.adopt_keep)
        table.rows_added(keep=shown.keep)
        if shown.adopted:
            self.update_status()
        # else the status line's next tick (10 a second while loading) counts the page: with
        # --accounts pages come every few milliseconds, each a repaint of the line

    @on(ListingFinished)
    def _listing_finished(self, message: ListingFinished) -> None:
        table = self.query_one(ImageTable)
        ended = self.listing.region_finished(
            message.generation, message.region, message.error, table.current
        )
        if ended is None:
            return  # an older listing's
        if message.error:
            self.table_changed()
            multi = len(self.session.regions) > 1 or self.accounts.active
            lines = (
                failure_lines(ended.errors, self.listing.regions, self.accounts.label_of)
                if multi
                else list(ended.errors.values())
            )
            self.show_message("\n".join(lines), error=True)
        if ended.adopted:
            table.rows = self.rows
            table.rows_changed(keep=ended.adopt_keep)
        for region in ended.save:
            self.cache.save(region)
        if not self.listing.loading and not self.listing.errors and self.marks:
            dropped = self.marks.keep_only(self.rows.images)
            if dropped:
                self.notify(f"{dropped} marked image(s) are no longer listed: unmarked")
            table.refresh()
        self.update_status()

    def current_image(self) -> Image | None:
        return self.query_one(ImageTable).current

    def table_changed(self) -> None:
        self.query_one(ImageTable).rows_changed(keep=self.current_image())
        self.update_status()

    # -- the cache: the last listing at once, each fresh one saved (inventory_cache.py) --

    @on(CachedImagesLoaded)
    def _cached_loaded(self, message: CachedImagesLoaded) -> None:
        listing, generation = self.listing, message.generation
        if message.failed:
            shown = listing.showing_cached(generation) and listing.drop_cached()
            if shown:
                self.notify("The inventory cache was damaged: its rows were dropped.")
        elif message.first:
            shown = listing.cached_loaded(
                generation, message.images, message.saved_at, message.total
            )
        else:
            shown = listing.cached_more(generation, message.images)
        if shown:
            self.table_changed()

    # -- filter (inventory_filter.py; the stepped scan is the table's) ------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """'/' is a priority key (keys typed right behind it go to the box, not the table);
        in a text box it is a character."""
        if action == "focus_filter" and isinstance(self.focused, Input):
            return False
        return super().check_action(action, parameters)

    def action_focus_filter(self) -> None:
        self.filter_box.focus()

    @on(ImageTable.FilterFinished)
    def _filter_finished(self) -> None:
        self.update_status()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.query_one(ImageTable).focus()

    def action_clear_filter(self) -> None:
        """esc: clear the filter; with none, stop a listing under way."""
        self.filter_box.escape()

    # -- table events -----------------------------------------------------------------

    @on(ImageTable.RowActivated)
    def _open_detail(self, message: ImageTable.RowActivated) -> None:
        from amitui.ui.screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(message.image, self.services))

    @on(ImageTable.SortChanged)
    def _sorted(self) -> None:
        self.listing.sort_changed()
        self.update_status()

    # -- actions ----------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.session.ensure_identity()
        self.load_images(keep=self.query_one(ImageTable).current)

    def action_copy_id(self) -> None:
        image = self.query_one(ImageTable).current
        if image is None:
            self.notify("No image selected", severity="warning")
            return
        self.app.copy_to_clipboard(image.image_id)
        self.notify(f"Copied {image.image_id}")

    # -- marks (inventory_marks.py); the scope's keys are ScopeKeys' (inventory_scope.py) --

    def action_toggle_mark(self) -> None:
        self.marked.toggle_current()

    def action_mark_shown(self) -> None:
        self.marked.mark_shown()

    def action_clear_marks(self) -> None:
        self.marked.clear()

    def action_write_view(self) -> None:
        self.writer.open()

    # -- the action forms, bulk forms and the cleanup views (inventory_forms.py) --------

    def action_cleanup(self) -> None:
        self.forms.open_cleanup()

    def action_recycle_bin(self) -> None:
        self.forms.open_recycle_bin()

    def open_orphans(self) -> None:
        self.forms.open_orphans()

    def palette_commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        """The commands without a key, for the palette and help: (title, help, callback)."""
        return self.forms.palette_commands()

    def action_open_action(self, name: str) -> None:
        self.forms.open_action(name)

    def record_outcome(self, outcome: FormOutcome) -> None:
        """What a form's successful calls did to the rows (a removed row, toasts, fetches)."""
        self.forms.record_outcome(outcome)

    def bulk_item_done(self, action: str, region: str, image_id: str, account: str = "") -> None:
        """A bulk run's item succeeded (the app hands it over): see MarkedRows."""
        self.marked.item_done(action, region, image_id, account)

    def fetch_changed_images(self, ids_by_region: dict[str, list[str]], account: str = "") -> None:
        """Show new or changed images (a pending copy included) without a full reload."""
        self.changed.fetch(ids_by_region, account)

    def on_images_changed(self, message: ImagesChanged) -> None:
        self.rows.extend(message.images)
        self.table_changed()
