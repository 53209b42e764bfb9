"""The help screen, generated from the bindings that are active where it was opened."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from amitui.ui.query import FIELDS_SHOWN

FILTER_HELP = (
    "Filter (/): words match any column, all of them (ANDed); field:value matches one "
    f"column ({', '.join(FIELDS_SHOWN)}; tag:Key=Value, tag:Key); !term negates. Quote a "
    'value with spaces: name:"candidate 52" (a quote left open runs to the end). An unknown '
    "field is searched as plain text, and the line under the filter box says so.\n"
    "Commands: ctrl+p or : opens the command palette (every key of the screen, by name). "
    "Click a header or press s / S to sort."
)

#: Actions that are another's under a second name (":" opens the palette as ctrl+p does).
ALIASES = {"palette_key": "command_palette"}

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
        action = ALIASES.get(binding.action, binding.action)
        keys, _ = rows.setdefault((id(node), action), ([], binding.description))
        if display not in keys:
            keys.append(display)
    table = Table(box=None, padding=(0, 2), header_style="bold")
    table.add_column("Keys")
    table.add_column("Does")
    for keys, description in rows.values():
        table.add_row(Text(" ".join(keys), style="bold"), Text(description))
    return table


def palette_table(commands: list) -> Table:
    """The commands a screen offers only in the palette: (title, what it does, callback)."""
    table = Table(box=None, padding=(0, 2), header_style="bold")
    table.add_column("Command")
    table.add_column("Does")
    for title, help_text, _callback in commands:
        table.add_row(Text(title, style="bold"), Text(help_text))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]
    CSS_PATH = "help.tcss"

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.source = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("Keys on this screen", style="bold"))
            yield Static(bindings_table(self.source), id="keys")
            commands: list = getattr(self.source, "palette_commands", list)()
            if commands:
                yield Static(Text("\nIn the palette (ctrl+p or :), without a key", style="bold"))
                yield Static(palette_table(commands), id="palette-only")
            yield Static(Text("\n" + FILTER_HELP, style="dim"), id="filter-help")
