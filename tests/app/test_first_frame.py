"""The inventory's first frame is the one it settles on, built once: the table has the
focus, the footer shows every key, and no widget but the table (as it takes the focus) is
styled a second time before it.

Before, the filter field took the focus as the screen composed (Textual's AUTO_FOCUS "*")
and gave it to the table later, so the first frame showed the field's footer (3 keys of
15); each footer key was styled three times (mounted, made compact, made wide again) and
the whole screen once more as it resumed; and the screen, pushed over Textual's blank
one, rendered its first frame while the app held its start batch, to have it rendered
again. The cached start's rows are in that first frame (tests/app/test_cached_start.py).
"""

from __future__ import annotations

from typing import Any

from textual.dom import DOMNode

from amitui.inventory_cache import InventoryCache
from amitui.ui.widgets.image_table import ImageTable
from amitui.ui.widgets.key_footer import FooterKey, KeyFooter
from tests.app.helpers import SIZE, loaded, wait_for
from tests.app.test_cached_start import REGION, cached, start_app
from tests.support.memory_ec2 import ACCOUNT
from tests.support.textual_hooks import on_paint


def footer_keys(app: Any) -> list[str]:
    return [key.description for key in app.inventory.query_one(KeyFooter).query(FooterKey)]


async def test_the_first_frame_with_rows_is_the_settled_one_styled_once(
    memory, tmp_path, monkeypatch
):
    restyled: list[str] = []  # widgets styled again (a class or the focus changed)
    original = DOMNode.update_node_styles

    def spy(self: DOMNode, animate: bool = True) -> None:
        restyled.append(type(self).__name__)
        original(self, animate)

    monkeypatch.setattr(DOMNode, "update_node_styles", spy)
    cache = InventoryCache(tmp_path / "cache.sqlite3")
    cache.save((memory.url, ACCOUNT, REGION, "self"), cached(300))
    cache.remember_account(memory.url, None, ACCOUNT)
    app, clients = start_app(memory, tmp_path, cache)
    first: dict[str, Any] = {}

    def painted() -> None:
        inventory = app.inventory
        if first or app.screen is not inventory or not inventory.listing.rows.total:
            return
        first.update(
            focused=type(app.focused).__name__,
            keys=footer_keys(app),
            restyled=list(restyled),
        )

    on_paint(app, painted)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: first, what="a paint with rows")
        assert first["focused"] == ImageTable.__name__
        assert first["restyled"] == [ImageTable.__name__]  # once, as it took the focus
        assert app.screen_stack == [app.inventory]  # the first screen, not one pushed
        clients.identity_gate.set()
        clients.listing_gate.set()
        await loaded(pilot)
        assert isinstance(app.focused, ImageTable)
        settled = footer_keys(app)
        assert first["keys"] == settled
        assert {"Help", "Quit", "Tasks", "Filter", "Copy", "Commands"} <= set(settled)
