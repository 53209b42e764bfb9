"""Pure field validators for the action forms.

Every validator is ``(value: str) -> str | None``: ``None`` when the value is
valid, otherwise one short sentence for the user. Messages do not repeat the
field name (the form shows them under the field); use :func:`labelled` where a
message has to stand on its own. Messages may quote the user's input, so render
them as plain text (``rich.text.Text``), never as markup.

Validators never raise on any ``str`` (blank, huge, unicode, lone surrogates,
markup such as ``[bold]``) and do not strip: callers pass the value as it will
be sent. "Blank is fine" is the rule for optional values, so every validator
except :func:`required` accepts ``""``; the form decides what is required.

Tag keys, values and the ``k=v, k2=v2`` tags syntax are in :mod:`amitui.aws.tag_text`;
S3 buckets, keys and URLs and KMS keys in :mod:`amitui.aws.storage_validators`.

Regions: a region is valid when botocore's endpoint data lists it for EC2 in any
partition (:func:`known_regions`), or when it is well formed
(``<area>[-<sub>]-<direction>-<n>``, e.g. ``eu-west-1``, ``us-gov-east-1``,
``eusc-de-east-1``). The fallback lets a new region work before the installed
botocore knows it and lets sandbox endpoints use any region, while typos such as
``us-eats-1`` or ``useast1`` are still caught.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

Validator = Callable[[str], str | None]

REQUIRED_MESSAGE = "Required."
_BAD_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def labelled(label: str, message: str | None) -> str | None:
    """Prefix a message with its field label (``"Name: Required."``); None stays None."""
    return None if message is None else f"{label}: {message}"


def quote_input(value: str, limit: int = 32) -> str:
    """The user's text in quotes for a message: shortened, control characters as ?."""
    text = value if len(value) <= limit else value[: limit - 1] + "…"
    return (
        '"'
        + "".join(ch if unicodedata.category(ch) not in _BAD_CATEGORIES else "?" for ch in text)
        + '"'
    )


def control_char(value: str) -> str | None:
    """Describe the first control character (or lone surrogate) in value, if any."""
    for index, ch in enumerate(value):
        if unicodedata.category(ch) in _BAD_CATEGORIES:
            return f"U+{ord(ch):04X} at position {index + 1}"
    return None


def guard(value: object) -> str | None:
    """Checks every validator starts with: a str, no control characters."""
    if not isinstance(value, str):
        return "Expected text."
    found = control_char(value)
    return f"Control characters are not allowed ({found})." if found else None


def chain(*validators: Validator) -> Validator:
    """One validator from several: the first message wins."""

    def validate(value: str) -> str | None:
        for validator in validators:
            message = validator(value)
            if message:
                return message
        return None

    return validate


def required(value: str) -> str | None:
    """Present and not only whitespace."""
    if not isinstance(value, str) or not value.strip():
        return REQUIRED_MESSAGE
    return guard(value)


def no_control_chars(value: str) -> str | None:
    return guard(value)


def max_length(limit: int) -> Validator:
    def validate(value: str) -> str | None:
        if message := guard(value):
            return message
        return f"At most {limit} characters (now {len(value)})." if len(value) > limit else None

    return validate


def max_bytes(limit: int) -> Validator:
    """At most ``limit`` bytes once UTF-8 encoded (S3 keys count bytes, not characters)."""

    def validate(value: str) -> str | None:
        if message := guard(value):
            return message
        size = len(value.encode("utf-8"))
        return f"At most {limit} bytes as UTF-8 (now {size})." if size > limit else None

    return validate


def one_of(choices: Iterable[str]) -> Validator:
    options = tuple(choices)

    def validate(value: str) -> str | None:
        if message := guard(value):
            return message
        if value == "" or value in options:
            return None
        return f"Choose one of: {', '.join(options)}."

    return validate


# --- EC2 names and ids -------------------------------------------------------

_AMI_NAME = re.compile(r"[A-Za-z0-9()\[\] ./\-'@_]*")


def ami_name(value: str) -> str | None:
    """3 to 128 characters of letters, digits and ( ) [ ] space . / - ' @ _"""
    if value == "":
        return None
    if message := guard(value):
        return message
    if not 3 <= len(value) <= 128:
        return f"Use 3 to 128 characters (now {len(value)})."
    if not _AMI_NAME.fullmatch(value):
        bad = next(ch for ch in value if not _AMI_NAME.fullmatch(ch))
        allowed = "letters, digits, spaces and ( ) [ ] . / - ' @ _"
        return f"{quote_input(bad)} is not allowed: use {allowed}"
    return None


description = max_length(255)
"""EC2 descriptions: at most 255 characters."""


def _resource_id(prefix: str, noun: str) -> Validator:
    pattern = re.compile(rf"{re.escape(prefix)}-(?:[0-9a-f]{{8}}|[0-9a-f]{{17}})")
    article = "An" if noun[0] in "aeiou" else "A"

    def validate(value: str) -> str | None:
        if value == "":
            return None
        if message := guard(value):
            return message
        if pattern.fullmatch(value):
            return None
        if pattern.fullmatch(value.lower()):
            return f"Use lowercase: {value.lower()}"
        if not value.startswith(f"{prefix}-"):
            return f"{article} {noun} id starts with {prefix}- (e.g. {prefix}-0123456789abcdef0)."
        return f"Expected {prefix}- and 8 or 17 hex digits."

    validate.__name__ = f"{prefix.replace('-', '_')}_id"
    validate.__doc__ = f"{article} {noun} id: {prefix}- and 8 or 17 lowercase hex digits."
    return validate


image_id = _resource_id("ami", "image")
instance_id = _resource_id("i", "instance")
snapshot_id = _resource_id("snap", "snapshot")
export_task_id = _resource_id("export-ami", "export task")
import_task_id = _resource_id("import-ami", "import task")


def device_name(value: str) -> str | None:
    """A block device name EC2 accepts in a mapping: /dev/sda1, /dev/xvda, /dev/sdf, ..."""
    if value == "":
        return None
    if message := guard(value):
        return message
    if re.fullmatch(r"/dev/(?:sd|xvd)[a-z]{1,2}[0-9]{0,2}|/dev/hd[a-z][0-9]{0,2}", value):
        return None
    if not value.startswith("/dev/"):
        return "A device name starts with /dev/ (e.g. /dev/xvda, /dev/sda1)."
    return "Expected a name like /dev/xvda, /dev/sda1 or /dev/sdf."


_ROLE_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{1,64}")


def iam_role_name(value: str) -> str | None:
    """1 to 64 characters of letters, digits and _ + = , . @ -"""
    if value == "":
        return None
    if message := guard(value):
        return message
    if len(value) > 64:
        return f"At most 64 characters (now {len(value)})."
    if not _ROLE_NAME.fullmatch(value):
        return "Use letters, digits and _ + = , . @ - only (a role name, not an ARN)."
    return None


# --- numbers -------------------------------------------------------------------

_INT = re.compile(r"-?[0-9]{1,30}")


def parse_int(value: str) -> int | None:
    """ASCII digits with an optional minus sign; None for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return int(text) if _INT.fullmatch(text) else None


def integer(
    minimum: int | None = None, maximum: int | None = None, step: int | None = None
) -> Validator:
    """A whole number in [minimum, maximum] and, with step, a multiple of step."""

    def validate(value: str) -> str | None:
        if value == "":
            return None
        if message := guard(value):
            return message
        number = parse_int(value)
        if number is None:
            return "Enter a whole number."
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            if minimum is not None and maximum is not None:
                return f"Enter a number from {minimum} to {maximum}."
            if minimum is not None:
                return f"Enter a number of at least {minimum}."
            return f"Enter a number of at most {maximum}."
        if step and number % step:
            return f"Use a multiple of {step}."
        return None

    return validate


snapshot_copy_minutes = integer(15, 2880, 15)
"""SnapshotCopyCompletionDurationMinutes: 15 to 2880 (48 h), in steps of 15."""


# --- regions -------------------------------------------------------------------

_REGION_FORMAT = re.compile(
    r"[a-z]{2,4}(?:-[a-z]{2,8})*-"
    r"(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-[0-9]{1,2}"
)


def known_regions() -> tuple[str, ...]:
    """Every region botocore's endpoint data lists for EC2, all partitions, sorted."""
    from amitui.aws.region_data import region_data

    return region_data().known()


def region(value: str) -> str | None:
    """A region botocore knows for EC2, or a well-formed one (see the module docstring)."""
    if value == "":
        return None
    if message := guard(value):
        return message
    if value in known_regions() or _REGION_FORMAT.fullmatch(value):
        return None
    if _REGION_FORMAT.fullmatch(value.lower()):
        return f"Use lowercase: {value.lower()}"
    return f"{quote_input(value)} is not a region (e.g. us-east-1, eu-west-2)."


# --- lists -------------------------------------------------------------------------


def split_list(text: str, *, whitespace: bool = False) -> list[str]:
    """Items of a list field: separated by commas or newlines (and spaces if asked),
    stripped, blanks dropped, duplicates dropped (first wins)."""
    if not isinstance(text, str):
        return []
    pattern = r"[,\s]+" if whitespace else r"[,\n]+"
    items: list[str] = []
    for item in re.split(pattern, text):
        item = item.strip()
        if item and item not in items:
            items.append(item)
    return items
