"""A strip's seven caches are made when its methods first need them, and every answer is
Textual's own (amitui/ui/strip_caches.py)."""

from __future__ import annotations

import gc
import sys

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.cache import FIFOCache
from textual.color import Color
from textual.filter import Monochrome
from textual.strip import Strip

from amitui.ui import strip_caches
from amitui.ui.strip_caches import CACHED_METHODS, NOT_YET, TEXTUAL_INIT

SEGMENTS = [Segment("hello ", Style(bold=True)), Segment("world", Style(color="red"))]

#: each cached method, with arguments that make it do work (not answer ``self``)
CALLS = {
    "adjust_cell_length": (8, None),
    "apply_filter": (Monochrome(), Color(0, 0, 0)),
    "crop_extend": (2, 14, Style(dim=True)),
    "crop": (1, 7),
    "divide": ([3, 8, 11],),
    "apply_style": (Style(italic=True),),
    "apply_offsets": (3, 4),
}


@pytest.fixture(autouse=True, scope="module")
def applied() -> None:
    strip_caches.apply()


def textual_strip() -> Strip:
    """A strip as Textual makes it, with its seven caches."""
    strip = Strip.__new__(Strip)
    TEXTUAL_INIT(strip, SEGMENTS)
    return strip


def test_every_cached_method_is_listed_with_textuals_own_cache_size():
    made = textual_strip()
    caches = {
        slot: getattr(made, slot)._maxsize
        for slot in Strip.__slots__
        if isinstance(getattr(made, slot), FIFOCache)
    }
    assert caches == {slot: size for slot, size in CACHED_METHODS.values()}
    assert set(CALLS) == set(CACHED_METHODS)


def test_a_new_strip_holds_no_cache_and_every_slot_is_set():
    gc.collect()
    strip = Strip(SEGMENTS)
    for slot in Strip.__slots__:
        getattr(strip, slot)  # set (an unset slot raises AttributeError)
    assert [
        slot for slot, _ in CACHED_METHODS.values() if getattr(strip, slot) is not NOT_YET
    ] == []
    assert not [r for r in gc.get_referents(strip) if isinstance(r, FIFOCache)]


@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_method_answers_as_textuals_and_caches_as_textual_does(name):
    args = CALLS[name]
    slot, size = CACHED_METHODS[name]
    own = getattr(Strip, name).__wrapped__  # Textual's method, unchanged
    expected = own(textual_strip(), *args)
    strip = Strip(SEGMENTS)
    answer = getattr(strip, name)(*args)
    assert answer == expected
    cache = getattr(strip, slot)
    assert isinstance(cache, FIFOCache) and cache._maxsize == size
    assert getattr(strip, name)(*args) is answer  # the second call from the cache


def test_apply_is_idempotent():
    wrapped = Strip.crop
    strip_caches.apply()
    assert Strip.crop is wrapped


#: the calls where Textual answers the strip itself, or a list of it alone
ITSELF = {
    "divide": ([11],),  # one cut, at the end: the compositor's every whole line
    "crop_extend": (0, 11, None),  # within the strip: nothing cropped, nothing added
}


@pytest.mark.parametrize("name", sorted(ITSELF))
def test_an_answer_holding_the_strip_itself_is_not_cached(name):
    """Cached, it made the strip a reference cycle: garbage only a full collection frees."""
    args = ITSELF[name]
    own = getattr(Strip, name).__wrapped__
    expected = own(textual_strip(), *args)
    strip = Strip(SEGMENTS)
    held = sys.getrefcount(strip)
    answer = getattr(strip, name)(*args)
    assert answer == expected and strip in (answer if isinstance(answer, list) else [answer])
    del answer
    assert sys.getrefcount(strip) == held
    assert getattr(strip, CACHED_METHODS[name][0]) is NOT_YET
    assert getattr(strip, name)(*args) == expected  # asked again: the same answer


def test_other_answers_cached_before_stay_when_one_holding_the_strip_is_forgotten():
    strip = Strip(SEGMENTS)
    parts = strip.divide([3, 11])
    held = sys.getrefcount(strip)
    assert strip.divide([11]) == [strip]
    assert sys.getrefcount(strip) == held
    assert strip.divide([3, 11]) is parts  # still from the cache
    assert list(strip._divide_cache.keys()) == [(3, 11)]
