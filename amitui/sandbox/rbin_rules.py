"""Recycle Bin retention rules (the ``rbin`` service) and which resources they retain.

A rule belongs to one account and region and retains one ResourceType (``EC2_IMAGE``,
``EBS_SNAPSHOT``, ``EBS_VOLUME``) for ``RetentionPeriodValue`` days:

* a *Region-level* rule (no ResourceTags) retains every resource of its type in its
  region, except those carrying any of its ExcludeResourceTags (at most 5);
* a *tag-level* rule (ResourceTags, at most 50) retains the resources carrying at least
  one of those tag key/value pairs (a pair without a value matches the key with an empty
  value).

When several rules retain a resource, the one with the longest retention period wins
(AWS: "the retention rule with the longest retention period takes precedence"). A rule
created with a LockConfiguration is ``locked`` and can't be deleted (ConflictException);
a rule never locked has no LockState. Rules are ``available`` at once (AWS: ``pending``
for a moment after CreateRule).

Request checks are read off botocore's ``rbin`` model (``check_input``): required
members, enums, integer ranges, list and string lengths and (where Python's ``re`` reads
them) patterns, answered as AWS's validation framework words it
("1 validation error detected: Value ... at '...' failed to satisfy constraint: ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .moto_compat import service_model

RESOURCE_TYPES = ("EBS_SNAPSHOT", "EC2_IMAGE", "EBS_VOLUME")
RULE_ID = re.compile(r"[0-9a-zA-Z]{11}")


class RbinError(Exception):
    """An rbin refusal: HTTP status, AWS error code (``x-amzn-ErrorType``), Reason."""

    def __init__(self, status: int, code: str, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.reason = reason


def validation(message: str, reason: str = "INVALID_PARAMETER_VALUE") -> RbinError:
    return RbinError(400, "ValidationException", message, reason)


def rule_not_found(identifier: str) -> RbinError:
    return RbinError(
        404,
        "ResourceNotFoundException",
        f"Retention rule with identifier {identifier} was not found.",
        "RULE_NOT_FOUND",
    )


def rule_locked(identifier: str) -> RbinError:
    return RbinError(
        409,
        "ConflictException",
        f"Retention rule {identifier} is locked and can't be modified or deleted.",
        "INVALID_RULE_STATE",
    )


def _tag_pairs(tags: list[dict[str, str]] | None) -> set[tuple[str, str]]:
    return {(t["ResourceTagKey"], t.get("ResourceTagValue") or "") for t in tags or []}


@dataclass
class RetentionRule:
    identifier: str
    account: str
    region: str
    resource_type: str
    retention_days: int
    description: str = ""
    resource_tags: list[dict[str, str]] = field(default_factory=list)
    exclude_tags: list[dict[str, str]] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    unlock_delay_days: int | None = None  # set: the rule is locked

    @property
    def arn(self) -> str:
        return f"arn:aws:rbin:{self.region}:{self.account}:rule/{self.identifier}"

    @property
    def lock_state(self) -> str | None:
        return "locked" if self.unlock_delay_days is not None else None

    def retains(self, resource_type: str, tags: dict[str, str]) -> bool:
        """Does this rule retain a resource of ``resource_type`` carrying ``tags``?"""
        if resource_type != self.resource_type:
            return False
        have = set(tags.items())
        if self.resource_tags:
            return bool(_tag_pairs(self.resource_tags) & have)
        return not (_tag_pairs(self.exclude_tags) & have)

    def period(self) -> dict[str, Any]:
        return {"RetentionPeriodValue": self.retention_days, "RetentionPeriodUnit": "DAYS"}

    def summary(self) -> dict[str, Any]:
        """ListRules' RuleSummary."""
        out: dict[str, Any] = {
            "Identifier": self.identifier,
            "Description": self.description,
            "RetentionPeriod": self.period(),
            "RuleArn": self.arn,
        }
        if self.lock_state:
            out["LockState"] = self.lock_state
        return out

    def full(self) -> dict[str, Any]:
        """CreateRule's and GetRule's answer."""
        out = self.summary()
        out.update(ResourceType=self.resource_type, Status="available")
        if self.resource_tags:
            out["ResourceTags"] = self.resource_tags
        if self.exclude_tags:
            out["ExcludeResourceTags"] = self.exclude_tags
        if self.unlock_delay_days is not None:
            out["LockConfiguration"] = {
                "UnlockDelay": {
                    "UnlockDelayValue": self.unlock_delay_days,
                    "UnlockDelayUnit": "DAYS",
                }
            }
        return out


def retaining_rule(
    rules: list[RetentionRule], resource_type: str, tags: dict[str, str]
) -> RetentionRule | None:
    """The rule that retains such a resource (the longest retention wins), or None."""
    matching = [rule for rule in rules if rule.retains(resource_type, tags)]
    return max(matching, key=lambda r: (r.retention_days, r.identifier), default=None)


def listed(rule: RetentionRule, body: dict[str, Any]) -> bool:
    """ListRules' filters: ResourceType, LockState, and a rule that carries every one of
    the given ResourceTags / ExcludeResourceTags."""
    if rule.resource_type != body.get("ResourceType"):
        return False
    if body.get("LockState") and rule.lock_state != body["LockState"]:
        return False
    if not _tag_pairs(body.get("ResourceTags")) <= _tag_pairs(rule.resource_tags):
        return False
    return _tag_pairs(body.get("ExcludeResourceTags")) <= _tag_pairs(rule.exclude_tags)


def check_rule_request(body: dict[str, Any]) -> None:
    """What the model cannot say: which members go together."""
    if body.get("ResourceTags") and body.get("ExcludeResourceTags"):
        raise validation(
            "ExcludeResourceTags can only be specified for Region-level retention rules "
            "(without ResourceTags)."
        )
    if body.get("ResourceTags") and body.get("LockConfiguration"):
        raise validation("Only Region-level retention rules (without ResourceTags) can be locked.")


# -- botocore's model of the input ------------------------------------------------------


def check_input(operation: str, params: dict[str, Any]) -> None:
    """Refuse what the ``rbin`` model does not allow (ValidationException)."""
    shape = service_model("rbin").operation_model(operation).input_shape
    if shape is not None:
        _check(shape, params, "")


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _fail(value: Any, path: str, constraint: str) -> RbinError:
    shown = "null" if value is None else value
    return validation(
        f"1 validation error detected: Value '{shown}' at '{path}' failed to satisfy "
        f"constraint: {constraint}"
    )


def _check(shape: Any, value: Any, path: str) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            raise _fail(value, path, "Member must be a structure")
        for name in shape.required_members:
            if value.get(name) is None:
                raise _fail(None, _join(path, name), "Member must not be null")
        for name, member in shape.members.items():
            if member.serialization.get("location") in ("uri", "querystring", "header"):
                continue
            if value.get(name) is not None:
                _check(member, value[name], _join(path, name))
    elif kind == "list":
        if not isinstance(value, list):
            raise _fail(value, path, "Member must be a list")
        if "max" in meta and len(value) > meta["max"]:
            raise _fail(value, path, f"Member must have length less than or equal to {meta['max']}")
        for index, item in enumerate(value, start=1):
            _check(shape.member, item, f"{path}.{index}.member")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(value, path, "Member must be a number")
        if "min" in meta and value < meta["min"]:
            raise _fail(
                value, path, f"Member must have value greater than or equal to {meta['min']}"
            )
        if "max" in meta and value > meta["max"]:
            raise _fail(value, path, f"Member must have value less than or equal to {meta['max']}")
    elif kind == "string":
        _check_string(shape, value, path)


def _check_string(shape: Any, value: Any, path: str) -> None:
    meta = shape.metadata
    if not isinstance(value, str):
        raise _fail(value, path, "Member must be a string")
    if shape.enum and value not in shape.enum:
        raise _fail(value, path, f"Member must satisfy enum value set: {list(shape.enum)}")
    if "min" in meta and len(value) < meta["min"]:
        raise _fail(value, path, f"Member must have length greater than or equal to {meta['min']}")
    if "max" in meta and len(value) > meta["max"]:
        raise _fail(value, path, f"Member must have length less than or equal to {meta['max']}")
    pattern = meta.get("pattern")
    if pattern:
        try:
            compiled = re.compile(pattern)
        except re.error:  # \p{L} and friends: Python's re does not read them
            return
        if not compiled.fullmatch(value):
            raise _fail(value, path, f"Member must satisfy regular expression pattern: {pattern}")


def _join(path: str, name: str) -> str:
    return f"{path}.{_camel(name)}" if path else _camel(name)
