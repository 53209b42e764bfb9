"""The help screen, generated from the bindings that are active where it was opened."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

#: Textual's generic bindings that say nothing about amitui.
HIDDEN_ACTIONS = {
    "scroll_left",
    "scroll_right",
    "page_left",
    "page_right",
    "app.focus_next",
    "app.focus_previous",
    "screen.copy_text",
    "focus_next",
    "focus_previous",
}


def bindings_table(screen: Screen) -> Table:
    """Every described binding active on ``screen``, one row per action with all its keys."""
    rows: dict[tuple[int, str], tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or binding.action in HIDDEN_ACTIONS:
            continue
        node = active.node
        display = node.app.get_key_display(binding) if node else binding.key
        keys, _ = rows.setdefault((id(node), binding.action), ([], binding.description))
        if display not in keys:
            keys.append(display)
    table = Table(box=None, padding=(0, 2), header_style="bold")
    table.add_column("Keys")
    table.add_column("Does")
    for keys, description in rows.values():
        table.add_row(Text(" ".join(keys), style="bold"), Text(description))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80; height: 90%; border: thick $accent; background: $surface; padding: 1 2;
    }
    """

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.source = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("Keys on this screen", style="bold"))
            yield Static(bindings_table(self.source), id="keys")
            yield Static(
                Text(
                    "\nFilter: words match any column (ANDed); field:value matches one column "
                    "(name, id, state, arch, platform, root, created, owner, public, deprecation, "
                    "region, desc, tag:Key=Value); !term negates. Click a header or press s / S "
                    "to sort.",
                    style="dim",
                )
            )
