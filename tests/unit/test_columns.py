"""The inventory's cells and column widths (pure functions of columns.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from amitui.aws.images import Image
from amitui.ui.columns import COLUMN_BY_KEY, age, columns_for, layout_widths

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def age_at(days: int) -> str:
    return age((NOW - timedelta(days=days)).isoformat(), NOW)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, "today"),
        (1, "1d"),
        (60, "60d"),
        (61, "2mo"),
        (364, "11mo"),
        (365, "12mo"),
        (729, "23mo"),
        (730, "2y"),
        (1094, "2y"),
        (1095, "3y"),
    ],
)
def test_age_boundaries(days, expected):
    assert age_at(days) == expected


def test_age_uses_one_unit_per_range_and_never_goes_back():
    """Days, then months below two years, then years: no '24mo' beside a '2y', no '1mo'
    after '59d', and an older image never reads younger than a newer one."""
    scale = {"d": 1, "mo": 365 / 12, "y": 365}
    previous = 0.0
    for days in range(1, 4000):
        text = age_at(days)
        number, unit = re.fullmatch(r"(\d+)(d|mo|y)", text).groups()
        if unit == "y":
            assert int(number) >= 2, text
        if unit == "mo":
            assert 2 <= int(number) < 24, text
        if unit == "d":
            assert int(number) <= 60, text
        value = int(number) * scale[unit]
        assert value >= previous, (days, text)
        previous = value


def test_a_plain_moto_root_device_fits_its_column():
    image = Image("ami-12345678", "us-east-1", root_device_type="standard", root_size_gib=100)
    root = COLUMN_BY_KEY["root"]
    assert len(root.cell(image)) <= root.width
    assert root.cell(image) == "standard 100 GiB"


def test_name_takes_the_room_first_up_to_its_maximum():
    columns = columns_for(False)
    minimum = 1 + sum(c.width + 1 for c in columns)
    widths = layout_widths(columns, minimum + 20)
    assert widths[0] == columns[0].width + 20
    assert widths[1:] == [c.width for c in columns[1:]]
    assert layout_widths(columns, 80) == [c.width for c in columns]  # too narrow: scrolls


def test_a_very_wide_table_spreads_out_instead_of_one_huge_name():
    columns = columns_for(True)
    widths = layout_widths(columns, 320)
    assert 1 + sum(w + 1 for w in widths) == 320  # every cell used
    assert widths[0] < 320 // 3  # it was 200 cells, the rest squeezed at their minimum
    platform = widths[[c.key for c in columns].index("platform")]
    assert platform >= COLUMN_BY_KEY["platform"].max_width
    assert all(w > c.width for w, c in zip(widths, columns, strict=True))


def test_with_many_accounts_the_account_column_takes_owners_place_unless_picked():
    keys = [c.key for c in columns_for(False, None, multi_account=True)]
    assert keys[:2] == ["name", "account"] and "owner" not in keys
    picked = [c.key for c in columns_for(False, ("owner", "state"), multi_account=True)]
    assert picked == ["name", "account", "id", "state", "owner"]
    assert "account" not in [c.key for c in columns_for(False, None)]


def test_the_account_cell_shows_the_name_and_the_account_filter_finds_the_id_too():
    from amitui.ui.rows import ImageRows

    named = Image(image_id="ami-1", region="us-east-1", account="222222222222")
    named.account_name = "platform-staging"
    unnamed = Image(image_id="ami-2", region="us-east-1", account="333333333333")
    assert COLUMN_BY_KEY["account"].cell(named) == "platform-staging"
    assert COLUMN_BY_KEY["account"].cell(unnamed) == "333333333333"
    rows = ImageRows()
    rows.extend([named, unnamed])
    for query, expected in (
        ("account:2222", ["ami-1"]),
        ("account:staging", ["ami-1"]),
        ("account:3333", ["ami-2"]),
        ("!account:platform", ["ami-2"]),
    ):
        rows.set_filter(query)
        assert [rows.image_at(i).image_id for i in range(len(rows))] == expected, query
