"""Fixtures of the unit suite: a clock set by hand and a task store that reads it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from amitui.tasks.store import TaskStore
from tests.support.clock import Clock


@pytest.fixture
def clock() -> Clock:
    """A clock the test moves by hand (``clock.t += 10``)."""
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[TaskStore]:
    """A task store in the test's own folder, on ``clock``."""
    with TaskStore(tmp_path / "tasks.sqlite3", clock=clock) as s:
        yield s
