"""What the tasks screen draws: a task's cells (with its progress bar) and its history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from amitui.tasks.model import Task, TaskEvent, scope_parts
from amitui.ui.columns import duration

NOT_FOLLOWED = "not followed"

# What moves first: at 80 columns kind, status, progress, elapsed and the id are visible.
COLUMNS = (
    ("kind", "Kind"),
    ("status", "Status"),
    ("progress", "Progress"),
    ("elapsed", "Elapsed"),
    ("target", "Target id"),
    ("region", "Region"),
    ("source", "Source"),
    ("started", "Started"),
    ("message", "Last message"),
)
STATUS_STYLES = {
    "running": "yellow",
    "done": "green",
    "failed": "bold red",
    "cancelled": "dim",
    NOT_FOLLOWED: "magenta",
}
SORT_KEYS: dict[str, Callable[[Task], object]] = {
    "kind": lambda t: t.kind,
    "source": lambda t: t.source,
    "target": lambda t: t.target_id,
    "region": lambda t: t.region,
    "status": lambda t: t.status,
    "progress": lambda t: -1 if t.progress is None else t.progress,
    "started": lambda t: t.created_at,
    "elapsed": lambda t: t.elapsed(),
    "message": lambda t: t.message,
}
BAR_WIDTH = 10
SOURCE_WIDTH = 40
MESSAGE_WIDTH = 80
NO_PERCENT = "no % from AWS"


def ellipsize(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters: cut at a word boundary when one falls in
    the last third, else mid-word, with an ellipsis either way."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    boundary = cut.rfind(" ")
    if boundary >= (width * 2) // 3:
        cut = cut[:boundary]
    return cut.rstrip() + "…"


def progress_bar(percent: int, width: int = BAR_WIDTH) -> Text:
    filled = round(max(0, min(100, percent)) * width / 100)
    bar = Text("█" * filled, style="green")
    bar.append("░" * (width - filled), style="dim")
    bar.append(f" {percent:>3}%")
    return bar


def progress_cell(task: Task, followed: bool = True) -> Text:
    """A bar where AWS gives a percentage; an honest "no % from AWS" where it does not."""
    if not followed:
        return Text("—", style="dim")
    if task.is_running:
        if task.progress is None:
            return Text(NO_PERCENT, style="dim italic")
        return progress_bar(task.progress)
    if task.status == "done":
        return progress_bar(100)
    return Text("" if task.progress is None else f"stopped at {task.progress}%", style="dim")


def elapsed_cell(task: Task, now: float | None = None, followed: bool = True) -> Text:
    """Start to finish (never growing once finished); "≥" when it ended while amitui was
    closed (AWS gives no end time: the last change amitui saw bounds it from below)."""
    if not followed:
        return Text("?", style="dim")
    text = duration(task.elapsed(now))
    return Text(("≥ " if task.ended_unseen else "") + text)


def status_cell(task: Task, followed: bool = True) -> Text:
    if not followed:
        return Text(NOT_FOLLOWED, style=STATUS_STYLES[NOT_FOLLOWED])
    label = task.status
    if task.is_running and task.aws_state:
        label += f" ({task.aws_state})"
    return Text(label, style=STATUS_STYLES.get(task.status, ""))


def unfollowed_message(task: Task) -> str:
    endpoint, account = scope_parts(task.scope)
    return f"endpoint {endpoint} (account {account}) is not the one in use: nobody polls it"


def task_cells(task: Task, followed: bool = True, now: float | None = None) -> dict[str, Text]:
    """Column key -> cell (rich Text: names may contain ``[``)."""
    started = datetime.fromtimestamp(task.created_at).strftime("%Y-%m-%d %H:%M:%S")
    message = task.message if followed else unfollowed_message(task)
    return {
        "kind": Text(task.kind + (" (adopted)" if task.adopted else "")),
        "source": Text(ellipsize(task.source, SOURCE_WIDTH)),
        "target": Text(task.target_id),
        "region": Text(task.region),
        "status": status_cell(task, followed),
        "progress": progress_cell(task, followed),
        "started": Text(started),
        "elapsed": elapsed_cell(task, now, followed),
        "message": Text(ellipsize(message, MESSAGE_WIDTH)),
    }


def history_title(task: Task) -> Text:
    """One line (the pane is short at 24 rows): kind, id, region, then the source."""
    title = Text(no_wrap=True, overflow="ellipsis")
    title.append(f"{task.kind} {task.target_id} · {task.region}", style="bold")
    title.append(f" · {task.source}")
    return title


def history_table(events: Sequence[TaskEvent]) -> Table:
    """Each status change with its time and message, oldest first."""
    table = Table(header_style="bold", box=None, padding=(0, 1), expand=True)
    table.add_column("Time", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("AWS state", no_wrap=True)
    table.add_column("Progress", no_wrap=True)
    table.add_column("Message", ratio=1)
    for event in events:
        table.add_row(
            Text(datetime.fromtimestamp(event.at).strftime("%Y-%m-%d %H:%M:%S")),
            Text(event.status, style=STATUS_STYLES.get(event.status, "")),
            Text(event.aws_state or ""),
            Text("" if event.progress is None else f"{event.progress}%"),
            Text(event.message or ""),
        )
    return table


class HistoryScreen(ModalScreen[None]):
    """The selected task's whole history, full size (the split view shows it too)."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close", id="history.close")]
    CSS_PATH = "task_views.tcss"

    def __init__(self, task: Task, table: Table) -> None:
        super().__init__()
        self.task_record = task
        self.table = table

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(history_title(self.task_record))
            yield Static(self.table)
