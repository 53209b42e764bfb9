"""The width of printable ASCII text is its length: answered before rich's cache, not by it.

rich measures text with ``cached_cell_len``, an ``lru_cache`` of 4,096 strings, and
Textual calls it for every segment it crops, divides or pads: each line the table shows
(one segment a row, ~150 characters), each cell ``fit`` cuts, each label. The cache keeps
every string it is asked about until 4,096 newer ones push it out, so in a session that
shows new rows (a copy's image, a state that changes) it filled for half an hour: +1,186
entries from 2 to 10 minutes of the soak, +1,660 from 2 to 30 (benchmarks/soak.py,
``--census``), each a row's text and three small objects of the cache's own, scattered
among short-lived ones. That was most of the live memory the soak gained after its
warm-up, and it kept pages of pymalloc's arenas in use.

rich answers ``len(text)`` itself for text whose every character is one cell wide; for
printable ASCII (space to ``~``) that test is ``isascii() and isprintable()``, both in C.
:func:`apply` puts :func:`cell_len` in front of the cache wherever rich and Textual bound
it: printable ASCII gets its length and is not kept; anything else (wide characters,
emoji, control characters, '…') goes to rich's cache as before. Every answer is rich's
own (tests/unit/test_cell_widths.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import rich.cells

#: rich's cached measure, as rich made it (read before :func:`apply` replaces it)
RICH_CACHED: Callable[[str, str], int] = rich.cells.cached_cell_len


def cell_len(text: str, unicode_version: str = "auto") -> int:
    """rich's ``cached_cell_len``, with printable ASCII answered without its cache."""
    if text.isascii() and text.isprintable():
        return len(text)
    return RICH_CACHED(text, unicode_version)


def apply() -> None:
    """Put :func:`cell_len` wherever a module of rich or Textual already imported binds
    rich's cached measure by name (idempotent): ``rich.cells`` itself (its ``cell_len``
    looks it up there at each call, and modules imported later take it from there) and
    ``textual._cells`` among them. A Textual that binds it nowhere is left as it is."""
    for module in list(sys.modules.values()):
        if str(getattr(module, "__name__", "")).split(".")[0] not in ("rich", "textual"):
            continue
        for attribute, value in list(vars(module).items()):
            if value is RICH_CACHED:
                setattr(module, attribute, cell_len)
