"""The cached start (amitui/cached_start.py): which cached listing a launch reads before
the UI loads, and when it reads none."""

from __future__ import annotations

from pathlib import Path

import pytest

from amitui.aws.images import Image
from amitui.cache_rows import CHUNK, FIRST_CHUNK
from amitui.cached_start import read_cached_start
from amitui.inventory_cache import InventoryCache
from amitui.settings import Settings

URL = "http://127.0.0.1:5055"
ACCOUNT = "123456789012"
EAST, WEST = "us-east-1", "eu-west-1"


def images(n: int, region: str = EAST) -> list[Image]:
    return [Image(image_id=f"ami-{i:017x}", region=region, name=f"image-{i}") for i in range(n)]


@pytest.fixture
def cache(tmp_path: Path) -> InventoryCache:
    c = InventoryCache(tmp_path / "inventory.sqlite3", clock=lambda: 50.0)
    c.save((URL, ACCOUNT, EAST, "self"), images(CHUNK + 10))
    c.save((URL, ACCOUNT, WEST, "self"), images(3, WEST))
    c.remember_account(URL, None, ACCOUNT)
    yield c
    c.close()


def test_reads_the_remembered_accounts_listing_and_decodes_only_its_first_chunk(cache) -> None:
    start = read_cached_start(cache, Settings(endpoint_url=URL, regions=(EAST, WEST)))
    assert start is not None
    assert start.account == ACCOUNT and start.regions == (EAST, WEST)
    assert start.query_label == "self" and start.saved_at == 50.0
    assert start.first == images(FIRST_CHUNK) and start.count == CHUNK + 13
    assert [len(e.chunks) for e in start.entries] == [2, 1]
    assert start.fits((EAST, WEST), "self", None) and start.fits((EAST, WEST), "self", ACCOUNT)
    assert not start.fits((EAST, WEST), "self", "999999999999")
    assert not start.fits((EAST,), "self", None) and not start.fits((EAST, WEST), "amazon", None)


@pytest.mark.parametrize(
    "settings",
    [
        Settings(endpoint_url=URL, profile="prod"),  # no account remembered for this profile
        Settings(endpoint_url="http://127.0.0.1:6000"),  # nor for this endpoint
        Settings(endpoint_url=URL, regions=(EAST, "ap-south-1")),  # a region not cached
        Settings(endpoint_url=URL, owners=("amazon",)),  # another query
        Settings(endpoint_url=URL, accounts="org"),  # many accounts: read the usual way
    ],
)
def test_no_start_without_the_whole_listing_of_a_known_account(cache, settings) -> None:
    assert read_cached_start(cache, settings) is None


def test_an_empty_listing_is_no_start(cache) -> None:
    cache.save((URL, ACCOUNT, EAST, "self"), [])
    assert read_cached_start(cache, Settings(endpoint_url=URL)) is None


def test_a_damaged_first_chunk_is_no_start_and_is_dropped(cache) -> None:
    cache._conn.execute("UPDATE inventory_chunk SET data = ? WHERE region = ?", (b"bad", EAST))
    assert read_cached_start(cache, Settings(endpoint_url=URL)) is None
    assert cache.entry((URL, ACCOUNT, EAST, "self")) is None


def test_a_cached_start_builds_the_app_without_loading_boto3(cache, tmp_path) -> None:
    """boto3 and botocore's clients, parsers and models load only once the cached rows are
    painted (the listing and the identity load them); without a start, the first page is
    asked for (with boto3) before the UI is even imported."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from amitui.cli import make_app\n"
        "from amitui.settings import Settings\n"
        f"app = make_app(Settings(endpoint_url={URL!r}, regions={(EAST, WEST)!r}))\n"
        "assert app.services.start is not None, 'no cached start'\n"
        "heavy = [m for m in ('boto3', 'botocore.session', 'botocore.client',\n"
        "         'botocore.parsers') if m in sys.modules]\n"
        "print(heavy); sys.exit(1 if heavy else 0)\n"
    )
    cache.close()
    env = dict(os.environ, AMITUI_CACHE_DIR=str(tmp_path), AMITUI_STATE_DIR=str(tmp_path / "s"))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
