"""A form closed is freed by the next full collection: nothing of the app keeps it. Textual's
thread workers left their worker (and with it the form) in the idle pool thread that ran
it (amitui/ui/textual_fixes.py, ContextPool); the soak (benchmarks/soak.py) saw up to six
closed forms kept so."""

from __future__ import annotations

import gc
import weakref

from amitui.ui.screens.action_form import ActionForm
from tests.app.helpers import SIZE, loaded, make_app, open_form, wait_for
from tests.support.suite_gc import thawed


def freed(ref: weakref.ref) -> bool:
    gc.collect()
    return ref() is None


async def test_a_closed_form_is_freed_by_a_full_collection(memory):
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for _ in range(2):  # each form runs thread workers (its fields' choices, the call's)
            form = await open_form(pilot, "c")
            gone = weakref.ref(form)
            del form
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm), what="closed")
            await wait_for(pilot, lambda g=gone: freed(g), what="the closed form freed")


async def test_a_form_opened_by_its_key_is_freed_as_it_closes_with_no_full_collection(memory):
    """The key that opened it marked the heap (amitui/ui/collector.py, ``mark``): once the
    form closed, the collector walked only what was made since and freed it."""
    app = make_app(memory)
    never = float("inf")  # no full collection in this test, however slow the machine
    app.collector.gap = app.collector.longest = app.collector.short_gap = never
    # nothing frozen, as in the app's own process (the suite freezes its heap)
    with thawed():
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            for marks, key in enumerate("cn", start=1):
                form = await open_form(pilot, key)
                gone = weakref.ref(form)
                del form
                await pilot.press("x")  # typed into it
                await pilot.press("escape")
                await wait_for(pilot, lambda g=gone: g() is None, what="the closed form freed")
                assert len(app.collector.mark_durations) >= marks
        assert app.collector.durations == []
