"""The inventory's listing rules (amitui/ui/listing.py), driven without Textual or a sandbox."""

from __future__ import annotations

from amitui.aws.images import Image, ListQuery
from amitui.ui.listing import Listing

EAST, WEST = "us-east-1", "eu-west-1"
MINE = ListQuery()
PUBLIC = ListQuery(owners=("amazon",))


def img(n: int, region: str = EAST) -> Image:
    return Image(image_id=f"ami-{n:017x}", region=region, name=f"image-{n}")


def ids(listing: Listing) -> set[str]:
    return {i.image_id for i in listing.rows.images}


def listed(regions=(EAST, WEST), query=MINE, pages=None) -> Listing:
    """A listing that finished: ``pages`` maps region -> its images (one page)."""
    pages = pages if pages is not None else {EAST: [img(1)], WEST: [img(2, WEST)]}
    listing = Listing()
    gen = listing.begin(regions, query)
    for region in regions:
        if pages.get(region):
            listing.page_loaded(gen, region, pages[region], 1, None)
        listing.region_finished(gen, region, None, None)
    return listing


def test_the_old_rows_stay_until_the_first_page_of_the_new_listing():
    listing = listed()
    gen = listing.begin((EAST, WEST), MINE)
    assert ids(listing) == {img(1).image_id, img(2).image_id} and listing.loading
    shown = listing.page_loaded(gen, EAST, [img(3)], 1, current=None)
    assert shown is not None and shown.adopted
    assert ids(listing) == {img(3).image_id}


def test_pages_and_ends_of_an_older_generation_are_ignored():
    listing = Listing()
    old = listing.begin((EAST,), MINE)
    new = listing.begin((EAST,), MINE)
    assert new == old + 1
    assert listing.page_loaded(old, EAST, [img(1)], 1, None) is None
    assert listing.region_finished(old, EAST, "boom", None) is None
    assert ids(listing) == set() and listing.errors == {} and listing.loading


def test_a_failed_region_keeps_its_rows_on_a_refresh_of_the_same_query():
    listing = listed()
    gen = listing.begin((EAST, WEST), MINE)
    listing.page_loaded(gen, EAST, [img(1), img(3)], 1, None)
    ended = listing.region_finished(gen, WEST, "WEST: endpoint down", None)
    assert ended is not None and ended.errors == {WEST: "WEST: endpoint down"}
    assert ids(listing) == {img(n).image_id for n in (1, 2, 3)}
    ended = listing.region_finished(gen, EAST, None, None)
    assert ended.done and ended.save == [EAST]  # the failed region's old rows are not saved


def test_a_failure_before_any_page_leaves_the_table_as_it_was():
    listing = listed()
    gen = listing.begin((EAST, WEST), MINE)
    listing.region_finished(gen, WEST, "down", None)
    ended = listing.region_finished(gen, EAST, None, None)
    assert ended.done and not ended.adopted
    assert ids(listing) == {img(1).image_id, img(2).image_id}


def test_another_query_does_not_keep_a_failed_regions_old_rows():
    listing = listed()
    gen = listing.begin((EAST, WEST), PUBLIC)
    listing.page_loaded(gen, EAST, [img(5)], 1, None)
    listing.region_finished(gen, WEST, "down", None)
    assert ids(listing) == {img(5).image_id}


def test_every_region_empty_adopts_the_empty_rows_and_saves_them():
    listing = listed()
    gen = listing.begin((EAST, WEST), MINE)
    listing.region_finished(gen, EAST, None, None)
    ended = listing.region_finished(gen, WEST, None, img(1))
    assert ended.done and ended.adopted and ended.adopt_keep == img(1)
    assert ids(listing) == set() and ended.save == [EAST, WEST]


def test_cached_rows_show_until_the_first_live_page_and_are_then_replaced():
    listing = Listing()
    gen = listing.begin((EAST,), MINE)
    assert listing.cached_loaded(gen, [img(7)], saved_at=100.0)
    assert ids(listing) == {img(7).image_id} and listing.cached_at == 100.0
    listing.page_loaded(gen, EAST, [img(8)], 1, None)
    assert ids(listing) == {img(8).image_id} and listing.cached_at is None
    assert not listing.cached_loaded(gen, [img(7)], saved_at=100.0)  # too late
    assert ids(listing) == {img(8).image_id}


def test_cached_rows_still_shown_when_the_listing_ends_are_not_saved_again():
    listing = Listing()
    gen = listing.begin((EAST,), MINE)
    listing.cached_loaded(gen, [img(7)], saved_at=100.0)
    ended = listing.region_finished(gen, EAST, "down", None)
    assert ended.done and ended.save == [] and ids(listing) == {img(7).image_id}


def test_the_image_to_keep_is_kept_once_it_arrives():
    listing = listed()
    gen = listing.begin((EAST,), MINE, keep=img(9))
    first = listing.page_loaded(gen, EAST, [img(1)], 1, current=img(1))
    assert first.adopt_keep == img(9) and first.keep is None  # not there yet
    second = listing.page_loaded(gen, EAST, [img(9)], 2, current=img(1))
    assert second.keep == img(9) and not second.adopted
    assert listing.pages_by_region == {EAST: 2}


def test_the_filter_and_sort_apply_to_the_rows_on_their_way():
    listing = listed()
    gen = listing.begin((EAST,), MINE)
    listing.set_filter("image-3", first=None)
    listing.rows.sort_by("name", reverse=True)
    listing.sort_changed()
    listing.page_loaded(gen, EAST, [img(3), img(4)], 1, None)
    assert [i.image_id for i in map(listing.rows.image_at, range(len(listing.rows)))] == [
        img(3).image_id
    ]
    assert (listing.rows.sort_column, listing.rows.sort_reverse) == ("name", True)


def test_partition_pages_of_two_regions_interleaved_adopt_once_then_extend():
    """The partitioned listing: each region's pages come from several creation-date
    partitions, in any order, numbered as they arrive; two regions interleave."""
    listing = listed()  # rows of an earlier listing are on screen
    gen = listing.begin((EAST, WEST), MINE)
    arrivals = [
        (EAST, [img(10)]),  # east's first (small) page
        (WEST, [img(20, WEST), img(21, WEST)]),
        (EAST, [img(11), img(12)]),  # east 2025-*
        (EAST, []),  # an empty page counts as a page
        (WEST, [img(22, WEST)]),
        (EAST, [img(13)]),  # east 2024-03-*
    ]
    counts = {EAST: 0, WEST: 0}
    adopted = []
    for region, images in arrivals:
        counts[region] += 1
        shown = listing.page_loaded(gen, region, images, counts[region], None)
        assert shown is not None
        adopted.append(shown.adopted)
        assert listing.pages_by_region == counts  # what the status line sums
    assert adopted == [True] + [False] * 5  # only the first page replaces the old rows
    assert ids(listing) == {img(n).image_id for n in (10, 11, 12, 13, 20, 21, 22)}
    listing.region_finished(gen, WEST, None, None)
    assert listing.pages_by_region == {EAST: 4} and listing.loading
    ended = listing.region_finished(gen, EAST, None, None)
    assert ended.done and ended.save == [EAST, WEST] and not listing.loading


def test_an_image_that_comes_again_replaces_its_row_and_is_shown_once():
    """A partition asked again (today's, at the end) or a changed image may bring an image
    already listed: its row is replaced (its new state shown), never doubled."""
    listing = Listing()
    gen = listing.begin((EAST, WEST), MINE)
    listing.page_loaded(gen, EAST, [img(1), img(2)], 1, None)
    listing.page_loaded(gen, WEST, [img(1, WEST)], 1, None)  # the same id in another region
    again = Image(image_id=img(2).image_id, region=EAST, name="image-2", state="available")
    listing.page_loaded(gen, EAST, [again, img(3)], 2, None)
    rows = [(i.region, i.image_id) for i in listing.rows.images]
    assert len(rows) == len(set(rows)) == 4
    assert listing.rows.images[listing.rows.row_of(img(2).image_id, EAST)].state == "available"


def test_the_first_live_page_of_any_region_replaces_the_cached_rows():
    listing = Listing()
    gen = listing.begin((EAST, WEST), MINE)
    listing.cached_loaded(gen, [img(7), img(8, WEST)], saved_at=100.0)
    shown = listing.page_loaded(gen, WEST, [img(9, WEST)], 1, None)
    assert shown.adopted and listing.cached_at is None
    assert ids(listing) == {img(9).image_id}
    shown = listing.page_loaded(gen, EAST, [img(6)], 1, None)
    assert not shown.adopted and ids(listing) == {img(9).image_id, img(6).image_id}


def test_cached_rows_arrive_in_chunks_until_a_live_page_replaces_them():
    listing = Listing()
    gen = listing.begin((EAST,), MINE)
    assert listing.cached_loaded(gen, [img(1), img(2)], saved_at=100.0, total=5)
    assert listing.reading_cache and (listing.cached_read, listing.cached_total) == (2, 5)
    assert listing.cached_more(gen, [img(3)])
    assert ids(listing) == {img(n).image_id for n in (1, 2, 3)}
    assert listing.cached_read == 3 and listing.reading_cache
    listing.page_loaded(gen, EAST, [img(8)], 1, None)
    assert not listing.cached_more(gen, [img(4), img(5)])  # too late: live rows are shown
    assert ids(listing) == {img(8).image_id} and not listing.reading_cache


def test_cached_chunks_keep_coming_after_the_listing_failed_or_was_stopped():
    listing = Listing()
    gen = listing.begin((EAST,), MINE)
    listing.cached_loaded(gen, [img(1)], saved_at=100.0, total=3)
    listing.region_finished(gen, EAST, "endpoint down", None)  # the cache is all there is
    assert listing.cached_more(gen, [img(2)])
    listing = Listing()
    gen = listing.begin((EAST,), MINE)
    listing.cached_loaded(gen, [img(1)], saved_at=100.0, total=3)
    listing.stop()  # esc stops the listing, not the reading of what is cached
    assert listing.cached_more(gen, [img(2)]) and listing.reading_cache


def test_a_new_listing_stops_the_cached_rows_of_the_last_one():
    listing = Listing()
    gen = listing.begin((EAST,), MINE)
    listing.cached_loaded(gen, [img(1)], saved_at=100.0, total=3)
    new = listing.begin((EAST,), PUBLIC)
    assert not listing.cached_more(gen, [img(2)]) and not listing.showing_cached(new)
    assert not listing.reading_cache  # nothing more of them comes: the status says so
    assert ids(listing) == {img(1).image_id}  # shown until the new listing's rows come


def test_dropped_cached_rows_leave_an_empty_table_and_nothing_kept_for_a_failure():
    listing = Listing()
    gen = listing.begin((EAST, WEST), MINE)
    listing.cached_loaded(gen, [img(1), img(2, WEST)], saved_at=100.0)
    assert listing.drop_cached() and ids(listing) == set() and listing.cached_at is None
    assert not listing.drop_cached()  # nothing cached shown any more
    listing.page_loaded(gen, EAST, [img(3)], 1, None)
    listing.region_finished(gen, WEST, "down", None)
    assert ids(listing) == {img(3).image_id}  # the dropped WEST row does not come back


def test_the_listing_rules_import_no_textual():
    import subprocess
    import sys

    code = "import sys, amitui.ui.listing; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_cache_note_says_how_much_is_read_and_whether_live_rows_are_coming():
    import time

    from amitui.ui.screens.inventory_status import cache_note

    listing = Listing()
    gen = listing.begin((EAST,), MINE)
    assert cache_note(listing) is None  # nothing cached shown
    listing.cached_loaded(gen, [img(1)], saved_at=time.time() - 120, total=4000)
    note = cache_note(listing)
    assert note.startswith("cached 2") and "read 1 of 4,000" in note and "refreshing" in note
    listing.cached_more(gen, [img(n) for n in range(2, 4001)])
    assert "read" not in cache_note(listing) and "refreshing" in cache_note(listing)
    listing.region_finished(gen, EAST, "endpoint down", None)
    assert cache_note(listing).startswith("cached 2") and "refreshing" not in cache_note(listing)


def test_cached_rows_shown_at_launch_are_not_kept_once_live_rows_replace_them():
    """At launch nothing was shown: a region that fails after the first live page keeps
    nothing (not its cached rows, unmarked among live ones), so the cached images are free
    to go once live rows replace them."""
    listing = Listing()
    gen = listing.begin((EAST, WEST), MINE)
    listing.cached_loaded(gen, [img(7), img(8, WEST)], saved_at=100.0)
    listing.page_loaded(gen, EAST, [img(1)], 1, None)
    listing.region_finished(gen, WEST, "down", None)
    assert ids(listing) == {img(1).image_id} and listing.cached_at is None


def test_live_images_equal_to_the_cached_ones_they_replace_are_those_objects():
    """The cached rows become the live rows where a page brings them again unchanged (the
    fresh copies are freed at once); a changed image is the live one; the cached rows no
    page brought are let go when the listing ends."""
    listing = Listing()
    gen = listing.begin((EAST,), MINE)
    cached = [img(1), img(2), img(3), img(4)]
    assert listing.cached_loaded(gen, cached, saved_at=100.0)
    listing.page_loaded(gen, EAST, [img(1)], 1, None)  # adopts: the cached rows are replaced
    changed = Image(image_id=img(3).image_id, region=EAST, name="renamed")
    moved = img(4, WEST)  # the same id in another place is another image
    page = [img(2), changed, moved]
    listing.page_loaded(gen, EAST, page, 2, None)
    rows = listing.rows.images
    assert rows == [img(1), img(2), changed, moved]
    assert rows[1] is cached[1] and page[0] is cached[1]
    assert rows[2] is changed and rows[3] is moved
    assert listing._replaced
    listing.region_finished(gen, EAST, None, None)
    assert listing._replaced is None  # the cached img(4) is not held any longer


def test_no_cached_object_outlives_a_listing_that_replaced_live_rows():
    listing = listed()  # live rows, not cached: nothing to put in their place
    gen = listing.begin((EAST, WEST), MINE)
    listing.page_loaded(gen, EAST, [img(1)], 1, None)
    assert listing._replaced is None
