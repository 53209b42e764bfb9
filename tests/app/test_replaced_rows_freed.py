"""Rows a new listing replaces are freed by their reference counts, at once: no full
garbage collection runs while a listing streams in (amitui/ui/collector.py), so rows kept
in a reference cycle stay in memory beside the new ones until it ends (a cached start's
100k cached rows beside the 100k live ones: a peak of 365 MB instead of ~270)."""

from __future__ import annotations

import gc
import weakref

from amitui.ui.widgets import image_table
from tests.app.helpers import SIZE, loaded, make_app, wait_for


async def test_a_presort_cancelled_by_new_rows_leaves_the_old_rows_to_be_freed(memory, monkeypatch):
    """A presort under way when the rows are replaced is cancelled; its worker (and the
    CancelledError's traceback with the worker's frames) lives on in a cycle until a full
    collection. None of it may hold the rows it worked on."""
    started: list[weakref.ref] = []

    def endless(rows, columns):  # a presort still under way when the rows are replaced
        started.append(weakref.ref(rows))
        while True:
            yield

    monkeypatch.setattr(image_table, "PRESORT_AFTER", 0)
    monkeypatch.setattr(image_table, "presort", endless)
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        widget = await loaded(pilot)
        old = weakref.ref(widget.rows)
        await wait_for(
            pilot, lambda: any(r() is old() for r in started), what="a presort of the rows"
        )
        gc.disable()  # from here only reference counts free anything, as during a listing
        try:
            await pilot.press("ctrl+r")
            await wait_for(
                pilot,
                lambda: widget.rows is not old() and not app.inventory.listing.loading,
                what="the new listing",
            )
            await wait_for(pilot, lambda: old() is None, timeout=5, what="the old rows freed")
        finally:
            gc.enable()
