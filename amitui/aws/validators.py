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

Tag keys, values and the ``k=v, k2=v2`` tags syntax are in :mod:`amitui.aws.tag_text`.

Regions: a region is valid when botocore's endpoint data lists it for EC2 in any
partition (:func:`known_regions`), or when it is well formed
(``<area>[-<sub>]-<direction>-<n>``, e.g. ``eu-west-1``, ``us-gov-east-1``,
``eusc-de-east-1``). The fallback lets a new region work before the installed
botocore knows it and lets sandbox endpoints use any region, while typos such as
``us-eats-1`` or ``useast1`` are still caught.
"""

from __future__ import annotations

import functools
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
            return f"A {noun} id starts with {prefix}- (e.g. {prefix}-0123456789abcdef0)."
        return f"Expected {prefix}- and 8 or 17 hex digits."

    validate.__name__ = f"{prefix.replace('-', '_')}_id"
    validate.__doc__ = f"A {noun} id: {prefix}- and 8 or 17 lowercase hex digits."
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


@functools.cache
def known_regions() -> tuple[str, ...]:
    """Every region botocore's endpoint data lists for EC2, all partitions, sorted."""
    import botocore.session  # only here: keeps importing this module cheap

    session = botocore.session.get_session()
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("ec2", partition_name=partition))
    return tuple(sorted(regions))


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


# --- S3 ----------------------------------------------------------------------------

_BUCKET_CHARS = re.compile(r"[a-z0-9.-]+")
_IP_LIKE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_BUCKET_BAD_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_BAD_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def s3_bucket(value: str) -> str | None:
    """An S3 general purpose bucket name, by the current S3 naming rules."""
    if value == "":
        return None
    if message := guard(value):
        return message
    if value.startswith("s3://"):
        return "Just the bucket name, without s3://."
    if not 3 <= len(value) <= 63:
        return f"Use 3 to 63 characters (now {len(value)})."
    if not _BUCKET_CHARS.fullmatch(value):
        return "Use lowercase letters, digits, dots and hyphens only."
    if not (value[0].isalnum() and value[-1].isalnum()):
        return "Must start and end with a letter or digit."
    if ".." in value:
        return "Two dots in a row are not allowed."
    if _IP_LIKE.fullmatch(value):
        return "Must not look like an IP address."
    for prefix in _BUCKET_BAD_PREFIXES:
        if value.startswith(prefix):
            return f"Must not start with {prefix} (reserved)."
    for suffix in _BUCKET_BAD_SUFFIXES:
        if value.endswith(suffix):
            return f"Must not end with {suffix} (reserved)."
    return None


_key_bytes = max_bytes(1024)


def s3_prefix(value: str) -> str | None:
    """An S3 key prefix: may be empty; at most 1024 bytes; no control characters."""
    if message := guard(value):
        return message
    if value.startswith("s3://"):
        return "Just the prefix, without s3://bucket/."
    return _key_bytes(value)


def s3_key(value: str) -> str | None:
    """An S3 object key: 1 to 1024 bytes (UTF-8), no control characters, not a folder."""
    if value == "":
        return None
    if message := s3_prefix(value):
        return message
    if value.endswith("/"):
        return "That is a folder: name the object (e.g. disks/server.vmdk)."
    return None


def parse_s3_url(value: str) -> tuple[str, str] | None:
    """``s3://bucket/key`` -> (bucket, key); None when not of that shape."""
    if not isinstance(value, str) or not value.startswith("s3://"):
        return None
    bucket, _, key = value[5:].partition("/")
    return bucket, key


def url(value: str, schemes: tuple[str, ...] = ("https", "http", "s3")) -> str | None:
    """An http(s) URL with a host, or s3://bucket/key with a valid bucket and key."""
    if value == "":
        return None
    if message := guard(value):
        return message
    if any(ch.isspace() for ch in value):
        return "A URL cannot contain spaces (encode them as %20)."
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() not in schemes:
        return f"Use a {' or '.join(s + '://' for s in schemes)} URL."
    if scheme.lower() == "s3":
        bucket, _, key = rest.partition("/")
        if not bucket:
            return "Missing the bucket: s3://bucket/path/to/disk.vmdk"
        if message := s3_bucket(bucket):
            return f"Bucket: {message}"
        if not key:
            return "Add the object key: s3://bucket/path/to/disk.vmdk"
        return s3_key(key)
    host = rest.split("/", 1)[0].split("?", 1)[0]
    if not host or host.startswith((":", "@")):
        return "The URL has no host."
    return None


def disk_image_url(value: str) -> str | None:
    """ImportImage's Url: an https:// (e.g. presigned) or s3:// URL."""
    return url(value, ("https", "s3"))


# --- KMS -------------------------------------------------------------------------

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_KEY_ID = rf"(?:{_UUID}|mrk-[0-9a-f]{{32}})"
_ALIAS = r"alias/[A-Za-z0-9/_-]{1,250}"
_ARN_HEAD = r"arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:[0-9]{12}:"
_KMS = re.compile(rf"{_KEY_ID}|{_ALIAS}|{_ARN_HEAD}(?:key/{_KEY_ID}|{_ALIAS})", re.IGNORECASE)


def kms_key(value: str) -> str | None:
    """A KMS key id, key ARN, alias/name or alias ARN."""
    if value == "":
        return None
    if message := guard(value):
        return message
    if _KMS.fullmatch(value):
        return None
    if value.startswith("arn:"):
        return "Expected arn:aws:kms:<region>:<account>:key/<id> or …:alias/<name>."
    if value.startswith("alias/"):
        return "Alias names use letters, digits, / _ - only."
    return "Use a key id, key ARN, alias/name or alias ARN."


def kms_arn_region(value: str) -> str | None:
    """The region inside a KMS ARN (None for ids and aliases, which resolve per region)."""
    if isinstance(value, str) and value.startswith("arn:") and value.count(":") >= 5:
        return value.split(":")[3] or None
    return None


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
