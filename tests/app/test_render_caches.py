"""A closed screen leaves nothing of its rendering behind (the soak's long day,
benchmarks/soak.py: Textual's ``StylesCache.get_inner_outer`` kept every closed form's
rendered lines; amitui/ui/textual_fixes.py)."""

from __future__ import annotations

import gc

from textual._styles_cache import StylesCache
from textual.widget import Widget

from amitui.ui.screens.action_form import ActionForm
from tests.app.helpers import SIZE, loaded, make_app, open_form, wait_for


def stray_render_caches() -> int:
    """Widgets' render caches alive without their widget (each widget owns exactly one)."""
    gc.collect()
    live = gc.get_objects()
    caches = sum(isinstance(o, StylesCache) for o in live)
    widgets = sum(isinstance(o, Widget) for o in live)
    return caches - widgets


def drawn(screen: ActionForm) -> bool:
    """Some of the screen's widgets rendered lines (their render caches hold them)."""
    return any(w._styles_cache._cache for w in screen.query("*"))


async def test_forms_closed_leave_no_render_caches_behind(memory):
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        before = stray_render_caches()
        for _ in range(3):
            form = await open_form(pilot, "c")
            await wait_for(pilot, lambda f=form: drawn(f), what="the form drawn")
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm), what="closed")
            await pilot.pause()
        assert stray_render_caches() <= before
