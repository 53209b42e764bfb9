"""The tasks store: API, history, scopes, durability, schema versions, bad files."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

import amitui.actions  # noqa: F401 (the built-in actions register their task kinds)
from amitui.sqlite_file import open_database
from amitui.tasks.model import Observation
from amitui.tasks.store import TASK_MIGRATIONS, SchemaTooNewError, StoreError, TaskStore
from tests.support.clock import Clock
from tests.support.sqlite_heap import sqlite_memory_used

SCOPE = "aws|111111111111"
OTHER = "http://127.0.0.1:5055|123456789012"


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> TaskStore:
    s = TaskStore(tmp_path / "state" / "tasks.sqlite3", clock=clock)
    yield s
    s.close()


def add(store: TaskStore, target: str = "ami-0123456789abcdef0", **kw) -> object:
    args = {"scope": SCOPE, "kind": "copy", "region": "eu-west-1", "target_id": target}
    args.update(kw)
    return store.add_task(**args)


# API ---------------------------------------------------------------------------------------


def test_add_task_returns_a_stored_running_task(store: TaskStore, clock: Clock) -> None:
    task = add(store, source="ami-aaaaaaaa (us-east-1)", name="web")
    assert task.id > 0
    assert task.status == "running" and task.is_running and not task.is_terminal
    assert (task.kind, task.region, task.source, task.name) == (
        "copy",
        "eu-west-1",
        "ami-aaaaaaaa (us-east-1)",
        "web",
    )
    assert task.created_at == task.updated_at == clock.t
    assert task.finished_at is None and not task.cleared and not task.adopted
    assert store.get(task.id) == task
    [event] = store.history(task.id)
    assert (event.status, event.message, event.at) == ("running", "started", clock.t)


def test_add_task_is_idempotent_per_scope_region_target(store: TaskStore) -> None:
    first = add(store)
    again = add(store, source="other")
    assert again.id == first.id and again.source == first.source
    # Same id in another scope or region is another task.
    assert add(store, scope=OTHER).id != first.id
    assert add(store, region="us-west-2").id != first.id
    assert len(store.history(first.id)) == 1


def test_add_task_refuses_unknown_kind_status_and_empty_target(store: TaskStore) -> None:
    with pytest.raises(ValueError, match="kind"):
        add(store, kind="launch")
    with pytest.raises(ValueError, match="status"):
        add(store, status="stuck")
    with pytest.raises(ValueError, match="target_id"):
        add(store, target="")


def test_update_records_an_event_only_when_something_changed(
    store: TaskStore, clock: Clock
) -> None:
    task = add(store, kind="export", target="export-ami-0123456789abcdef0")
    clock.t += 5
    changed = store.update_task(task.id, aws_state="active", progress=10, message="converting")
    assert changed is not None and changed.progress == 10 and changed.updated_at == clock.t
    assert store.update_task(task.id, aws_state="active", progress=10, message="converting") is None
    clock.t += 5
    assert store.update_task(task.id, progress=40) is not None
    states = [(e.status, e.aws_state, e.progress, e.message) for e in store.history(task.id)]
    assert states == [
        ("running", "", None, "started"),
        ("running", "active", 10, "converting"),
        ("running", "active", 40, "converting"),
    ]


def test_terminal_status_sets_finished_at_and_is_never_reopened(
    store: TaskStore, clock: Clock
) -> None:
    task = add(store)
    clock.t += 30
    done = store.apply(task.id, Observation("done", "available", None, "", "ami-0123456789abcdef0"))
    assert done is not None and done.status == "done" and done.finished_at == clock.t
    assert done.elapsed() == 30
    clock.t += 5
    assert store.apply(task.id, Observation("running", "pending")) is None
    assert store.get(task.id).status == "done"
    assert store.running_tasks(SCOPE) == []


def test_an_end_seen_late_keeps_the_last_change_as_finished_at(
    store: TaskStore, clock: Clock
) -> None:
    task = add(store, kind="export", target="export-ami-0123456789abcdef0")
    clock.t += 20
    store.apply(task.id, Observation("running", "active", 40, "converting"))
    clock.t += 7200  # amitui was closed for two hours; the export ended meanwhile
    done = store.apply(task.id, Observation("done", "completed", 100, "ok"), ended_unseen=True)
    assert done.finished_at == task.created_at + 20 and done.updated_at == clock.t
    assert done.ended_unseen and done.elapsed() == 20
    assert store.get(task.id).elapsed(clock.t + 99999) == 20  # never grows


def test_update_of_unknown_task_is_none_and_bad_status_refused(store: TaskStore) -> None:
    assert store.update_task(999, status="done") is None
    task = add(store)
    with pytest.raises(ValueError):
        store.update_task(task.id, status="exploded")


def test_image_id_change_alone_is_saved_without_an_event(store: TaskStore) -> None:
    task = add(store, kind="import", target="import-ami-0123456789abcdef0")
    updated = store.update_task(task.id, image_id="ami-0fedcba9876543210")
    assert updated is not None and updated.image_id == "ami-0fedcba9876543210"
    assert len(store.history(task.id)) == 1


def test_scopes_are_isolated(store: TaskStore) -> None:
    mine = add(store)
    theirs = add(store, scope=OTHER, target="ami-0aaaaaaaaaaaaaaaa")
    assert [t.id for t in store.list_tasks(SCOPE)] == [mine.id]
    assert [t.id for t in store.list_tasks(OTHER)] == [theirs.id]
    assert [t.id for t in store.running_tasks(SCOPE)] == [mine.id]
    assert {t.id for t in store.running_tasks()} == {mine.id, theirs.id}
    assert store.count_running(SCOPE) == 1
    assert store.find(SCOPE, "eu-west-1", "ami-0aaaaaaaaaaaaaaaa") is None
    assert store.find(OTHER, "eu-west-1", "ami-0aaaaaaaaaaaaaaaa").id == theirs.id


def test_list_is_newest_first_and_clear_finished_keeps_history(
    store: TaskStore, clock: Clock
) -> None:
    a = add(store, target="ami-0000000000000000a")
    clock.t += 1
    b = add(store, target="ami-0000000000000000b")
    clock.t += 1
    c = add(store, target="ami-0000000000000000c")
    assert [t.id for t in store.list_tasks(SCOPE)] == [c.id, b.id, a.id]
    store.update_task(a.id, status="done", aws_state="available")
    store.update_task(b.id, status="failed", aws_state="failed", message="boom")
    other = add(store, scope=OTHER, target="ami-0000000000000000d")
    store.update_task(other.id, status="done")
    assert sorted(store.clear_finished(SCOPE)) == sorted([a.id, b.id])
    assert [t.id for t in store.list_tasks(SCOPE)] == [c.id]
    everything = store.list_tasks(SCOPE, include_cleared=True)
    assert {t.id for t in everything} == {a.id, b.id, c.id}
    assert all(t.cleared for t in everything if t.id != c.id)
    assert [e.status for e in store.history(b.id)] == ["running", "failed"]
    assert store.list_tasks(OTHER)[0].id == other.id  # other scope untouched
    assert store.clear_finished(SCOPE) == []


def test_running_tasks_of_other_scopes_are_listed_as_unfollowed_until_cleared(
    store: TaskStore, clock: Clock
) -> None:
    mine = add(store)
    gone = add(store, scope=OTHER, target="ami-0000000000000000e")  # e.g. an old demo port
    finished = add(store, scope=OTHER, target="ami-0000000000000000f")
    store.update_task(finished.id, status="done")
    assert [t.id for t in store.unfollowed_tasks(SCOPE)] == [gone.id]
    assert [t.id for t in store.unfollowed_tasks(OTHER)] == [mine.id]  # seen from there
    clock.t += 1
    assert store.clear_unfollowed(SCOPE) == 1
    assert store.unfollowed_tasks(SCOPE) == []
    assert store.get(gone.id).status == "running"  # not made up: it is just not shown here
    assert "not followed" in store.history(gone.id)[-1].message
    assert store.get(mine.id).cleared is False
    # followed again from its own scope, a cleared running task is listed and counted
    assert [t.id for t in store.list_tasks(OTHER)] == [finished.id, gone.id]
    assert store.count_running(OTHER) == 1
    assert store.clear_unfollowed(SCOPE) == 0


def test_cancel_requested_is_recorded(store: TaskStore) -> None:
    task = add(store, kind="import", target="import-ami-0123456789abcdef0")
    assert task.cancellable
    marked = store.mark_cancel_requested(task.id)
    assert marked.cancel_requested and not marked.cancellable
    assert store.history(task.id)[-1].message == "cancel requested"
    store.update_task(task.id, status="cancelled")
    assert store.mark_cancel_requested(task.id) is None


def test_target_ids_for_adoption(store: TaskStore) -> None:
    add(store, kind="export", target="export-ami-1")
    add(store, kind="import", target="import-ami-2")
    add(store, kind="import", target="import-ami-3", region="us-east-1")
    assert store.target_ids(SCOPE, "eu-west-1") == {"export-ami-1", "import-ami-2"}
    assert store.target_ids(SCOPE, "eu-west-1", "import") == {"import-ami-2"}


def test_concurrent_writers_from_threads(store: TaskStore) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(40):
                t = add(store, kind="export", target=f"export-ami-{n}-{i}")
                store.update_task(t.id, progress=i % 100, aws_state="active")
                store.list_tasks(SCOPE)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.list_tasks(SCOPE)) == 320
    assert all(len(store.history(t.id)) in (1, 2) for t in store.list_tasks(SCOPE))


# Durability and files -----------------------------------------------------------------------


def test_wal_full_sync_version_and_private_files(store: TaskStore, tmp_path: Path) -> None:
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.schema_version == len(TASK_MIGRATIONS) == 5
    add(store)
    state = tmp_path / "state"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    files = [p for p in state.iterdir()]
    assert {p.name for p in files} >= {"tasks.sqlite3", "tasks.sqlite3-wal"}
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_existing_loose_permissions_are_tightened(tmp_path: Path) -> None:
    path = tmp_path / "tasks.sqlite3"
    TaskStore(path).close()
    path.chmod(0o644)
    TaskStore(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_reopen_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "tasks.sqlite3"
    with TaskStore(path) as s:
        t = add(s)
        s.update_task(t.id, aws_state="pending", message="copying")
    with TaskStore(path) as s:
        assert s.get(t.id).message == "copying"
        assert len(s.history(t.id)) == 2
        assert s.warnings == []


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "tasks.sqlite3"
    with TaskStore(path) as s:
        add(s)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()
    before = _digest(path)
    names = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(SchemaTooNewError) as err:
        TaskStore(path)
    message = str(err.value)
    known = f"v{len(TASK_MIGRATIONS)}"
    assert "newer amitui" in message and "v7" in message and known in message
    assert "untouched" in message and str(path) in message
    assert isinstance(err.value, StoreError)
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == names


def test_migration_path_to_v2_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "tasks.sqlite3"
    with TaskStore(path) as s:
        t = add(s)
    later = [*TASK_MIGRATIONS, ["ALTER TABLE tasks ADD COLUMN note TEXT NOT NULL DEFAULT ''"]]
    conn, warnings = open_database(path, later)
    assert warnings == []
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(later)
    assert conn.execute("SELECT target_id, note FROM tasks WHERE id = ?", (t.id,)).fetchone() == (
        t.target_id,
        "",
    )
    conn.close()
    # This version of amitui does not know the later one: refused, not downgraded.
    with pytest.raises(SchemaTooNewError):
        TaskStore(path)


def test_a_failing_migration_rolls_back(tmp_path: Path) -> None:
    path = tmp_path / "tasks.sqlite3"
    TaskStore(path).close()
    bad = [*TASK_MIGRATIONS, ["CREATE TABLE extra (x)", "THIS IS NOT SQL"]]
    with pytest.raises(StoreError, match="syntax error"):
        open_database(path, bad)
    with TaskStore(path) as s:
        assert s.schema_version == len(TASK_MIGRATIONS)
        assert s._conn.execute("SELECT name FROM sqlite_master WHERE name='extra'").fetchall() == []


@pytest.mark.parametrize(
    "content",
    [b"this is not a database at all\n" * 40, b"SQLite format 3\x00" + b"\xff" * 5000],
    ids=["garbage", "bad-header"],
)
def test_corrupt_file_is_moved_aside_and_a_fresh_one_made(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "tasks.sqlite3"
    path.write_bytes(content)
    with TaskStore(path) as s:
        assert len(s.warnings) == 1
        assert "moved it to" in s.warnings[0] and ".corrupt-" in s.warnings[0]
        t = add(s)
        assert s.get(t.id) is not None
    aside = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == content
    with TaskStore(path) as s:
        assert s.warnings == [] and len(s.list_tasks(SCOPE)) == 1


def test_damaged_pages_are_detected_by_the_integrity_check(tmp_path: Path) -> None:
    path = tmp_path / "tasks.sqlite3"
    with TaskStore(path) as s:
        for i in range(300):
            add(s, target=f"ami-{i:017x}", source="x" * 200)
        s._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data) - page, page):
        data[offset : offset + 64] = b"\xa5" * 64  # scribble over every page header
    path.write_bytes(bytes(data))
    with TaskStore(path) as s:
        assert s.warnings and "unusable" in s.warnings[0]
        assert s.list_tasks(SCOPE) == []
    assert any(".corrupt-" in p.name for p in tmp_path.iterdir())


def test_unusable_location_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state directory should be")
    with TaskStore(blocker / "tasks.sqlite3") as s:
        assert s.warnings and "in-memory" in s.warnings[0]
        t = add(s)
        assert s.get(t.id) is not None


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_own_file_without_permissions_is_made_0600_again(tmp_path: Path) -> None:
    path = tmp_path / "tasks.sqlite3"
    TaskStore(path).close()
    path.chmod(0o000)
    # We own it, so it is made 0600 again and opens with its tasks.
    with TaskStore(path) as s:
        assert s.get(1) is None


def test_v4_adds_the_tasks_account_and_a_v3_file_keeps_its_tasks(tmp_path: Path) -> None:
    path = tmp_path / "tasks.sqlite3"
    conn, _ = open_database(path, TASK_MIGRATIONS[:3])
    conn.execute(
        "INSERT INTO tasks (scope, kind, region, target_id, status, created_at, updated_at)"
        " VALUES (?, 'copy', 'eu-west-1', 'ami-0123456789abcdef0', 'running', 1, 1)",
        (SCOPE,),
    )
    conn.commit()
    conn.close()
    with TaskStore(path) as s:
        assert s.schema_version == len(TASK_MIGRATIONS)
        (old,) = s.list_tasks(SCOPE)
        assert old.account == ""  # the single-account case: the scope's own account
        new = add(s, "ami-0fedcba9876543210", account="222222222222")
        assert s.get(new.id).account == "222222222222"
        updated = s.update_task(new.id, status="done")
        assert updated is not None and updated.account == "222222222222"


def test_v5_adds_the_bulk_items_account_and_a_v4_file_keeps_its_runs(tmp_path: Path) -> None:
    from amitui.tasks.bulk_model import NewItem

    path = tmp_path / "tasks.sqlite3"
    conn, _ = open_database(path, TASK_MIGRATIONS[:4])
    conn.execute(
        "INSERT INTO bulk_runs (scope, action, title, created_at) VALUES (?, 'tags', 't', 1)",
        (SCOPE,),
    )
    conn.execute(
        "INSERT INTO bulk_items (run_id, region, target_id, calls, status, updated_at)"
        " VALUES (1, 'eu-west-1', 'ami-0123456789abcdef0', '[]', 'queued', 1)"
    )
    conn.commit()
    conn.close()
    with TaskStore(path) as s:
        assert s.schema_version == 5
        (old,) = s.bulk.items(1)
        assert old.account == ""  # the single-account case: the scope's own account
        calls = [("CreateTags", {"Resources": ["ami-0fedcba9876543210"]})]
        item = NewItem("us-east-1", "ami-0fedcba9876543210", calls, account="222222222222")
        run = s.bulk.add_run(SCOPE, "tags", "t2", [item])
        (new,) = s.bulk.items(run.id)
        assert new.account == "222222222222"


def test_a_store_that_grows_for_hours_holds_a_bounded_page_cache(
    store: TaskStore, clock: Clock
) -> None:
    """SQLite's page cache keeps the pages read until it is full (2000 KiB by default): the
    soak's store grew SQLite's heap by 1 MB in 50 minutes. Bounded (64 KiB for the tasks
    file), it stops growing once the file outgrows it: by 200 tasks (~150 KiB of file;
    with 256 KiB it grew until ~350)."""
    heap = sqlite_memory_used()
    if heap is None or heap() == 0:  # (0: SQLite was built without memory statistics)
        pytest.skip("SQLite's memory statistics are not reachable here")
    held = []
    for n in range(1, 1001):
        task = add(store, target=f"ami-{n:017x}", name=f"copy-{n}", source=f"ami-{n:017x}")
        store.update_task(task.id, status="done", aws_state="available", message="copied")
        if n % 100 == 0:
            store.list_tasks(SCOPE)  # reads every page of the tasks
            held.append(heap())
    assert held[-1] - held[1] < 20_000, held  # 200 -> 1000 tasks: +~110 kB with 256 KiB
