"""A closed screen collected as it closes: a key freezes the heap, and once a screen it
opened has closed, what was made since is collected and the heap thawed
(amitui/ui/collector.py, ``mark``). Unlike tests/unit/test_collector.py, nothing here
freezes the test process's objects, and the suite's freeze is undone for each test
(tests/support/suite_gc.py, ``thawed``): a mark freezes only where nobody else has."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from amitui.ui.collector import MARK_WALKS_ROWS, Collector
from tests.support.suite_gc import thawed
from tests.unit.test_collector import Blocks, Clock, Cycle, blocks, clock, old_dead_cycle

__all__ = ["blocks", "clock"]  # the fixtures, shared with tests/unit/test_collector.py


@pytest.fixture(autouse=True)
def nothing_frozen() -> Iterator[None]:
    with thawed():
        yield


@pytest.fixture
def collector(clock: Clock, blocks: Blocks) -> Iterator[Collector]:
    made = Collector(clock, idle_after=1.0, gap=10.0, longest=120.0, short_gap=2.0, blocks=blocks)
    made.install()
    try:
        yield made
    finally:
        made.uninstall()
        assert gc.get_freeze_count() == 0  # nothing left frozen


def made_and_dropped() -> weakref.ref[Cycle]:
    """A closed form's garbage: a cycle old enough for only a full collection to free it."""
    cycle = Cycle()
    gc.collect(1)  # lived through the keys' young collections
    return weakref.ref(cycle)


def test_what_a_key_opened_is_freed_once_its_screen_closed_without_a_full_collection(
    collector, clock
):
    seen: list[int] = []
    collector.on_collected.append(lambda: seen.append(1))
    collector.user_acted()
    collector.mark(screens=1)  # the key that opens a form, over the inventory
    assert gc.get_freeze_count() > 0
    form = made_and_dropped()
    assert not collector.tick(screens=2)  # the form is open
    assert form() is not None
    assert not collector.tick(screens=1)  # closed: its widgets are being removed
    assert form() is not None
    collector.user_acted()  # the user types on: no idle moment needed
    assert not collector.tick(screens=1)  # the second tick closed: collected
    assert form() is None
    assert gc.get_freeze_count() == 0  # thawed
    assert len(collector.mark_durations) == 1
    assert collector.durations == [] and seen == []  # not a full collection


def test_a_mark_waits_while_a_screen_stays_open_or_gc_is_paused(collector):
    collector.mark(screens=1)
    form = made_and_dropped()
    for _ in range(3):
        collector.tick(screens=2)
    collector.tick(screens=1)
    collector.tick(screens=2)  # a screen open again in between
    collector.tick(screens=1)
    assert form() is not None  # the two ticks start again
    gc.disable()  # a cache's decoding, in another thread
    try:
        collector.tick(screens=1)
        assert form() is not None and collector.marked
    finally:
        gc.enable()
    collector.tick(screens=1)
    assert form() is not None
    collector.tick(screens=1)
    assert form() is None


def test_a_mark_collects_its_closed_form_while_a_listing_streams_in(collector):
    """A refresh streaming in is no reason to wait (its rows are a short walk, bounded by
    MARK_WALKS_ROWS): waiting, the next form opened over the closed one's garbage."""
    collector.mark(screens=1)
    form = made_and_dropped()
    collector.tick(busy=True, screens=2)
    collector.page_done(200)
    collector.tick(busy=True, screens=1)
    assert form() is not None  # closed: its widgets are being removed
    collector.tick(busy=True, screens=1)
    assert form() is None and len(collector.mark_durations) == 1
    assert not collector.marked and collector.durations == []


def test_a_mark_leaves_what_lived_before_the_key_to_a_full_collection(collector, clock):
    older = Cycle()
    before_the_key = weakref.ref(older)
    collector.mark(screens=1)
    del older  # died after the key: frozen with the heap
    collector.tick(screens=2)
    collector.tick(screens=1)
    collector.tick(screens=1)
    assert collector.mark_durations and not collector.marked
    assert before_the_key() is not None  # not walked by the mark's collection
    while not collector.due():
        gc.collect(1)
    clock.now += 11
    assert collector.tick()  # idle and due: a full one
    assert before_the_key() is None


def test_a_full_collection_thaws_a_mark_first_and_walks_everything(collector, clock):
    older = Cycle()
    before_the_key = weakref.ref(older)
    collector.mark(screens=1)
    del older
    while not collector.due():
        gc.collect(1)
    clock.now += 11
    assert collector.tick(screens=1)  # the user idle: a full one, thawed first
    assert gc.get_freeze_count() == 0 and not collector.marked
    assert before_the_key() is None


def test_a_listing_that_came_in_since_the_key_is_only_thawed(collector, clock):
    collector.mark(screens=1)
    form = made_and_dropped()
    collector.tick(screens=2)
    collector.page_done(MARK_WALKS_ROWS + 1)  # a big refresh (no net growth)
    collector.tick(screens=1)
    assert gc.get_freeze_count() == 0 and not collector.marked
    collector.tick(screens=1)
    assert collector.mark_durations == []
    assert form() is not None  # left to a full collection
    owed_a_full_collection(collector, clock, form)


def test_a_refresh_of_a_few_pages_since_the_key_is_walked_with_the_closed_form(collector):
    """Its rows are young too, but a short walk: the form is still freed as it closes, not
    left to a full collection that may find no idle moment before the next form."""
    collector.mark(screens=1)
    form = made_and_dropped()
    collector.tick(screens=2)
    rows = [[] for _ in range(MARK_WALKS_ROWS // 2)]
    collector.page_done(MARK_WALKS_ROWS // 4)
    collector.page_done(MARK_WALKS_ROWS // 4)  # two pages: up to the bound, not past it
    collector.tick(screens=1)
    assert collector.marked
    collector.tick(screens=1)
    assert form() is None and len(collector.mark_durations) == 1
    assert gc.get_freeze_count() == 0 and collector.durations == []
    del rows


def owed_a_full_collection(collector: Collector, clock: Clock, form) -> None:
    """A mark only thawed leaves its closed screens to the next idle moment's full
    collection: neither due nor piled up, and no later key needed."""
    assert not collector.due() and not collector.piled_up()
    clock.now += 1.5  # idle, but under the short gap since the last full collection
    assert not collector.tick(screens=1) and form() is not None
    clock.now += 1.0
    assert collector.tick(screens=1)
    assert form() is None and len(collector.durations) == 1
    clock.now += 3.0
    assert not collector.tick(screens=1)  # owed once


def test_a_mark_thawed_with_its_form_open_owes_a_full_collection_once_it_closes(collector, clock):
    collector.mark(screens=1)
    form = Cycle()
    collector.tick(screens=2)
    collector.page_done(MARK_WALKS_ROWS + 1)
    collector.tick(screens=2)  # thawed, the form still open
    assert not collector.marked
    clock.now += 3  # idle, past the short gap
    assert not collector.tick(screens=2)  # not while it is open
    closed = weakref.ref(form)
    del form
    assert collector.tick(screens=1)  # closed: the owed full collection
    assert closed() is None


def test_a_heap_grown_by_a_share_since_the_key_is_only_thawed(collector, clock, blocks):
    collector.mark(screens=1)
    form = made_and_dropped()
    collector.tick(screens=2)
    blocks.count = 1_200_000  # +20% since the key: not a form's garbage
    collector.tick(screens=1)
    assert gc.get_freeze_count() == 0 and not collector.marked
    collector.tick(screens=1)
    assert collector.mark_durations == []
    assert form() is not None
    blocks.count = 1_000_000  # the listing's old rows freed: nothing piled up
    owed_a_full_collection(collector, clock, form)


def test_no_full_collection_while_a_screen_the_mark_collects_is_open(collector, clock, blocks):
    """A user idle in a form, with garbage piled up: the form stays young, so once it
    closes the mark frees it; a full collection then would have aged it past the next
    key's mark. Overdue, one runs all the same."""
    collector.mark(screens=1)
    form = Cycle()  # open: alive
    blocks.count = 1_100_000  # piled up
    clock.now += 3  # idle, past the short gap
    assert not collector.tick(screens=2)
    closed = weakref.ref(form)
    del form
    assert not collector.tick(screens=1)  # closed: its widgets are being removed
    assert collector.durations == [] and closed() is not None
    assert collector.tick(screens=1)  # the mark's collection, then (piled up) a full one
    assert closed() is None and len(collector.mark_durations) == 1
    collector.mark(screens=1)
    collector.tick(screens=2)  # the next form, left open
    old_dead_cycle(collector)  # due by Python's rule
    clock.now += collector.longest
    assert collector.tick(screens=2)  # overdue


def test_a_key_that_opens_nothing_leaves_the_heap_frozen_for_a_form_that_opens_late(
    collector,
):
    collector.mark(screens=1)
    for _ in range(4):
        collector.tick(screens=1)  # nothing opened (yet)
    assert collector.marked and collector.mark_durations == []
    form = made_and_dropped()  # the form the key asked for, once what it needs is ready
    collector.tick(screens=2)
    collector.tick(screens=1)
    collector.tick(screens=1)
    assert form() is None and not collector.marked


def test_a_key_while_marked_keeps_the_first_mark(collector):
    collector.mark(screens=1)
    form = made_and_dropped()
    collector.mark(screens=2)  # a key typed into the form
    collector.tick(screens=1)
    collector.tick(screens=1)
    assert form() is None  # collected once back to the first key's screens


def test_a_mark_made_with_a_form_open_collects_the_next_form_once_it_closes(collector):
    collector.mark(screens=2)  # a key typed into a form, after a full collection thawed
    collector.tick(screens=1)  # that form closed: nothing opened since the key
    collector.tick(screens=1)
    assert collector.marked and collector.mark_durations == []  # nothing of the key's
    collector.mark(screens=1)  # the key that opens the next form
    form = made_and_dropped()
    collector.tick(screens=2)
    collector.tick(screens=1)
    collector.tick(screens=1)
    assert form() is None and not collector.marked  # collected as it closed


def test_no_mark_where_someone_else_froze_or_when_not_installed(clock, blocks):
    collector = Collector(clock, blocks=blocks)
    collector.mark(screens=1)
    assert not collector.marked and gc.get_freeze_count() == 0  # not installed
    gc.freeze()  # before the app started (as the suite does between tests)
    collector.install()
    try:
        frozen = gc.get_freeze_count()
        collector.mark(screens=1)
        assert not collector.marked
        collector.tick(screens=1)
        collector.tick(screens=1)
        # theirs, left alone (a frozen object may die meanwhile: the count may drop)
        assert 0 < gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()
        collector.uninstall()


def test_uninstall_thaws_a_mark(clock, blocks):
    collector = Collector(clock, blocks=blocks)
    collector.install()
    collector.mark(screens=1)
    assert gc.get_freeze_count() > 0
    collector.uninstall()
    assert gc.get_freeze_count() == 0 and not collector.marked


def test_a_marks_collection_keeps_the_count_towards_the_next_full_one(collector):
    gc.collect()  # a full collection resets Python's count
    for _ in range(collector._due_after - 1):
        gc.collect(1)  # one short of due
    assert not collector.due()
    collector.mark(screens=1)
    collector.mark(screens=2)
    collector.tick(screens=1)
    collector.tick(screens=1)  # the mark's collection reset Python's own count
    assert collector.mark_durations
    assert not collector.due()
    gc.collect(1)
    assert collector.due()  # the count went on where it was


def test_holding_says_what_the_collector_holds_back(collector, blocks):
    assert collector.holding() == "0 blocks since the last full collection, not marked"
    collector.mark(screens=1)
    blocks.count += 30_000  # a form being built
    collector.tick(screens=2)
    assert collector.holding() == (
        "30000 blocks since the last full collection, 30000 since a key with 1 screen(s)"
        " open, a screen opened since"
    )
