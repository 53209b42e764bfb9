"""Snapshots of the three screens (pytest-textual-snapshot), from the seeded sandbox.

What changes from run to run is pinned: the clock (ages), the sandbox's catalogue
(reset to seed 7), the endpoint's random port and the load time shown in the status.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from amitui.ui import columns
from tests.app.helpers import loaded, make_app, wait_for

FROZEN = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


class FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        return FROZEN if tz else FROZEN.replace(tzinfo=None)


@pytest.fixture
def pinned(sandbox, monkeypatch, tmp_path):
    sandbox.reset()
    monkeypatch.setattr(columns, "datetime", FrozenDatetime)
    for name in ("_AGE_CACHE",):
        if hasattr(columns, name):
            monkeypatch.setattr(columns, name, {})
    if hasattr(columns, "_now_iso"):
        monkeypatch.setattr(columns, "_now_iso", (0.0, ""))
    monkeypatch.setenv("AMITUI_STATE_DIR", str(tmp_path / "state"))
    return sandbox


async def settle(pilot) -> None:
    app = pilot.app
    await loaded(pilot)
    header = app.inventory.query_one("#context")
    await wait_for(pilot, lambda: "123456789012" in str(header.render()), what="the account")
    app.inventory.finished_in = 1.0
    app.inventory.query_one("#context").update_context(endpoint="http://127.0.0.1:5055")
    app.inventory._update_status()
    await pilot.pause()


def test_inventory(snap_compare, pinned):
    assert snap_compare(make_app(pinned.url), terminal_size=(160, 45), run_before=settle)


def test_filtered_inventory(snap_compare, pinned):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("slash", *"arch:arm64 !ubuntu")
        await pilot.pause()

    assert snap_compare(make_app(pinned.url), terminal_size=(160, 45), run_before=run_before)


def test_detail(snap_compare, pinned):
    async def run_before(pilot):
        from amitui.ui.screens.detail import DetailScreen

        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DetailScreen))
        screen = pilot.app.screen
        await wait_for(pilot, lambda: screen.query_one("#devices").content, what="detail")
        screen.query_one("#context").update_context(endpoint="http://127.0.0.1:5055")
        await pilot.pause()

    assert snap_compare(make_app(pinned.url), terminal_size=(160, 45), run_before=run_before)
