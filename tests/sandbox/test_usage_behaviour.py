"""Issue 15's sandbox behaviour: references, protection, reports, lineage, last launch.

Every wait is on state (polling.wait_for), never a fixed sleep.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest
from botocore.exceptions import ClientError

from amitui.aws.clients import AwsClients
from tests.support.sandbox_time import end_cooldowns, finish_now, finish_reports

from .ec2_helpers import error_code, image, pending_for, unique
from .fidelity import Raw


@pytest.fixture(scope="module")
def usage(sandbox) -> dict[str, str]:
    return sandbox.summary.usage


def refs(client, image_id: str, **params) -> list[dict]:
    params.setdefault("IncludeAllResourceTypes", True)
    return client.describe_image_references(ImageIds=[image_id], **params)["ImageReferences"]


def kinds(client, image_id: str, **params) -> list[str]:
    return sorted(r["ResourceType"] for r in refs(client, image_id, **params))


def test_each_seeded_role_is_used_only_by_its_kind(ec2, usage):
    client = ec2()
    assert kinds(client, usage["instance_only"]) == ["ec2:Instance"]
    assert kinds(client, usage["launch_template_v3"]) == ["ec2:LaunchTemplate"]
    assert kinds(client, usage["asg_latest"]) == ["ec2:LaunchTemplate"]
    assert kinds(client, usage["ssm_only"]) == ["ssm:Parameter"]
    assert kinds(client, usage["image_recipe_only"]) == ["imagebuilder:ImageRecipe"]
    assert kinds(client, usage["container_recipe_only"]) == ["imagebuilder:ContainerRecipe"]
    # a launch configuration is invisible to DescribeImageReferences: that is the point
    assert kinds(client, usage["asg_launch_configuration"]) == []
    assert kinds(client, usage["unused"]) == kinds(client, usage["unused_2"]) == []


def test_arns_are_aws_formats_and_a_launch_template_arn_has_no_version(ec2, usage):
    client = ec2()
    (instance,) = refs(client, usage["instance_only"])
    assert instance["Arn"].startswith("arn:aws:ec2:us-east-1:123456789012:instance/i-")
    (template,) = refs(client, usage["launch_template_v3"])
    assert template["Arn"].rsplit("/", 1)[0] == (
        "arn:aws:ec2:us-east-1:123456789012:launch-template"
    )
    (parameter,) = refs(client, usage["ssm_only"])
    assert parameter["Arn"] == "arn:aws:ssm:us-east-1:123456789012:parameter/golden/payments/ami"


def test_version_depth_counts_from_the_most_recent_version(ec2, usage):
    client, target = ec2(), usage["launch_template_v3"]  # version 3 of 5

    def depth(n: int) -> list[str]:
        option = {"OptionName": "version-depth", "OptionValues": [str(n)]}
        kinds_ = [{"ResourceType": "ec2:LaunchTemplate", "ResourceTypeOptions": [option]}]
        return kinds(client, target, IncludeAllResourceTypes=False, ResourceTypes=kinds_)

    assert depth(2) == []
    assert depth(3) == ["ec2:LaunchTemplate"]
    template = refs(client, target)[0]["Arn"].rsplit("/", 1)[1]
    versions = client.describe_launch_template_versions(LaunchTemplateId=template)
    by_number = {v["VersionNumber"]: v for v in versions["LaunchTemplateVersions"]}
    assert len(by_number) == 5 and by_number[3]["LaunchTemplateData"]["ImageId"] == target
    assert all(by_number[n]["LaunchTemplateData"]["ImageId"] != target for n in (1, 2, 4, 5))


def test_state_name_scopes_instances_and_the_options_override_include_all(ec2, usage):
    client, target = ec2(), usage["instance_only"]

    def states(*names: str) -> list[str]:
        option = {"OptionName": "state-name", "OptionValues": list(names)}
        scoped = [{"ResourceType": "ec2:Instance", "ResourceTypeOptions": [option]}]
        return kinds(client, target, ResourceTypes=scoped)

    assert states("running") == ["ec2:Instance"]
    assert states("stopped", "terminated") == []


def test_references_page_to_the_end_without_gaps_or_repeats(ec2, usage):
    client = ec2()
    roles = ("instance_only", "launch_template_v3", "asg_latest", "asg_default", "asg_explicit",
             "ssm_only", "image_recipe_only", "container_recipe_only")  # fmt: skip
    ids = [usage[r] for r in roles]
    whole = client.describe_image_references(ImageIds=ids, IncludeAllResourceTypes=True)
    assert "NextToken" not in whole
    pages, token = [], None
    while True:
        extra = {"NextToken": token} if token else {}
        page = client.describe_image_references(
            ImageIds=ids, IncludeAllResourceTypes=True, MaxResults=5, **extra
        )
        pages.append(page["ImageReferences"])
        token = page.get("NextToken")
        if not token:
            break
    assert len(pages) >= 2
    assert [r for p in pages for r in p] == whole["ImageReferences"]
    paginator = client.get_paginator("describe_image_references")
    listed = [
        r
        for p in paginator.paginate(ImageIds=ids, IncludeAllResourceTypes=True, MaxResults=5)
        for r in p["ImageReferences"]
    ]
    assert listed == whole["ImageReferences"]


def test_auto_scaling_is_served_on_the_same_url_and_resolves_to_the_roles(sandbox, ec2, usage):
    autoscaling = AwsClients(endpoint_url=sandbox.url).client("autoscaling")
    assert autoscaling.meta.endpoint_url == sandbox.url
    groups = {
        g["AutoScalingGroupName"]: g
        for g in autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]
    }
    configs = autoscaling.describe_launch_configurations()["LaunchConfigurations"]
    assert groups["legacy-asg"]["LaunchConfigurationName"] == "legacy-lc"
    assert {c["LaunchConfigurationName"]: c["ImageId"] for c in configs}["legacy-lc"] == (
        usage["asg_launch_configuration"]
    )
    client = ec2()
    resolved = {}
    for name in ("web-asg", "batch-asg", "api-asg"):
        spec = groups[name]["LaunchTemplate"]
        (version,) = client.describe_launch_template_versions(
            LaunchTemplateId=spec["LaunchTemplateId"], Versions=[spec["Version"]]
        )["LaunchTemplateVersions"]
        resolved[spec["Version"]] = version["LaunchTemplateData"]["ImageId"]
    assert resolved == {
        "$Latest": usage["asg_latest"],
        "$Default": usage["asg_default"],
        "1": usage["asg_explicit"],
    }


def test_ancestry_follows_the_chain_across_regions(ec2, usage):
    entries = ec2("eu-west-1").get_image_ancestry(ImageId=usage["lineage_leaf"])
    chain = entries["ImageAncestryEntries"]
    assert [e["ImageId"] for e in chain] == [
        usage["lineage_leaf"], usage["lineage_copy"], usage["lineage_root"]
    ]  # fmt: skip
    assert [e.get("SourceImageRegion") for e in chain] == ["eu-west-1", "us-east-1", None]
    assert all(e["CreationDate"] for e in chain)
    (root,) = ec2().get_image_ancestry(ImageId=usage["lineage_root"])["ImageAncestryEntries"]
    assert "SourceImageId" not in root


@contextmanager
def cooldown(sandbox, seconds: float) -> Iterator[None]:
    before = sandbox.state.cooldown_seconds
    sandbox.state.cooldown_seconds = seconds
    try:
        yield
    finally:
        sandbox.state.cooldown_seconds = before


def _fresh_image(sandbox, client, usage) -> str:
    copy_id = client.copy_image(
        Name=unique("usage-copy"), SourceImageId=usage["unused"], SourceRegion="us-east-1"
    )["ImageId"]
    finish_now(sandbox)  # available now
    assert image(client, copy_id)["State"] == "available"
    return copy_id


def test_protection_refuses_deregister_and_a_cooldown_outlasts_disabling(sandbox, ec2, usage):
    client = ec2()
    with pytest.raises(ClientError) as refused:
        client.deregister_image(ImageId=usage["protected"])
    assert error_code(refused) == "OperationNotPermitted"
    target = _fresh_image(sandbox, client, usage)
    answer = client.enable_image_deregistration_protection(ImageId=target, WithCooldown=True)
    assert answer["Return"] == "enabled-with-cooldown"
    with cooldown(sandbox, 600.0):  # until the test ends it
        client.disable_image_deregistration_protection(ImageId=target)
    assert image(client, target)["DeregistrationProtection"].startswith("disabled-until ")
    with pytest.raises(ClientError) as refused:
        client.deregister_image(ImageId=target)
    assert error_code(refused) == "OperationNotPermitted"
    assert end_cooldowns(sandbox) == 1  # its time passes now
    assert image(client, target)["DeregistrationProtection"] == "disabled"
    assert client.deregister_image(ImageId=target)["Return"] is True


def test_protection_without_cooldown_ends_when_disabled(sandbox, ec2, usage):
    client = ec2()
    target = _fresh_image(sandbox, client, usage)
    client.enable_image_deregistration_protection(ImageId=target)
    client.disable_image_deregistration_protection(ImageId=target)
    assert image(client, target)["DeregistrationProtection"] == "disabled"
    assert client.deregister_image(ImageId=target)["Return"] is True


def test_run_instances_sets_last_launched_and_create_image_names_its_sources(sandbox, ec2, usage):
    client = ec2()
    target = _fresh_image(sandbox, client, usage)
    assert "LastLaunchedTime" not in image(client, target)
    instance = client.run_instances(ImageId=target, MinCount=1, MaxCount=1)["Instances"][0]
    try:
        launched = image(client, target)["LastLaunchedTime"]
        assert launched.endswith("Z") and launched[:4].isdigit()
        with pending_for(sandbox, 0.2):
            made = client.create_image(InstanceId=instance["InstanceId"], Name=unique("from-i"))
        made_image = image(client, made["ImageId"])
        assert made_image["SourceImageId"] == target
        assert made_image["SourceImageRegion"] == "us-east-1"
        assert made_image["SourceInstanceId"] == instance["InstanceId"]
    finally:
        client.terminate_instances(InstanceIds=[instance["InstanceId"]])


def test_a_usage_report_is_pending_then_available_and_counts_each_account(sandbox, ec2, usage):
    client = ec2()
    kinds_ = [{"ResourceType": "ec2:Instance"}, {"ResourceType": "imagebuilder:ImageRecipe"}]
    with pending_for(sandbox, 600.0):  # pending until the test ends it (finish_reports)
        report_id = client.create_image_usage_report(
            ImageId=usage["shared"], ResourceTypes=kinds_, ClientToken=unique("token")
        )["ReportId"]

    def read() -> dict:
        return client.describe_image_usage_reports(ReportIds=[report_id])["ImageUsageReports"][0]

    assert read()["State"] == "pending"
    assert finish_reports(sandbox) >= 1
    report = read()
    assert report["State"] == "available"
    assert (report["ExpirationTime"] - report["CreationTime"]).days == 30
    entries = client.describe_image_usage_report_entries(ReportIds=[report_id])
    counts = {
        (e["AccountId"], e["ResourceType"]): e["UsageCount"]
        for e in entries["ImageUsageReportEntries"]
    }
    assert counts == {
        ("210987654321", "ec2:Instance"): 3,
        ("456789012345", "ec2:Instance"): 2,
        ("456789012345", "imagebuilder:ImageRecipe"): 1,
    }
    only = client.describe_image_usage_report_entries(
        ReportIds=[report_id], Filters=[{"Name": "account-id", "Values": ["456789012345"]}]
    )["ImageUsageReportEntries"]
    assert {e["AccountId"] for e in only} == {"456789012345"}
    listed = client.describe_image_usage_reports(
        ImageIds=[usage["shared"]], Filters=[{"Name": "state", "Values": ["available"]}]
    )["ImageUsageReports"]
    assert report_id in {r["ReportId"] for r in listed}


def test_a_usage_report_client_token_is_idempotent(ec2, usage):
    client, token = ec2(), unique("report-token")
    kinds_ = [{"ResourceType": "ec2:Instance"}]
    first = client.create_image_usage_report(
        ImageId=usage["shared"], ResourceTypes=kinds_, ClientToken=token
    )
    again = client.create_image_usage_report(
        ImageId=usage["shared"], ResourceTypes=kinds_, ClientToken=token
    )
    assert first["ReportId"] == again["ReportId"]
    with pytest.raises(ClientError) as mismatch:
        client.create_image_usage_report(
            ImageId=usage["shared"],
            ResourceTypes=[{"ResourceType": "ec2:LaunchTemplate"}],
            ClientToken=token,
        )
    assert error_code(mismatch) == "IdempotentParameterMismatch"


def test_reports_page_to_the_end(ec2, usage):
    client = ec2()
    for _ in range(3):
        client.create_image_usage_report(
            ImageId=usage["shared"], ResourceTypes=[{"ResourceType": "ec2:Instance"}]
        )
    whole = client.describe_image_usage_reports()["ImageUsageReports"]
    paginator = client.get_paginator("describe_image_usage_reports")
    paged = [r for p in paginator.paginate(MaxResults=2) for r in p["ImageUsageReports"]]
    assert [r["ReportId"] for r in paged] == [r["ReportId"] for r in whole]
    assert len(whole) >= 3


@contextmanager
def plain_moto(sandbox) -> Iterator[None]:
    sandbox.usage_api = False
    try:
        yield
    finally:
        sandbox.usage_api = True


def test_with_the_usage_api_off_the_endpoint_answers_as_plain_moto(sandbox, usage):
    raw = Raw(sandbox.url)
    with plain_moto(sandbox):
        answer = raw.call(
            "DescribeImageReferences", ImageIds=[usage["unused"]], IncludeAllResourceTypes=True
        )
        assert answer.status == 500 and answer.content_type.startswith("text/html")
        assert b"Internal Server Error" in answer.body
        client = boto3.client(
            "ec2",
            region_name="us-east-1",
            endpoint_url=sandbox.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        shown = image(client, usage["protected"])
        assert not {"DeregistrationProtection", "LastLaunchedTime", "ImageAllowed"} & set(shown)
    assert image(client, usage["protected"])["DeregistrationProtection"]
