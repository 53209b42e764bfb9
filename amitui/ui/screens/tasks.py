"""The tasks screen: everything amitui follows, with history, cancel, clear and adopt."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Static

from amitui.aws.errors import describe_error
from amitui.aws.tasks import Task
from amitui.ui.columns import duration
from amitui.ui.screens.confirm import ConfirmScreen
from amitui.ui.widgets.context_header import ContextHeader

COLUMNS = (
    ("kind", "Kind"),
    ("source", "Source"),
    ("target", "Target id"),
    ("region", "Region"),
    ("status", "Status"),
    ("progress", "Progress"),
    ("started", "Started"),
    ("elapsed", "Elapsed"),
    ("message", "Last message"),
)
STATUS_STYLES = {"running": "yellow", "done": "green", "failed": "bold red", "cancelled": "dim"}


def progress_text(task: Task) -> str:
    if task.progress is not None:
        return f"{task.progress}%"
    return task.aws_state or ""


def task_cells(task: Task) -> list[Text]:
    started = datetime.fromtimestamp(task.created_at).strftime("%Y-%m-%d %H:%M:%S")
    return [
        Text(task.kind + (" (adopted)" if task.adopted else "")),
        Text(task.source[:48]),
        Text(task.target_id),
        Text(task.region),
        Text(task.status, style=STATUS_STYLES.get(task.status, "")),
        Text(progress_text(task)),
        Text(started),
        Text(duration(task.elapsed())),
        Text(task.message[:80]),
    ]


class TaskActionDone(Message):
    def __init__(self, text: str, error: bool = False) -> None:
        super().__init__()
        self.text = text
        self.error = error


class HistoryScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close")]
    DEFAULT_CSS = """
    HistoryScreen { align: center middle; }
    HistoryScreen > VerticalScroll {
        width: 110; height: 70%; border: thick $accent; background: $surface; padding: 1 2;
    }
    """

    def __init__(self, task: Task, table: Table) -> None:
        super().__init__()
        self.task_record = task
        self.table = table

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            t = self.task_record
            yield Static(Text(f"{t.kind} {t.target_id} · {t.region} · {t.source}", style="bold"))
            yield Static(self.table)


class TasksScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
        Binding("enter", "history", "History", id="history"),
        Binding("x", "cancel_task", "Cancel task", id="cancel_task"),
        Binding("C", "clear_finished", "Clear finished", id="clear"),
        Binding("a", "adopt", "Adopt AWS tasks", id="adopt"),
        Binding("s", "sort_next", "Sort", id="sort"),
    ]
    DEFAULT_CSS = """
    TasksScreen DataTable { height: 1fr; }
    TasksScreen #task-status { height: 1; padding: 0 1; background: $boost; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.sort_column = "started"
        self.sort_reverse = True

    def compose(self) -> ComposeResult:
        yield ContextHeader(id="context")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="tasks")
        yield Static("", id="task-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, title in COLUMNS:
            table.add_column(title, key=key)
        self.query_one(ContextHeader).copy_from(self.app.inventory.query_one(ContextHeader))
        self.reload()
        self.set_interval(1.0, self._tick)
        table.focus()

    def _tick(self) -> None:
        if any(t.is_running for t in self.task_list):
            self.reload()

    @property
    def tracker(self):
        return self.app.tasks

    def reload(self) -> None:
        table = self.query_one(DataTable)
        current = self.selected()
        self.task_list = self.tracker.tasks()
        keys = {
            "kind": lambda t: t.kind,
            "source": lambda t: t.source,
            "target": lambda t: t.target_id,
            "region": lambda t: t.region,
            "status": lambda t: t.status,
            "progress": lambda t: t.progress or -1,
            "started": lambda t: t.created_at,
            "elapsed": lambda t: t.elapsed(),
            "message": lambda t: t.message,
        }
        self.task_list.sort(key=keys[self.sort_column], reverse=self.sort_reverse)
        table.clear()
        for task in self.task_list:
            table.add_row(*task_cells(task), key=str(task.id))
        if current is not None:
            for row, task in enumerate(self.task_list):
                if task.id == current.id:
                    table.move_cursor(row=row)
        running = sum(t.is_running for t in self.task_list)
        arrow = "▼" if self.sort_reverse else "▲"
        self.query_one("#task-status", Static).update(
            Text(
                f"{len(self.task_list)} tasks · {running} running"
                f" · sorted by {self.sort_column} {arrow}"
            )
        )

    def selected(self) -> Task | None:
        table = self.query_one(DataTable)
        tasks = getattr(self, "task_list", [])
        if not tasks or table.cursor_row is None or table.cursor_row >= len(tasks):
            return None
        return tasks[table.cursor_row]

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        self.sort_reverse = not self.sort_reverse if key == self.sort_column else False
        self.sort_column = key
        self.reload()

    def action_sort_next(self) -> None:
        keys = [k for k, _ in COLUMNS]
        self.sort_column = keys[(keys.index(self.sort_column) + 1) % len(keys)]
        self.reload()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_history()

    def action_history(self) -> None:
        task = self.selected()
        if task is None:
            return
        table = Table(header_style="bold")
        for title in ("Time", "Status", "AWS state", "Progress", "Message"):
            table.add_column(title)
        for event in self.tracker.store.history(task.id):
            table.add_row(
                Text(datetime.fromtimestamp(event.at).strftime("%Y-%m-%d %H:%M:%S")),
                Text(event.status, style=STATUS_STYLES.get(event.status, "")),
                Text(event.aws_state or ""),
                Text("" if event.progress is None else f"{event.progress}%"),
                Text(event.message or ""),
            )
        self.app.push_screen(HistoryScreen(task, table))

    def action_cancel_task(self) -> None:
        task = self.selected()
        if task is None:
            return
        if self.app.settings.read_only:
            self.notify("Cancelling is not allowed under --read-only", severity="error")
            return
        if not task.cancellable:
            self.notify(
                f"This {task.kind} task cannot be cancelled ({task.status})", severity="warning"
            )
            return
        if task.kind in ("copy", "create"):
            message = (
                f"Cancel the {task.kind} by DEREGISTERING the pending image {task.target_id} "
                f"in {task.region}. This cannot be undone."
            )
            screen = ConfirmScreen(message, expected=task.target_id, action="Deregister")
        else:
            message = f"Cancel {task.kind} task {task.target_id} in {task.region}?"
            screen = ConfirmScreen(message, action=f"Cancel {task.kind}")

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._cancel(task.id)

        self.app.push_screen(screen, confirmed)

    @work(thread=True, exit_on_error=False, group="task-actions")
    def _cancel(self, task_id: int) -> None:
        try:
            task = self.tracker.poller.cancel(task_id)
            self.post_message(TaskActionDone(f"Cancel requested for {task.target_id}"))
        except Exception as exc:
            self.post_message(TaskActionDone(describe_error(exc), error=True))

    def action_clear_finished(self) -> None:
        count = self.tracker.store.clear_finished(self.tracker.scope) if self.tracker.scope else 0
        self.notify(f"Cleared {count} finished task(s); they stay in the history")
        self.reload()

    def action_adopt(self) -> None:
        self._adopt(self.app.regions)

    @work(thread=True, exit_on_error=False, group="task-actions")
    def _adopt(self, regions: tuple[str, ...]) -> None:
        adopted = 0
        for region in regions:
            try:
                adopted += len(self.tracker.poller.adopt(region))
            except Exception as exc:
                self.post_message(TaskActionDone(f"{region}: {describe_error(exc)}", error=True))
        self.post_message(TaskActionDone(f"Following {adopted} more export/import task(s)"))

    def on_task_action_done(self, message: TaskActionDone) -> None:
        self.notify(message.text, severity="error" if message.error else "information")
        self.reload()
