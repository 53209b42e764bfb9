"""The app's garbage collection (amitui/ui/collector.py): while it runs, Python starts no
full collection itself; an idle app runs the due one; keys hold it off; quitting restores
Python's own schedule."""

from __future__ import annotations

import gc
import weakref

from amitui.ui.collector import NEVER
from tests.app.helpers import SIZE, loaded, make_app, wait_for


class Cycle:
    def __init__(self) -> None:
        self.me = self


async def test_an_idle_app_frees_cyclic_garbage_keys_hold_it_off_and_quitting_restores(memory):
    before = gc.get_threshold()
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        collector = app.collector
        # Python's young threshold again at the first tick after the listing (rarer
        # young collections while it streams in)
        await wait_for(pilot, lambda: gc.get_threshold() == (before[0], before[1], NEVER))
        # Held off: the user typed a moment ago (idle_after is long), the collection is due.
        collector.idle_after, collector.gap = 3600.0, 0.0
        cycle = Cycle()
        gc.collect(1)  # old enough for the oldest generation: only a full collection frees it
        alive = weakref.ref(cycle)
        del cycle
        while not collector.due():
            gc.collect(1)
        ran = len(collector.durations)
        await pilot.press("j")
        await pilot.pause()
        assert collector.tick() is False and len(collector.durations) == ran
        assert alive() is not None
        # Idle: the app's own timer runs the due collection.
        collector.idle_after = 0.0
        await wait_for(pilot, lambda: alive() is None, what="the idle full collection")
        assert len(collector.durations) > ran
    assert gc.get_threshold() == before
