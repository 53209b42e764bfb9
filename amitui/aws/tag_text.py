"""Tags: key and value rules and the one-line tags syntax of the forms.

The forms take tags as text: ``Name=web, team=platform`` (commas or newlines
between tags; ``\\,`` and ``\\=`` escape a literal comma or equals sign). EC2's
rules: a key has 1 to 128 characters and does not start with ``aws:``; a value
has at most 256; a resource has at most 50 tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from amitui.aws.validators import control_char, guard, quote_input

MAX_TAGS = 50


def tag_key(value: str) -> str | None:
    """1 to 128 characters; not starting with aws: (reserved)."""
    if message := guard(value):
        return message
    if not value.strip():
        return "A tag key cannot be empty."
    if len(value) > 128:
        return f"A tag key has at most 128 characters (now {len(value)})."
    if value.lower().startswith("aws:"):
        return "Tag keys starting with aws: are reserved."
    return None


def tag_value(value: str) -> str | None:
    """0 to 256 characters."""
    if message := guard(value):
        return message
    if len(value) > 256:
        return f"A tag value has at most 256 characters (now {len(value)})."
    return None


def parse_tags(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Parse ``"k=v, k2=v2"`` (commas or newlines between tags).

    Returns ``(tags, errors)``: the well-formed tags in order and one message per
    bad tag. Key and value are stripped; ``\\,`` and ``\\=`` put a literal comma
    or equals sign in a key or value; ``k=`` is a key with an empty value.
    """
    if not isinstance(text, str):
        return [], ["Expected text."]
    text = text.replace("\r\n", "\n")
    if found := control_char(text.replace("\n", " ")):
        return [], [f"Control characters are not allowed ({found})."]
    tags: list[tuple[str, str]] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate((p for p in _split_tags(text) if p.strip()), 1):
        key_part, sep, value_part = _split_first_unescaped(raw, "=")
        key, value = _unescape(key_part).strip(), _unescape(value_part).strip()
        where = f"Tag {number} ({quote_input(key or raw.strip(), 24)})"
        if not sep:
            errors.append(f"{where}: expected key=value.")
        elif message := tag_key(key) or tag_value(value):
            errors.append(f"{where}: {message}")
        elif key in seen:
            errors.append(f"{where}: key given twice.")
        else:
            seen.add(key)
            tags.append((key, value))
    if len(tags) > MAX_TAGS:
        errors.append(f"At most {MAX_TAGS} tags (now {len(tags)}).")
    return tags, errors


def _split_tags(text: str) -> list[str]:
    """Split on unescaped commas/newlines, keeping the escapes for the second pass."""
    parts, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch in ",\n":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _split_first_unescaped(text: str, sep: str) -> tuple[str, str, str]:
    escaped = False
    for index, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == sep:
            return text[:index], sep, text[index + 1 :]
    return text, "", ""


def _unescape(text: str) -> str:
    return re.sub(r"\\(.?)", r"\1", text, flags=re.DOTALL)


def tags_text(value: str) -> str | None:
    """Validator for the tags text: every error, joined."""
    if value == "":
        return None
    _, errors = parse_tags(value)
    return " ".join(errors) if errors else None


def format_tags(tags: Iterable[tuple[str, str]]) -> str:
    """The inverse of :func:`parse_tags` (escapes , = and backslash)."""

    def esc(text: str) -> str:
        return re.sub(r"([\\,=])", r"\\\1", text)

    return ", ".join(f"{esc(k)}={esc(v)}" for k, v in tags)
