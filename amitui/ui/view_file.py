"""A view of the inventory as a file or a stream: CSV, or JSON objects of column values.

Shared by the inventory's ``w`` (write the view to a file) and ``amitui list --format
csv``: one column per inventory column, keyed by the column's key (``name``, ``id``,
``created``...), one row per image in the view's order. A cell is what the table shows,
except dates: a date column gives AWS's ISO timestamp (``2025-03-14T10:22:31.000Z``, "" for
never), not the table's "2025-03-14 8mo", so a script can compare them.

Pure Python (no Textual): the command line writes with it without loading the UI.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

from amitui.aws.images import Image
from amitui.ui.columns import Column

#: The file formats ``write_view`` chooses from a path's extension.
FILE_FORMATS = {".csv": "csv", ".json": "json"}


def value(column: Column, image: Image) -> str:
    """The column's value for a file: the cell shown, or a date column's ISO timestamp."""
    if column.date is not None:
        return column.date(image)
    return column.cell(image)


def values(columns: Sequence[Column], image: Image) -> list[str]:
    return [value(c, image) for c in columns]


class CsvRows:
    """CSV to a text stream, a header of column keys first; ``add`` writes rows as they
    come (``amitui list`` streams pages through it)."""

    def __init__(self, out: IO[str], columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        self._writer = csv.writer(out, lineterminator="\n")
        self._writer.writerow([c.key for c in self.columns])

    def add(self, images: Iterable[Image]) -> int:
        count = 0
        for image in images:
            self._writer.writerow(values(self.columns, image))
            count += 1
        return count


def view_objects(columns: Sequence[Column], images: Iterable[Image]) -> list[dict[str, str]]:
    """One object per image, column key -> value, in the columns' order."""
    keys = [c.key for c in columns]
    return [dict(zip(keys, values(columns, image), strict=True)) for image in images]


def file_format(path: str | Path) -> str | None:
    """'csv' or 'json' from the path's extension (None: neither)."""
    return FILE_FORMATS.get(Path(path).suffix.lower())


def write_view(
    path: str | Path, columns: Sequence[Column], images: Sequence[Image], *, overwrite: bool
) -> int:
    """Write the view to ``path`` (CSV or a JSON array, by its extension); returns how many
    rows. Raises FileExistsError when the file exists and ``overwrite`` is False, ValueError
    for another extension, OSError when it cannot be written. The file appears whole or
    not at all: written beside it, then renamed."""
    path = Path(path)
    kind = file_format(path)
    if kind is None:
        raise ValueError(f"{path.name}: the extension chooses the format: .csv or .json")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists")
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as fh:
            if kind == "csv":
                CsvRows(fh, columns).add(images)
            else:
                json.dump(view_objects(columns, images), fh, indent=1, ensure_ascii=False)
                fh.write("\n")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return len(images)
