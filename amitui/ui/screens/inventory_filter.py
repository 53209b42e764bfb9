"""The inventory's filter box: typing filters the rows, a big table in steps.

Mixed into InventoryScreen. A keystroke finds the rows the screen shows (the rest of a
100k table is not scanned yet), the screen paints them, and a worker scans the rest a
slice at a time: keys typed meanwhile get in between slices and refine the scan under
way. The status line says "filtering…" until the count is final.
"""

from __future__ import annotations

import asyncio
import time

from rich.text import Text
from textual.widgets import Input, Static

from amitui.aws.images import Image
from amitui.ui.query import explain
from amitui.ui.widgets.image_table import ImageTable

#: A big filter's rest (after the rows on screen) is scanned after the paint, this long at
#: a time, this many rows a step.
FILTER_SLICE = 0.008
FILTER_STEP = 4096


class InventoryFilter:
    _filter_keep: Image | None = None  # the cursor's image when the latest keystroke came
    _filter_note: str | None = None  # what the line under the filter box says

    def action_focus_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("shown")
        box.focus()

    def _explain_filter(self, value: str) -> None:
        """Say under the box why a filter may not do what it reads (an unknown field, an
        unclosed quote). It lexes the few words typed: no row is looked at."""
        note = explain(value)
        if note != self._filter_note:
            self._filter_note = note
            widget = self.query_one("#filter-note", Static)
            widget.update(Text(note or ""))
            widget.set_class(bool(note), "shown")

    def _filter_changed(self, value: str) -> None:
        self._explain_filter(value)
        table = self.query_one(ImageTable)
        keep = self._filter_keep = table.current
        self.workers.cancel_group(self, "filter")  # a scan under way goes on from here
        # Find the rows the screen shows now; a big table's rest is scanned after the paint.
        self.rows.set_filter(value, first=table.rows_wanted)
        if self._incoming is not None:
            self._incoming.set_filter(value)
        table.rows_changed(keep=keep)
        self._update_status()
        if self.rows.filtering:
            self.call_after_refresh(self._scan_rest)

    def _scan_rest(self) -> None:
        if self.rows.filtering:  # (unless a page or a sort finished it)
            self.run_worker(self._filter_rest(), group="filter", exclusive=True)

    async def _filter_rest(self) -> None:
        """Scan the rest a slice at a time, so keys pressed meanwhile get in (and refine
        the scan under way); then the final count and scrollbar."""
        while self.rows.filtering:
            deadline = time.perf_counter() + FILTER_SLICE
            while self.rows.filtering and time.perf_counter() < deadline:
                self.rows.advance(FILTER_STEP)
            await asyncio.sleep(0)
        self.query_one(ImageTable).rows_found(keep=self._filter_keep)
        self._update_status()
