"""What still uses an image: the answer, part by part, and what could not be checked.

A ``Usage`` is made of ``Check``s, one per question asked of AWS (DescribeImageReferences,
the Auto Scaling groups, the launch permissions). A check that could not be made carries
the reason (AccessDenied, an API the endpoint lacks, a region not enabled) and is *not
verified*: it never reads as "not used" (DESIGN.md, idea 7). Deregistration protection
is read from the image itself. Pure: the calls that fill it live in usage_checks.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: How old a usage answer may be before a destructive form asks AWS again.
FRESH_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Reference:
    """One thing that launches from (or resolves to) the image."""

    kind: str  # "instance", "launch template", "SSM parameter", "Auto Scaling group"...
    id: str
    name: str = ""
    region: str = ""
    #: what about it uses the image: "running", "versions 3", "$Latest (version 5)"
    detail: str = ""

    def line(self) -> str:
        name = f" ({self.name})" if self.name and self.name != self.id else ""
        detail = f" — {self.detail}" if self.detail else ""
        where = f" · {self.region}" if self.region else ""
        return f"{self.kind} {self.id}{name}{detail}{where}"


@dataclass(frozen=True, slots=True)
class Check:
    """One question asked of AWS: what it found, or why it could not be answered."""

    title: str  # "Image references", "Auto Scaling groups", "Launch permissions"
    references: tuple[Reference, ...] = ()
    #: None when the check was made; otherwise why not (shown as "not verified: ...")
    error: str | None = None
    #: what the check covers, said beside its result ("launch template versions: all")
    scope: str = ""

    @property
    def verified(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class Usage:
    """Everything amitui knows about what uses one image, and when it learnt it."""

    image_id: str
    region: str
    checks: tuple[Check, ...]
    #: DeregistrationProtection as DescribeImages reports it ("" when not reported)
    protection: str = ""
    #: when the checks started (an answer is as old as its first question)
    checked_at: float = field(default_factory=time.time)

    @property
    def references(self) -> tuple[Reference, ...]:
        return tuple(r for c in self.checks for r in c.references)

    @property
    def protected(self) -> bool:
        """Protection on ("enabled-without-cooldown", "enabled-with-cooldown", or
        "disabled-until ..." while the cooldown runs): DeregisterImage would be refused."""
        value = self.protection.lower()
        return bool(value) and value != "disabled"

    @property
    def unverified(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.verified)

    def blockers(self) -> list[str]:
        """What deregistering would break or be refused for, one line each; a check that
        could not be made is a line too ("not verified"), never silence."""
        lines = [r.line() for r in self.references]
        if self.protected:
            lines.append(f"deregistration protection is on ({self.protection})")
        lines.extend(f"{c.title}: not verified — {c.error}" for c in self.unverified)
        return lines

    def breaks(self) -> list[str]:
        """``blockers`` in short: what ticking an override accepts, one phrase each."""
        lines = [r.line() for r in self.references]
        if self.protected:
            lines.append("deregistration protection")
        lines.extend(f"{c.title} not verified" for c in self.unverified)
        return lines

    @property
    def clear(self) -> bool:
        """True only when every check was made and none found a use."""
        return not self.blockers()


def shares_reference(permission: dict) -> Reference | None:
    """A launch permission as a Reference (who can launch the image besides its owner)."""
    if permission.get("Group") == "all":
        return Reference("public", "all AWS accounts", detail="anyone can launch it")
    for key, kind in (
        ("UserId", "account"),
        ("OrganizationArn", "organization"),
        ("OrganizationalUnitArn", "organizational unit"),
    ):
        if permission.get(key):
            return Reference(kind, str(permission[key]), detail="shared: can launch it")
    return None


class UsageCache:
    """The session's usage answers by (account, region, image id), each with its time;
    thread-safe (workers fill it, screens read it). The account is part of the key: an
    image shared into another account is one id in two accounts, and what uses it in one
    says nothing of the other (``account`` "": the one account of a session without
    --accounts). An answer asked before the image last changed (``forget``) is not kept: a
    check still running while an action changed the image would otherwise put back what
    it no longer is."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._answers: dict[tuple[str, str, str], Usage] = {}
        self._changed: dict[tuple[str, str, str], float] = {}
        self._lock = threading.Lock()

    def get(
        self, region: str, image_id: str, max_age: float | None = None, *, account: str = ""
    ) -> Usage | None:
        with self._lock:
            usage = self._answers.get((account, region, image_id))
        if usage is None or (max_age is not None and self._clock() - usage.checked_at > max_age):
            return None
        return usage

    def put(self, usage: Usage, *, account: str = "") -> bool:
        """Keep ``usage`` (asked in ``account``) unless it was asked before the image last
        changed (False)."""
        key = (account, usage.region, usage.image_id)
        with self._lock:
            if usage.checked_at < self._changed.get(key, float("-inf")):
                return False
            self._answers[key] = usage
            return True

    def forget(self, region: str, image_id: str, *, account: str = "") -> None:
        """The image changed now: drop its answer, and any still being asked."""
        key = (account, region, image_id)
        with self._lock:
            self._answers.pop(key, None)
            self._changed[key] = self._clock()
