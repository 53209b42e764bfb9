"""config.toml's [keys]: every binding has an id, and invalid entries are warnings."""

from __future__ import annotations

import pytest

from amitui import cli
from amitui.settings import SettingsError, build_settings, user_keys
from amitui.ui.keymap import check_keymap, key_problem, remappable, ui_bindings


def test_every_binding_in_the_ui_has_an_id():
    bindings = list(ui_bindings())
    assert len(bindings) > 40  # the walk found the screens and widgets
    missing = [f"{cls.__name__}: {b.key} -> {b.action}" for cls, b in bindings if not b.id]
    assert missing == []
    # The inventory's action keys are bound per instance, with ids too.
    assert {"action.copy", "action.deregister"} <= set(remappable())


def test_an_id_shared_by_several_classes_means_one_action():
    actions: dict[str, set[str]] = {}
    for _cls, binding in ui_bindings():
        actions.setdefault(binding.id, set()).add(binding.action.removeprefix("app."))
    assert {i: a for i, a in actions.items() if len(a) > 1} == {}


@pytest.mark.parametrize("key", ["f5", "ctrl+r", "?", "question_mark", "slash", "pagedown", "G"])
def test_keys_textual_delivers_are_accepted(key):
    assert key_problem(key) is None


@pytest.mark.parametrize("key", ["", "f99", "notakey", "ctrl+bogus+r", "hyperr+x"])
def test_keys_textual_cannot_deliver_are_refused(key):
    assert key_problem(key)


def test_check_keymap_keeps_the_valid_entries_and_warns_once_per_invalid_one():
    keymap, warnings = check_keymap(
        {"refresh": "ctrl+r, f5", "nope": "x", "filter": "ctrl+bogus+q", "quit": 3}
    )
    assert keymap == {"refresh": "ctrl+r,f5"}
    assert len(warnings) == 3
    assert any("nope" in w and "no binding has this id" in w for w in warnings)
    assert any("filter" in w and "bogus is not a modifier" in w for w in warnings)
    assert any("quit" in w and "as a string" in w for w in warnings)
    assert all("\n" not in w for w in warnings)


def test_the_keys_table_reaches_settings_and_a_non_table_is_an_error(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nrefresh = "f5"\n')
    assert build_settings({}, env={}, config_path=config).keys == {"refresh": "f5"}
    config.write_text('keys = "f5"\n')
    with pytest.raises(SettingsError, match="keys must be a table"):
        build_settings({}, env={}, config_path=config)
    assert user_keys(config) == ({}, "keys is not a table")


def test_help_lists_every_binding_id_with_its_effective_keys(isolated_app_dirs):
    config = isolated_app_dirs / "config"
    config.mkdir()
    (config / "config.toml").write_text('[keys]\nrefresh = "f5"\n')
    text = cli.build_parser().format_help()
    lines = {line.split()[0]: line for line in text.splitlines() if line.startswith("  ")}
    for binding_id in remappable():
        assert binding_id in lines
    assert lines["refresh"].split()[1] == "f5" and "(remapped)" in lines["refresh"]
    assert lines["filter"].split()[1] == "slash" and "(remapped)" not in lines["filter"]


def test_help_shows_even_with_a_broken_config_file(isolated_app_dirs):
    config = isolated_app_dirs / "config"
    config.mkdir()
    (config / "config.toml").write_text("not toml =")
    text = cli.build_parser().format_help()
    assert "[keys] not used: cannot read" in text and "refresh" in text
