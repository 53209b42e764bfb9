"""One form field of an action: its kind, rules and how a raw value is read.

Values
    A form's values are a ``dict[str, object]`` keyed by ``Field.api_name``. A key
    that is absent takes the field's ``default``; ``""``/``None`` means empty.
    Per kind, the raw value may be:

    ``text``/``choice``  ``str`` (stripped before checking; empty = not set)
    ``bool``             ``bool`` (``"true"``/``"false"`` are accepted too)
    ``int``              ``int`` or ``str`` of ASCII digits
    ``list``             ``str`` (items split on commas/newlines) or a list of ``str``
    ``regions``          ``str`` (split on commas/whitespace) or a list of ``str``
    ``tags``             ``str`` ``"k=v, k2=v2"`` (see :mod:`amitui.aws.tag_text`),
                         a ``dict`` or a list of ``(key, value)`` pairs
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from amitui.aws import validators as v
from amitui.aws.tag_text import format_tags, parse_tags

FieldKind = Literal["text", "choice", "bool", "int", "list", "tags", "regions"]
FIELD_KINDS: tuple[str, ...] = ("text", "choice", "bool", "int", "list", "tags", "regions")

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0", ""}


@dataclass(frozen=True, slots=True)
class Field:
    """One form field.

    ``api_name`` is the request path (dotted for nested members). ``api=False``
    marks a form-only field (copy's destination regions, deregister's typed-back
    id): validated, never sent. ``prefill`` names a key of the context given to
    :meth:`ActionSpec.initial_values` (see ``PREFILL_KEYS``). ``lookup`` names
    the list of existing things the value is one of (the form offers it as a picker):
    ``"instances"`` (DescribeInstances),
    ``"snapshots"`` (DescribeSnapshots, owner self), ``"regions"`` (DescribeRegions)
    or ``"buckets"`` (ListBuckets); see :mod:`amitui.aws.lookups`. For ``tags`` fields,
    ``resource_types`` are the ``TagSpecifications`` ResourceTypes to send.
    """

    api_name: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    default: object = None
    choices: tuple[str, ...] = ()
    validators: tuple[v.Validator, ...] = ()
    help: str = ""
    placeholder: str = ""
    prefill: str | None = None
    api: bool = True
    resource_types: tuple[str, ...] = ()
    lookup: str | None = None

    # -- normalising --------------------------------------------------------

    def clean(self, raw: object) -> object | None:
        """The typed value (str, bool, int, list[str], list[(k, v)]), or None if empty
        or unusable. Never raises; pair with :meth:`check` for the reason."""
        if raw is None:
            return None
        kind = self.kind
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            return True if text in _TRUE else False if text in _FALSE else None
        if kind == "int":
            if isinstance(raw, bool):
                return None
            if isinstance(raw, int):
                return raw
            return v.parse_int(raw) if isinstance(raw, str) else None
        if kind in ("list", "regions"):
            items = _items(raw, whitespace=kind == "regions")
            return items or None
        if kind == "tags":
            tags = _tag_pairs(raw)
            return tags or None
        if not isinstance(raw, str):
            return None
        text = raw.strip()
        return text or None

    def check(self, raw: object) -> str | None:
        """The message for this field's raw value alone, or None when it is fine."""
        if raw is None or (isinstance(raw, str) and not raw.strip()) or raw in ([], (), {}):
            return v.REQUIRED_MESSAGE if self.required and self.kind != "bool" else None
        kind = self.kind
        if kind == "bool":
            return None if self.clean(raw) is not None else "Expected on or off."
        if kind == "int":
            if isinstance(raw, bool) or not isinstance(raw, (int, str)):
                return "Enter a whole number."
            text = str(raw).strip()
            if v.parse_int(text) is None:
                return v.guard(text) or "Enter a whole number."
            return _first(self.validators, text)
        if kind in ("list", "regions"):
            if not isinstance(raw, (str, list, tuple)) or (
                not isinstance(raw, str) and not all(isinstance(i, str) for i in raw)
            ):
                return "Expected a list of text."
            if isinstance(raw, str) and (bad := v.guard(raw.replace("\n", " "))):
                return bad
            items = _items(raw, whitespace=kind == "regions")
            if self.required and not items:
                return v.REQUIRED_MESSAGE
            for item in items:
                if message := _first(self.validators, item):
                    return f"{v.quote_input(item, 24)}: {message}"
            return None
        if kind == "tags":
            if isinstance(raw, str):
                _, errors = parse_tags(raw)
            elif isinstance(raw, (Mapping, list, tuple)):
                errors = _pair_errors(raw)
            else:
                errors = ["Expected key=value pairs."]
            return " ".join(errors) or None
        if not isinstance(raw, str):
            return "Expected text."
        text = raw.strip()
        if kind == "choice" and text not in self.choices:
            return f"Choose one of: {', '.join(self.choices)}."
        return _first(self.validators, text)


def _first(validators: Sequence[v.Validator], text: str) -> str | None:
    if bad := v.guard(text):
        return bad
    for validator in validators:
        if message := validator(text):
            return message
    return None


def _items(raw: object, *, whitespace: bool) -> list[str]:
    if isinstance(raw, str):
        return v.split_list(raw, whitespace=whitespace)
    if isinstance(raw, (list, tuple)):
        items: list[str] = []
        for item in raw:
            text = item.strip() if isinstance(item, str) else ""
            if text and text not in items:
                items.append(text)
        return items
    return []


def _pairs(raw: object) -> list[tuple[object, object]] | None:
    if isinstance(raw, Mapping):
        return list(raw.items())
    if isinstance(raw, (list, tuple)) and all(
        isinstance(p, (list, tuple)) and len(p) == 2 for p in raw
    ):
        return [(p[0], p[1]) for p in raw]
    return None


def _pair_errors(raw: object) -> list[str]:
    pairs = _pairs(raw)
    if pairs is None:
        return ["Expected key=value pairs."]
    text_pairs = [(k, val) for k, val in pairs if isinstance(k, str) and isinstance(val, str)]
    if len(text_pairs) != len(pairs):
        return ["Tag keys and values must be text."]
    return parse_tags(format_tags(text_pairs))[1]


def _tag_pairs(raw: object) -> list[tuple[str, str]]:
    if isinstance(raw, str):
        tags, errors = parse_tags(raw)
        return [] if errors else tags
    if _pair_errors(raw):
        return []
    return [(str(k).strip(), str(val).strip()) for k, val in _pairs(raw) or []]
