"""A compact Select whose shown value is one widget, not four.

Textual's Select shows its value in a ``SelectCurrent``: a row of three Statics (the
label, a down arrow and a hidden up arrow) in a container. In a form, every widget is
styled, laid out and rendered as the form opens (in one tick of the UI thread), and a
form with six choice fields spent ~20 widgets on that row. Here the row draws its label
and arrow itself, segment for segment as Textual's Statics draw them (the same colours,
gaps and arrow), so it looks the same; the Select around it (keys, list, values,
``Changed`` messages) is Textual's own.

It relies on Select's parts by their roles (``SelectCurrent.update`` and ``has_value``,
``Select.expanded``); tests/app/test_choice_select.py renders it beside Textual's
Select and fails if an upgrade makes the two differ.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.strip import Strip
from textual.widgets import Select
from textual.widgets._select import (  # Select's own parts
    NoSelection,
    SelectCurrent,
    SelectOverlay,
)

from amitui.ui.widgets.styled_on_register import StyledOnRegister, compact_before_mount


class OneLineCurrent(SelectCurrent):
    """A SelectCurrent without children: ``label ▼`` drawn by the widget itself."""

    def compose(self) -> ComposeResult:
        return iter(())

    @property
    def is_container(self) -> bool:  # (a Horizontal: its height would be its children's)
        return False

    @property
    def is_scrollable(self) -> bool:
        return False

    def update(self, label: Any) -> None:
        self.label = label
        self.has_value = not isinstance(label, NoSelection)
        self.refresh()

    def _watch_has_value(self, has_value: bool) -> None:
        super()._watch_has_value(has_value)
        self.refresh()

    def render(self) -> str:  # its height: one line
        return " "

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        _, background = self.background_colors
        blank = Style(bgcolor=background.rich_color)
        if y:
            return Strip.blank(width, blank)
        label = self.placeholder if isinstance(self.label, NoSelection) else self.label
        text = label.plain if isinstance(label, Text) else Text.from_markup(str(label)).plain
        # Textual's label is $foreground, 50% without a value; its arrows 50%, always
        color = self.styles.color
        dim = Style(color=(background + color.with_alpha(0.5)).rich_color, bgcolor=blank.bgcolor)
        shown = Style(color=(background + color).rich_color, bgcolor=blank.bgcolor)
        room = max(0, width - 2)  # the arrow and the gap before it
        text = Text(text).plain[:room]
        expanded = isinstance(self.parent, Select) and self.parent.expanded
        segments = [
            Segment(text, shown if self.has_value else dim),
            Segment(" " * (room - len(text)), blank),
            Segment(" ", blank),
            Segment("▲" if expanded else "▼", dim),
        ]
        return Strip([s for s in segments if s.text]).crop(0, width)


class ChoiceSelect(StyledOnRegister, Select[str]):
    """Textual's Select, shown with a ``OneLineCurrent``; not styled before it is
    registered (``StyledOnRegister``), its list given its ``compact`` class as it is made
    (bound to the Select's ``compact``, the list took it only once mounted, and styled
    itself again)."""

    def compose(self) -> ComposeResult:
        parts = list(super().compose())
        yield OneLineCurrent(self.prompt)
        for part in parts:
            if isinstance(part, SelectOverlay):
                compact_before_mount(part, self.compact, "-textual-compact")
            if not isinstance(part, SelectCurrent):
                yield part

    def _watch_expanded(self, expanded: bool) -> None:
        super()._watch_expanded(expanded)
        for current in self.query(OneLineCurrent):
            current.refresh()
