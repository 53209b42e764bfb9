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


def test_every_rule_of_a_screens_tcss_starts_with_that_screens_name():
    """What lets the warm-up (amitui/ui/warm_up.py) add a screen's .tcss to the app's
    styles without restyling what is on screen: no rule can match another screen's widgets."""
    import re

    checked = 0
    for cls in ui_classes():
        if not issubclass(cls, Screen) or cls.CSS_PATH is None:
            continue
        text = (Path(inspect.getfile(cls)).parent / cls.CSS_PATH).read_text()
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        owners = {c.__name__ for c in ui_classes() if getattr(c, "CSS_PATH", None) == cls.CSS_PATH}
        for selectors in re.findall(r"([^{}]+)\{", text):
            for selector in selectors.split(","):
                first = re.split(r"[\s>.#:]", selector.strip(), maxsplit=1)[0]
                assert first in owners, f"{cls.CSS_PATH}: {selector.strip()!r}"
                checked += 1
    assert checked > 100
