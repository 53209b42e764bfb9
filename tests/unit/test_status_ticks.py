"""The status line's repaints while a listing streams in: every timer tick for a few
places, every third with --accounts' many places (inventory_status.tick_repaints)."""

from __future__ import annotations

from amitui.aws.images import ListQuery
from amitui.ui.listing import Listing
from amitui.ui.screens.inventory_status import SLOW_TICKS, tick_repaints


def repainted(places: list[str], ticks: int = 12) -> list[int]:
    listing = Listing()
    listing.begin(places, ListQuery())
    return [tick for tick in range(1, ticks + 1) if tick_repaints(listing, tick)]


def test_a_few_regions_repaint_the_status_on_every_tick() -> None:
    assert repainted(["us-east-1"]) == list(range(1, 13))
    assert repainted(["us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"]) == list(range(1, 13))


def test_many_places_repaint_it_on_every_third_tick() -> None:
    places = [f"{200000000000 + a}/{r}" for a in range(50) for r in ("us-east-1", "eu-west-1")]
    assert SLOW_TICKS == 3
    assert repainted(places) == [3, 6, 9, 12]


def test_once_the_places_dwindle_every_tick_repaints_again() -> None:
    listing = Listing()
    places = [f"11111111111{n}/us-east-1" for n in range(6)]
    generation = listing.begin(places, ListQuery())
    for place in places[:2]:
        listing.region_finished(generation, place, None, None)
    assert [t for t in range(1, 7) if tick_repaints(listing, t)] == list(range(1, 7))
