"""config.toml: the app sets one top-level key and keeps everything the user wrote."""

from __future__ import annotations

import tomllib

import pytest

from amitui.config_file import set_top_level

USER_FILE = """# my settings
profile = "prod"   # the prod account
columns = [
  "name",
  "id",
]

[keys]
refresh = "f5"
"""


def test_a_key_is_replaced_in_place_and_the_rest_is_kept(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)
    set_top_level(path, "columns", ["launched", "protection"])
    text = path.read_text()
    assert text.splitlines()[:3] == [
        "# my settings",
        'profile = "prod"   # the prod account',
        'columns = ["launched", "protection"]',
    ]
    assert tomllib.loads(text) == {
        "profile": "prod",
        "columns": ["launched", "protection"],
        "keys": {"refresh": "f5"},
    }


def test_a_new_key_goes_before_the_first_table_and_a_missing_file_is_created(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('profile = "prod"\n\n[keys]\nrefresh = "f5"\n')
    set_top_level(path, "columns", ["name"])
    assert tomllib.loads(path.read_text())["columns"] == ["name"]
    assert tomllib.loads(path.read_text())["keys"] == {"refresh": "f5"}
    fresh = tmp_path / "new" / "config.toml"
    set_top_level(fresh, "columns", [])
    assert tomllib.loads(fresh.read_text()) == {"columns": []}


def test_a_broken_file_is_left_untouched(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("profile = \n")
    with pytest.raises(ValueError, match="not valid TOML"):
        set_top_level(path, "columns", ["name"])
    assert path.read_text() == "profile = \n"
