"""How a filter term tests rows: the texts a ``field:value`` term searches, the scan of
candidates for a term, and the one joined text that says at once that a term's needle is
in no row at all.

Pure Python (no Textual); ImageRows (rows.py) holds the texts and decides what to scan.
A term typed while a field's name or value is still incomplete (``tag:T``, ``tag:Te``
while typing ``tag:Team``) often matches no row, and proving that means testing every
row: ~10 ms for the tag texts of 100,000 rows on a 2-core machine. For the fields whose
texts are worked out ahead (presort.py) the texts are also joined into one string (1 MB
at 100k rows for the tags); a needle absent from it is absent from every row, which one
search in C tells in well under a millisecond.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import compress, repeat
from operator import contains, not_

from amitui.aws.images import Image
from amitui.ui.columns import COLUMN_BY_KEY, tags_text
from amitui.ui.query import Term, comparison

#: Between two rows' texts in a joined text: no typed needle holds it (a filter box is
#: one line), so no needle can match across two rows.
ROW_BREAK = "\n"


def field_texts(field: str, images: Sequence[Image]) -> list[str]:
    """The lowercase text ``field:value`` terms search, one per image (``field@date``: the
    ISO date-time a comparison term reads)."""
    if field.endswith("@date"):
        date = COLUMN_BY_KEY[field.removesuffix("@date")].date
        assert date is not None
        return list(map(date, images))
    if field == "tag":  # "\0key=value\0key=value": "\0team=" finds a key, never a key suffix
        return ["\x00" + tags_text(i).lower() if i.tags else "\x00" for i in images]
    if field == "account":  # the name the column shows, and the id
        return [f"{i.account_name} {i.account}".lower() for i in images]
    if field == "description":
        return [i.description.lower() for i in images]
    return [text.lower() for text in map(COLUMN_BY_KEY[field].cell, images)]


def keep(candidates: Sequence[int], values: list[str], term: Term) -> list[int]:
    """The candidates (in their order) whose value contains the term's needle (or, for a
    comparison, passes it), or not."""
    test = comparison(term.op, term.value) if term.op else None
    hits: Iterable[bool]
    if test is not None:
        hits = map(test, map(values.__getitem__, candidates))
    else:
        # (operator.contains: a plain function call per row, ~2x faster than the
        # str.__contains__ slot wrapper on short texts such as the tag texts)
        hits = map(contains, map(values.__getitem__, candidates), repeat(term.needle))
    if term.negated:
        hits = map(not_, hits)
    return list(compress(candidates, hits))


def joined(values: Iterable[str]) -> str:
    """Every row's text in one string, for ``nowhere``."""
    return ROW_BREAK.join(values)


def nowhere(term: Term, every: str) -> bool:
    """Whether the term's needle is in no row's text (``every``: their ``joined`` text).
    False for a comparison, and for a needle that could span two rows."""
    needle = term.needle
    return not term.op and ROW_BREAK not in needle and needle not in every
