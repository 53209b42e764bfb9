"""The inventory's filter box: what a keystroke does, what the line under the box says,
and esc (clear the filter, or stop a listing under way). The stepped scan of a big table is
the table's (ui/widgets/image_table.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Input, Static

from amitui.ui.query import explain
from amitui.ui.widgets.image_table import ImageTable

if TYPE_CHECKING:
    from amitui.ui.screens.inventory import InventoryScreen


class FilterBox:
    def __init__(self, screen: InventoryScreen) -> None:
        self.screen = screen
        self._note: str | None = None  # what the line under the box says

    @property
    def box(self) -> Input:
        return self.screen.query_one("#filter", Input)

    def focus(self) -> None:
        box = self.box
        box.add_class("shown")
        # At once (Widget.focus() queues the change behind the keys already waiting: the
        # keys typed right after '/' would still reach the table).
        self.screen.set_focus(box)

    def changed(self, value: str) -> None:
        """A keystroke: the rows the screen shows are found now; a big table's rest is
        scanned after the paint, and the count follows a frame later (the keystroke's
        paint is the rows')."""
        self._explain(value)
        screen = self.screen
        table = screen.query_one(ImageTable)
        keep = table.current
        screen.listing.set_filter(value, first=table.rows_wanted)
        table.filter_applied(keep)
        screen.update_status(line=False)

    def _explain(self, value: str) -> None:
        """Say under the box why a filter may not do what it reads (an unknown field, an
        unclosed quote). It lexes the few words typed: no row is looked at."""
        note = explain(value)
        if note != self._note:
            self._note = note
            widget = self.screen.query_one("#filter-note", Static)
            widget.update(Text(note or ""))
            widget.set_class(bool(note), "shown")

    def escape(self) -> None:
        """Clear the filter; with none, stop a listing under way (the rows so far stay;
        ctrl+r lists again)."""
        screen, box = self.screen, self.box
        if not box.value and screen.listing.loading:
            screen.workers.cancel_group(screen, "listing")
            stopped = screen.listing.stop()
            screen.notify(f"Listing stopped ({', '.join(stopped)}): ctrl+r lists again")
            screen.update_status()
            return
        if box.value:
            box.value = ""  # the value watcher filters again
        box.remove_class("shown")
        screen.query_one(ImageTable).focus()
