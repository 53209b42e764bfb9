"""amitui/ui/textual_fixes.py: Textual's caches keyed on ``self`` no longer keep the
objects they were called on, and give the same answers as Textual's own."""

from __future__ import annotations

import gc
import weakref

from rich.color import Color as RichColor
from rich.style import Style as RichStyle
from textual._ansi_theme import DEFAULT_TERMINAL_THEME
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.filter import ANSIToTruecolor

from amitui.ui import textual_fixes

STYLES = [
    RichStyle(color="red", bgcolor="blue"),  # ANSI colours: converted
    RichStyle(color="#102030", dim=True),  # dim: blended with the background
    RichStyle(bold=True),  # nothing to convert
]


def test_a_colour_filter_used_once_is_freed_when_dropped():
    textual_fixes.apply()
    used = ANSIToTruecolor(DEFAULT_TERMINAL_THEME)
    used.truecolor_style(STYLES[0], RichColor.parse("black"))
    gone = weakref.ref(used)
    del used
    gc.collect()
    assert gone() is None


def test_a_render_cache_used_once_is_freed_when_dropped():
    textual_fixes.apply()
    used = StylesCache()
    used.get_inner_outer(Color(10, 20, 30), Color(40, 50, 60, 0.5))
    gone = weakref.ref(used)
    del used
    gc.collect()
    assert gone() is None


def test_answers_are_textuals_own():
    textual_fixes.apply()
    plain = textual_fixes._PLAIN_TRUECOLOR
    assert plain is not None
    background = RichColor.parse("#000000")
    for style in STYLES:
        colour_filter = ANSIToTruecolor(DEFAULT_TERMINAL_THEME)
        assert colour_filter.truecolor_style(style, background) == plain(
            colour_filter, style, background
        )
    base, over = Color(10, 20, 30), Color(40, 50, 60, 0.5)
    inner, outer = StylesCache().get_inner_outer(base, over)
    assert (inner.background, outer.background) == (base + over, base)


def test_a_pool_thread_keeps_nothing_of_a_job_s_context():
    """A job that sets a context variable (Textual's thread workers set ``active_worker``)
    leaves it unset for the next job on the same thread, and sees the submitter's."""
    import contextvars

    class Worker:
        pass

    var: contextvars.ContextVar[object] = contextvars.ContextVar("var")
    held = Worker()
    gone = weakref.ref(held)
    with textual_fixes.ContextPool(max_workers=1) as pool:
        var.set("submitter's")
        assert pool.submit(var.get).result() == "submitter's"
        pool.submit(var.set, held).result()
        del held
        assert pool.submit(var.get, "unset").result() == "submitter's"
        var.set("changed")
        assert pool.submit(var.get).result() == "changed"
    gc.collect()
    assert gone() is None
