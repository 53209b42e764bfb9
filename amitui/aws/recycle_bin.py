"""Can a deregistration be undone? The Recycle Bin's rules, and the images in the bin.

* ``retention_rules(rbin)`` reads every ``EC2_IMAGE`` retention rule of the client's
  region: ListRules (paginated) names them, GetRule says which tags each covers (a
  RuleSummary carries neither ResourceTags nor ExcludeResourceTags). It never raises:
  a failure (AccessDenied, an endpoint without rbin, the network) gives ``RuleSet``
  with ``error`` set, whose every answer is "not verified".
* ``RuleSet.retention(tags)`` answers for one image, from its tags: ``covered`` (by
  which rule, for how many days), ``permanent`` (no rule covers it), or
  ``not_verified`` (the rules could not be read, or the rule that would cover it is not
  ``available`` yet). Unknown is not safe: "not verified" is never "covered" nor
  "permanent". ``image_retention(rbin, tags)`` is both steps for one image.
  What a rule covers is AWS's: a Region-level rule (no ResourceTags) every image but
  those with one of its exclusion tags; a tag-level rule, the images carrying at least
  one of its tag pairs; the longest retention wins when several cover one image.
* ``images_in_bin(ec2)`` lists ListImagesInRecycleBin to its end; ``restore(ec2, id)``
  is RestoreImageFromRecycleBin (its ClientError goes to the caller).

Pure boto3; no UI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from amitui.aws.errors import describe_error

Kind = Literal["covered", "permanent", "not_verified"]
PAGE = 1000


@dataclass(frozen=True, slots=True)
class Rule:
    identifier: str
    days: int
    description: str = ""
    status: str = "available"
    lock_state: str | None = None
    resource_tags: frozenset[tuple[str, str]] = frozenset()
    exclude_tags: frozenset[tuple[str, str]] = frozenset()

    def covers(self, tags: Mapping[str, str]) -> bool:
        have = set(tags.items())
        if self.resource_tags:
            return bool(self.resource_tags & have)
        return not (self.exclude_tags & have)


@dataclass(frozen=True, slots=True)
class Retention:
    """What happens to an image on deregistering: one of three answers."""

    kind: Kind
    rule_id: str | None = None
    days: int | None = None
    reason: str = ""  # not_verified: why

    @property
    def covered(self) -> bool:
        return self.kind == "covered"

    @property
    def verified(self) -> bool:
        return self.kind != "not_verified"

    def sentence(self) -> str:
        """One line for a form: can this deregistration be undone, and for how long?"""
        if self.kind == "covered":
            return (
                f"Recoverable: Recycle Bin rule {self.rule_id} keeps the image for "
                f"{self.days} days (RestoreImageFromRecycleBin)."
            )
        if self.kind == "permanent":
            return "Permanent: no Recycle Bin retention rule covers this image in its region."
        return f"Not verified whether the Recycle Bin keeps this image: {self.reason}"


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The EC2_IMAGE retention rules of one region, or why they could not be read."""

    rules: tuple[Rule, ...] = ()
    error: str | None = None

    def retention(self, tags: Mapping[str, str] | Iterable[Mapping[str, str]]) -> Retention:
        if self.error is not None:
            return Retention("not_verified", reason=self.error)
        have = tag_dict(tags)
        covering = [rule for rule in self.rules if rule.covers(have)]
        if not covering:
            return Retention("permanent")
        best = max(covering, key=lambda r: (r.days, r.identifier))
        if best.status != "available":
            return Retention(
                "not_verified",
                rule_id=best.identifier,
                days=best.days,
                reason=f"retention rule {best.identifier} is {best.status}, not yet available",
            )
        return Retention("covered", rule_id=best.identifier, days=best.days)


def tag_dict(tags: Mapping[str, str] | Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """{key: value} from a dict or from boto3's ``[{"Key": .., "Value": ..}]``."""
    if tags is None:
        return {}
    if isinstance(tags, Mapping):
        return {str(k): str(v) for k, v in tags.items()}
    return {str(t["Key"]): str(t.get("Value") or "") for t in tags}


def _pairs(tags: Iterable[Mapping[str, Any]] | None) -> frozenset[tuple[str, str]]:
    return frozenset(
        (str(t["ResourceTagKey"]), str(t.get("ResourceTagValue") or "")) for t in tags or []
    )


def retention_rules(rbin: Any) -> RuleSet:
    """Every EC2_IMAGE retention rule of the client's region; never raises."""
    try:
        identifiers: list[str] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"ResourceType": "EC2_IMAGE", "MaxResults": PAGE}
            if token:
                kwargs["NextToken"] = token
            page = rbin.list_rules(**kwargs)
            identifiers.extend(r["Identifier"] for r in page.get("Rules", []))
            token = page.get("NextToken")
            if not token:
                break
        rules = []
        for identifier in identifiers:
            got = rbin.get_rule(Identifier=identifier)
            period = got.get("RetentionPeriod") or {}
            rules.append(
                Rule(
                    identifier=identifier,
                    days=int(period.get("RetentionPeriodValue") or 0),
                    description=str(got.get("Description") or ""),
                    status=str(got.get("Status") or "available"),
                    lock_state=got.get("LockState"),
                    resource_tags=_pairs(got.get("ResourceTags")),
                    exclude_tags=_pairs(got.get("ExcludeResourceTags")),
                )
            )
    except Exception as exc:  # AccessDenied, no rbin at the endpoint, the network ...
        return RuleSet(error=describe_error(exc))
    return RuleSet(rules=tuple(rules))


def image_retention(
    rbin: Any, tags: Mapping[str, str] | Iterable[Mapping[str, str]] | None
) -> Retention:
    """Is an image with ``tags`` kept by the Recycle Bin when deregistered? Never raises."""
    return retention_rules(rbin).retention(tag_dict(tags))


@dataclass(frozen=True, slots=True)
class BinImage:
    image_id: str
    name: str
    description: str
    entered: datetime | None
    exits: datetime | None  # when the Recycle Bin deletes it for good
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def images_in_bin(ec2: Any, image_ids: Iterable[str] | None = None) -> list[BinImage]:
    """Every image in the region's Recycle Bin (or those of ``image_ids``, 20 a call)."""
    wanted = list(dict.fromkeys(image_ids or []))
    out: list[BinImage] = []
    batches: list[list[str]] = [wanted[i : i + 20] for i in range(0, len(wanted), 20)]
    for batch in batches or [[]]:
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"ImageIds": batch} if batch else {"MaxResults": PAGE}
            if token:
                kwargs["NextToken"] = token
            page = ec2.list_images_in_recycle_bin(**kwargs)
            for item in page.get("Images", []):
                out.append(
                    BinImage(
                        image_id=item["ImageId"],
                        name=str(item.get("Name") or ""),
                        description=str(item.get("Description") or ""),
                        entered=item.get("RecycleBinEnterTime"),
                        exits=item.get("RecycleBinExitTime"),
                        raw=dict(item),
                    )
                )
            token = page.get("NextToken")
            if not token:
                break
    return out


def restore(ec2: Any, image_id: str) -> None:
    """RestoreImageFromRecycleBin; raises the call's ClientError (e.g. InvalidAMIID.NotFound)."""
    ec2.restore_image_from_recycle_bin(ImageId=image_id)
