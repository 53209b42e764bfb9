"""TagSpecifications, as every image action takes them."""

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
            key = tag.get("Key", "")
            if key.lower().startswith("aws:"):
                raise errors.invalid_parameter_value(
                    "Tag keys starting with 'aws:' are reserved for internal use"
                )
            tags[key] = tag.get("Value", "")
    return out


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """The response shape: [{"Key": ..., "Value": ...}]."""
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def user_tags(backend: Any, resource_id: str) -> dict[str, str]:
    """A resource's tags in moto's backend, without the aws: ones."""
    tags = backend.tags.get(resource_id) or {}
    return {k: v for k, v in tags.items() if not k.startswith("aws:")}
