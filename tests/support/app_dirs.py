"""The app's task store, cache and config in a temporary folder of each test's own."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_app_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("AMITUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("AMITUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("AMITUI_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path
