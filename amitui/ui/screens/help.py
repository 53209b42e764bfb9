"""The help screen, generated from the bindings that are active where it was opened."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def bindings_table(screen: Screen) -> Table:
    table = Table(box=None, padding=(0, 2), header_style="bold")
    table.add_column("Key")
    table.add_column("Does")
    seen: set[tuple[str, str]] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description:
            continue
        row = (binding.action, binding.description)
        display = active.node.app.get_key_display(binding) if active.node else key
        if row in seen:
            continue
        seen.add(row)
        table.add_row(Text(display, style="bold"), Text(binding.description))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 70; height: 80%; border: thick $accent; background: $surface; padding: 1 2;
    }
    """

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.source = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("Keys", style="bold"))
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
