"""Screens keep their styles in .tcss files next to them (live-editable with textual --dev)."""

from __future__ import annotations

import inspect
from pathlib import Path

from textual.screen import Screen

from amitui.ui.keymap import ui_classes


def test_every_screen_styles_from_a_tcss_file_next_to_it():
    screens = [cls for cls in ui_classes() if issubclass(cls, Screen)]
    assert len(screens) >= 9
    inline = [cls.__name__ for cls in screens if "DEFAULT_CSS" in cls.__dict__ or cls.CSS]
    assert inline == []
    for cls in screens:
        if cls.CSS_PATH is None:
            continue  # a screen without styles of its own
        css = Path(inspect.getfile(cls)).parent / cls.CSS_PATH
        assert css.is_file(), css
        assert cls.__name__ in css.read_text(), f"{css} has no rules for {cls.__name__}"
