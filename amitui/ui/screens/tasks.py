"""The tasks screen: everything amitui follows, with progress, history, cancel, clear, adopt.

The table is updated in place: a ``TaskUpdated`` message carries the changed task (the app
hands it to :meth:`TasksScreen.task_changed`), the clock ticks only the Elapsed cells, and
the store is read again only on mount, clear and adopt. The selected task's history is
shown under the table (read in a worker thread) as the cursor moves.
"""

from __future__ import annotations

import time

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from amitui.aws.errors import describe_error
from amitui.tasks.bulk_model import BulkRun
from amitui.tasks.kinds import kind_of
from amitui.tasks.model import Task, TaskEvent
from amitui.ui.screens.bulk_runs import BulkRunsTable, RunsShown
from amitui.ui.screens.confirm import ConfirmScreen
from amitui.ui.screens.task_views import (
    COLUMNS,
    SORT_KEYS,
    HistoryScreen,
    elapsed_cell,
    history_table,
    history_title,
    task_cells,
)
from amitui.ui.services import Services
from amitui.ui.widgets.context_header import ContextHeader
from amitui.ui.widgets.key_footer import KeyFooter

# HistoryScreen and the cells were defined here before: kept importable from here.
__all__ = ["COLUMNS", "HistoryScreen", "TaskActionDone", "TasksScreen"]


class TaskActionDone(Message):
    def __init__(self, text: str, error: bool = False, reload: bool = True) -> None:
        super().__init__()
        self.text = text
        self.error = error
        self.reload = reload


class HistoryLoaded(Message):
    def __init__(self, task: Task, events: list[TaskEvent]) -> None:
        super().__init__()
        self.task = task
        self.events = events


class TasksScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
        Binding("enter", "history", "History", id="history"),
        Binding("x", "cancel_task", "Cancel task", id="cancel_task"),
        Binding("C", "clear_finished", "Clear finished", id="clear_finished"),
        Binding("a", "adopt", "Adopt AWS tasks", id="adopt"),
        Binding("s", "sort_next", "Sort", id="sort"),
    ]
    CSS_PATH = "tasks.tcss"

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.tracker = services.tasks
        self.sort_column = "started"
        self.sort_reverse = True
        self.task_list: list[Task] = []  # this scope's tasks
        self.unfollowed: list[Task] = []  # running tasks of other scopes: nobody polls them
        self._order: list[int] = []  # task ids, as the table shows them
        self._history_for: int | None = None
        self.history_events: list[TaskEvent] = []  # what the history pane shows
        # Tasks C cleared: an update of one may still be on its way (it ended just before
        # C, its message behind the key) and must not bring it back as a new row.
        self._cleared: set[int] = set()

    def compose(self) -> ComposeResult:
        yield ContextHeader(self.services.settings, id="context")
        yield BulkRunsTable(self.services, id="bulk-runs")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="tasks")
        with VerticalScroll(id="history"):
            yield Static(Text("No task selected.", style="dim"), id="history-text")
        yield Static("", id="task-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#tasks", DataTable)
        for key, title in COLUMNS:
            table.add_column(title, key=key)
        # The scope becomes known with the account (e.g. the endpoint was down at launch).
        self.watch(self.app, "task_scope", self.reload, init=False)
        self.reload()
        self.set_interval(1.0, self._tick)
        table.focus()

    # -- rows ------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the tasks again from the store (mount, clear, adopt) and redraw."""
        self.task_list = self.tracker.tasks()
        self.unfollowed = self.tracker.unfollowed()
        self._rebuild()

    def rows(self) -> list[Task]:
        """The table's rows in order: this scope's tasks sorted, then the unfollowed."""
        key = SORT_KEYS[self.sort_column]
        ordered = sorted(self.task_list, key=key, reverse=self.sort_reverse)  # type: ignore[arg-type]
        return ordered + self.unfollowed

    def is_followed(self, task: Task) -> bool:
        return task.scope == self.tracker.scope

    def _rebuild(self) -> None:
        table = self.query_one("#tasks", DataTable)
        current = self.selected()
        rows = self.rows()
        table.clear()
        now = time.time()
        for task in rows:
            cells = task_cells(task, self.is_followed(task), now)
            table.add_row(*(cells[key] for key, _ in COLUMNS), key=str(task.id))
        self._order = [t.id for t in rows]
        if current is not None and current.id in self._order:
            table.move_cursor(row=self._order.index(current.id))
        self._update_status()
        self._show_history()

    def task_changed(self, task: Task) -> None:
        """A task of this scope changed: update its row in place, or redraw when it is new
        or moves in the sort order. (When the scope becomes known, ``reload`` runs.)"""
        if not self.is_mounted or not self.query("#tasks"):
            # Pushed and not built yet (its mount reads every task from the store), or
            # being taken down (the app quitting): no table to update.
            return
        if not self.is_followed(task):
            return
        known = {t.id: i for i, t in enumerate(self.task_list)}
        if task.id in known:
            self.task_list[known[task.id]] = task
        elif task.id in self._cleared and task.is_terminal:
            return
        else:
            self.task_list.append(task)
        if [t.id for t in self.rows()] != self._order:
            self._rebuild()
            return
        table = self.query_one("#tasks", DataTable)
        for key, cell in task_cells(task).items():
            table.update_cell(str(task.id), key, cell)
        self._update_status()
        if self._history_for == task.id:
            self._show_history()

    def on_runs_shown(self, message: RunsShown) -> None:
        self._update_status()

    def bulk_changed(self, run: BulkRun) -> None:
        """A bulk run of this scope changed: its row, in place."""
        if self.is_mounted and self.query(BulkRunsTable):
            self.query_one(BulkRunsTable).run_changed(run)

    def _tick(self) -> None:
        """Only the running tasks' Elapsed cells change with the clock."""
        table = self.query_one("#tasks", DataTable)
        now = time.time()
        for task in self.task_list:
            if task.is_running:
                table.update_cell(str(task.id), "elapsed", elapsed_cell(task, now))

    def _update_status(self) -> None:
        running = sum(t.is_running for t in self.task_list)
        arrow = "▼" if self.sort_reverse else "▲"
        text = Text(
            f"{len(self.task_list)} tasks · {running} running"
            f" · sorted by {self.sort_column} {arrow}"
        )
        if self.unfollowed:
            text.append(f" · {len(self.unfollowed)} not followed (C clears)", style="magenta")
        if self.query(BulkRunsTable) and self.query_one(BulkRunsTable).runs:
            text.append(" · shift+tab: bulk runs (enter: each image, r: retry the failed)")
        self.query_one("#task-status", Static).update(text)

    def selected(self) -> Task | None:
        table = self.query_one("#tasks", DataTable)
        rows = {t.id: t for t in (*self.task_list, *self.unfollowed)}
        row = table.cursor_row
        if not self._order or row is None or not 0 <= row < len(self._order):
            return None
        return rows.get(self._order[row])

    # -- sorting ---------------------------------------------------------------------

    @on(DataTable.HeaderSelected, "#tasks")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        self.sort_reverse = not self.sort_reverse if key == self.sort_column else False
        self.sort_column = key
        self._rebuild()

    def action_sort_next(self) -> None:
        keys = [k for k, _ in COLUMNS]
        self.sort_column = keys[(keys.index(self.sort_column) + 1) % len(keys)]
        self._rebuild()

    # -- history ---------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#tasks")
    def _row_highlighted(self) -> None:
        if not self.query("#tasks"):
            return  # a highlight still queued when the screen was taken down
        self._show_history()

    def _show_history(self) -> None:
        task = self.selected()
        self._history_for = task.id if task is not None else None
        if task is None:
            self.query_one("#history-text", Static).update(Text("No task selected.", style="dim"))
            return
        self._load_history(task)

    @work(thread=True, exclusive=True, exit_on_error=False, group="task-history")
    def _load_history(self, task: Task) -> None:
        self.post_message(HistoryLoaded(task, self.tracker.store.history(task.id)))

    def on_history_loaded(self, message: HistoryLoaded) -> None:
        if message.task.id != self._history_for:
            return  # the cursor moved on
        self.history_events = message.events
        self.query_one("#history-text", Static).update(
            Group(history_title(message.task), history_table(message.events))
        )
        self.query_one("#history", VerticalScroll).scroll_end(animate=False)  # newest last

    @on(DataTable.RowSelected, "#tasks")
    def _row_selected(self) -> None:
        self.action_history()

    def action_history(self) -> None:
        task = self.selected()
        if task is None:
            return
        self.app.push_screen(
            HistoryScreen(task, history_table(self.tracker.store.history(task.id)))
        )

    # -- cancel ----------------------------------------------------------------------

    def action_cancel_task(self) -> None:
        task = self.selected()
        if task is None:
            return
        if self.services.settings.read_only:
            self.notify("Cancelling is not allowed under --read-only", severity="error")
            return
        if not self.is_followed(task):
            self.notify(
                "This task belongs to an endpoint or account not in use: it cannot be cancelled"
                " from here (C clears it from this list)",
                severity="warning",
            )
            return
        if not task.cancellable:
            self.notify(
                f"This {task.kind} task cannot be cancelled ({task.status})", severity="warning"
            )
            return
        cancel = kind_of(task.kind).cancel
        if cancel is not None and cancel.deregisters:
            message = (
                f"Cancel the {task.kind} by DEREGISTERING the pending image {task.target_id} "
                f"in {task.region}. This cannot be undone."
            )
            screen = ConfirmScreen(
                message,
                expected=task.target_id,
                action=f"Deregister {task.target_id}",
                keep="Keep it running",
            )
        else:
            message = (
                f"Cancel {task.kind} task {task.target_id} in {task.region}? AWS stops it"
                " and does not resume it."
            )
            screen = ConfirmScreen(
                message, action=f"Cancel the {task.kind}", keep="Keep it running"
            )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._cancel(task.id)
            else:
                self.notify(f"{task.kind} {task.target_id} keeps running: nothing was sent")

        self.app.push_screen(screen, confirmed)

    @work(thread=True, exit_on_error=False, group="task-actions")
    def _cancel(self, task_id: int) -> None:
        try:
            task = self.tracker.cancel(task_id)
            self.post_message(
                TaskActionDone(
                    f"Cancel requested for {task.kind} {task.target_id}: AWS accepted it;"
                    " the task ends as cancelled when AWS confirms",
                    reload=False,
                )
            )
        except Exception as exc:
            self.post_message(TaskActionDone(f"Cancel failed: {describe_error(exc)}", error=True))

    # -- clear, adopt ----------------------------------------------------------------

    def action_clear_finished(self) -> None:
        scope = self.tracker.scope
        finished = self.tracker.store.clear_finished(scope) if scope else []
        unfollowed = self.tracker.store.clear_unfollowed(scope) if scope else 0
        self._cleared.update(finished)
        text = f"Cleared {len(finished)} finished task(s)"
        if unfollowed:
            text += f" and {unfollowed} not followed"
        self.notify(text + "; they stay in the history")
        self.reload()

    def action_adopt(self) -> None:
        self._adopt(self.services.session.regions)

    @work(thread=True, exit_on_error=False, group="task-actions")
    def _adopt(self, regions: tuple[str, ...]) -> None:
        adopted = 0
        for region in regions:
            try:
                adopted += len(self.tracker.adopt(region))
            except Exception as exc:
                self.post_message(TaskActionDone(f"{region}: {describe_error(exc)}", error=True))
        self.post_message(TaskActionDone(f"Following {adopted} more export/import task(s)"))

    def on_task_action_done(self, message: TaskActionDone) -> None:
        self.notify(message.text, severity="error" if message.error else "information")
        if message.reload:
            self.reload()
