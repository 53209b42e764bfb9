"""The form's choice field (amitui/ui/widgets/choice_select.py) draws what Textual's Select
draws, segment for segment, in every state a form shows it in; and it is still Textual's
Select: keys open its list, a pick changes its value and says so."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.widgets import Input, Select

from amitui.ui.widgets.choice_select import ChoiceSelect, OneLineCurrent

CHOICES = [(c, c) for c in ("x86_64", "arm64", "i386")]
WIDTH = 60


class Row(App):
    CSS = "Select { width: 40; }"

    def __init__(self, kind: type[Select], value: object, blank: bool) -> None:
        super().__init__()
        self.kind, self.value, self.blank = kind, value, blank
        self.changes: list[object] = []

    def compose(self) -> ComposeResult:
        yield Input(compact=True)
        yield self.kind(CHOICES, value=self.value, allow_blank=self.blank, compact=True, id="s")

    def on_select_changed(self, event: Select.Changed) -> None:
        self.changes.append(event.value)


def screen_lines(app: App) -> list[list[tuple[str, str]]]:
    console = Console(width=WIDTH, color_system="truecolor", force_terminal=True)
    update = app.screen._compositor.render_update(full=True)
    segments = list(console.render(update))
    return [
        [(text, str(style)) for text, style, _ in line]
        for line in Segment.split_and_crop_lines(segments, WIDTH)
    ]


async def drawn(kind: type[Select], value: object, blank: bool, focus: bool, open_: bool):
    app = Row(kind, value, blank)
    async with app.run_test(size=(WIDTH, 8)) as pilot:
        if focus:
            app.query_one("#s").focus()
        if open_:
            await pilot.press("enter")
        await pilot.pause()
        return screen_lines(app)


@pytest.mark.parametrize(
    ("value", "blank", "focus", "open_"),
    [
        ("x86_64", False, False, False),  # a value
        (Select.NULL, True, False, False),  # none yet: the prompt, dimmed
        ("arm64", True, True, False),  # focused
        (Select.NULL, True, True, False),
        ("arm64", True, True, True),  # its list open
    ],
)
async def test_it_draws_what_textuals_select_draws(value, blank, focus, open_):
    theirs = await drawn(Select, value, blank, focus, open_)
    ours = await drawn(ChoiceSelect, value, blank, focus, open_)
    assert ours == theirs
    assert any("▲" in text or "▼" in text for line in ours for text, _ in line)


async def test_it_is_one_widget_that_picks_like_a_select():
    app = Row(ChoiceSelect, "x86_64", False)
    async with app.run_test(size=(WIDTH, 8)) as pilot:
        select = app.query_one("#s", ChoiceSelect)
        assert not select.query_one(OneLineCurrent).children
        select.focus()
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        assert select.value == "arm64"
        assert app.changes[-1] == "arm64"
        assert not select.expanded
