"""The inventory cache: the last listing shows at once, marked cached, then is replaced."""

from __future__ import annotations

from amitui.inventory_cache import InventoryCache
from tests.app.helpers import SIZE, loaded, make_app, status_text, table, wait_for


async def test_second_launch_shows_cached_rows_then_live_ones(sandbox, proxy, tmp_path):
    first = make_app(proxy.url, inventory_cache=InventoryCache(tmp_path / "c.sqlite3"))
    async with first.run_test(size=SIZE) as pilot:
        widget = await loaded(pilot)
        live_ids = {i.image_id for i in widget.rows.images}
        await wait_for(pilot, lambda: not list(first.workers), 10, "the cache save")

    # Second launch through a proxy that holds DescribeImages back: the cache shows first.
    proxy.delays["DescribeImages"] = 2.0
    second = make_app(proxy.url, inventory_cache=InventoryCache(tmp_path / "c.sqlite3"))
    async with second.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: table(second).rows.total > 0, 10, "cached rows")
        assert second.inventory.pages_by_region  # the live listing has not answered yet
        assert "cached" in status_text(second)
        assert {i.image_id for i in table(second).rows.images} == live_ids
        await loaded(pilot)
        assert "cached" not in status_text(second)
        assert {i.image_id for i in table(second).rows.images} == live_ids


async def test_no_cache_setting_skips_it(sandbox, proxy, tmp_path):
    first = make_app(proxy.url, inventory_cache=InventoryCache(tmp_path / "c.sqlite3"))
    async with first.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: not list(first.workers), 10, "the cache save")
    proxy.delays["DescribeImages"] = 1.0
    second = make_app(
        proxy.url, inventory_cache=InventoryCache(tmp_path / "c.sqlite3"), cache=False
    )
    assert second.cache is None
    async with second.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: second.account, 10)
        await pilot.pause(0.3)
        assert table(second).rows.total == 0  # nothing until the live listing answers
        await loaded(pilot)
        assert table(second).rows.total > 0
