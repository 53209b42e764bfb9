"""A confirmation modal; for destructive steps the user types the id back."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "no", "Cancel")]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 76; height: auto; border: thick $error; background: $surface; padding: 1 2;
    }
    ConfirmScreen #problem { color: $error; height: auto; }
    ConfirmScreen Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    ConfirmScreen Button { margin-left: 2; }
    """

    def __init__(self, message: str, expected: str | None = None, action: str = "Confirm"):
        super().__init__()
        self.message = message
        self.expected = expected
        self.action_label = action

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.message))
            if self.expected:
                yield Static(Text(f"Type {self.expected} to confirm:"))
                yield Input(placeholder=self.expected, compact=True, id="typed")
            yield Static("", id="problem")
            with Horizontal():
                yield Button(self.action_label, variant="error", compact=True, id="yes")
                yield Button("Cancel", compact=True, id="no")

    def on_mount(self) -> None:
        self.query_one("#typed" if self.expected else "#no").focus()

    @on(Button.Pressed, "#yes")
    @on(Input.Submitted, "#typed")
    def _yes(self) -> None:
        if self.expected and self.query_one("#typed", Input).value.strip() != self.expected:
            self.query_one("#problem", Static).update(
                Text(f"That is not {self.expected}: nothing was done.")
            )
            return
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)
