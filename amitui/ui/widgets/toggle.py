"""A one-line on/off field that reads the same in any terminal: `[x] on` / `[ ] off`."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class Toggle(Widget, can_focus=True):
    DEFAULT_CSS = """
    Toggle { width: auto; height: 1; padding: 0 1; }
    Toggle:focus { background: $accent 40%; }
    """
    BINDINGS = [Binding("space,enter", "toggle", "Toggle", show=False, id="toggle")]

    value: reactive[bool] = reactive(False)

    class Changed(Message):
        def __init__(self, toggle: Toggle, value: bool) -> None:
            super().__init__()
            self.toggle = toggle
            self.value = value

        @property
        def control(self) -> Toggle:
            return self.toggle

    def __init__(self, value: bool = False, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(Toggle.value, bool(value))

    def render(self) -> Text:
        if self.value:
            return Text.assemble(("[x]", "bold"), " on")
        return Text.assemble(("[ ]", "dim"), " off")

    def watch_value(self, value: bool) -> None:
        self.post_message(self.Changed(self, value))

    def action_toggle(self) -> None:  # type: ignore[override]  # DOMNode's toggles a class
        self.value = not self.value

    def on_click(self) -> None:
        self.action_toggle()
