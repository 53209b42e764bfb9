"""amitui/ui/view_file.py: the view as CSV or JSON, read back equal; never half a file."""

from __future__ import annotations

import csv
import io
import json

import pytest

from amitui.aws.images import Image
from amitui.ui.columns import COLUMN_BY_KEY, COLUMNS
from amitui.ui.view_file import CsvRows, file_format, value, write_view

IMAGES = [
    Image(
        image_id="ami-0123456789abcdef0",
        region="eu-west-1",
        name='web [blue], "quoted"\nsecond line',
        state="available",
        architecture="arm64",
        creation_date="2025-03-14T10:22:31.000Z",
        tags=(("Team", "web"),),
        last_launched="",
        protection="enabled-with-cooldown",
    ),
    Image(image_id="ami-1", region="us-east-1", name="ünïcode ✓", public=True, allowed=False),
]


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_round_trip_every_column(tmp_path, suffix):
    path = tmp_path / f"view{suffix}"
    assert write_view(path, COLUMNS, IMAGES, overwrite=False) == 2
    text = path.read_text(encoding="utf-8")
    if suffix == ".csv":
        rows = list(csv.reader(io.StringIO(text)))
        header, body = rows[0], rows[1:]
    else:
        objects = json.loads(text)
        header, body = list(objects[0]), [list(o.values()) for o in objects]
    assert header == [c.key for c in COLUMNS]
    assert body == [[value(c, i) for c in COLUMNS] for i in IMAGES]
    assert body[0][0] == IMAGES[0].name  # commas, quotes and a newline survive
    assert body[0][header.index("created")] == "2025-03-14T10:22:31.000Z"  # ISO, not "8mo"


def test_existing_file_and_unknown_extension(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("keep me")
    with pytest.raises(FileExistsError):
        write_view(path, COLUMNS, IMAGES, overwrite=False)
    assert path.read_text() == "keep me"
    write_view(path, COLUMNS, IMAGES, overwrite=True)
    assert path.read_text().startswith("name,id,")
    with pytest.raises(ValueError, match=r"\.csv or \.json"):
        write_view(tmp_path / "v.txt", COLUMNS, IMAGES, overwrite=True)
    assert file_format("A.JSON") == "json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.csv"]  # no partial left


def test_csv_rows_stream_with_a_header_first():
    out = io.StringIO()
    rows = CsvRows(out, [COLUMN_BY_KEY["id"], COLUMN_BY_KEY["launched"]])
    assert out.getvalue() == "id,launched\n"
    rows.add(IMAGES[:1])
    assert out.getvalue() == "id,launched\nami-0123456789abcdef0,\n"  # never launched: ""
