"""Work-arounds for Textual bugs that the app's own code cannot avoid.

**Widgets' render caches kept after the widgets are gone** (Textual 8.2, upstream issue
Textualize/textual#6665, open). ``StylesCache.get_inner_outer`` is an instance method under
``functools.lru_cache(1024)``: the cache's keys hold ``self``, so each of the last 1,024
calls keeps its widget's ``StylesCache`` alive, and with it every line that widget
rendered (``Strip`` objects, each with seven small caches, and their segments). A form
closed is never freed: the soak (benchmarks/soak.py) kept ~1,000 of them, 8,000 strips,
57,000 ``FIFOCache`` objects (~120,000 memory blocks) after 16 forms. The method does not
read ``self``; :func:`apply` replaces it by one whose cache is keyed on the colours alone.

**The same for ``ANSIToTruecolor.truecolor_style``** (``lru_cache(1024)`` on a method):
``Tint`` makes a new filter for every tinted render, so every call misses and the cache
fills with filters and styles (6 entries a form in the soak, its size growing all run
long until it holds 1,024). Its answer depends on the filter's terminal theme only, so
the replacement is cached on the theme (a few objects for the whole session).

**Thread workers leave their worker in the pool thread** (Textual 8.2). A thread worker's
job, run by the event loop's default executor, sets ``active_worker`` in the pool thread's
own context (no copy, no reset), so each idle pool thread keeps the last worker it ran,
and with it the worker's node: a closed form and all its widgets, until another worker
runs on that thread (up to six forms at once in the soak, freed late, as old garbage that
only a full collection frees). :func:`apply_to_loop` gives the loop a default executor
that runs each job in a copy of the caller's context, as ``asyncio.to_thread`` does: the
job sees what it saw before, and the pool thread keeps nothing of it.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, TypeVar

from rich.color import Color as RichColor
from rich.style import Style as RichStyle
from rich.terminal_theme import TerminalTheme
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.filter import ANSIToTruecolor
from textual.style import Style

from amitui.ui import cell_widths, strip_caches

T = TypeVar("T")


@lru_cache(1024)
def _inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
    """What ``StylesCache.get_inner_outer`` returns, cached on the colours only."""
    return Style(background=base_background + background), Style(background=base_background)


def _get_inner_outer(
    self: StylesCache, base_background: Color, background: Color
) -> tuple[Style, Style]:
    return _inner_outer(base_background, background)


#: Textual's own conversion, without its cache (read before :func:`apply` replaces it).
_PLAIN_TRUECOLOR = getattr(ANSIToTruecolor.truecolor_style, "__wrapped__", None)


@lru_cache(1024)
def _truecolor(theme: TerminalTheme, style: RichStyle, background: RichColor) -> RichStyle:
    """What ``ANSIToTruecolor(theme).truecolor_style`` returns, cached on the theme."""
    assert _PLAIN_TRUECOLOR is not None
    return _PLAIN_TRUECOLOR(SimpleNamespace(_terminal_theme=theme), style, background)


def _truecolor_style(self: ANSIToTruecolor, style: RichStyle, background: RichColor) -> RichStyle:
    return _truecolor(self._terminal_theme, style, background)


def apply() -> None:
    """Install the work-arounds (idempotent), strips' caches made on demand
    (amitui/ui/strip_caches.py) and ASCII measured before rich's cache
    (amitui/ui/cell_widths.py)."""
    strip_caches.apply()
    cell_widths.apply()
    StylesCache.get_inner_outer = _get_inner_outer  # type: ignore[method-assign, assignment]
    if _PLAIN_TRUECOLOR is not None:  # a Textual without the cached method: nothing to fix
        ANSIToTruecolor.truecolor_style = _truecolor_style  # type: ignore[method-assign, assignment]


class ContextPool(ThreadPoolExecutor):
    """A thread pool whose jobs each run in a copy of the submitter's context."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)


def apply_to_loop(loop: asyncio.AbstractEventLoop | None = None) -> None:
    """The running loop's default executor becomes a :class:`ContextPool` (idempotent; a
    pool the loop made before is shut down: its threads would keep their contexts)."""
    loop = loop or asyncio.get_running_loop()
    before = getattr(loop, "_default_executor", None)  # asyncio has no public getter
    if isinstance(before, ContextPool):
        return
    loop.set_default_executor(ContextPool())
    if isinstance(before, ThreadPoolExecutor):
        before.shutdown(wait=False)
