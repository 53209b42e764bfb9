"""The virtual inventory table: its keys, sorting, the stepped filter and the work done
ahead, over TableView (table_view.py), which draws its lines."""

from __future__ import annotations

import asyncio
import weakref
from functools import partial
from itertools import chain

from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message

from amitui.aws.images import Image
from amitui.ui.columns import Column, columns_for, layout_widths
from amitui.ui.marks import Marks
from amitui.ui.presort import PREFILL_FIELDS, prefill, presort
from amitui.ui.rows import ImageRows
from amitui.ui.slices import in_slices
from amitui.ui.widgets.table_view import TableView

#: A big filter's rest (after the rows on screen) is scanned after the paint, this long at
#: a time, this many rows a step. Short: a key typed meanwhile travels through several
#: message queues (app, screen, the filter box, the inventory) and may wait for a slice at
#: each; at 8 ms slices that was up to 40 ms of a keystroke's latency.
FILTER_SLICE = 0.002
FILTER_STEP = 512
#: Rows unchanged this long: the shown columns' sort orders are worked out ahead
#: (presort.py), this long at a time between other events (what a key may wait).
PRESORT_AFTER, PRESORT_SLICE = 0.5, 0.003


class ImageTable(TableView, can_focus=True):
    """Shows ``rows.visible``; the header stays on line 0 while the body scrolls."""

    STYLE_PREFIX = "image-table"

    COMPONENT_CLASSES = {
        "image-table--header",
        "image-table--sorted",
        "image-table--cursor",
        "image-table--odd",
        "image-table--marked",
        "image-table--state-ok",
        "image-table--state-busy",
        "image-table--state-bad",
        "image-table--state-gone",
        "image-table--deprecated",
    }

    DEFAULT_CSS = """
    ImageTable {
        background: $surface; scrollbar-size-horizontal: 1; scrollbar-size-vertical: 1;
        overflow-y: scroll;
    }
    ImageTable > .image-table--header { background: $panel; color: $text; text-style: bold; }
    ImageTable > .image-table--sorted { background: $panel; color: $accent; text-style: bold; }
    ImageTable > .image-table--cursor { background: $accent 40%; }
    ImageTable:focus > .image-table--cursor { background: $accent; color: $text; }
    ImageTable > .image-table--odd { background: $surface-lighten-1 20%; }
    ImageTable > .image-table--marked { color: $warning; text-style: bold; }
    ImageTable > .image-table--state-ok { color: $success; }
    ImageTable > .image-table--state-busy { color: $warning; text-style: bold; }
    ImageTable > .image-table--state-bad { color: $error; text-style: bold; }
    ImageTable > .image-table--state-gone { color: $text-muted; }
    ImageTable > .image-table--deprecated { color: $warning; }
    """

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="table.cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="table.cursor_up"),
        Binding("g,home", "cursor_top", "Top", show=False, id="table.cursor_top"),
        Binding("G,end", "cursor_bottom", "Bottom", show=False, id="table.cursor_bottom"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("enter", "activate", "Details", show=False, id="table.activate"),
        Binding("s", "sort_next", "Sort column", show=False, id="table.sort_next"),
        Binding("S", "sort_reverse", "Sort direction", show=False, id="table.sort_reverse"),
    ]

    class RowHighlighted(Message):
        def __init__(self, image: Image | None) -> None:
            super().__init__()
            self.image = image

    class RowActivated(Message):
        def __init__(self, image: Image) -> None:
            super().__init__()
            self.image = image

    class FilterFinished(Message):
        """A stepped filter scanned every row: the count is final."""

    class SortChanged(Message):
        def __init__(self, column: str | None, reverse: bool) -> None:
            super().__init__()
            self.column = column
            self.reverse = reverse

    def __init__(
        self,
        rows: ImageRows,
        marks: Marks | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
    ):
        super().__init__(rows, marks, name=name, id=id)
        #: the column keys the user picked (None: the default set), and the region count
        self.shown: tuple[str, ...] | None = None
        self._multi_region = False
        self._multi_account = False
        self._last_highlighted: Image | None = None
        self._filter_keep: Image | None = None  # the cursor's image at the latest keystroke
        self._presort_plan: tuple[object, ...] = ()  # the rows, version, columns planned

    # -- data -------------------------------------------------------------------------

    def set_multi_region(self, multi: bool, multi_account: bool | None = None) -> None:
        self._multi_region = multi
        if multi_account is not None:
            self._multi_account = multi_account
        self.columns = columns_for(multi, self.shown, self._multi_account)
        self._layout()
        self.rows_changed()

    def set_columns(self, shown: tuple[str, ...] | None) -> None:
        """Show the picked columns (see ``columns_for``)."""
        self.shown = shown
        self.set_multi_region(self._multi_region)

    def _layout(self) -> None:
        """Name first, then the other columns, share the width (see ``layout_widths``)."""
        self.widths = layout_widths(self.columns, self.scrollable_content_region.width)

    def on_resize(self) -> None:
        self._layout()
        self._size_to_rows()
        self.refresh()

    def _size_to_rows(self) -> None:
        """The virtual size follows the row count. Not by assigning ``virtual_size``: that
        relayouts the whole screen, on every filter keystroke. Only the scrollbars depend
        on it; if one appears or disappears, that relayouts the screen by itself."""
        size = Size(self.content_width, len(self.rows) + 1)
        if size != self.virtual_size:
            self.set_reactive(ImageTable.virtual_size, size)
            self._scroll_update(size)

    @property
    def rows_wanted(self) -> int:
        """How many rows (from the top) the screen shows now: a stepped filter finds those
        before the first paint."""
        return round(self.scroll_y) + self._body_height + 1

    def rows_changed(self, keep: Image | None = None, *, resize: bool = True) -> None:
        """Call after the rows' contents, filter or order changed (``resize``: the
        scrollbar follows the row count now)."""
        if resize:
            self._size_to_rows()
        self._plan_presort()
        if keep is not None:
            row = self.rows.row_of(keep.image_id, keep.region, keep.account)
            if row is not None:
                self.cursor_row = row  # (its watcher paints what changed)
                return
        self.cursor_row = self._clamp(self.cursor_row)

    def rows_added(self, keep: Image | None = None) -> None:
        """Call after a page of rows arrived: as ``rows_changed``, except that the lines on
        screen are painted again only if they would show other rows. In arrival order a
        page goes below the first screenful: then only the scrollbar changes, and a
        listing of many places (a page every few milliseconds) paints no table for it."""
        if (
            keep is not None
            or self._painted is None
            or self._painted != self._window()
            or self.current is not self._last_highlighted
        ):
            self.rows_changed(keep)
            return
        self._size_to_rows()
        self._plan_presort()

    def _plan_presort(self) -> None:
        plan = (self.rows, self.rows.version, tuple(c.key for c in self.columns if c.presort))
        if plan != self._presort_plan:
            self._presort_plan = plan
            # Not the rows themselves: a cancelled worker may outlive them in a cycle (until
            # the next full collection, which waits for an idle user: ui/collector.py), and
            # would keep a replaced 100k-row table alive meanwhile.
            work = partial(self._presort, *plan[1:])  # (a coroutine function: Textual awaits it)
            self.run_worker(work, group="presort", exclusive=True)  # type: ignore[arg-type]

    # -- the stepped filter -------------------------------------------------------------

    def filter_applied(self, keep: Image | None) -> None:
        """Call after ``rows.set_filter(text, first=self.rows_wanted)``: the rows the screen
        shows are found; paint them, then scan a big table's rest a slice at a time (keys
        typed meanwhile get in between slices and refine the scan under way) and post
        FilterFinished when the count is final."""
        self._filter_keep = keep
        self.workers.cancel_group(self, "filter")  # a scan under way goes on from here
        # The scrollbar follows the count after the keystroke's paint (its repaint, ~2 ms,
        # stays out of it): once the rest is found (rows_found), or in the next frame. Not
        # if the rows found would not fit its scroll range, nor if a smaller range would
        # scroll the table (then the screen shows other rows: they are painted now).
        rows = self.rows
        later = self.virtual_size.height > len(rows) and (
            rows.filtering or round(self.scroll_y) == 0
        )
        self.rows_changed(keep=keep, resize=not later)
        if rows.filtering:
            self.call_after_refresh(self._scan_rest)
        elif later:
            self.call_after_refresh(self._size_to_rows)

    def _scan_rest(self) -> None:
        if self.rows.filtering:  # (unless a page or a sort finished it)
            self.run_worker(self._filter_rest(), group="filter", exclusive=True)

    async def _filter_rest(self) -> None:
        # Neither this frame nor the check holds the rows: a cancelled scan's frames
        # outlive it (see ``_presort``).
        steps = self.rows.filter_steps(FILTER_STEP)
        scanned = weakref.ref(self.rows)
        try:
            await in_slices(steps, FILTER_SLICE, lambda: self.rows is scanned())
        finally:
            steps.close()
        self.rows_found(keep=self._filter_keep)
        self.post_message(self.FilterFinished())

    async def _presort(self, version: int, columns: tuple[str, ...]) -> None:
        """The shown columns' sort orders (and the tag texts), worked out ahead once the
        rows stay as they are for PRESORT_AFTER (a listing's pages restart the wait), a
        slice at a time."""
        await asyncio.sleep(PRESORT_AFTER)
        rows = self.rows
        if rows.version != version:
            return  # other rows, or changed: their own worker follows
        # A cancelled worker keeps its frames (in its CancelledError's traceback, in a cycle
        # with the worker) until the next full collection, which waits while a listing
        # streams in (ui/collector.py). They must not hold the rows: a presort of the cached
        # rows cancelled by the first live page kept all 100k of them alive beside the live
        # ones (a peak of 365 MB instead of ~270). Only the steps hold them, closed at the end.
        sorting, filling = presort(rows, columns), prefill(rows)
        presorted = weakref.ref(rows)
        del rows
        try:
            await in_slices(
                chain(sorting, filling),
                PRESORT_SLICE,
                lambda: self.rows is presorted() and self.rows.version == version,
            )
        finally:
            sorting.close()
            filling.close()

    @property
    def presorted(self) -> bool:
        """Each shown column's order (Column.presort) is worked out for the rows as they are."""
        return all(self.rows.presorted(c.key) is not None for c in self.columns if c.presort)

    @property
    def settled(self) -> bool:
        """Everything worked out ahead is: the sort orders and the prefilled filter texts."""
        rows = self.rows
        return self.presorted and all(
            rows.texts_ready(f) and rows.texts_joined(f) for f in PREFILL_FIELDS
        )

    def rows_found(self, keep: Image | None = None) -> None:
        """Call when a stepped filter found the rest of its rows: those on screen stay as
        they are, so only the scrollbar changes (and the cursor, if ``keep`` moved)."""
        self._size_to_rows()
        row = (
            self.rows.row_of(keep.image_id, keep.region, keep.account) if keep is not None else None
        )
        if row is not None and row != self.cursor_row:
            self.cursor_row = row

    @property
    def current(self) -> Image | None:
        if 0 <= self.cursor_row < len(self.rows):
            return self.rows.image_at(self.cursor_row)
        return None

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.scroll_to_row(new)
        image = self.current
        if image is not self._last_highlighted:
            self._last_highlighted = image
            self.post_message(self.RowHighlighted(image))

    # -- actions ----------------------------------------------------------------------

    def row_count(self) -> int:
        return len(self.rows)

    def cursor_index(self) -> int:
        return self.cursor_row

    def move_cursor(self, row: int) -> None:
        self.cursor_row = row

    def action_activate(self) -> None:
        image = self.current
        if image is not None:
            self.post_message(self.RowActivated(image))

    def sort(self, column: str | None, reverse: bool = False) -> None:
        keep = self.current
        self.rows.sort_by(column, reverse)
        self.rows_changed(keep=keep)
        self.post_message(self.SortChanged(column, reverse))

    def action_sort_next(self) -> None:
        keys = [c.key for c in self.columns]
        current = self.rows.sort_column
        nxt = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]
        self.sort(nxt, self.rows.sort_reverse)

    def action_sort_reverse(self) -> None:
        self.sort(self.rows.sort_column or self.columns[0].key, not self.rows.sort_reverse)

    def column_at(self, x: int) -> Column | None:
        x += round(self.scroll_x) - 1
        for col, width in zip(self.columns, self.widths, strict=True):
            if 0 <= x < width + 1:
                return col
            x -= width + 1
        return None

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            col = self.column_at(offset.x)
            if col is not None:
                same = col.key == self.rows.sort_column
                self.sort(col.key, not self.rows.sort_reverse if same else False)
            return
        row = round(self.scroll_y) + offset.y - 1
        if row < len(self.rows):
            self.cursor_row = row
            if event.chain >= 2:
                self.action_activate()
