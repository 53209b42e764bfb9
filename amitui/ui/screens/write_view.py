"""The ``w`` modal: where to write the inventory's view (a path; .csv or .json chooses the
format). A file that exists is written over only when "Overwrite" is ticked: the modal says
so instead of closing. Dismisses with a WriteRequest, or None (esc)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from amitui.ui.view_file import FILE_FORMATS, file_format
from amitui.ui.widgets.key_footer import KeyFooter
from amitui.ui.widgets.text_box import TextBox


@dataclass(frozen=True, slots=True)
class WriteRequest:
    path: Path
    overwrite: bool


def check_path(text: str, overwrite: bool, cwd: Path) -> tuple[Path | None, str]:
    """The path to write (relative to ``cwd``, ``~`` expanded), or None and why not."""
    text = text.strip()
    if not text:
        return None, "Give a file name."
    path = Path(text).expanduser()
    path = path if path.is_absolute() else cwd / path
    if file_format(path) is None:
        kinds = " or ".join(FILE_FORMATS)
        return None, f"The extension chooses the format: end the name with {kinds}."
    if path.is_dir():
        return None, f"{path} is a folder."
    if not path.parent.is_dir():
        return None, f"No folder {path.parent}."
    if path.exists() and not overwrite:
        return None, f"{path.name} exists: tick Overwrite (ctrl+o) to replace it."
    return path, ""


class WriteViewScreen(ModalScreen[WriteRequest | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="write_cancel"),
        Binding("ctrl+o", "toggle_overwrite", "Overwrite", id="write_overwrite"),
    ]
    CSS_PATH = "write_view.tcss"

    def __init__(self, default: str, what: str, cwd: Path) -> None:
        super().__init__()
        self.default = default
        self.what = what  # "412 rows, 6 columns"
        self.cwd = cwd

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Write the view ({self.what}) to a file"), id="title")
            yield Static(Text(f"in {self.cwd} unless the path says otherwise"), id="where")
            yield TextBox(self.default, id="path")
            yield Checkbox("Overwrite if it exists", False, id="overwrite")
            yield Static("", id="problem")
            with Horizontal():
                yield Button("Write (enter)", variant="primary", compact=True, id="write")
                yield Button("Cancel (esc)", compact=True, id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#write")
    def _write(self) -> None:
        overwrite = self.query_one("#overwrite", Checkbox).value
        path, problem = check_path(self.query_one("#path", Input).value, overwrite, self.cwd)
        if path is None:
            self.query_one("#problem", Static).update(Text(problem))
            return
        self.dismiss(WriteRequest(path, overwrite))

    @on(Input.Changed, "#path")
    def _edited(self) -> None:
        self.query_one("#problem", Static).update("")

    def action_toggle_overwrite(self) -> None:
        box = self.query_one("#overwrite", Checkbox)
        box.value = not box.value

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
