"""The inventory cache: exact round trips, scopes, 100k images, and bad files."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
import zlib
from pathlib import Path

import pytest

from amitui.aws.images import Image
from amitui.inventory_cache import InventoryCache

KEY = ("http://127.0.0.1:5055", "123456789012", "us-east-1", "self")


def image(i: int, **kw) -> Image:
    values = dict(
        image_id=f"ami-{i:017x}",
        region="us-east-1",
        name=f"web-{i} [bold]ünïcode[/]",
        state="available",
        architecture="x86_64",
        platform="Linux/UNIX",
        root_device_type="ebs",
        root_size_gib=8 + i % 3,
        creation_date="2024-05-01T10:00:00.000Z",
        owner_id="123456789012",
        public=bool(i % 2),
        description="line\twith\x00control",
        virtualization_type="hvm",
        image_type="machine",
        tags=(("Name", f"web-{i}"), ("env", "prod")),
        snapshot_ids=(f"snap-{i:017x}",),
    )
    values.update(kw)
    return Image(**values)


@pytest.fixture
def cache(tmp_path: Path) -> InventoryCache:
    c = InventoryCache(tmp_path / "cache" / "inventory.sqlite3", clock=lambda: 1234.5)
    yield c
    c.close()


def test_round_trip_is_exact(cache: InventoryCache) -> None:
    images = [
        image(1),
        image(2, tags=(), snapshot_ids=(), root_size_gib=None, owner_alias="amazon"),
    ]
    assert cache.save(KEY, images) == 2
    loaded, saved_at = cache.load(KEY)
    assert loaded == images and saved_at == 1234.5
    assert isinstance(loaded[0].tags, tuple) and isinstance(loaded[0].tags[0], tuple)
    assert isinstance(loaded[0].snapshot_ids, tuple)


def test_scopes_are_separate_and_save_replaces(cache: InventoryCache) -> None:
    cache.save(KEY, [image(1)])
    cache.save((None, "123456789012", "us-east-1", "self"), [image(2)])  # None = real AWS
    cache.save((*KEY[:2], "eu-west-1", "self"), [image(3)])
    cache.save((*KEY[:3], "amazon"), [])
    assert [i.image_id for i in cache.load(KEY)[0]] == [image(1).image_id]
    assert [i.image_id for i in cache.load(("aws", "123456789012", "us-east-1", "self"))[0]] == [
        image(2).image_id
    ]
    assert cache.load((*KEY[:3], "amazon"))[0] == []
    assert cache.load((*KEY[:2], "ap-south-1", "self")) is None
    cache.save(KEY, [image(5), image(6)])
    assert len(cache.load(KEY)[0]) == 2
    cache.forget(KEY)
    assert cache.load(KEY) is None


def test_one_hundred_thousand_images_round_trip(cache: InventoryCache) -> None:
    images = [image(i) for i in range(100_000)]
    assert cache.save(KEY, (i for i in images)) == 100_000  # any iterable, counted as it goes
    loaded, _ = cache.load(KEY)
    assert len(loaded) == 100_000
    assert loaded[0] == images[0] and loaded[-1] == images[-1] and loaded[54321] == images[54321]
    assert loaded == images  # in order, across every chunk


def test_a_smaller_save_leaves_no_chunk_of_the_bigger_one(cache: InventoryCache) -> None:
    cache.save(KEY, [image(i) for i in range(5000)])  # three chunks
    cache.save(KEY, [image(7)])
    assert cache.load(KEY)[0] == [image(7)]
    assert cache._conn.execute("SELECT COUNT(*) FROM inventory_chunk").fetchone()[0] == 1


def test_a_save_that_fails_part_way_keeps_the_previous_listing(cache: InventoryCache) -> None:
    cache.save(KEY, [image(1), image(2)])

    def broken():
        yield from (image(i) for i in range(3000))  # a chunk is written, then:
        raise RuntimeError("the listing went away")

    with pytest.raises(RuntimeError):
        cache.save(KEY, broken())
    assert cache.load(KEY)[0] == [image(1), image(2)]


def test_a_version_one_cache_is_migrated_by_dropping_its_entries(tmp_path: Path) -> None:
    from amitui.inventory_cache import CACHE_MIGRATIONS
    from amitui.sqlite_file import open_database

    path = tmp_path / "inventory.sqlite3"
    conn, _ = open_database(path, CACHE_MIGRATIONS[:1])
    conn.execute("INSERT INTO inventory VALUES (?, ?, ?, ?, 1.0, 0, '[]', x'00')", KEY)
    conn.close()
    c = InventoryCache(path)
    assert c.enabled and c.warnings == [] and c.load(KEY) is None
    c.save(KEY, [image(1)])
    assert c.load(KEY)[0] == [image(1)]
    c.close()


def test_files_are_private(cache: InventoryCache, tmp_path: Path) -> None:
    cache.save(KEY, [image(1)])
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700
    for p in (tmp_path / "cache").iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_rows_from_another_image_shape_map_by_name(cache: InventoryCache) -> None:
    columns = ["image_id", "region", "name", "retired_field"]
    rows = [["ami-0000000000000000a", "us-east-1", "old", 42]]
    blob = zlib.compress(json.dumps(rows).encode())
    cache._conn.execute(
        "INSERT INTO inventory VALUES (?, ?, ?, ?, 1.0, 1, ?)", (*KEY, json.dumps(columns))
    )
    cache._conn.execute("INSERT INTO inventory_chunk VALUES (?, ?, ?, ?, 0, ?)", (*KEY, blob))
    [img], _ = cache.load(KEY)
    assert (img.image_id, img.name, img.state, img.tags) == ("ami-0000000000000000a", "old", "", ())


def test_unreadable_entry_is_a_miss_and_dropped(cache: InventoryCache, caplog) -> None:
    cache.save(KEY, [image(1)])
    cache._conn.execute("UPDATE inventory_chunk SET data = ?", (b"not zlib",))
    with caplog.at_level("WARNING"):
        assert cache.load(KEY) is None
    # The cache logs under its own name, not the task store's.
    assert [r.name for r in caplog.records] == ["amitui.inventory_cache"]
    assert cache._conn.execute("SELECT COUNT(*) FROM inventory").fetchone()[0] == 0
    assert cache._conn.execute("SELECT COUNT(*) FROM inventory_chunk").fetchone()[0] == 0


def test_corrupt_cache_file_is_replaced_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite3"
    path.write_bytes(b"\x00garbage" * 1000)
    c = InventoryCache(path)
    assert c.enabled and len(c.warnings) == 1 and "moved it to" in c.warnings[0]
    c.save(KEY, [image(1)])
    assert c.load(KEY)[0] == [image(1)]
    c.close()


def test_newer_cache_schema_disables_the_cache_without_touching_it(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite3"
    InventoryCache(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 9")
    conn.commit()
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    c = InventoryCache(path)
    assert not c.enabled
    assert "disabled" in c.warnings[0] and "newer amitui" in c.warnings[0]
    assert c.save(KEY, [image(1)]) == 0 and c.load(KEY) is None
    c.close()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_an_entry_decodes_a_chunk_at_a_time_in_the_order_saved(cache: InventoryCache) -> None:
    from amitui.cache_rows import CHUNK, FIRST_CHUNK

    images = [image(i) for i in range(FIRST_CHUNK + CHUNK + 7)]
    cache.save(KEY, images)
    entry = cache.entry(KEY)
    assert entry is not None and entry.count == len(images) and entry.saved_at == 1234.5
    assert len(entry.chunks) == 3
    assert entry.chunk(0) == images[:FIRST_CHUNK]  # a few screenfuls, alone
    assert entry.chunk(1) == images[FIRST_CHUNK : FIRST_CHUNK + CHUNK]
    assert entry.chunk(2) == images[FIRST_CHUNK + CHUNK :]
    assert entry.images() == images
    assert cache.entry((*KEY[:3], "amazon")) is None


def test_repeated_texts_and_tags_are_one_object_across_chunks(cache: InventoryCache) -> None:
    from amitui.cache_rows import FIRST_CHUNK

    many = FIRST_CHUNK + 5
    images = [image(i, name=f"family-{i % 3}", tags=(("env", "prod"),)) for i in range(many)]
    cache.save(KEY, images)
    entry = cache.entry(KEY)
    first, second = entry.chunk(0), entry.chunk(1)
    assert first + second == images
    assert first[3].name is first[0].name and second[0].name is first[FIRST_CHUNK % 3].name
    assert first[0].description is second[-1].description
    assert first[0].tags is second[-1].tags


def test_a_chunk_damaged_part_way_raises_and_the_entry_can_be_dropped(cache) -> None:
    from amitui.cache_rows import FIRST_CHUNK
    from amitui.inventory_cache import UnreadableEntry

    cache.save(KEY, [image(i) for i in range(FIRST_CHUNK + 1)])
    cache._conn.execute("UPDATE inventory_chunk SET data = ? WHERE seq = 1", (b"not zlib",))
    entry = cache.entry(KEY)
    assert len(entry.chunk(0)) == FIRST_CHUNK
    with pytest.raises(UnreadableEntry):
        entry.chunk(1)
    assert cache.load(KEY) is None  # a miss, and dropped
    assert cache.entry(KEY) is None


def test_the_account_a_profile_last_signed_in_to_is_remembered(cache: InventoryCache) -> None:
    assert cache.last_account("http://127.0.0.1:5055/", None) is None
    cache.remember_account("http://127.0.0.1:5055/", None, "111111111111")
    cache.remember_account(None, "prod", "222222222222")  # None: AWS itself
    assert cache.last_account("http://127.0.0.1:5055", None) == "111111111111"
    assert cache.last_account("aws", "prod") == "222222222222"
    assert cache.last_account(None, None) is None  # another profile: not known
    cache.remember_account("http://127.0.0.1:5055", None, "333333333333")
    assert cache.last_account("http://127.0.0.1:5055", None) == "333333333333"


def test_a_version_two_cache_keeps_its_entries(tmp_path: Path) -> None:
    from amitui.cache_rows import FIELDS, encode
    from amitui.inventory_cache import CACHE_MIGRATIONS
    from amitui.sqlite_file import open_database

    path = tmp_path / "inventory.sqlite3"
    conn, _ = open_database(path, CACHE_MIGRATIONS[:2])  # as the previous amitui wrote it
    conn.execute("INSERT INTO inventory VALUES (?, ?, ?, ?, 1.0, 1, ?)", (*KEY, json.dumps(FIELDS)))
    [blob] = encode([image(1)])
    conn.execute("INSERT INTO inventory_chunk VALUES (?, ?, ?, ?, 0, ?)", (*KEY, blob))
    conn.close()
    c = InventoryCache(path)
    assert c.enabled and c.warnings == []
    assert c.load(KEY)[0] == [image(1)] and c.last_account(KEY[0], None) is None
    c.close()
