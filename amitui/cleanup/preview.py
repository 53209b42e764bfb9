"""The retention preview: which images the rules would deregister, which they keep and why,
which can never be proposed and why, and the storage that would be freed. Pure: no AWS
call, no Textual (the screen asks usage and snapshot sizes and hands the answers in).

An image gets one verdict:

* **kept** — a rule keeps it: one of the newest N of its family, launched in the last D
  days, created in the last A days (or its creation date is unreadable);
* **excluded** — no rule keeps it but it can never be proposed: not the caller's
  (or the caller's account unknown), public, deregistration protection on (cooldown
  included), still pending, or its usage answer has a blocker (in use, shared with
  another account, a check that could not be made: "not verified");
* **waiting** — it would be proposed but its usage answer is not in yet: nothing is
  proposed before its usage answer;
* **proposed** — none of the above.

Families are counted per region: an image launches only in its own region, so "keep
the newest 3" across regions could leave a region with none of a family it runs. For
the same reason a built-in family of several architectures is one per architecture.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from amitui.aws.images import Image
from amitui.aws.usage import Usage
from amitui.cleanup.families import RuleError, builtin_family, compile_family_regex, family_of
from amitui.cleanup.storage import SnapshotSize, Storage, storage_of

Decision = Literal["proposed", "kept", "excluded", "waiting"]

#: The most each rule accepts (a typo of 10 digits is a message, not a 30,000-year window).
MAX_KEEP, MAX_DAYS = 1000, 36500


@dataclass(frozen=True, slots=True)
class Rules:
    """What the user edits. Defaults: keep the newest 3 of a family (issue 17), anything
    launched in the last 30 days (issue 17), anything younger than 7 days: a new build
    may not have been launched yet (LastLaunchedTime lags up to 24 h and a build is
    promoted over days), and a week lets a weekly release cycle take it up."""

    keep_newest: int = 3
    launched_days: int = 30
    younger_days: int = 7
    family_regex: str = ""

    def check(self) -> None:
        """Raise RuleError (one readable line) when a rule cannot be used."""
        if not 1 <= self.keep_newest <= MAX_KEEP:
            raise RuleError(f"keep newest: a number from 1 to {MAX_KEEP}")
        for label, value in (("launched in", self.launched_days), ("younger", self.younger_days)):
            if not 0 <= value <= MAX_DAYS:
                raise RuleError(f"{label}: a number of days from 0 to {MAX_DAYS}")
        compile_family_regex(self.family_regex)


@dataclass(frozen=True, slots=True)
class Verdict:
    image: Image
    family: str
    decision: Decision
    #: why it is kept or excluded ("newest 1 of 12", "launched 3 d ago", "public"...)
    reasons: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """(place, image id): an image shared into another account is a row in each."""
        return (self.image.place, self.image.image_id)


@dataclass(frozen=True, slots=True)
class CleanupPreview:
    rules: Rules
    verdicts: tuple[Verdict, ...]
    storage: Storage
    #: names the family regex did not match (grouped by the built-in rule instead)
    unmatched: int = 0

    def having(self, decision: Decision) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.decision == decision)

    @property
    def proposed(self) -> tuple[Verdict, ...]:
        return self.having("proposed")

    @property
    def excluded(self) -> tuple[Verdict, ...]:
        return self.having("excluded")

    @property
    def kept(self) -> tuple[Verdict, ...]:
        return self.having("kept")

    @property
    def waiting(self) -> tuple[Verdict, ...]:
        return self.having("waiting")


@dataclass(frozen=True, slots=True)
class CleanupPlan:
    """What the cleanup screen hands back when the user applies a preview: the proposed
    images (to mark for the bulk deregister) and whether their snapshots go too."""

    image_ids: tuple[tuple[str, str], ...]  # (place, image id), in the preview's order
    delete_snapshots: bool
    rules: Rules = Rules()
    #: GiB the deregistration frees when the snapshots go (VolumeSize; 0 without them)
    freed_gib: int = 0


def parse_time(text: str) -> datetime | None:
    """An AWS timestamp (``2024-03-06T12:00:00.000Z``) as an aware datetime; None if not one."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class CleanupInput:
    """The images of the view, read once (dates parsed, built-in families named): the
    screen previews again on every keystroke of a rule."""

    def __init__(self, images: Iterable[Image]) -> None:
        self.images = tuple(images)
        self.created = tuple(parse_time(i.creation_date) for i in self.images)
        self.launched = tuple(parse_time(i.last_launched) for i in self.images)
        self._builtin: dict[str, str] = {}

    def builtin(self, name: str) -> str:
        family = self._builtin.get(name)
        if family is None:
            family = self._builtin[name] = builtin_family(name)
        return family


def _ago(delta: timedelta) -> str:
    days = delta.days
    if days >= 1:
        return f"{days} d ago"
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} h ago" if hours >= 1 else "just now"


def _protected(value: str) -> bool:
    value = value.lower()
    return bool(value) and value != "disabled"


def standing_blockers(image: Image, accounts: Collection[str]) -> list[str]:
    """What excludes an image without asking AWS anything more (the row says it)."""
    reasons = []
    if image.account:  # listed in one account of several (--accounts): that one's own?
        if image.owner_id != image.account:
            reasons.append(f"not this account's image (owner {image.owner_id or 'unknown'})")
    elif not accounts:
        reasons.append("owner not verified: the caller's account is not known yet")
    elif image.owner_id not in accounts:
        reasons.append(f"not this account's image (owner {image.owner_id or 'unknown'})")
    if image.public:
        reasons.append("public: anyone can launch it")
    if _protected(image.protection):
        reasons.append(f"deregistration protection ({image.protection})")
    if image.state == "pending":
        reasons.append("pending: still being created")
    return reasons


def _split_by_architecture(images: tuple[Image, ...], families: list[str], builtin: list[bool]):
    """A built-in family whose images are of several architectures in a region is one
    family per architecture (``bastion-host (arm64)``): the arm64 fleet keeps its newest
    N even when the newest builds are x86_64. A user regex groups exactly as it says."""
    arches: dict[tuple[str, str], set[str]] = {}
    for index, image in enumerate(images):
        if builtin[index]:
            arches.setdefault((image.region, families[index]), set()).add(image.architecture)
    for index, image in enumerate(images):
        if builtin[index] and len(arches[(image.region, families[index])]) > 1:
            families[index] = f"{families[index]} ({image.architecture or '?'})"


def preview(
    source: CleanupInput | Iterable[Image],
    rules: Rules,
    usage: Mapping[tuple[str, str], Usage],
    sizes: Mapping[str, SnapshotSize],
    accounts: Collection[str],
    now: datetime,
) -> CleanupPreview:
    """The preview of ``rules`` over the images. ``usage``: answers by (place, image id)
    (a missing one: "waiting"); ``sizes``: snapshot id -> (VolumeSize GiB,
    FullSnapshotSizeInBytes or None); ``accounts``: the caller's account ids (empty:
    unknown, nothing is proposed; an image listed in one of several accounts is that
    account's own when that account owns it). Raises RuleError for a rule that cannot be used."""
    rules.check()
    data = source if isinstance(source, CleanupInput) else CleanupInput(source)
    pattern = compile_family_regex(rules.family_regex)
    by_regex = family_of(pattern)
    families: list[str] = []
    builtin: list[bool] = []  # named by the built-in rule (no regex, or not matched)
    unmatched = 0
    for image in data.images:
        if pattern is None:
            families.append(data.builtin(image.name))
            builtin.append(True)
            continue
        family, matched = by_regex(image.name)
        unmatched += not matched
        families.append(family)
        builtin.append(not matched)
    _split_by_architecture(data.images, families, builtin)
    groups: dict[tuple[str, str], list[int]] = {}
    for index, image in enumerate(data.images):
        groups.setdefault((image.region, families[index]), []).append(index)
    rank: dict[int, tuple[int, int]] = {}
    oldest = datetime.min.replace(tzinfo=UTC)
    for members in groups.values():
        members.sort(key=lambda i: (data.created[i] or oldest, data.images[i].image_id))
        members.reverse()  # newest first; the same creation time: the higher id first
        for position, index in enumerate(members):
            rank[index] = (position, len(members))
    launched_since = now - timedelta(days=rules.launched_days)
    young_since = now - timedelta(days=rules.younger_days)
    verdicts = []
    for index, image in enumerate(data.images):
        keep = []
        position, count = rank[index]
        if position < rules.keep_newest:
            keep.append(f"newest {position + 1} of {count}")
        launched = data.launched[index]
        if launched is not None and rules.launched_days and launched > launched_since:
            keep.append(f"launched {_ago(now - launched)}")
        created = data.created[index]
        if created is None:
            keep.append("creation date unknown")
        elif rules.younger_days and created > young_since:
            keep.append(f"created {_ago(now - created)}")
        decision: Decision = "kept"
        reasons = keep
        if not keep:
            reasons = standing_blockers(image, accounts)
            decision = "excluded" if reasons else "proposed"
            if not reasons:
                answer = usage.get((image.place, image.image_id))
                if answer is None:
                    decision, reasons = "waiting", ["usage not checked yet"]
                elif blockers := answer.blockers():
                    decision, reasons = "excluded", blockers
        verdicts.append(Verdict(image, families[index], decision, tuple(reasons)))
    storage = storage_of(verdicts, sizes)
    return CleanupPreview(rules, tuple(verdicts), storage, unmatched)


__all__ = [
    "CleanupInput",
    "CleanupPlan",
    "CleanupPreview",
    "Decision",
    "RuleError",
    "Rules",
    "Verdict",
    "parse_time",
    "preview",
    "standing_blockers",
]
