"""Orphaned snapshots: this account's snapshots made for an AMI (CreateImage or CopyImage,
by their description) that no longer exists, in every listed region, with their size.

space marks, * marks all, u unmarks; ctrl+d deletes the marked ones as one bulk run
(DeleteSnapshot each, a few at a time, resumed after a crash) once "delete N" is typed
back. A snapshot whose AMI might still be in the Recycle Bin (the bin could not be read)
is "not verified" and cannot be marked: unknown is not safe.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from amitui.aws.errors import describe_error
from amitui.aws.snapshots import Orphan, OrphanScan, orphaned_snapshots
from amitui.tasks.bulk_model import BulkRun, NewItem
from amitui.ui.screens.confirm import ConfirmScreen
from amitui.ui.screens.region_reads import RegionReads, selected_key
from amitui.ui.services import Services
from amitui.ui.widgets.context_header import ContextHeader
from amitui.ui.widgets.key_footer import KeyFooter

Key = tuple[str, str]  # (region, snapshot id)


class OrphansRead(Message):
    def __init__(self, region: str, scan: OrphanScan | None, error: str | None = None) -> None:
        super().__init__()
        self.region = region
        self.scan = scan
        self.error = error


class DeletionStarted(Message):
    def __init__(self, run: BulkRun | None, error: str | None = None) -> None:
        super().__init__()
        self.run = run
        self.error = error


def size_text(orphan: Orphan) -> str:
    gib = f"{orphan.volume_gib} GiB" if orphan.volume_gib is not None else "?"
    if orphan.full_bytes is not None:
        gib += f" (data ≤ {orphan.full_bytes / 2**30:.1f} GiB)"
    return gib


class OrphansScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="orphans.back"),
        Binding("space", "toggle_mark", "Mark", id="orphans.mark"),
        Binding("asterisk", "mark_all", "Mark all", id="orphans.mark_all"),
        Binding("u", "clear_marks", "Unmark all", id="orphans.unmark"),
        Binding("ctrl+d", "delete", "Delete marked", id="orphans.delete"),
        Binding("ctrl+r", "reload", "Refresh", id="orphans.refresh"),
    ]
    CSS_PATH = "orphans.tcss"

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.orphans: dict[Key, Orphan] = {}
        self.marked: set[Key] = set()
        self.reads = RegionReads()
        self._order: list[Key] = []

    def compose(self) -> ComposeResult:
        yield ContextHeader(self.services.settings, id="context")
        yield Static(
            Text(
                "Snapshots made for an AMI that no longer exists (by their description)."
                " space marks, ctrl+d deletes the marked ones: permanently, unless a"
                " Recycle Bin rule keeps snapshots.",
                style="dim",
            ),
            id="orphans-about",
        )
        yield DataTable(cursor_type="row", zebra_stripes=True, id="orphans")
        yield Static("", id="orphans-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#orphans", DataTable)
        table.add_columns(" ", "Snapshot", "Made for", "Region", "Size", "Started", "Description")
        table.focus()
        self.action_reload()

    # -- reading ----------------------------------------------------------------------

    def action_reload(self) -> None:
        self.orphans.clear()
        self.marked.clear()
        regions = self.reads.begin(self.services.session.regions)
        self._redraw()
        for region in regions:
            self._read(region)

    @work(thread=True, exit_on_error=False, group="orphans")
    def _read(self, region: str) -> None:
        try:
            scan = orphaned_snapshots(self.services.clients.ec2(region))
        except Exception as exc:
            error = describe_error(exc, self.services.settings.profile)
            self.post_message(OrphansRead(region, None, error))
            return
        self.post_message(OrphansRead(region, scan))

    def on_orphans_read(self, message: OrphansRead) -> None:
        error = message.error
        if message.scan is not None and message.scan.bin_error:
            error = (
                f"not verified: the Recycle Bin could not be read ({message.scan.bin_error});"
                " its AMIs may be there"
            )
        self.reads.done(message.region, error)
        if message.scan is not None:
            for orphan in message.scan.orphans:
                self.orphans[(message.region, orphan.snapshot_id)] = orphan
        self._redraw()

    # -- the table --------------------------------------------------------------------

    def _redraw(self) -> None:
        table = self.query_one("#orphans", DataTable)
        current = self.selected()
        table.clear()
        self._order = sorted(self.orphans)
        for key in self._order:
            orphan = self.orphans[key]
            mark = "●" if key in self.marked else ("?" if not orphan.verified else " ")
            started = f"{orphan.started:%Y-%m-%d}" if orphan.started else ""
            table.add_row(
                mark,
                orphan.snapshot_id,
                orphan.image_id,
                key[0],
                size_text(orphan),
                started,
                Text(orphan.description[:60]),
            )
        if current in self._order:
            table.move_cursor(row=self._order.index(current))
        self._status()

    def _status(self) -> None:
        gib = sum(self.orphans[k].volume_gib or 0 for k in self.marked)
        status = Text(f"{len(self.orphans)} orphaned snapshot(s)", style="bold")
        if self.marked:
            status.append(f" · {len(self.marked)} marked · {gib:,} GiB", style="bold yellow")
        self.query_one("#orphans-status", Static).update(self.reads.status(status))

    def selected(self) -> Key | None:
        return selected_key(self.query_one("#orphans", DataTable), self._order)

    # -- marks ------------------------------------------------------------------------

    def _markable(self, key: Key) -> bool:
        return self.orphans[key].verified

    def action_toggle_mark(self) -> None:
        key = self.selected()
        if key is None:
            return
        if not self._markable(key):
            self.notify(
                "Not verified: its AMI may be in the Recycle Bin (which could not be read)",
                severity="warning",
            )
            return
        self.marked.symmetric_difference_update({key})
        table = self.query_one("#orphans", DataTable)
        row = table.cursor_row
        self._redraw()
        table.move_cursor(row=min(row + 1, len(self._order) - 1))

    def action_mark_all(self) -> None:
        self.marked = {k for k in self.orphans if self._markable(k)}
        self._redraw()

    def action_clear_marks(self) -> None:
        self.marked.clear()
        self._redraw()

    # -- delete -----------------------------------------------------------------------

    def action_delete(self) -> None:
        if self.services.settings.read_only:
            self.notify("Deleting is not allowed under --read-only", severity="error")
            return
        keys = sorted(self.marked)
        if not keys:
            self.notify("Mark the snapshots to delete first (space, or * for all)")
            return
        gib = sum(self.orphans[k].volume_gib or 0 for k in keys)
        phrase = f"delete {len(keys)}"
        message = (
            f"Delete {len(keys)} orphaned snapshot(s), {gib:,} GiB, permanently (unless a"
            f" Recycle Bin rule keeps snapshots)? Type “{phrase}” to confirm."
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._start(keys)

        screen = ConfirmScreen(message, expected=phrase, action="Delete them", keep="Keep them")
        self.app.push_screen(screen, confirmed)

    @work(thread=True, exit_on_error=False, group="orphans-delete")
    def _start(self, keys: list[Key]) -> None:
        items = [
            NewItem(
                region,
                snapshot_id,
                (("DeleteSnapshot", {"SnapshotId": snapshot_id}),),
                name=f"made for {self.orphans[(region, snapshot_id)].image_id}",
            )
            for region, snapshot_id in keys
        ]
        title = f"Delete {len(items)} orphaned snapshot" + ("s" if len(items) != 1 else "")
        try:  # in SQLite before anything says "started"
            run = self.services.tasks.start_bulk("delete-snapshots", title, items)
        except Exception as exc:
            self.post_message(DeletionStarted(None, describe_error(exc)))
            return
        self.post_message(DeletionStarted(run))

    def on_deletion_started(self, message: DeletionStarted) -> None:
        if message.run is None:
            self.notify(f"Nothing was started: {message.error}", severity="error")
            return
        self.marked.clear()
        self._redraw()
        self.notify(f"{message.run.title}: started (t shows its progress)")

    def bulk_changed(self, run: BulkRun) -> None:
        """A bulk run changed (the app hands it over): a finished deletion reads again."""
        if run.action == "delete-snapshots" and run.finished:
            self.action_reload()
