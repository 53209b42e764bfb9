"""The Recycle Bin: the deregistered images a retention rule keeps, in every listed region,
with the time each leaves the bin for good; ``r`` restores the selected one
(RestoreImageFromRecycleBin) after a confirmation, and the inventory shows it again.

Each region is read in a thread worker (ListImagesInRecycleBin, to its end); a region that
fails is one line under the table, the others still list.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from amitui.aws.errors import describe_error
from amitui.aws.recycle_bin import BinImage, images_in_bin, restore
from amitui.ui.columns import duration
from amitui.ui.messages import ImagesRestored
from amitui.ui.screens.confirm import ConfirmScreen
from amitui.ui.screens.region_reads import RegionReads, selected_key
from amitui.ui.services import Services
from amitui.ui.widgets.context_header import ContextHeader
from amitui.ui.widgets.key_footer import KeyFooter


class BinRead(Message):
    def __init__(self, region: str, images: list[BinImage], error: str | None = None) -> None:
        super().__init__()
        self.region = region
        self.images = images
        self.error = error


class Restored(Message):
    def __init__(self, region: str, image_id: str, error: str | None = None) -> None:
        super().__init__()
        self.region = region
        self.image_id = image_id
        self.error = error


def leaves_cell(image: BinImage, now: datetime) -> Text:
    """When the bin deletes it for good, and how soon (red within a day)."""
    if image.exits is None:
        return Text("not said", style="dim")
    left = max((image.exits - now).total_seconds(), 0)
    soon = (
        duration(left)
        if left < 2 * 86400
        else f"{left // 86400:.0f} d {left % 86400 // 3600:.0f} h"
    )
    when = f"{image.exits:%Y-%m-%d %H:%M} (in {soon})"
    return Text(when, style="bold red" if left < 86400 else "")


class RecycleBinScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="bin.back"),
        Binding("r", "restore", "Restore", id="bin.restore"),
        Binding("ctrl+r", "reload", "Refresh", id="bin.refresh"),
    ]
    CSS_PATH = "recycle_bin.tcss"

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.images: dict[tuple[str, str], BinImage] = {}
        self.reads = RegionReads()
        self._order: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield ContextHeader(self.services.settings, id="context")
        yield Static(
            Text(
                "Deregistered images a Recycle Bin retention rule keeps. r restores the"
                " selected one; after its time it is deleted for good.",
                style="dim",
            ),
            id="bin-about",
        )
        yield DataTable(cursor_type="row", zebra_stripes=True, id="bin")
        yield Static("", id="bin-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#bin", DataTable)
        table.add_columns("Image", "Name", "Region", "Deregistered", "Leaves the bin")
        table.focus()
        self.action_reload()

    def action_reload(self) -> None:
        self.images.clear()
        regions = self.reads.begin(self.services.session.regions)
        self._redraw()
        for region in regions:
            self._read(region)

    @work(thread=True, exit_on_error=False, group="bin")
    def _read(self, region: str) -> None:
        try:
            found = images_in_bin(self.services.clients.ec2(region))
        except Exception as exc:
            self.post_message(
                BinRead(region, [], describe_error(exc, self.services.settings.profile))
            )
            return
        self.post_message(BinRead(region, found))

    def on_bin_read(self, message: BinRead) -> None:
        self.reads.done(message.region, message.error)
        for image in message.images:
            self.images[(message.region, image.image_id)] = image
        self._redraw()

    def _redraw(self) -> None:
        table = self.query_one("#bin", DataTable)
        current = self.selected()
        table.clear()
        now = datetime.now(UTC)
        self._order = sorted(self.images, key=lambda k: (self.images[k].exits or now, k[0], k[1]))
        for region, image_id in self._order:
            image = self.images[(region, image_id)]
            entered = f"{image.entered:%Y-%m-%d %H:%M}" if image.entered else ""
            table.add_row(image_id, Text(image.name), region, entered, leaves_cell(image, now))
        if current in self._order:
            table.move_cursor(row=self._order.index(current))
        status = Text(f"{len(self.images)} image(s) in the Recycle Bin", style="bold")
        self.query_one("#bin-status", Static).update(self.reads.status(status))

    def selected(self) -> tuple[str, str] | None:
        return selected_key(self.query_one("#bin", DataTable), self._order)

    def action_restore(self) -> None:
        key = self.selected()
        if key is None:
            return
        if self.services.settings.read_only:
            self.notify("Restoring is not allowed under --read-only", severity="error")
            return
        region, image_id = key
        name = self.images[key].name

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._restore(region, image_id)

        self.app.push_screen(
            ConfirmScreen(
                f"Restore {image_id} ({name}) in {region} from the Recycle Bin? It becomes"
                " available again, with its launch permissions as they were.",
                action="Restore it",
                keep="Leave it in the bin",
            ),
            confirmed,
        )

    @work(thread=True, exit_on_error=False, group="bin-restore")
    def _restore(self, region: str, image_id: str) -> None:
        try:
            restore(self.services.clients.ec2(region), image_id)
        except Exception as exc:
            self.post_message(Restored(region, image_id, describe_error(exc)))
            return
        self.post_message(Restored(region, image_id))

    @on(Restored)
    def _restored(self, message: Restored) -> None:
        if message.error:
            self.notify(
                f"{message.image_id}: {message.error}", title="Not restored", severity="error"
            )
            return
        self.images.pop((message.region, message.image_id), None)
        self._redraw()
        self.notify(f"Restored {message.image_id} in {message.region}", title="Recycle Bin")
        self.post_message(ImagesRestored(message.region, [message.image_id]))
