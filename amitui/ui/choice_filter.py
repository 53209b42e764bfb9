"""Type-ahead filtering of a picker's choices. Pure (no Textual).

Every whitespace-separated word of the query must occur (case-insensitively) in one of
the choice's texts: its value, name, description, size or date. Each choice's lowercase
haystack is computed once; a query that extends the previous one rescans only the
previous matches, so typing stays fast with thousands of choices.
"""

from __future__ import annotations

from collections.abc import Sequence

from amitui.aws.lookups import Choice

#: Between a choice's texts: a query word (no whitespace) never matches across two.
_SEPARATOR = "\n"


def haystack(choice: Choice) -> str:
    parts = (choice.value, choice.name, choice.description, choice.size, choice.date)
    return _SEPARATOR.join(parts).lower()


class ChoiceFilter:
    """``matches(query)`` -> the indices (in order) of the choices the query keeps."""

    def __init__(self, choices: Sequence[Choice]) -> None:
        self.choices = choices
        self.haystacks = [haystack(c) for c in choices]
        self._query = ""
        self._matches = list(range(len(choices)))

    def matches(self, query: str) -> list[int]:
        query = " ".join(query.lower().split())
        if not query:
            found = list(range(len(self.choices)))
        else:
            # A longer query keeps a subset of what its prefix kept: each earlier word is
            # unchanged, and the last one only grew (or a word was added).
            narrower = bool(self._query) and query.startswith(self._query)
            candidates = self._matches if narrower else range(len(self.choices))
            words = query.split()
            stacks = self.haystacks
            found = [i for i in candidates if all(w in stacks[i] for w in words)]
        self._query, self._matches = query, found
        return found
