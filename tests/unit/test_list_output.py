"""amitui list's printers: colours only on a terminal without NO_COLOR; an aligned table."""

from __future__ import annotations

import io
import re

from amitui.aws.images import Image
from amitui.commands.list_output import TableRows, cached_record, colours_wanted
from amitui.ui.columns import COLUMN_BY_KEY


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colours_only_on_a_terminal_and_never_under_no_color():
    assert colours_wanted(Tty(), {"TERM": "xterm"})
    assert not colours_wanted(io.StringIO(), {"TERM": "xterm"})  # piped
    assert not colours_wanted(Tty(), {"TERM": "xterm", "NO_COLOR": "1"})
    assert not colours_wanted(Tty(), {"TERM": "dumb"})


IMAGES = [
    Image(image_id="ami-1", region="us-east-1", name="a" * 80, state="available"),
    Image(image_id="ami-22", region="us-east-1", name="short", state="failed"),
]
COLUMNS = [COLUMN_BY_KEY[k] for k in ("name", "id", "state")]


def test_table_aligns_cuts_to_the_terminal_and_colours_the_state():
    out = io.StringIO()
    TableRows(out, COLUMNS, colour=False, width=None).add(IMAGES)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["Name", "Image", "ID", "State"]
    at = lines[0].index("Image ID")
    assert at == 66 and all(line[at:].startswith("ami-") for line in lines[1:])
    assert lines[1].startswith("a" * 63 + "…")  # Name's widest useful width is 64

    out = io.StringIO()
    TableRows(out, COLUMNS, colour=True, width=50).add(IMAGES)
    text = out.getvalue()
    assert "\x1b[1mName" in text and "\x1b[31mfailed" in text and "\x1b[32mavailable" in text
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert max(map(len, plain.splitlines())) <= 50  # Name gave way to fit the terminal
    assert plain.splitlines()[1].startswith("a" * 28 + "…")


def test_cached_records_use_describe_images_keys():
    image = Image(image_id="ami-1", region="r", name="n", tags=(("Team", "web"),), allowed=False)
    record = cached_record(image)
    assert record["ImageId"] == "ami-1" and record["Tags"] == [{"Key": "Team", "Value": "web"}]
    assert record["ImageAllowed"] is False and "DeprecationTime" not in record
