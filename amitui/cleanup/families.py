"""Which family an image belongs to: its name with the date/version/build suffix removed.

The built-in rule reads a name as tokens separated by ``-``, ``/`` or spaces (``_`` and
``.`` stay inside a token, so ``x86_64``, ``Windows_Server`` and ``2.0.20240306.2`` are
one token each) and drops the tokens that change from one build to the next:

* a **dated** token: one holding a calendar date as 8 digits (``20261103``,
  ``2.0.20240306.2``, ``20240306T1200Z``), a dotted or dashed year-month(-day)
  (``2026.11.03``, ``2024.03.5``, ``2026-11-03``) or a Unix time in seconds
  (``1709712000``, packer's ``{{timestamp}}``);
* a **version** of three or more numbers, or any ``v``-prefixed one (``4.3.12``,
  ``v4.3.12``, ``v12``);
* after the first dated or version token only: a bare build number (``412``), a
  commit hash (six or more hex digits with a digit and a letter), and build words
  with or without their number (``nightly``, ``nightly.412``, ``build-17``, ``rc2``).

What follows the dropped tokens stays: the architecture and flavour are part of the
family (``amzn2-ami-hvm-2.0.20240306.2-x86_64-gp2`` -> ``amzn2-ami-hvm-x86_64-gp2``),
so the x86_64 and arm64 builds are two families, each keeping its own newest N.
Two-number versions (``22.04``, ``6.1``) and bare numbers before any date (``debian-12``,
``Windows_Server-2022``) are releases, not builds: they stay.

When unsure, a token stays. A wrong split makes two families where there is one, and
each keeps its newest N (more is kept); a wrong merge would make one family of two and
could propose the newest builds of one of them. A name that is nothing but a date keeps
its whole name as family.

A user regex overrides the rule: its named group ``family``, else its first group, else
the whole match is the family; a name it does not match (or matches empty) falls back
to the built-in rule, and the preview counts those names.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: A separator, or a run of them (kept to rebuild the name around what is dropped).
_SEPARATORS = re.compile(r"[-/\s]+")
#: A dashed date (with an optional time) is one token, though ``-`` separates tokens.
_TOKENS = re.compile(
    r"(?:19|20)\d\d-[01]\d-[0-3]\d(?:[T_]\d\d(?:[-:.]?\d\d){0,2}(?:\.\d+)?Z?)?|[^-/\s]+|[-/\s]+"
)
_YMD = r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_DATED = re.compile(
    rf"(?<!\d){_YMD}(?!\d)"  # 20261103, 2.0.20240306.2, 20240306T1200Z
    r"|(?<![\d.])(?:19|20)\d\d[.-](?:0?[1-9]|1[0-2])(?:[.-]\d{1,2})?(?![\d])"  # 2026.11.03
    r"|^1\d{9}$"  # Unix seconds (2001..2033)
)
_VERSION = re.compile(r"^(?:v\d+(?:\.\d+)*|\d+(?:\.\d+){2,})[a-z]?$", re.IGNORECASE)
#: Build words (``nightly``, ``build.17``) are dropped; channel words (dev, beta) stay.
_BUILD_WORDS = "nightly|daily|weekly|build|b|rc|r|run|ci|snapshot|snap|patch|p"
_BUILD = re.compile(rf"^(?:(?:{_BUILD_WORDS})[._]?\d*|\d+)$", re.IGNORECASE)
_HASH = re.compile(r"^(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{6,40}$", re.IGNORECASE)


class RuleError(ValueError):
    """A rule the user typed that cannot be used, said as one readable line."""


def _drops(token: str, after_volatile: bool) -> bool:
    if _DATED.search(token) or _VERSION.match(token):
        return True
    return after_volatile and bool(_BUILD.match(token) or _HASH.match(token))


def builtin_family(name: str) -> str:
    """The family of ``name`` by the built-in rule (see the module's doc)."""
    tokens = _TOKENS.findall(name)
    kept: list[str] = []  # alternating words and separators
    volatile = False
    for token in tokens:
        if _SEPARATORS.fullmatch(token):
            kept.append(token)
            continue
        if _drops(token, volatile):
            volatile = True
            if kept and _SEPARATORS.fullmatch(kept[-1]):
                kept.pop()  # the separator before a dropped word goes with it
            continue
        kept.append(token)
    while kept and _SEPARATORS.fullmatch(kept[0]):
        kept.pop(0)
    while kept and _SEPARATORS.fullmatch(kept[-1]):
        kept.pop()
    family = "".join(kept)
    return family or name


def compile_family_regex(text: str) -> re.Pattern[str] | None:
    """The user's family regex (None when empty); an invalid one raises RuleError."""
    if not text.strip():
        return None
    try:
        pattern = re.compile(text)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise RuleError(f"family regex: {exc.msg}{where}") from None
    return pattern


def family_of(pattern: re.Pattern[str] | None) -> Callable[[str], tuple[str, bool]]:
    """A function name -> (family, matched by the regex). Without a regex, the built-in
    rule; with one, its ``family`` group, else first group, else whole match."""
    if pattern is None:
        return lambda name: (builtin_family(name), False)
    named = "family" in pattern.groupindex
    grouped = pattern.groups > 0

    def family(name: str) -> tuple[str, bool]:
        found = pattern.search(name)
        if found is not None:
            value = found.group("family") if named else found.group(1) if grouped else found[0]
            if value:
                return value, True
        return builtin_family(name), False

    return family
