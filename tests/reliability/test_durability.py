"""Durability: SIGKILL while tasks are written loses nothing the process announced; a
corrupt or unusable state or cache file is moved aside with a warning and startup goes on;
a schema newer than this amitui is refused with a clear message and left byte-for-byte."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import amitui.actions  # noqa: F401 (the built-in actions register their task kinds)
from amitui.inventory_cache import CACHE_MIGRATIONS, InventoryCache
from amitui.tasks.store import TASK_MIGRATIONS, SchemaTooNewError, TaskStore
from tests.reliability.figures import FIGURES

ROOT = Path(__file__).resolve().parents[2]

# -- SIGKILL ----------------------------------------------------------------------------


def run_writer_and_kill(db: Path, after: int) -> list[str]:
    """Start the writer, SIGKILL it once it announced ``after`` tasks; every announced id."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.task_writer", str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    told: list[str] = []
    try:
        assert proc.stdout is not None
        while len(told) < after:
            line = proc.stdout.readline()
            if not line:
                raise AssertionError(f"the writer stopped: {proc.stderr.read()}")
            told.append(line.split()[1])
        os.kill(proc.pid, signal.SIGKILL)
        told += [line.split()[1] for line in proc.stdout.read().splitlines() if line]
    finally:
        proc.kill()
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    return told


@pytest.mark.parametrize("after", [1, 25, 120, 400])
def test_sigkill_while_writing_loses_no_announced_task(tmp_path, after):
    db = tmp_path / "state" / "tasks.sqlite3"
    told = run_writer_and_kill(db, after)
    assert len(told) >= after
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = [r[0] for r in conn.execute("SELECT target_id FROM tasks")]
    lost = set(told) - set(stored)
    duplicated = len(stored) - len(set(stored))
    FIGURES.kills += 1
    FIGURES.tasks(told=len(told), lost=len(lost), duplicated=duplicated)
    assert not lost and not duplicated
    # And amitui opens it as it is (nothing moved aside), every task still running.
    with TaskStore(db) as store:
        assert store.warnings == []
        running = {t.target_id for t in store.running_tasks()}
    assert set(told) <= running
    assert not list(db.parent.glob("*.corrupt-*"))


# -- corrupt and unusable files ----------------------------------------------------------


def valid_db_bytes(tmp_path: Path, version: int | None = None) -> bytes:
    """A valid file of several pages; ``version``: the schema version it claims (the cache's,
    for a cache file: one newer than what its reader knows would be refused, not moved)."""
    path = tmp_path / "valid.sqlite3"
    path.unlink(missing_ok=True)
    with TaskStore(path) as store:
        for n in range(50):
            store.add_task(scope="s", kind="copy", region="r", target_id=f"ami-{n:08x}")
    with sqlite3.connect(path) as conn:
        if version is not None:
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.read_bytes()


def valid_bytes_for(path: Path) -> bytes:
    cache = path.name.startswith("cache")
    return valid_db_bytes(path.parent.parent, len(CACHE_MIGRATIONS) if cache else None)


def make_garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database\n" * 100)


def make_truncated(path: Path) -> None:
    data = valid_bytes_for(path)
    path.write_bytes(data[: len(data) // 2 + 100])


def make_scribbled(path: Path) -> None:
    """A valid file with its pages overwritten in the middle (a disk that lied)."""
    data = bytearray(valid_bytes_for(path))
    for offset in range(4096, len(data), 4096):
        data[offset + 8 : offset + 200] = b"\xff" * 192
    path.write_bytes(bytes(data))


def make_directory(path: Path) -> None:
    path.mkdir()
    (path / "something").write_text("x")


BREAKAGES = {
    "garbage": make_garbage,
    "truncated": make_truncated,
    "scribbled": make_scribbled,
    "a directory": make_directory,
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
@pytest.mark.parametrize("kind", ["tasks", "cache"])
def test_an_unusable_file_is_moved_aside_and_a_fresh_one_made(tmp_path, kind, breakage):
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / f"{kind}.sqlite3"
    BREAKAGES[breakage](path)
    before = _digest(path)
    opened = TaskStore(path) if kind == "tasks" else InventoryCache(path)
    try:
        (warning,) = opened.warnings
        aside = sorted(folder.glob(f"{kind}.sqlite3.corrupt-*"))
        assert len(aside) == 1 and str(aside[0]) in warning
        assert "moved it to" in warning and "\n" not in warning
        assert _digest(aside[0]) == before  # kept as it was, for a post-mortem
        if kind == "tasks":
            task = opened.add_task(scope="s", kind="copy", region="r", target_id="ami-12345678")
            assert opened.get(task.id) == task
        else:
            assert opened.enabled and opened.save(("e", "a", "r", "self"), []) == 0
    finally:
        opened.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_state_directory_that_cannot_be_made_falls_back_to_memory(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with TaskStore(blocker / "state" / "tasks.sqlite3") as store:
        (warning,) = store.warnings
        assert "in-memory" in warning and "nothing will be remembered" in warning
        store.add_task(scope="s", kind="copy", region="r", target_id="ami-12345678")
        assert store.count_running("s") == 1


def _digest(path: Path) -> str:
    if path.is_dir():
        return "dir:" + ",".join(sorted(p.name for p in path.iterdir()))
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- a newer schema -------------------------------------------------------------------------


def newer_schema_file(path: Path, migrations, version: int = 99) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        for statement in migrations[0]:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
    path.chmod(0o600)


def folder_state(folder: Path) -> dict[str, str]:
    return {p.name: _digest(p) for p in sorted(folder.iterdir())}


def test_the_cli_refuses_a_newer_task_schema_and_leaves_the_file_alone(tmp_path):
    state = tmp_path / "state"
    db = state / "tasks.sqlite3"
    newer_schema_file(db, TASK_MIGRATIONS)
    before = folder_state(state)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMITUI_", "AWS_ENDPOINT"))}
    env.update(
        AMITUI_STATE_DIR=str(state),
        AMITUI_CACHE_DIR=str(tmp_path / "cache"),
        AMITUI_CONFIG_DIR=str(tmp_path / "config"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "amitui.cli", "--endpoint-url", "http://127.0.0.1:9"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result
    message = result.stderr.strip()
    assert message.startswith("amitui: ") and "\n" not in message
    assert "newer amitui" in message and "schema v99" in message and "untouched" in message
    assert str(db) in message
    assert "Traceback" not in result.stderr + result.stdout
    assert folder_state(state) == before  # byte for byte, and no -wal/-shm left behind
    with pytest.raises(SchemaTooNewError):  # and the store still refuses it
        TaskStore(db)
    assert folder_state(state) == before


def test_a_newer_cache_schema_disables_the_cache_and_leaves_the_file_alone(tmp_path):
    folder = tmp_path / "cache"
    path = folder / "inventory.sqlite3"
    newer_schema_file(path, CACHE_MIGRATIONS, version=7)
    before = folder_state(folder)
    cache = InventoryCache(path)
    (warning,) = cache.warnings
    assert "inventory cache disabled" in warning and "newer amitui" in warning
    assert not cache.enabled
    key = ("e", "a", "r", "self")
    assert cache.save(key, []) == 0 and cache.load(key) is None
    cache.close()
    assert folder_state(folder) == before


async def test_the_app_starts_over_corrupt_state_and_cache_files(sandbox, tmp_path):
    """`amitui` as the CLI builds it, over a garbage tasks file and a truncated cache:
    it starts, says so in two warnings, lists, and records tasks in the fresh file."""
    from amitui.cli import make_app as cli_make_app
    from amitui.settings import build_settings
    from tests.app.helpers import SIZE, loaded, record_notifications, table, wait_for

    state = Path(os.environ["AMITUI_STATE_DIR"])
    cache = Path(os.environ["AMITUI_CACHE_DIR"])
    state.mkdir(parents=True)
    cache.mkdir(parents=True)
    make_garbage(state / "tasks.sqlite3")
    make_truncated(cache / "inventory.sqlite3")
    app = cli_make_app(build_settings({"endpoint_url": sandbox.url}, env={}))
    record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: len(app.notified) >= 2, what="the warnings")
        warnings = [m for m in app.notified if "moved it to" in m]
        assert len(warnings) == 2 and all("\n" not in w for w in warnings)
        assert table(app).rows.total > 50
        await wait_for(pilot, lambda: app.tasks.scope, what="the account")
        task = app.tasks.store.add_task(
            scope=app.tasks.scope, kind="export", region="us-east-1", target_id="export-ami-9"
        )
    with TaskStore(state / "tasks.sqlite3") as store:
        assert store.warnings == [] and store.get(task.id).target_id == "export-ami-9"
    assert len(list(state.glob("tasks.sqlite3.corrupt-*"))) == 1
    assert len(list(cache.glob("inventory.sqlite3.corrupt-*"))) == 1
