"""Bulk runs on the tasks screen: one row per run (progress n/N, failures, why it waits),
and a screen with each image's result, AWS's error code included, where the failed
items are retried.

Rows change in place as ``BulkUpdated`` messages arrive (the app hands them over); the
store is read in worker threads only.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from amitui.aws.errors import describe_error
from amitui.tasks.bulk_model import DONE, FAILED, BulkItem, BulkRun
from amitui.ui.columns import duration
from amitui.ui.services import Services
from amitui.ui.widgets.key_footer import KeyFooter

RUN_COLUMNS = (("run", "Bulk run"), ("progress", "Done"), ("state", "State"), ("age", "Started"))
ITEM_STYLES = {DONE: "green", FAILED: "bold red", "sending": "yellow", "queued": "dim"}


def run_cells(run: BulkRun, now: float) -> dict[str, Text]:
    state = run.state()
    style = {"running": "yellow", "failed": "bold red", "done": "green"}[state]
    if run.failed:
        state += f" ({run.failed} failed)"
    if run.note and not run.finished:
        state += f" · {run.note}"
    return {
        "run": Text(f"#{run.id} {run.title}"),
        "progress": Text(run.progress()),
        "state": Text(state, style=style),
        "age": Text(duration(now - run.created_at) + " ago"),
    }


class RunsLoaded(Message):
    def __init__(self, runs: list[BulkRun]) -> None:
        super().__init__()
        self.runs = runs


class RunsShown(Message):
    """The runs table was filled (its screen's status line may mention it)."""


class Retried(Message):
    def __init__(self, text: str, error: bool = False) -> None:
        super().__init__()
        self.text = text
        self.error = error


class BulkRunsTable(DataTable):
    """This scope's bulk runs, newest first; hidden while there are none."""

    BINDINGS = [
        Binding("r", "retry", "Retry failed", id="bulk.retry"),
    ]

    def __init__(self, services: Services, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.services = services
        self.runs: dict[int, BulkRun] = {}

    def on_mount(self) -> None:
        for key, title in RUN_COLUMNS:
            self.add_column(title, key=key)
        self.display = False
        self.load()

    @work(thread=True, exit_on_error=False, group="bulk-runs", exclusive=True)
    def load(self) -> None:
        self.post_message(RunsLoaded(self.services.tasks.bulk_runs()))

    def on_runs_loaded(self, message: RunsLoaded) -> None:
        self.runs = {r.id: r for r in message.runs}
        self.clear()
        now = time.time()
        for run in sorted(message.runs, key=lambda r: r.id, reverse=True):
            cells = run_cells(run, now)
            self.add_row(*(cells[k] for k, _ in RUN_COLUMNS), key=str(run.id))
        self.display = bool(self.runs)
        self.screen.post_message(RunsShown())

    def run_changed(self, run: BulkRun) -> None:
        if run.id not in self.runs:
            self.load()  # a new run: read them all again
            return
        self.runs[run.id] = run
        for key, cell in run_cells(run, time.time()).items():
            self.update_cell(str(run.id), key, cell)

    def selected(self) -> BulkRun | None:
        if not self.runs or self.cursor_row is None:
            return None
        ordered = sorted(self.runs, reverse=True)
        if not 0 <= self.cursor_row < len(ordered):
            return None
        return self.runs[ordered[self.cursor_row]]

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        run = self.selected()
        if run is not None:
            self.app.push_screen(BulkRunScreen(run, self.services))

    def action_retry(self) -> None:
        run = self.selected()
        if run is not None:
            retry(self, run)

    def on_retried(self, message: Retried) -> None:
        self.notify(message.text, severity="error" if message.error else "information")
        self.load()


def retry(widget: BulkRunsTable | BulkRunScreen, run: BulkRun) -> None:
    """Queue the run's failed items again (refused under --read-only)."""
    if widget.services.settings.read_only:
        widget.notify("Retrying is not allowed under --read-only", severity="error")
        return
    if not run.failed:
        widget.notify(f"Run #{run.id} has no failed item to retry", severity="warning")
        return
    _retry(widget, run.id)


@work(thread=True, exit_on_error=False, group="bulk-retry")
def _retry(widget: BulkRunsTable | BulkRunScreen, run_id: int) -> None:
    try:
        count = widget.services.tasks.retry_bulk(run_id)
    except Exception as exc:
        widget.post_message(Retried(f"Retry failed: {describe_error(exc)}", error=True))
        return
    widget.post_message(Retried(f"Run #{run_id}: sending {count} failed item(s) again"))


class ItemsLoaded(Message):
    def __init__(self, items: list[BulkItem]) -> None:
        super().__init__()
        self.items = items


class BulkRunScreen(ModalScreen[None]):
    """One run's items: each image's state and AWS's answer; ``r`` retries the failed."""

    BINDINGS = [
        Binding("escape,q", "dismiss", "Back", id="bulk_run.back"),
        Binding("r", "retry", "Retry failed", id="bulk_run.retry"),
    ]
    CSS_PATH = "bulk_runs.tcss"

    def __init__(self, run: BulkRun, services: Services) -> None:
        super().__init__()
        self.run = run
        self.services = services
        self.items: list[BulkItem] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="run-box"):
            yield Static(Text(self.run.summary()), id="run-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="items")
        yield KeyFooter()

    def on_mount(self) -> None:
        # the run may have changed between compose and mount (run_changed waits for mount)
        self.query_one("#run-title", Static).update(Text(self.run.summary()))
        table = self.query_one("#items", DataTable)
        table.add_columns("Id", "Region", "Name", "State", "AWS said")
        self.load()

    @work(thread=True, exit_on_error=False, group="bulk-items", exclusive=True)
    def load(self) -> None:
        self.post_message(ItemsLoaded(self.services.tasks.bulk_items(self.run.id)))

    def on_items_loaded(self, message: ItemsLoaded) -> None:
        self.items = message.items
        table = next(self.query("#items").results(DataTable), None)
        if table is None:  # the screen is closing (its widgets gone): nothing to show
            return
        table.clear()
        for item in message.items:
            said = f"{item.code}: {item.message}" if item.code else item.message
            table.add_row(
                item.target_id,
                item.region,
                Text(item.name[:40]),
                Text(item.status, style=ITEM_STYLES.get(item.status, "")),
                Text(said),
            )

    def run_changed(self, run: BulkRun) -> None:
        if run.id != self.run.id:
            return
        self.run = run
        # Before mount, on_mount shows it and loads its items; once the screen is closing
        # (the app quitting while a run goes on), its widgets are gone: nothing to show.
        title = next(self.query("#run-title").results(Static), None)
        if self.is_mounted and title is not None:
            title.update(Text(run.summary()))
            self.load()

    def action_retry(self) -> None:
        retry(self, self.run)

    def on_retried(self, message: Retried) -> None:
        self.notify(message.text, severity="error" if message.error else "information")
        self.load()
