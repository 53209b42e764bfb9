"""Tags as EC2 takes them: TagSpecifications of every image action, and the tag rules.

A key is 1 to 128 characters and does not start with ``aws:`` (reserved); a value is
at most 256 characters (InvalidParameterValue).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import errors


def tags_by_type(
    specs: Iterable[Mapping[str, Any]] | None, allowed: Iterable[str]
) -> dict[str, dict[str, str]]:
    """{"image": {"Team": "web"}, ...} from TagSpecifications, refusing other types."""
    allowed = set(allowed)
    out: dict[str, dict[str, str]] = {}
    for spec in specs or []:
        resource_type = spec.get("ResourceType")
        if resource_type not in allowed:
            raise errors.invalid_parameter_value(
                f"'{resource_type}' is not a valid taggable resource type for this operation."
            )
        tags = out.setdefault(resource_type, {})
        for tag in spec.get("Tags") or []:
            key, value = tag.get("Key", ""), tag.get("Value", "")
            check_tag(key, value)
            tags[key] = value
    return out


MAX_KEY = 128
MAX_VALUE = 256


def check_tag(key: Any, value: Any) -> None:
    """AWS's tag rules: InvalidParameterValue for a key or value EC2 would refuse."""
    key = "" if key is None else str(key)
    if not key:
        raise errors.invalid_parameter_value("Tag key must not be empty")
    if len(key) > MAX_KEY:
        raise errors.tag_too_long("key", MAX_KEY)
    if key.lower().startswith("aws:"):
        raise errors.reserved_tag_key()
    if value is not None and len(str(value)) > MAX_VALUE:
        raise errors.tag_too_long("value", MAX_VALUE)


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """The response shape: [{"Key": ..., "Value": ...}]."""
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def user_tags(backend: Any, resource_id: str) -> dict[str, str]:
    """A resource's tags in moto's backend, without the aws: ones."""
    tags = backend.tags.get(resource_id) or {}
    return {k: v for k, v in tags.items() if not k.startswith("aws:")}
