"""Fidelity, issue 17: the Recycle Bin's calls against botocore's models.

rbin (rest-json): CreateRule, ListRules, GetRule, DeleteRule -- success statuses and
bodies against the output shapes, refusals with the model's error code, HTTP status and
shape (rbin_fidelity.py). EC2 (query): ListImagesInRecycleBin and
RestoreImageFromRecycleBin -- answers against the output shapes, refusals, DryRun,
pagination (fidelity.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import fidelity as ec2_fidelity
from .rbin_fidelity import RawRbin, ok, refused
from .test_recycle_bin import register

REGION = "ap-southeast-2"
WEEK = {"RetentionPeriodValue": 7, "RetentionPeriodUnit": "DAYS"}


def days(value: int, unit: str = "DAYS") -> dict:
    return {"RetentionPeriodValue": value, "RetentionPeriodUnit": unit}


@pytest.fixture
def raw(sandbox) -> Iterator[RawRbin]:
    client = RawRbin(sandbox.url, REGION)
    yield client
    listed = ok(client.call("ListRules", ResourceType="EC2_IMAGE"), "ListRules")
    for rule in listed["Rules"]:
        client.call("DeleteRule", Identifier=rule["Identifier"])
    listed = ok(client.call("ListRules", ResourceType="EBS_SNAPSHOT"), "ListRules")
    for rule in listed["Rules"]:
        client.call("DeleteRule", Identifier=rule["Identifier"])


def test_create_get_list_delete_fit_the_model(raw):
    created = ok(
        raw.call(
            "CreateRule",
            ResourceType="EC2_IMAGE",
            RetentionPeriod=WEEK,
            Description="nightly builds",
            ResourceTags=[{"ResourceTagKey": "Team", "ResourceTagValue": "web"}],
            Tags=[{"Key": "Owner", "Value": "platform"}],
        ),
        "CreateRule",
    )
    identifier = created["Identifier"]
    assert len(identifier) == 11 and identifier.isalnum()
    assert created["RuleArn"].endswith(f":rule/{identifier}")
    assert created["Status"] == "available" and "LockState" not in created
    got = ok(raw.call("GetRule", Identifier=identifier), "GetRule")
    assert got["ResourceTags"] == [{"ResourceTagKey": "Team", "ResourceTagValue": "web"}]
    listed = ok(raw.call("ListRules", ResourceType="EC2_IMAGE"), "ListRules")
    assert [r["Identifier"] for r in listed["Rules"]] == [identifier]
    assert ok(raw.call("ListRules", ResourceType="EBS_SNAPSHOT"), "ListRules")["Rules"] == []
    tagged = raw.call(
        "ListRules",
        ResourceType="EC2_IMAGE",
        ResourceTags=[{"ResourceTagKey": "Team", "ResourceTagValue": "data"}],
    )
    assert ok(tagged, "ListRules")["Rules"] == []
    assert ok(raw.call("DeleteRule", Identifier=identifier), "DeleteRule") is None
    refused(raw.call("GetRule", Identifier=identifier), "ResourceNotFoundException")
    refused(raw.call("DeleteRule", Identifier=identifier), "ResourceNotFoundException")


def test_list_rules_pages_and_filters_lock_state(sandbox, raw):
    made = {
        ok(raw.call("CreateRule", ResourceType="EC2_IMAGE", RetentionPeriod=WEEK), "CreateRule")[
            "Identifier"
        ]
        for _ in range(3)
    }
    locked = ok(
        raw.call(
            "CreateRule",
            ResourceType="EC2_IMAGE",
            RetentionPeriod=WEEK,
            LockConfiguration={"UnlockDelay": {"UnlockDelayValue": 7, "UnlockDelayUnit": "DAYS"}},
        ),
        "CreateRule",
    )
    assert locked["LockState"] == "locked"
    seen, token = [], None
    while True:
        params = {"ResourceType": "EC2_IMAGE", "MaxResults": 1}
        if token:
            params["NextToken"] = token
        page = ok(raw.call("ListRules", **params), "ListRules")
        assert len(page["Rules"]) == 1
        seen += [r["Identifier"] for r in page["Rules"]]
        token = page.get("NextToken")
        if not token:
            break
    assert set(seen) == made | {locked["Identifier"]} and len(seen) == 4
    only = ok(raw.call("ListRules", ResourceType="EC2_IMAGE", LockState="locked"), "ListRules")
    assert [r["Identifier"] for r in only["Rules"]] == [locked["Identifier"]]
    body = refused(raw.call("DeleteRule", Identifier=locked["Identifier"]), "ConflictException")
    assert body["Reason"] == "INVALID_RULE_STATE"
    # a locked rule can't be deleted through the API: take it out of the sandbox's state
    sandbox.state.book("123456789012", REGION).rbin_rules.pop(locked["Identifier"])


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("CreateRule", {"RetentionPeriod": WEEK}),
        ("CreateRule", {"ResourceType": "EC2_IMAGE"}),
        ("CreateRule", {"ResourceType": "AMI", "RetentionPeriod": WEEK}),
        ("CreateRule", {"ResourceType": "EC2_IMAGE", "RetentionPeriod": days(0)}),
        ("CreateRule", {"ResourceType": "EC2_IMAGE", "RetentionPeriod": days(3651)}),
        ("CreateRule", {"ResourceType": "EC2_IMAGE", "RetentionPeriod": days(7, "HOURS")}),
        ("CreateRule", {"ResourceType": "EC2_IMAGE", "RetentionPeriod": WEEK,
                        "ResourceTags": [{"ResourceTagKey": "a"}],
                        "ExcludeResourceTags": [{"ResourceTagKey": "b"}]}),
        ("CreateRule", {"ResourceType": "EC2_IMAGE", "RetentionPeriod": WEEK,
                        "ExcludeResourceTags": [{"ResourceTagKey": str(i)} for i in range(6)]}),
        ("CreateRule", {"ResourceType": "EC2_IMAGE", "RetentionPeriod": WEEK,
                        "LockConfiguration": {"UnlockDelay": {"UnlockDelayValue": 3,
                                                              "UnlockDelayUnit": "DAYS"}}}),
        ("CreateRule", {"ResourceType": "EC2_IMAGE", "RetentionPeriod": WEEK,
                        "Description": "x" * 256}),
        ("ListRules", {}),
        ("ListRules", {"ResourceType": "EC2_IMAGE", "MaxResults": 0}),
        ("ListRules", {"ResourceType": "EC2_IMAGE", "MaxResults": 1001}),
        ("ListRules", {"ResourceType": "EC2_IMAGE", "LockState": "open"}),
        ("ListRules", {"ResourceType": "EC2_IMAGE", "NextToken": "bm90IG91cnM="}),
        ("GetRule", {"Identifier": "short"}),
    ],
)  # fmt: skip
def test_refusals_are_validation_exceptions(raw, operation, params):
    body = refused(raw.call(operation, **params), "ValidationException")
    assert body["message"]


def test_unknown_rule_is_resource_not_found(raw):
    body = refused(raw.call("GetRule", Identifier="0123456789a"), "ResourceNotFoundException")
    assert body["Reason"] == "RULE_NOT_FOUND"


def test_an_unsupported_rbin_operation_is_not_an_html_page(raw):
    answer = raw.call("ListTagsForResource", ResourceArn="arn:aws:rbin:x:1:rule/0123456789a")
    refused(answer, "ValidationException")


# -- EC2: the bin calls --------------------------------------------------------------------


def test_list_and_restore_fit_ec2_model(sandbox, ec2, raw):
    ok(raw.call("CreateRule", ResourceType="EC2_IMAGE", RetentionPeriod=WEEK), "CreateRule")
    client = ec2(REGION)
    image_id, _ = register(client)
    client.deregister_image(ImageId=image_id)
    query = ec2_fidelity.Raw(sandbox.url, REGION)
    root = ec2_fidelity.ok(
        query.call("ListImagesInRecycleBin", ImageIds=[image_id]), "ListImagesInRecycleBin"
    )
    (item,) = root.find("{*}imageSet")
    for field in ("imageId", "name", "recycleBinEnterTime", "recycleBinExitTime"):
        assert item.findtext(f"{{*}}{field}"), field
    dry = query.call("RestoreImageFromRecycleBin", ImageId=image_id, DryRun=True)
    ec2_fidelity.refused(dry, "DryRunOperation", 412)
    answer = query.call("RestoreImageFromRecycleBin", ImageId=image_id)
    assert ec2_fidelity.ok(answer, "RestoreImageFromRecycleBin").findtext("{*}return") == "true"
    again = query.call("RestoreImageFromRecycleBin", ImageId=image_id)
    ec2_fidelity.refused(again, "InvalidAMIID.NotFound")


def test_ec2_bin_calls_refuse_as_ec2_does(sandbox):
    query = ec2_fidelity.Raw(sandbox.url, REGION)
    call, refused_ec2 = query.call, ec2_fidelity.refused
    refused_ec2(call("ListImagesInRecycleBin", MaxResults=0), "InvalidParameterValue")
    refused_ec2(call("ListImagesInRecycleBin", MaxResults=1001), "InvalidParameterValue")
    refused_ec2(call("ListImagesInRecycleBin", NextToken="nope"), "InvalidParameterValue")
    many = [f"ami-{i:017x}" for i in range(21)]
    refused_ec2(call("ListImagesInRecycleBin", ImageIds=many), "InvalidParameterValue")
    refused_ec2(call("ListImagesInRecycleBin", ImageIds=["ami-xyz"]), "InvalidAMIID.Malformed")
    refused_ec2(call("ListImagesInRecycleBin", DryRun=True), "DryRunOperation", 412)
    refused_ec2(call("RestoreImageFromRecycleBin"), "MissingParameter")
    refused_ec2(call("RestoreImageFromRecycleBin", ImageId="image"), "InvalidAMIID.Malformed")
    unknown = call("RestoreImageFromRecycleBin", ImageId="ami-0123456789abcdef0")
    refused_ec2(unknown, "InvalidAMIID.NotFound")
    empty = call("ListImagesInRecycleBin", ImageIds=["ami-0123456789abcdef0"])
    root = ec2_fidelity.ok(empty, "ListImagesInRecycleBin")
    assert len(root.find("{*}imageSet")) == 0
