"""The cached start (amitui/cached_start.py): the cached listing of the account the profile
last signed in to is painted before AWS says whose the credentials are, its first chunk
first; rows of another account are dropped once AWS does.

AWS is the in-memory EC2 behind gates the test opens: "identity not answered yet" and "no
live page yet" are states, not timings."""

from __future__ import annotations

import threading
from typing import Any

from amitui.aws.clients import Identity
from amitui.aws.images import Image
from amitui.cache_rows import CHUNK, FIRST_CHUNK
from amitui.cached_start import read_cached_start
from amitui.inventory_cache import InventoryCache
from amitui.settings import Settings
from amitui.tasks.store import TaskStore
from amitui.ui.app import AmiTui
from tests.app.helpers import SIZE, loaded, record_notifications, status_text, wait_for
from tests.support.memory_ec2 import ACCOUNT, MemoryClients
from tests.support.textual_hooks import on_paint

REGION = "us-east-1"
OTHER = "999999999999"


class GatedClients(MemoryClients):
    """The in-memory EC2, whose identity and listing answer once their gate is open."""

    def __init__(self, endpoint: Any) -> None:
        super().__init__(endpoint, default_region=REGION)
        self.identity_gate = threading.Event()
        self.listing_gate = threading.Event()

    def identity(self) -> Identity:
        assert self.identity_gate.wait(30), "the test never opened the identity gate"
        return super().identity()

    def listing_ec2(self, region: str | None = None) -> Any:
        return _Gated(super().listing_ec2(region), self.listing_gate)


class _Gated:
    def __init__(self, ec2: Any, gate: threading.Event) -> None:
        self._ec2, self._gate = ec2, gate

    def describe_images(self, **params: Any) -> Any:
        assert self._gate.wait(30), "the test never opened the listing gate"
        return self._ec2.describe_images(**params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ec2, name)


def cached(n: int, prefix: str = "x") -> list[Image]:
    """``n`` images that the live listing does not have (ids ami-<prefix>..., not hex)."""
    return [
        Image(image_id=f"ami-{prefix}{i:016x}", region=REGION, name=f"cached-{prefix}-{i}")
        for i in range(n)
    ]


def start_app(memory, tmp_path, cache: InventoryCache) -> tuple[AmiTui, GatedClients]:
    settings = Settings(endpoint_url=memory.url, regions=(REGION,))
    clients = GatedClients(memory)
    start = read_cached_start(cache, settings)
    assert start is not None
    store = TaskStore(tmp_path / "tasks.sqlite3")
    app = AmiTui(settings, clients, store, cache, cached_start=start)
    record_notifications(app)
    return app, clients


def first_paint_with_rows(app: AmiTui) -> dict[str, Any]:
    """What the first paint that shows rows showed: how many rows, the status line."""
    seen: dict[str, Any] = {}

    def painted() -> None:
        inventory = app.inventory
        if seen or app.screen is not inventory or not inventory.listing.rows.total:
            return
        seen.update(rows=inventory.listing.rows.total, status=status_text(app), account=app.account)

    on_paint(app, painted)
    return seen


async def test_the_first_chunk_is_painted_before_aws_answers_then_the_rest_then_live_rows(
    memory, tmp_path
):
    cache = InventoryCache(tmp_path / "cache.sqlite3", clock=lambda: 1000.0)
    total = CHUNK * 2 + 500
    cache.save((memory.url, ACCOUNT, REGION, "self"), cached(total))
    cache.remember_account(memory.url, None, ACCOUNT)
    app, clients = start_app(memory, tmp_path, cache)
    first = first_paint_with_rows(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: first, what="a paint with rows")
        # The first screenful, marked cached, before AWS said anything: the rest of the
        # cached listing is read only once it is on screen.
        assert first["rows"] == FIRST_CHUNK and first["account"] is None
        read = f"read {FIRST_CHUNK:,} of {total:,}"
        assert "cached" in first["status"] and read in first["status"]
        # Used once: the session no longer holds its rows and compressed chunks (~15 MB at
        # 100k images); the rest streams from the read's own reference.
        start = app.services.start
        assert start is not None and start.first == [] and start.entries == ()
        listing = app.inventory.listing
        await wait_for(pilot, lambda: listing.rows.total == total, what="every cached row")
        assert listing.cached_at == 1000.0 and not listing.reading_cache
        assert "read " not in status_text(app) and "cached" in status_text(app)
        assert app.account is None and listing.pages_by_region  # AWS still has not answered
        clients.identity_gate.set()
        await wait_for(pilot, lambda: app.account == ACCOUNT, what="the identity")
        assert listing.rows.total == total  # the right account's rows: they stay
        clients.listing_gate.set()
        await loaded(pilot)
        assert listing.cached_at is None and "cached" not in status_text(app)
        assert not any(i.image_id.startswith("ami-x") for i in listing.rows.images)
        assert listing.rows.total == len(memory.listing(REGION, {"Owners": ["self"]}))


async def test_another_accounts_cached_rows_are_dropped_once_aws_names_the_account(
    memory, tmp_path
):
    cache = InventoryCache(tmp_path / "cache.sqlite3")
    cache.save((memory.url, OTHER, REGION, "self"), cached(3, prefix="y"))
    cache.save((memory.url, ACCOUNT, REGION, "self"), cached(5, prefix="x"))
    cache.remember_account(memory.url, None, OTHER)  # the profile signed in elsewhere last
    app, clients = start_app(memory, tmp_path, cache)
    first = first_paint_with_rows(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: first, what="a paint with rows")
        assert first["rows"] == 3 and "cached" in first["status"]
        listing = app.inventory.listing
        clients.identity_gate.set()
        # AWS says the credentials are ACCOUNT's: its own cached listing replaces the other's
        await wait_for(
            pilot,
            lambda: {i.image_id[:5] for i in listing.rows.images} == {"ami-x"},
            what="the right account's cached rows",
        )
        assert listing.rows.total == 5 and "cached" in status_text(app)
        await wait_for(  # the next start's guess
            pilot, lambda: cache.last_account(memory.url, None) == ACCOUNT, what="remembered"
        )
        clients.listing_gate.set()
        await loaded(pilot)
        assert listing.cached_at is None
