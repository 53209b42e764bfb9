"""The dimmed screen behind a modal form, worked out before the form's first paint.

A modal screen whose background is translucent draws the screen below it, tinted, as its
own background (Textual's ``BackgroundScreen``: the screen below rendered to lines, then
every segment of them tinted). That is a fifth of the work of a form's first paint, the
longest tick of opening one (the inventory behind it: 160x45 cells, ~6 ms of the UI
thread here). The screen below does not change between the form's mount and its first
paint, so the dimmed lines are worked out as the form mounts, a tick earlier, and drawn
from then on until the screen below changes: Textual then repaints those regions of the
modal (``refresh`` with regions), which drops them, and the next paint tints the screen
below again. What is drawn is the same ``BackgroundScreen``'s segments either way (they do
not depend on the console's options: the screen below at its own size).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from textual.color import Color
from textual.renderables.background_screen import BackgroundScreen


class DimmedLines:
    """Segments worked out once, drawn as they are."""

    def __init__(self, segments: list[Segment]) -> None:
        self.segments = segments

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        return self.segments


class DimmedOnce:
    """Mix into a ModalScreen (before it): the dimmed screen below, tinted once."""

    _dimmed: tuple[tuple[Any, Color, Any], list[Segment]] | None = None

    def on_mount(self) -> None:  # (Textual calls every class's own handler in turn)
        app = self.app  # type: ignore[attr-defined]
        stack = app.screen_stack
        color = self.styles.background  # type: ignore[attr-defined]
        if color.a >= 1 or self not in stack or stack.index(self) == 0 or stack[-1] is not self:
            return
        below = stack[stack.index(self) - 1]
        background = BackgroundScreen(below, color)
        segments = list(background.__rich_console__(app.console, app.console.options))
        self._dimmed = ((below, color, below.size), segments)

    def render(self) -> Any:
        rendered = super().render()  # type: ignore[misc]
        if isinstance(rendered, BackgroundScreen) and self._dimmed is not None:
            key, segments = self._dimmed
            if key == (rendered.screen, rendered.color, rendered.screen.size):
                return DimmedLines(segments)
            self._dimmed = None
        return rendered

    def refresh(self, *regions: Any, **options: Any) -> Any:
        if regions:  # the screen below changed there (or this screen did): tint it again
            self._dimmed = None
        return super().refresh(*regions, **options)  # type: ignore[misc]
