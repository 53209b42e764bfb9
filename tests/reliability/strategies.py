"""Hypothesis strategies for hostile input: unicode, very long strings, markup, control
characters, blanks, and near-misses of valid values."""

from __future__ import annotations

from hypothesis import strategies as st

MARKUP = [
    "[bold]",
    "[/]",
    "[bold]x[/bold]",
    "[red on black]ami-0123456789abcdef0",
    "[link=https://example.com]click[/link]",
    "[@click=app.quit]quit[/]",
    "[/bold]",
    "[",
    "]",
    "\\[escaped]",
    ":warning: :smile:",
]
BLANKS = ["", " ", "   ", "\t", "\n", "\r\n", "\u3000", "\u00a0", "\u200b", " \u2028 "]
CONTROL = st.characters(categories=["Cc"])
#: Cyrillic a, e, o; fullwidth 0; Hangul filler; space; zero-width space; and plain ones.
LOOKALIKES = [
    "\u0430",
    "\u0435",
    "\u043e",
    "\uff10",
    "\u115f",
    " ",
    "\u200b",
    "-",
    "_",
    "x",
    "\x7f",
]
ANY_CHAR = st.characters(exclude_categories=["Cs"])  # everything a terminal can paste

long_text = st.builds(
    lambda piece, times: piece * times,
    st.text(ANY_CHAR, min_size=1, max_size=8),
    st.integers(min_value=64, max_value=2000),
)


def with_control(base: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda text, ch, at: text[:at] + ch + text[at:],
        base,
        CONTROL,
        st.integers(min_value=0, max_value=40),
    )


def near(valid: str) -> st.SearchStrategy[str]:
    """A valid value, disturbed: a prefix or suffix, a case change, a cut, a character
    swapped for a look-alike or for anything."""
    return st.one_of(
        st.builds(lambda s: valid + s, st.text(ANY_CHAR, min_size=1, max_size=6)),
        st.builds(lambda s: s + valid, st.text(ANY_CHAR, min_size=1, max_size=6)),
        st.just(valid.upper()),
        st.just(valid.swapcase()),
        st.integers(min_value=0, max_value=max(0, len(valid) - 1)).map(lambda n: valid[:n]),
        st.builds(
            lambda at, ch: valid[:at] + ch + valid[at + 1 :],
            st.integers(min_value=0, max_value=max(0, len(valid) - 1)),
            st.sampled_from(LOOKALIKES),
        ),
        st.just(f" {valid} "),
        st.just(valid.replace("-", " - ")),
    )


hostile_text = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.text(max_size=40),
    long_text,
    st.sampled_from(MARKUP),
    st.sampled_from(BLANKS),
    with_control(st.text(ANY_CHAR, max_size=20)),
    st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3),  # lone surrogates
)


def field_values(valid: object) -> st.SearchStrategy[object]:
    """What a field may be given: hostile text, or a disturbed copy of a valid value."""
    if isinstance(valid, str) and valid:
        return st.one_of(hostile_text, near(valid))
    return hostile_text
