"""What a screen that reads every listed region in its own worker shows about the reads:
which regions are still being read, and the one line each failed region says (the other
regions' rows stay). Plain Python; the Recycle Bin and the orphaned snapshots use it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from rich.text import Text
from textual.widgets import DataTable

K = TypeVar("K")


class RegionReads:
    def __init__(self) -> None:
        self.waiting: set[str] = set()
        self.errors: dict[str, str] = {}

    def begin(self, regions: Iterable[str]) -> list[str]:
        """Start again on these regions; the ones to read, in order."""
        self.errors.clear()
        self.waiting = set(regions)
        return sorted(self.waiting)

    def done(self, region: str, error: str | None = None) -> None:
        self.waiting.discard(region)
        if error:
            self.errors[region] = error

    def status(self, text: Text) -> Text:
        """``text`` with the regions still being read and each failure's line."""
        if self.waiting:
            text.append(f" · reading {', '.join(sorted(self.waiting))}…", style="yellow")
        for region, error in sorted(self.errors.items()):
            text.append(f"\n{region}: {error}", style="bold red")
        return text


def selected_key(table: DataTable, order: Sequence[K]) -> K | None:
    """The key of the table's cursor row (``order``: the keys as the rows show them)."""
    row = table.cursor_row
    if not order or row is None or not 0 <= row < len(order):
        return None
    return order[row]
