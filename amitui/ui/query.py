"""The filter language: case-insensitive terms, ANDed; ``field:value``; ``!term`` negates.

    arm64 ubuntu            rows containing both words (any column)
    arch:arm64              the Arch column contains "arm64"
    tag:Team=web            a tag Team=web (``tag:Team`` for any value)
    !deprecated  !state:available   negations

Values may be quoted: ``name:"my image"``. This module is pure (no Textual).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from amitui.ui.columns import COLUMNS

FIELD_NAMES: dict[str, str] = {}
for _col in COLUMNS:
    FIELD_NAMES[_col.key] = _col.key
    for _alias in _col.aliases:
        FIELD_NAMES[_alias] = _col.key
FIELD_NAMES.update(
    {"tag": "tag", "tags": "tag", "desc": "description", "description": "description"}
)


@dataclass(frozen=True, slots=True)
class Term:
    value: str  # lowercased
    field: str | None = None  # a column key, "tag", "description" or None for any column
    negated: bool = False

    @property
    def needle(self) -> str:
        """What is searched for: tag terms are anchored at the start of a ``key=value``."""
        return "\x00" + self.value if self.field == "tag" else self.value

    def implies(self, other: Term) -> bool:
        """True when every row matching ``self`` also matches ``other``."""
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


def _tokens(text: str) -> list[str]:
    try:
        lexer = shlex.shlex(text, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        return list(lexer)
    except ValueError:  # an unclosed quote while typing: fall back to plain words
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
        terms.append(Term(token.lower(), field, negated))
    return Query(tuple(terms))
