"""amitui.aws.recycle_bin without an endpoint: which rule covers an image, and
"not verified" whenever the rules could not be read (unknown is not safe)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from amitui.aws.recycle_bin import Rule, RuleSet, image_retention, retention_rules, tag_dict


class FakeRbin:
    """list_rules pages of one rule each; get_rule from ``rules``; or every call fails."""

    def __init__(self, rules: dict[str, dict[str, Any]], fail: str | None = None) -> None:
        self.rules = rules
        self.fail = fail
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _maybe_fail(self, operation: str) -> None:
        if self.fail:
            raise ClientError({"Error": {"Code": self.fail, "Message": "no"}}, operation)

    def list_rules(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("ListRules", kwargs))
        self._maybe_fail("ListRules")
        ids = sorted(self.rules)
        start = ids.index(kwargs["NextToken"]) if "NextToken" in kwargs else 0
        page: dict[str, Any] = {"Rules": [{"Identifier": i} for i in ids[start : start + 1]]}
        if start + 1 < len(ids):
            page["NextToken"] = ids[start + 1]
        return page

    def get_rule(self, Identifier: str) -> dict[str, Any]:
        self.calls.append(("GetRule", {"Identifier": Identifier}))
        return {"Identifier": Identifier, **self.rules[Identifier]}


def rule(days: int, **extra: Any) -> dict[str, Any]:
    return {"RetentionPeriod": {"RetentionPeriodValue": days, "RetentionPeriodUnit": "DAYS"},
            "Status": "available", **extra}  # fmt: skip


def test_no_rule_means_permanent():
    answer = image_retention(FakeRbin({}), {"Team": "web"})
    assert answer.kind == "permanent" and answer.verified and not answer.covered
    assert answer.sentence().startswith("Permanent")


def test_region_rule_covers_all_but_excluded_and_longest_wins():
    rbin = FakeRbin(
        {
            "aaaaaaaaaaa": rule(7, ExcludeResourceTags=[{"ResourceTagKey": "Scratch",
                                                          "ResourceTagValue": "yes"}]),
            "bbbbbbbbbbb": rule(30, ResourceTags=[{"ResourceTagKey": "Keep",
                                                   "ResourceTagValue": "long"}]),
        }
    )  # fmt: skip
    rules = retention_rules(rbin)
    assert [c[0] for c in rbin.calls] == ["ListRules", "ListRules", "GetRule", "GetRule"]
    assert rules.retention({}).days == 7
    kept = rules.retention([{"Key": "Keep", "Value": "long"}])
    assert (kept.kind, kept.rule_id, kept.days) == ("covered", "bbbbbbbbbbb", 30)
    assert "30 days" in kept.sentence()
    assert rules.retention({"Scratch": "yes"}).kind == "permanent"
    assert rules.retention({"Scratch": "yes", "Keep": "long"}).days == 30


def test_tag_rule_needs_the_value_too():
    rules = RuleSet(rules=(Rule("ccccccccccc", 14, resource_tags=frozenset({("Env", "prod")})),))
    assert rules.retention({"Env": "prod"}).covered
    assert rules.retention({"Env": "dev"}).kind == "permanent"
    assert rules.retention({}).kind == "permanent"


def test_a_failed_list_is_not_verified_never_permanent_nor_covered():
    for code in ("AccessDeniedException", "UnrecognizedClientException"):
        answer = image_retention(FakeRbin({}, fail=code), {"Team": "web"})
        assert answer.kind == "not_verified" and not answer.verified and not answer.covered
        assert code in answer.reason and answer.sentence().startswith("Not verified")


def test_a_rule_not_yet_available_is_not_verified():
    rules = RuleSet(rules=(Rule("ddddddddddd", 5, status="pending"),))
    answer = rules.retention({})
    assert answer.kind == "not_verified" and "pending" in answer.reason


def test_tag_dict_takes_either_form():
    assert tag_dict([{"Key": "a", "Value": "1"}, {"Key": "b"}]) == {"a": "1", "b": ""}
    assert tag_dict({"a": "1"}) == {"a": "1"}
    assert tag_dict(None) == {}
