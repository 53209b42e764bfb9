"""Textual's ``Strip`` (one rendered line) makes its seven small caches when first used,
not when the strip is made.

Textual 8.2 gives every strip seven ``FIFOCache`` objects at birth (crop, style, filter,
divide, offsets, cell length, crop-extend), each with its own dict: fourteen allocations
for every line any widget renders, most of which no method of that strip ever asks for.
They were about half of what a form holds while open (measured, tests/app: the copy
form's 43,000-56,000 memory blocks became 20,000-32,000 with no strip caches at all), and
so of the peaks of live memory that map pymalloc arenas for good (the soak,
benchmarks/soak.py). Textual's own ``Content`` already makes its divide cache on demand.

:func:`apply` replaces ``Strip.__init__`` by one that leaves each cache slot holding
``NOT_YET`` (a shared, empty stand-in), and wraps each of the seven methods that use a
cache so that it first puts a real ``FIFOCache`` of Textual's size in that slot. Every
answer is Textual's own: the methods themselves are not changed, only when their cache
is made (tests/unit/test_strip_caches.py compares them with Textual's), and that an
answer holding the strip itself is not kept in it (``_forget_itself``): Textual's own
made most rendered lines a reference cycle, garbage that waited for a full collection
once it outlived the young ones (a 4-minute soak's 16 full collections freed 137,000
objects, mostly such lines; with this, 25,000).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from rich.segment import Segment
from textual.cache import FIFOCache
from textual.strip import Strip

#: method -> (the cache slot it reads and fills, the size Textual's ``__init__`` gives it)
CACHED_METHODS: dict[str, tuple[str, int]] = {
    "adjust_cell_length": ("_line_length_cache", 4),
    "apply_filter": ("_filter_cache", 4),
    "crop_extend": ("_crop_extend_cache", 4),
    "crop": ("_crop_cache", 16),
    "divide": ("_divide_cache", 4),
    "apply_style": ("_style_cache", 16),
    "apply_offsets": ("_offsets_cache", 4),
}


class NotYet:
    """Where a strip's cache will be: nothing in it, and nothing can be put in it."""

    __slots__ = ()

    def get(self, key: object, default: object = None) -> object:
        return default

    def __setitem__(self, key: object, value: object) -> None:
        raise AssertionError("a strip's cache used before its method made it")


NOT_YET = NotYet()

#: Textual's own, kept to tell whether :func:`apply` ran (and for the tests)
TEXTUAL_INIT = Strip.__init__


def _init(self: Strip, segments: Iterable[Segment], cell_length: int | None = None) -> None:
    """Textual's ``Strip.__init__`` less the seven caches."""
    self._segments = list(segments)
    self._cell_length = cell_length
    for slot, _ in CACHED_METHODS.values():
        setattr(self, slot, NOT_YET)
    self._render_cache = None
    self._link_ids = None
    self._cell_count = None


def _making_its_cache(method: Callable[..., Any], slot: str, size: int) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: Strip, *args: Any, **kwargs: Any) -> Any:
        made = getattr(self, slot) is NOT_YET
        if made:
            setattr(self, slot, FIFOCache(size))
        answer = method(self, *args, **kwargs)
        if _holds(answer, self):
            _forget_itself(self, slot, size, made)
        return answer

    return call


def _holds(answer: object, strip: Strip) -> bool:
    """``answer`` is ``strip`` itself, or a list with it in (``divide``'s)."""
    return answer is strip or (type(answer) is list and any(part is strip for part in answer))


def _forget_itself(strip: Strip, slot: str, size: int, made: bool) -> None:
    """Take out of ``slot`` the answers that hold ``strip`` itself: kept, they made the
    strip a reference cycle (strip, cache, dict, answer), freed only by a collection of
    the oldest generation once it outlived the young ones. Textual caches ``[self]`` from
    ``divide`` at a single cut (the compositor's every whole line) and ``self`` from
    ``crop_extend`` within the strip: most lines a screen renders. Asked again, Textual
    answers the same at once. A cache made for this call holds nothing else."""
    if made:
        setattr(strip, slot, NOT_YET)
        return
    cache = getattr(strip, slot)
    kept: FIFOCache[Any, Any] = FIFOCache(size)
    for key in list(cache.keys()):
        value = cache.get(key)
        if not _holds(value, strip):
            kept[key] = value
    setattr(strip, slot, kept)


def apply() -> None:
    """Install it (idempotent). Strips made before keep their caches, and work as ever."""
    if Strip.__init__ is not TEXTUAL_INIT:
        return
    Strip.__init__ = _init  # type: ignore[method-assign]
    for name, (slot, size) in CACHED_METHODS.items():
        setattr(Strip, name, _making_its_cache(getattr(Strip, name), slot, size))
