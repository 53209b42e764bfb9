"""The filter language: case-insensitive terms, ANDed; ``field:value``; ``!term`` negates.

    arm64 ubuntu            rows containing both words (any column)
    arch:arm64              the Arch column contains "arm64"
    tag:Team=web            a tag Team=web (``tag:Team`` for any value)
    !deprecated  !state:available   negations
    created:>90d  launched:<30d     older than / within an age (d, w, mo, y)
    created:>2024-06  launched:<2025   after / before a date (year, month or day)
    launched:never                  never launched (or not reported)

A date field compared with an age or a date reads "never" as the distant past: it is
older than any age (``launched:>90d`` includes never-launched images) and before any date.

Values may be quoted: ``name:"my image"``; a quote left open runs to the end. An unknown
field (``foo:bar``) is searched as plain text, and ``explain`` says so. This module is pure
(no Textual).
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from amitui.ui.columns import COLUMN_BY_KEY, COLUMNS

FIELD_NAMES: dict[str, str] = {}
for _col in COLUMNS:
    FIELD_NAMES[_col.key] = _col.key
    for _alias in _col.aliases:
        FIELD_NAMES[_alias] = _col.key
FIELD_NAMES.update(
    {"tag": "tag", "tags": "tag", "desc": "description", "description": "description"}
)


_AGE = re.compile(r"(\d{1,5})(d|w|mo|m|y)")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_AGE_DAYS = {"d": 1, "w": 7, "mo": 30.4375, "m": 30.4375, "y": 365.25}


def comparison(op: str, value: str, now: datetime | None = None) -> Callable[[str], bool] | None:
    """A test of an ISO date-time text for ``>value``/``<value`` (an age like ``90d`` or a
    date like ``2024-06``); None when ``value`` is neither. "" (never) is the distant past."""
    if match := _AGE.fullmatch(value):
        days = int(match.group(1)) * _AGE_DAYS[match.group(2)]
        try:  # ISO, four-digit year (strftime writes year 526 as "526", after "2024")
            cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat()[:19]
        except OverflowError:  # before the year 1: older than any date there is
            cutoff = "0000"
        if op == ">":  # older than the age
            return lambda text: text < cutoff
        return lambda text: text >= cutoff
    if _DATE.fullmatch(value):
        size = len(value)
        if op == ">":  # after the year/month/day
            return lambda text: text[:size] > value
        return lambda text: text[:size] < value
    return None


@dataclass(frozen=True, slots=True)
class Term:
    value: str  # lowercased
    field: str | None = None  # a column key, "tag", "description" or None for any column
    negated: bool = False
    #: ">" or "<" for a comparison on a date column (``created:>90d``), else ""
    op: str = ""

    @property
    def needle(self) -> str:
        """What is searched for: tag terms are anchored at the start of a ``key=value``."""
        return "\x00" + self.value if self.field == "tag" else self.value

    def implies(self, other: Term) -> bool:
        """True when every row matching ``self`` also matches ``other``."""
        if self.op or other.op:
            return self == other
        if self.field != other.field or self.negated != other.negated:
            return False
        if self.negated:
            return self.needle in other.needle
        return other.needle in self.needle


@dataclass(frozen=True, slots=True)
class Query:
    terms: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.terms

    def refines(self, previous: Query) -> bool:
        """True when this query's matches are a subset of ``previous``'s (rescan only those)."""
        return all(any(t.implies(p) for t in self.terms) for p in previous.terms)

    def fields(self) -> set[str]:
        return {t.field for t in self.terms if t.field}


def _lex(text: str) -> list[str]:
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    return list(lexer)


def _open_quote(text: str) -> str | None:
    """The quote character left open at the end of ``text`` (None if every one closes)."""
    quote = None
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote is None and char in "\"'":
            quote = char
        elif char == quote:
            quote = None
    return quote


def _tokens(text: str) -> list[str]:
    try:
        return _lex(text)
    except ValueError:
        pass
    # An unclosed quote (while typing, or forgotten): read it as closed at the end, as the
    # filter line says; a trailing backslash is dropped. Anything else: plain words.
    quote = _open_quote(text)
    try:
        return _lex(text.removesuffix("\\") + (quote or ""))
    except ValueError:
        return text.replace('"', " ").replace("'", " ").split()


def parse_query(text: str) -> Query:
    terms: list[Term] = []
    for token in _tokens(text):
        negated = token.startswith("!")
        if negated:
            token = token[1:]
        field = None
        name, sep, rest = token.partition(":")
        if sep and name.lower() in FIELD_NAMES:
            field = FIELD_NAMES[name.lower()]
            token = rest
        if not token:
            continue  # a lone "!" or "arch:" while typing: no condition yet
        if field == "tag" and "=" not in token and token:
            token = token + "="  # tag:Team means "has a Team tag"
        op = ""
        if _is_comparison(field, token):
            op, token = token[0], token[1:]
        terms.append(Term(token.lower(), field, negated, op))
    return Query(tuple(terms))


def _is_comparison(field: str | None, token: str) -> bool:
    column = COLUMN_BY_KEY.get(field or "")
    return (
        column is not None
        and column.date is not None
        and token[:1] in "<>"
        and len(token) > 1
        and comparison(token[0], token[1:].lower()) is not None
    )


#: What looks like a field name before a colon (so "12:30" or "arn:aws:..." do not).
_FIELD_LIKE = re.compile(r"[a-z][a-z_-]*")


def explain(text: str) -> str | None:
    """One line saying why ``text`` may not filter as it reads: an unknown field (with the
    nearest known one) or an unclosed quote. None when it reads as it filters.

    Called on every keystroke with the filter's few words: it lexes them, nothing more."""
    notes: list[str] = []
    quote = _open_quote(text)
    for token in _tokens(text):
        name, sep, value = token.removeprefix("!").partition(":")
        name = name.lower()
        field = FIELD_NAMES.get(name)
        if field and value[:1] in "<>" and len(value) > 1 and not _is_comparison(field, value):
            if COLUMN_BY_KEY.get(field) and COLUMN_BY_KEY[field].date:
                notes.append(
                    f"{name}:{value} is neither an age (90d, 8w, 6mo, 2y) nor a date "
                    "(2024, 2024-06, 2024-06-30): searched as text"
                )
            continue
        if not sep or name in FIELD_NAMES or not _FIELD_LIKE.fullmatch(name):
            continue
        near = difflib.get_close_matches(name, FIELD_NAMES, n=1, cutoff=0.6)
        hint = f"did you mean {near[0]}:?" if near else "fields: " + ", ".join(FIELDS_SHOWN)
        notes.append(f"unknown field {name} (searched as plain text) — {hint}")
    if quote:
        notes.append(f"unclosed {quote}: the value runs to the end (close it with {quote})")
    return " · ".join(notes) or None


#: The field names the help, README and messages list (aliases work too).
FIELDS_SHOWN = (
    "name",
    "id",
    "state",
    "arch",
    "platform",
    "root",
    "created",
    "owner",
    "public",
    "deprecation",
    "region",
    "account",
    "launched",
    "protected",
    "source",
    "allowed",
    "desc",
    "tag",
)
