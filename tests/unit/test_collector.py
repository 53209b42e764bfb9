"""The collector's schedule: full collections only when due and the user is idle (or overdue)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from amitui.aws.describe_images_xml import Vocabulary, parse_page
from amitui.ui.collector import BETWEEN_PAGES, LISTING_YOUNG, NEVER, Collector
from tests.support.ec2_xml import OUTPUT, document


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Cycle:
    """Something of the app's in a reference cycle (a closed form, a finished worker)."""

    def __init__(self) -> None:
        self.me = self


class Blocks:
    """Python's memory blocks, as the collector reads them (set by the test)."""

    def __init__(self) -> None:
        self.count = 1_000_000

    def __call__(self) -> int:
        return self.count


@pytest.fixture(autouse=True)
def only_this_tests_objects() -> Iterator[None]:
    """Every full collection here walks only what this test made: the objects the test
    process held before it (botocore's models, Textual, other tests' leftovers: millions
    in a whole-suite worker, seconds per collection) are frozen for the test's length.
    What the tests watch (cycles they make, young collections, thresholds) is new."""
    if gc.get_freeze_count():  # someone else froze objects: leave theirs alone
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def blocks() -> Blocks:
    return Blocks()


@pytest.fixture
def collector(clock: Clock, blocks: Blocks) -> Iterator[Collector]:
    before = gc.get_threshold()
    gc.collect()
    made = Collector(clock, idle_after=1.0, gap=10.0, longest=120.0, short_gap=2.0, blocks=blocks)
    made.install()
    try:
        yield made
    finally:
        made.uninstall()
        assert gc.get_threshold() == before


def old_dead_cycle(collector: Collector | None = None) -> weakref.ref[Cycle]:
    """A cycle that lived long enough to reach the oldest generation, then died: only a
    full collection frees it. With ``collector``: the young collections run until one is due."""
    cycle = Cycle()
    gc.collect(1)  # survives a young collection: now in the oldest generation
    while collector is not None and not collector.due():
        gc.collect(1)
    return weakref.ref(cycle)


def test_install_stops_pythons_own_full_collections_and_uninstall_restores_them():
    before = gc.get_threshold()
    collector = Collector()
    collector.install()
    try:
        assert gc.get_threshold() == (before[0], before[1], NEVER)
        collector.install()  # twice is once
        assert gc.get_threshold()[2] == NEVER
    finally:
        collector.uninstall()
    assert gc.get_threshold() == before
    collector.uninstall()  # twice is once
    assert gc.get_threshold() == before


def test_uninstall_leaves_a_threshold_someone_else_set_since():
    before = gc.get_threshold()
    collector = Collector()
    collector.install()
    try:
        gc.set_threshold(before[0], before[1], 7)
        collector.uninstall()
        assert gc.get_threshold()[2] == 7
    finally:
        gc.set_threshold(*before)


def test_an_idle_user_gets_a_due_collection_and_the_cycle_is_freed(collector, clock):
    alive = old_dead_cycle(collector)
    assert alive() is not None  # only a full collection frees it
    frozen = gc.get_freeze_count()  # (this file's fixture froze the test process's objects)
    clock.now += 11  # idle for 11 s, last full collection 11 s ago
    assert collector.tick()
    assert alive() is None
    assert gc.get_freeze_count() <= frozen  # it froze nothing (frozen objects may die)
    assert len(collector.durations) == 1


def test_no_collection_while_the_user_types(collector, clock):
    alive = old_dead_cycle(collector)
    clock.now += 11
    collector.user_acted()
    clock.now += 0.5  # typing: the last key 0.5 s ago
    assert not collector.tick()
    assert alive() is not None
    clock.now += 0.6  # now 1.1 s since the last key
    assert collector.tick()
    assert alive() is None


def test_no_collection_while_a_listing_streams_in(collector, clock):
    alive = old_dead_cycle(collector)
    clock.now += 11
    assert not collector.tick(busy=True)
    assert alive() is not None
    assert collector.tick(busy=False)
    assert alive() is None


def test_young_collections_are_rarer_while_a_listing_streams_in(collector):
    young = gc.get_threshold()[0]
    collector.tick(busy=True)
    assert gc.get_threshold() == (LISTING_YOUNG, gc.get_threshold()[1], NEVER)
    assert young_collections_making(8_000) == 0
    collector.tick(busy=False)
    assert gc.get_threshold()[0] == young
    assert young_collections_making(8_000) >= 8_000 // young


def test_a_page_of_tagged_images_parses_without_a_collection_while_a_listing_streams_in(
    collector,
):
    """A full page (1000 images with ten tags and two volumes each) parses without a young
    collection while a listing streams in: its rows are not walked while young."""
    body = document([tagged_image(n) for n in range(1000)], pretty=False)
    vocabulary = Vocabulary.of(OUTPUT)
    collector.tick(busy=True)
    gc.collect()  # the young generation empty, as a collection between pages leaves it
    page = collections_during(lambda: parse_page(body, "eu-west-1", vocabulary))
    assert len(page.value.images) == 1000
    assert page.collections == []
    collector.tick(busy=False)  # Python's threshold: the same page sets off many
    gc.collect()
    assert collections_during(lambda: parse_page(body, "eu-west-1", vocabulary)).collections


def test_young_collections_come_between_pages_while_a_listing_streams_in(collector):
    def a_page() -> bool:
        return collector.page_done(200)

    collector.tick(busy=True)
    gc.collect()
    rows = [[] for _ in range(BETWEEN_PAGES // 2)]  # a few pages' rows: not yet
    assert collections_during(a_page) == Counted(False, [])
    rows += [[] for _ in range(BETWEEN_PAGES)]
    ran = collections_during(a_page)
    assert ran.value is True
    assert ran.collections == [0]  # the young generation only: the middle one is not due
    assert gc.get_count()[0] < BETWEEN_PAGES // 10
    for _ in range(gc.get_threshold()[1]):  # as many young collections as make it due
        gc.collect(0)
    rows += [[] for _ in range(BETWEEN_PAGES)]
    assert collections_during(a_page).collections == [1]  # as Python would
    assert gc.get_count()[1] == 0
    del rows


def test_no_collection_between_pages_unless_installed_and_enabled():
    collector = Collector()
    kept = [[] for _ in range(2 * BETWEEN_PAGES)]
    assert not collector.page_done(200)  # not installed: Python's own schedule
    collector.install()
    was = gc.isenabled()
    gc.disable()  # (the start's pause, Collector.pause_start)
    try:
        assert not collector.page_done(200)
    finally:
        if was:
            gc.enable()
        collector.uninstall()
    del kept


def tagged_image(n: int) -> dict[str, Any]:
    """A private image as DescribeImages describes it, with ten tags and two volumes."""
    return {
        "ImageId": f"ami-{n:017x}",
        "ImageLocation": f"123456789012/app-{n}",
        "State": "available",
        "OwnerId": "123456789012",
        "CreationDate": "2024-05-06T07:08:09.000Z",
        "Public": False,
        "Architecture": "x86_64",
        "ImageType": "machine",
        "Name": f"app-{n}",
        "Description": "An app image",
        "RootDeviceType": "ebs",
        "RootDeviceName": "/dev/xvda",
        "VirtualizationType": "hvm",
        "Hypervisor": "xen",
        "EnaSupport": True,
        "SriovNetSupport": "simple",
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "BootMode": "uefi-preferred",
        "ImdsSupport": "v2.0",
        "BlockDeviceMappings": [
            {
                "DeviceName": device,
                "Ebs": {
                    "SnapshotId": f"snap-{n:017x}",
                    "VolumeSize": 8,
                    "VolumeType": "gp3",
                    "DeleteOnTermination": True,
                    "Encrypted": False,
                },
            }
            for device in ("/dev/xvda", "/dev/sdb")
        ],
        "Tags": [{"Key": f"Key{k}", "Value": f"value {k}"} for k in range(10)],
    }


@dataclass
class Counted:
    value: Any
    collections: list[int]  # the generation of each collection, in order


def collections_during(work: Callable[[], Any]) -> Counted:
    """What ``work`` returns, and the collections that ran meanwhile."""
    started: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(note)
    try:
        value = work()
    finally:
        gc.callbacks.remove(note)
    return Counted(value, started)


def young_collections_making(count: int) -> int:
    """How many collections run while ``count`` new container objects are made and kept."""
    counted = collections_during(lambda: [[] for _ in range(count)])
    del counted.value
    return len(counted.collections)


def test_uninstall_while_a_listing_streams_in_restores_python_s_thresholds():
    before = gc.get_threshold()
    collector = Collector()
    collector.install()
    try:
        collector.tick(busy=True)
        assert gc.get_threshold()[0] == LISTING_YOUNG
    finally:
        collector.uninstall()
    assert gc.get_threshold() == before


def test_none_before_it_is_due(collector, clock):
    gc.collect()  # a full collection resets Python's count
    alive = old_dead_cycle()
    clock.now += 60
    assert not collector.due()
    assert not collector.tick()
    assert alive() is not None
    old_dead_cycle(collector)
    assert collector.tick()
    assert alive() is None


def test_at_most_one_every_gap_seconds(collector, clock):
    old_dead_cycle(collector)
    clock.now += 11
    assert collector.tick()
    alive = old_dead_cycle(collector)
    clock.now += 5  # idle, due, but only 5 s after the last one
    assert not collector.tick()
    assert alive() is not None
    clock.now += 5
    assert collector.tick()
    assert alive() is None


def test_a_user_who_never_pauses_still_gets_one_when_overdue(collector, clock):
    alive = old_dead_cycle(collector)
    for _ in range(119):  # a key every second for two minutes, a listing streaming in
        clock.now += 1
        collector.user_acted()
        assert not collector.tick(busy=True)
    assert alive() is not None
    clock.now += 1
    collector.user_acted()
    assert collector.tick(busy=True)  # 120 s without one: overdue
    assert alive() is None


def test_not_installed_never_collects(clock):
    collector = Collector(clock)
    alive = old_dead_cycle(collector)
    clock.now += 1000
    assert not collector.tick()
    assert alive() is not None
    gc.collect()


def test_each_full_collection_it_runs_is_followed_by_a_trim_and_only_those(clock, blocks):
    trims: list[int] = []
    collector = Collector(
        clock, trim=lambda: trims.append(gc.get_count()[2]) or True, blocks=blocks
    )
    collector.install()
    try:
        old_dead_cycle(collector)
        clock.now += 5  # due, idle, but only 5 s after install
        assert not collector.tick()
        assert trims == []
        clock.now += 6
        assert collector.tick()
        assert trims == [0]  # once, after the collection (which reset the count)
        clock.now += 11
        assert not collector.tick()  # not due: no collection, no trim
        assert trims == [0]
    finally:
        collector.uninstall()


def test_garbage_piling_up_gets_an_idle_user_one_sooner_even_before_it_is_due(
    collector, clock, blocks
):
    gc.collect()  # not due
    alive = old_dead_cycle()
    clock.now += 3  # idle, 3 s after the last one
    blocks.count = 1_049_999  # +4.99%: not yet
    assert not collector.tick()
    blocks.count = 1_050_000  # +5% since the last one ended
    collector.user_acted()
    assert not collector.tick()  # never while the user types
    clock.now += 1.1
    assert not collector.tick(busy=True)  # nor while a listing streams in
    assert collector.tick()
    assert alive() is None
    # the next one counts from what the last one left
    clock.now += 3
    blocks.count = 1_100_000  # +4.8% of 1,050,000
    assert not collector.tick()
    blocks.count = 1_102_500
    assert collector.tick()


def test_garbage_piling_up_waits_short_gap_seconds_after_the_last_one(collector, clock, blocks):
    gc.collect()
    blocks.count = 2_000_000
    clock.now += 1.5  # idle, but only 1.5 s after the last one
    assert not collector.tick()
    clock.now += 0.5
    assert collector.tick()


def test_young_frees_young_garbage_and_does_not_bring_a_full_collection_closer(collector):
    gc.collect()  # a full collection resets Python's count
    cycle = Cycle()
    alive = weakref.ref(cycle)
    del cycle
    collector.young()  # after a key's paint
    assert alive() is None  # young garbage: freed by a young collection
    for _ in range(collector._due_after * 3):
        collector.young()  # as many keys as you like
    assert gc.get_count()[0] < 100  # the young generation (almost) empty: 700 start one
    assert not collector.due()  # a full collection stays due by Python's own rule
    old_dead_cycle(collector)  # young collections of Python's own, until one is due
    assert collector.due()


def test_on_collected_is_called_after_each_full_collection_it_runs_and_only_those(collector, clock):
    seen: list[tuple[int, int]] = []
    alive = old_dead_cycle(collector)
    collector.on_collected.append(lambda: seen.append((gc.get_count()[2], alive() is None)))
    collector.user_acted()
    assert not collector.tick()  # due, but the user types: none, and nobody called
    assert seen == []
    clock.now += 11
    assert collector.tick()
    assert seen == [(0, True)]  # once, after the collection: the cycle already freed
    clock.now += 11
    assert not collector.tick()  # not due
    assert seen == [(0, True)]
