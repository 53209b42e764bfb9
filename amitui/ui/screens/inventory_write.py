"""The inventory's ``w``: the current view (the rows the filter keeps, in the table's order,
and the columns shown) written to a CSV or JSON file the user names, in a thread worker;
a notification says where and how many rows. The writing is amitui/ui/view_file.py's, the
same as ``amitui list --format csv``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from amitui.aws.images import Image
from amitui.ui.columns import Column
from amitui.ui.view_file import write_view
from amitui.ui.widgets.image_table import ImageTable

if TYPE_CHECKING:  # the modal loads when w opens it
    from amitui.ui.screens.inventory import InventoryScreen
    from amitui.ui.screens.write_view import WriteRequest


def default_name(regions: tuple[str, ...], now: float | None = None) -> str:
    """``amitui-us-east-1-20261130-0752.csv`` (``amitui-3-regions-…`` for several)."""
    scope = regions[0] if len(regions) == 1 else f"{len(regions)}-regions"
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    return f"amitui-{scope}-{stamp}.csv"


class ViewWriter:
    def __init__(self, screen: InventoryScreen, cwd: Path | None = None) -> None:
        self.screen = screen
        self.cwd = cwd

    def open(self) -> None:
        screen = self.screen
        rows = screen.rows
        if rows.filtering:
            rows.finish()  # every matching row, not only those found so far
        columns = screen.query_one(ImageTable).columns
        what = f"{len(rows):,} rows, {len(columns)} columns"
        cwd = self.cwd or Path.cwd()
        from amitui.ui.screens.write_view import WriteViewScreen

        modal = WriteViewScreen(default_name(screen.session.regions), what, cwd)
        screen.app.push_screen(modal, self._chosen)

    def _chosen(self, request: WriteRequest | None) -> None:
        if request is None:
            return
        screen = self.screen
        rows = screen.rows
        rows.finish()
        # What is shown now: a page arriving while the file is written changes nothing in it.
        images = [rows.image_at(n) for n in range(len(rows))]
        columns = screen.query_one(ImageTable).columns
        screen.run_worker(
            lambda: self._write(request, columns, images),
            thread=True,
            exit_on_error=False,
            group="write-view",
            description="write the view",
        )

    def _write(
        self, request: WriteRequest, columns: tuple[Column, ...], images: list[Image]
    ) -> None:
        app = self.screen.app
        try:
            count = write_view(request.path, columns, images, overwrite=request.overwrite)
        except (OSError, ValueError) as exc:  # FileExistsError too: created meanwhile
            app.call_from_thread(
                app.notify,
                f"Could not write {request.path}: {exc}",
                title="Write the view",
                severity="error",
            )
            return
        app.call_from_thread(
            app.notify,
            f"Wrote {count:,} rows ({len(columns)} columns) to {request.path}",
            title="Write the view",
        )
