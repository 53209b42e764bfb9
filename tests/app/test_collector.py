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


async def test_no_collection_while_the_app_starts_and_collections_resume_with_its_first_frame(
    memory, tmp_path, monkeypatch
):
    """amitui's make_app disables the collector before its imports; the app enables it
    again once its first frame is painted (not before: nothing it built is garbage yet)."""
    from amitui.cli import make_app as amitui_app
    from amitui.settings import Settings
    from tests.support.memory_ec2 import MemoryClients
    from tests.support.textual_hooks import on_paint

    monkeypatch.setenv("AMITUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("AMITUI_CACHE_DIR", str(tmp_path / "cache"))
    assert gc.isenabled()
    settings = Settings(endpoint_url=memory.url, cache=False)
    try:
        app = amitui_app(settings, MemoryClients(memory, default_region=settings.region))
        assert not gc.isenabled()
        at_paint: list[bool] = []
        on_paint(app, lambda: at_paint.append(gc.isenabled()))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: at_paint, what="a first frame")
            assert at_paint[0] is False  # the first frame was built without a collection
            await wait_for(pilot, gc.isenabled, what="collections enabled again")
    finally:
        gc.enable()
