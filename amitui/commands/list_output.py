"""How ``amitui list`` prints rows: an aligned table, ids, CSV or JSON Lines.

Each printer takes rows as they come (``add``, a page at a time) and flushes after each
page, so a pipe sees the first page when it arrives.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, Protocol

from amitui.aws.images import Image, ListQuery
from amitui.settings import Settings
from amitui.ui.columns import Column
from amitui.ui.rows import ImageRows
from amitui.ui.view_file import CsvRows

FORMATS = ("table", "json", "csv", "ids")

#: The table's state colours (ANSI), when colours are on.
_STATE_COLOURS = {
    "available": "32",
    "pending": "33",
    "failed": "31",
    "error": "31",
    "invalid": "31",
    "disabled": "2",
    "deregistered": "2",
}


class Printer(Protocol):
    def add(self, images: Iterable[Image]) -> int: ...


def colours_wanted(out: IO[str], env: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Colours only on a terminal, and never under NO_COLOR (no-color.org) or TERM=dumb."""
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty() and not env.get("NO_COLOR") and env.get("TERM", "") != "dumb")


class TableRows:
    """Aligned columns, a header first. Widths come from the first rows printed (all of
    them when the listing is sorted: it is collected first), within each column's widest
    useful width; a longer cell later is cut with "…". ``width``: the terminal's, to fit
    the flexible column (Name) into; None when not a terminal."""

    def __init__(
        self, out: IO[str], columns: Sequence[Column], *, colour: bool, width: int | None
    ) -> None:
        self.out = out
        self.columns = tuple(columns)
        self.colour = colour
        self.width = width
        self._widths: list[int] | None = None
        #: column key -> cells it needs whatever the first rows hold (the accounts' names,
        #: known before any row: a later account's is not cut)
        self.at_least: dict[str, int] = {}

    def _layout(self, cells: list[list[str]]) -> list[int]:
        widths = []
        for i, col in enumerate(self.columns):
            longest = max((len(row[i]) for row in cells), default=0)
            longest = max(longest, self.at_least.get(col.key, 0))
            widths.append(min(max(len(col.title), longest), max(col.width, col.max_width)))
        if self.width is not None:
            over = sum(widths) + 2 * (len(widths) - 1) - self.width
            for i, col in enumerate(self.columns):
                if over > 0 and col.flex:
                    cut = min(over, widths[i] - col.width)
                    if cut > 0:
                        widths[i] -= cut
                        over -= cut
        return widths

    def _line(self, cells: Sequence[str], widths: list[int], header: bool = False) -> str:
        parts = []
        last = len(cells) - 1
        for i, (text, size) in enumerate(zip(cells, widths, strict=True)):
            if len(text) > size:
                text = text[: max(0, size - 1)] + "…"
            padded = text if i == last else text.ljust(size)
            colour = None
            if self.colour and not header and self.columns[i].key == "state":
                colour = _STATE_COLOURS.get(text)
            parts.append(f"\x1b[{colour}m{padded}\x1b[0m" if colour else padded)
        line = "  ".join(parts).rstrip()
        if header and self.colour:
            return f"\x1b[1m{line}\x1b[0m"
        return line

    def add(self, images: Iterable[Image]) -> int:
        cells = [[c.cell(image) for c in self.columns] for image in images]
        if self._widths is None:
            self._widths = self._layout(cells)
            titles = [c.title for c in self.columns]
            self.out.write(self._line(titles, self._widths, header=True) + "\n")
        widths = self._widths
        self.out.write("".join(self._line(row, widths) + "\n" for row in cells))
        return len(cells)


class IdRows:
    """One image id a line (for ``xargs``)."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def add(self, images: Iterable[Image]) -> int:
        ids = [image.image_id for image in images]
        self.out.write("".join(f"{i}\n" for i in ids))
        return len(ids)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class JsonRows:
    """JSON Lines: one object a line, each image as DescribeImages returned it plus
    ``Region`` and ``Account`` (``record(image)`` gives that object)."""

    def __init__(self, out: IO[str], record: Callable[[Image], dict[str, Any]]) -> None:
        self.out = out
        self.record = record

    def add(self, images: Iterable[Image]) -> int:
        lines = [
            json.dumps(self.record(i), default=_json_default, ensure_ascii=False) for i in images
        ]
        self.out.write("".join(f"{line}\n" for line in lines))
        return len(lines)


def cached_record(image: Image) -> dict[str, Any]:
    """An image of the inventory cache in DescribeImages' shape, as far as the cache keeps
    it (no block device mappings, product codes...): ``--cached --format json``."""
    raw: dict[str, Any] = {
        "ImageId": image.image_id,
        "Name": image.name,
        "State": image.state,
        "Architecture": image.architecture,
        "PlatformDetails": image.platform,
        "RootDeviceType": image.root_device_type,
        "CreationDate": image.creation_date,
        "OwnerId": image.owner_id,
        "Public": image.public,
        "Description": image.description,
        "VirtualizationType": image.virtualization_type,
        "ImageType": image.image_type,
        "Tags": [{"Key": k, "Value": v} for k, v in image.tags],
    }
    optional = {
        "ImageOwnerAlias": image.owner_alias,
        "DeprecationTime": image.deprecation_time,
        "LastLaunchedTime": image.last_launched,
        "DeregistrationProtection": image.protection,
        "SourceImageId": image.source_image_id,
        "SourceImageRegion": image.source_region,
        "ImageAllowed": image.allowed,
    }
    raw.update({k: v for k, v in optional.items() if v not in ("", None)})
    return raw


def make_printer(
    kind: str,
    out: IO[str],
    columns: Sequence[Column],
    record: Callable[[Image], dict[str, Any]],
    *,
    colour: bool,
    width: int | None,
) -> Printer:
    if kind == "table":
        return TableRows(out, columns, colour=colour, width=width)
    if kind == "csv":
        return CsvRows(out, columns)
    if kind == "json":
        return JsonRows(out, record)
    return IdRows(out)


@dataclass(frozen=True)
class ListJob:
    """One ``amitui list``: its flags and settings, what it lists (``query``), the rows
    (filtered and sorted as asked), the columns and where it prints."""

    args: argparse.Namespace
    settings: Settings
    query: ListQuery
    rows: ImageRows
    columns: tuple[Column, ...]
    out: IO[str]
    err: IO[str]

    def say(self, line: str) -> None:
        """One line on stderr, as ``amitui list`` says everything that is not a row."""
        print(f"amitui list: {line}", file=self.err)

    def printer(self, record: Callable[[Image], dict[str, Any]], width: int | None) -> Printer:
        """The printer ``--format`` asks for (colours only on a terminal)."""
        out = self.out
        return make_printer(
            self.args.format, out, self.columns, record, colour=colours_wanted(out), width=width
        )

    def print_shown(self, printer: Printer, start: int = 0) -> int:
        """Print the rows shown (filtered, in order) from ``start`` on, flushed; how many."""
        rows = self.rows
        printed = printer.add(map(rows.images.__getitem__, rows.visible[start:]))
        self.out.flush()
        return printed
