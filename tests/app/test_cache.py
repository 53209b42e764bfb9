"""The inventory cache: the last listing shows at once, marked cached, then is replaced."""

from __future__ import annotations

from amitui.cli import make_app as cli_make_app
from amitui.inventory_cache import InventoryCache
from amitui.settings import Settings
from tests.app.helpers import SIZE, loaded, make_app, status_text, table, wait_for


async def test_second_launch_shows_cached_rows_then_live_ones(sandbox, proxy, tmp_path):
    first = make_app(proxy.url, inventory_cache=InventoryCache(tmp_path / "c.sqlite3"))
    async with first.run_test(size=SIZE) as pilot:
        widget = await loaded(pilot)
        live_ids = {i.image_id for i in widget.rows.images}
        await wait_for(pilot, lambda: not list(first.workers), what="the cache save")

    # Second launch through a proxy that holds DescribeImages back (until the test has
    # looked): the cache shows first.
    answer = proxy.hold("DescribeImages")
    second = make_app(proxy.url, inventory_cache=InventoryCache(tmp_path / "c.sqlite3"))
    async with second.run_test(size=SIZE) as pilot:
        # (a chunk at a time: the first holds a few screenfuls, cache_rows.FIRST_CHUNK)
        listing = second.inventory.listing
        await wait_for(
            pilot,
            lambda: table(second).rows.total > 0 and not listing.reading_cache,
            what="every cached row",
        )
        assert second.inventory.listing.pages_by_region  # the live listing has not answered yet
        assert "cached" in status_text(second)
        assert {i.image_id for i in table(second).rows.images} == live_ids
        answer.set()
        await loaded(pilot)
        assert "cached" not in status_text(second)
        assert {i.image_id for i in table(second).rows.images} == live_ids


async def test_no_cache_setting_skips_it(sandbox, proxy, isolated_app_dirs):
    """``cache = false`` as amitui builds the app (cli.make_app): a saved listing is there,
    yet the first rows shown are the live ones."""
    first = cli_make_app(Settings(endpoint_url=proxy.url))
    assert first.cache is not None
    async with first.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: not list(first.workers), what="the cache save")
    assert (isolated_app_dirs / "cache" / "inventory.sqlite3").stat().st_size > 0
    # The live listing is held back until the test has looked: a cache read at the start
    # shows its rows before the listing is asked (amitui lists once they are painted).
    answer = proxy.hold("DescribeImages")
    second = cli_make_app(Settings(endpoint_url=proxy.url, cache=False))
    assert second.cache is None
    async with second.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: proxy.count("DescribeImages"), what="the live listing")
        assert table(second).rows.total == 0
        answer.set()
        await wait_for(pilot, lambda: table(second).rows.total > 0, what="the first rows")
        assert second.inventory.listing.cached_at is None
        assert "cached" not in status_text(second)
        await loaded(pilot)
