"""A confirmation modal; for destructive steps the user types the id back.

Both buttons are named by their effect (``action`` / ``keep``); ``y`` and ``n`` answer
them, ``esc`` is ``n``. The caller says what happened either way.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from amitui.ui.widgets.key_footer import KeyFooter
from amitui.ui.widgets.text_box import TextBox


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("escape,n", "no", "No", id="confirm_no"),
        Binding("y", "yes", "Yes", id="confirm_yes"),
    ]
    CSS_PATH = "confirm.tcss"

    def __init__(
        self,
        message: str,
        expected: str | None = None,
        action: str = "Confirm",
        keep: str = "Do nothing",
    ):
        super().__init__()
        self.message = message
        self.expected = expected
        self.action_label = action
        self.keep_label = keep

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.message), id="message")
            if self.expected:
                yield Static(Text(f"Type {self.expected} to confirm:"), id="typed-label")
                # A bordered box with no placeholder: the expected id written in the
                # box would read as already typed.
                yield TextBox(id="typed")
            yield Static("", id="problem")
            with Horizontal():
                yield Button(f"{self.action_label} (y)", variant="error", compact=True, id="yes")
                yield Button(f"{self.keep_label} (n)", compact=True, id="no")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#typed" if self.expected else "#no").focus()

    @on(Button.Pressed, "#yes")
    @on(Input.Submitted, "#typed")
    def action_yes(self) -> None:
        if self.expected and self.query_one("#typed", Input).value.strip() != self.expected:
            self.query_one("#problem", Static).update(
                Text(f"That is not {self.expected}: nothing was done.")
            )
            return
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)
