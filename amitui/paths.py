"""Every filesystem path amitui uses, in one place (platformdirs)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import platformdirs

APP_NAME = "amitui"


def config_dir() -> Path:
    return Path(os.environ.get("AMITUI_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))


def config_file() -> Path:
    return config_dir() / "config.toml"


def state_dir() -> Path:
    return Path(os.environ.get("AMITUI_STATE_DIR") or platformdirs.user_state_dir(APP_NAME))


def cache_dir() -> Path:
    return Path(os.environ.get("AMITUI_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME))


def tasks_db() -> Path:
    """The SQLite file that holds tasks (state: must survive restarts)."""
    return state_dir() / "tasks.sqlite3"


def cache_db() -> Path:
    """The SQLite file that holds the inventory cache (disposable)."""
    return cache_dir() / "inventory.sqlite3"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) with mode 0700 and return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        path.chmod(0o700)
    return path
