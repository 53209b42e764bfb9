"""Printable ASCII is measured before rich's cache and kept out of it; every answer is
rich's own (amitui/ui/cell_widths.py)."""

from __future__ import annotations

import sys

import rich.cells
import rich.segment
import textual._cells
from hypothesis import given
from hypothesis import strategies as st
from rich.segment import Segment

from amitui.ui import cell_widths
from amitui.ui.cell_widths import RICH_CACHED, cell_len

#: text of every kind rich measures apart: ASCII with and without control characters,
#: wide (CJK), zero-width, combining, emoji with joiners and variation selectors
SAMPLES = [
    "", " ", "ami-0123456789abcdef0", "a\tb", "line\n", "\x1b[1m", "\x7f", "~" * 600,
    "日本語", "…", "●x", "e\u0301", "\u200b", "👨\u200d👩\u200d👧", "☺\ufe0f", "\uff48\uff49",
]  # fmt: skip


def bound_to_rich_cache() -> list[str]:
    """Every module of rich and Textual that binds rich's cached measure by a name."""
    return [
        f"{module.__name__}.{name}"
        for module in list(sys.modules.values())
        if str(getattr(module, "__name__", "")).split(".")[0] in ("rich", "textual")
        for name, value in list(vars(module).items())
        if value is RICH_CACHED
    ]


def test_apply_leaves_no_module_of_rich_or_textual_bound_to_the_cache() -> None:
    cell_widths.apply()
    cell_widths.apply()  # idempotent
    assert bound_to_rich_cache() == []
    assert rich.cells.cached_cell_len is cell_len
    assert rich.segment.cached_cell_len is cell_len
    assert textual._cells.cell_len is cell_len


def test_printable_ascii_stays_out_of_richs_cache_and_the_rest_goes_in() -> None:
    cell_widths.apply()
    RICH_CACHED.cache_clear()  # type: ignore[attr-defined]
    assert rich.cells.cell_len("soak-copy-00123 available") == 25  # via rich.cells
    assert Segment("ami-0123456789abcdef0  x86_64").cell_length == 29  # via a segment
    assert RICH_CACHED.cache_info().currsize == 0  # type: ignore[attr-defined]
    assert rich.cells.cell_len("日本語") == 6
    assert RICH_CACHED.cache_info().currsize == 1  # type: ignore[attr-defined]


def test_every_sample_measures_as_rich_measures_it() -> None:
    for text in SAMPLES:
        assert cell_len(text) == RICH_CACHED(text, "auto"), repr(text)


@given(st.text(max_size=80))
def test_any_text_measures_as_rich_measures_it(text: str) -> None:
    assert cell_len(text) == RICH_CACHED(text, "auto")


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=80))
def test_any_ascii_measures_as_rich_measures_it(text: str) -> None:
    assert cell_len(text) == RICH_CACHED(text, "auto")
