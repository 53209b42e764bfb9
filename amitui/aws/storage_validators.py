"""Validators for where image data lives: S3 buckets, keys and URLs, and KMS keys.

Same contract as :mod:`amitui.aws.validators`: ``(value: str) -> str | None``, never
raising on any ``str``, ``""`` accepted (the form decides what is required).
"""

from __future__ import annotations

import re

from amitui.aws.validators import guard, max_bytes

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
