"""Fidelity, issue 15: every new call's answers and refusals against botocore's model.

Success answers are walked element by element against the operation's output shape
(fidelity.ok); refusals are HTTP 400 with EC2's code (fidelity.refused).
"""

from __future__ import annotations

import pytest

from tests.support.sandbox_time import finish_reports

from .fidelity import Raw, ok, refused
from .polling import wait_for

PARTNER = "210987654321"


@pytest.fixture(scope="module")
def usage(sandbox) -> dict[str, str]:
    return sandbox.summary.usage


def test_describe_images_carries_the_usage_fields_in_the_model(sandbox, usage):
    ids = [usage[r] for r in ("protected", "protected_cooldown", "instance_only", "unused")]
    root = ok(Raw(sandbox.url).call("DescribeImages", ImageIds=ids), "DescribeImages")
    got = {
        item.findtext("{*}imageId"): (
            item.findtext("{*}deregistrationProtection"),
            item.findtext("{*}imageAllowed"),
            item.findtext("{*}lastLaunchedTime"),
        )
        for item in root.find("{*}imagesSet")
    }
    assert got[usage["protected"]][:2] == ("enabled-without-cooldown", "true")
    assert got[usage["protected_cooldown"]][0] == "enabled-with-cooldown"
    assert got[usage["instance_only"]][2].endswith("Z")
    assert got[usage["unused"]] == ("disabled", "true", None)


def test_describe_image_references_fits_the_model(sandbox, usage):
    roles = ("instance_only", "launch_template_v3", "ssm_only", "image_recipe_only")
    answer = Raw(sandbox.url).call(
        "DescribeImageReferences",
        ImageIds=[usage[r] for r in (*roles, "container_recipe_only")],
        IncludeAllResourceTypes=True,
    )
    root = ok(answer, "DescribeImageReferences")
    types = {i.findtext("{*}resourceType") for i in root.find("{*}imageReferenceSet")}
    assert types == {
        "ec2:Instance",
        "ec2:LaunchTemplate",
        "ssm:Parameter",
        "imagebuilder:ImageRecipe",
        "imagebuilder:ContainerRecipe",
    }


def test_describe_image_references_refuses_as_ec2_does(sandbox, usage):
    raw, known = Raw(sandbox.url), [usage["unused"]]
    call = raw.call
    refused(call("DescribeImageReferences", ImageIds=["ami-nothex"], IncludeAllResourceTypes=True),
            "InvalidAMIID.Malformed")  # fmt: skip
    unknown = ["ami-0123456789abcdef0"]
    refused(call("DescribeImageReferences", ImageIds=unknown, IncludeAllResourceTypes=True),
            "InvalidAMIID.NotFound")  # fmt: skip
    volume = [{"ResourceType": "ec2:Volume"}]
    refused(call("DescribeImageReferences", ImageIds=known, ResourceTypes=volume),
            "InvalidParameterValue")  # fmt: skip
    refused(call("DescribeImageReferences", ImageIds=known), "MissingParameter")
    refused(call("DescribeImageReferences", IncludeAllResourceTypes=True), "MissingParameter")
    eleven = [usage["unused"]] * 11
    refused(call("DescribeImageReferences", ImageIds=eleven, IncludeAllResourceTypes=True),
            "InvalidParameterValue")  # fmt: skip


@pytest.mark.parametrize(
    "option",
    [
        {"ResourceType": "ec2:LaunchTemplate", "ResourceTypeOptions": [
            {"OptionName": "version-depth", "OptionValues": ["0"]}]},
        {"ResourceType": "ec2:LaunchTemplate", "ResourceTypeOptions": [
            {"OptionName": "version-depth", "OptionValues": ["10001"]}]},
        {"ResourceType": "ec2:Instance", "ResourceTypeOptions": [
            {"OptionName": "state-name", "OptionValues": ["sleeping"]}]},
        {"ResourceType": "ec2:Instance", "ResourceTypeOptions": [
            {"OptionName": "version-depth", "OptionValues": ["3"]}]},
    ],
)  # fmt: skip
def test_describe_image_references_refuses_a_bad_option(sandbox, usage, option):
    answer = Raw(sandbox.url).call(
        "DescribeImageReferences", ImageIds=[usage["unused"]], ResourceTypes=[option]
    )
    refused(answer, "InvalidParameterValue")


def test_describe_image_references_max_results_range(sandbox, usage):
    answer = Raw(sandbox.url).call(
        "DescribeImageReferences",
        ImageIds=[usage["unused"]],
        IncludeAllResourceTypes=True,
        MaxResults=4,
    )
    refused(answer, "InvalidParameterValue")


def test_get_image_ancestry_fits_the_model_and_refuses_unknown_ids(sandbox, usage):
    raw = Raw(sandbox.url, "eu-west-1")
    root = ok(raw.call("GetImageAncestry", ImageId=usage["lineage_leaf"]), "GetImageAncestry")
    assert len(root.find("{*}imageAncestryEntrySet")) == 3
    refused(raw.call("GetImageAncestry", ImageId="ami-0123456789abcdef0"), "InvalidAMIID.NotFound")
    refused(raw.call("GetImageAncestry", ImageId="image-1"), "InvalidAMIID.Malformed")
    refused(raw.call("GetImageAncestry"), "MissingParameter")


def test_protection_calls_fit_the_model_and_refuse_others_images(sandbox, ec2, usage):
    raw = Raw(sandbox.url)
    target = usage["unused_2"]
    try:
        on = ok(raw.call("EnableImageDeregistrationProtection", ImageId=target),
                "EnableImageDeregistrationProtection")  # fmt: skip
        assert on.findtext("{*}return") == "enabled-without-cooldown"
    finally:
        off = raw.call("DisableImageDeregistrationProtection", ImageId=target)
    assert ok(off, "DisableImageDeregistrationProtection").findtext("{*}return") == "disabled"
    shared = ec2().describe_images(ExecutableUsers=["self"])["Images"][0]["ImageId"]
    refused(raw.call("EnableImageDeregistrationProtection", ImageId=shared), "AuthFailure", 401)
    unknown = "ami-0123456789abcdef0"
    refused(raw.call("DisableImageDeregistrationProtection", ImageId=unknown),
            "InvalidAMIID.NotFound")  # fmt: skip
    answer = raw.call("EnableImageDeregistrationProtection", ImageId=target, DryRun=True)
    refused(answer, "DryRunOperation", 412)


def test_describe_image_attribute_answers_the_usage_attributes(sandbox, usage):
    raw = Raw(sandbox.url)
    for attribute, role, value in (
        ("lastLaunchedTime", "instance_only", None),
        ("deregistrationProtection", "protected", "enabled-without-cooldown"),
    ):
        answer = raw.call("DescribeImageAttribute", ImageId=usage[role], Attribute=attribute)
        got = ok(answer, "DescribeImageAttribute").findtext(f"{{*}}{attribute}/{{*}}value")
        assert got and (value is None or got == value)


def test_usage_report_calls_fit_the_model(sandbox, usage):
    raw = Raw(sandbox.url)
    created = raw.call(
        "CreateImageUsageReport",
        ImageId=usage["shared"],
        ResourceTypes=[{"ResourceType": "ec2:Instance"}, {"ResourceType": "ec2:LaunchTemplate"}],
        TagSpecifications=[
            {"ResourceType": "image-usage-report", "Tags": [{"Key": "Team", "Value": "web"}]}
        ],
    )
    report_id = ok(created, "CreateImageUsageReport").findtext("{*}reportId")
    assert report_id.startswith("amiur-")

    def read():
        answer = raw.call("DescribeImageUsageReports", ReportIds=[report_id])
        return ok(answer, "DescribeImageUsageReports").find("{*}imageUsageReportSet/{*}item")

    finish_reports(sandbox)  # its pending time passes now
    wait_for(read, lambda report: report.findtext("{*}state") == "available")
    entries = raw.call("DescribeImageUsageReportEntries", ReportIds=[report_id])
    items = ok(entries, "DescribeImageUsageReportEntries").find("{*}imageUsageReportEntrySet")
    assert {i.findtext("{*}accountId") for i in items} == {PARTNER, "456789012345"}


def test_usage_report_refusals(sandbox, ec2, usage):
    raw = Raw(sandbox.url)
    kinds = [{"ResourceType": "ec2:Instance"}]
    answer = raw.call("CreateImageUsageReport", ImageId=usage["unused"], ResourceTypes=kinds)
    assert "not shared" in refused(answer, "InvalidParameterValue")
    shared_with_me = ec2().describe_images(ExecutableUsers=["self"])["Images"][0]["ImageId"]
    answer = raw.call("CreateImageUsageReport", ImageId=shared_with_me, ResourceTypes=kinds)
    refused(answer, "AuthFailure", 401)
    answer = raw.call(
        "CreateImageUsageReport",
        ImageId=usage["shared"],
        ResourceTypes=[{"ResourceType": "ssm:Parameter"}],
    )
    refused(answer, "InvalidParameterValue")
    refused(raw.call("CreateImageUsageReport", ImageId=usage["shared"]), "MissingParameter")
    answer = raw.call("DescribeImageUsageReports", ReportIds=["amiur-0123456789abcdef0"])
    refused(answer, "InvalidImageUsageReportId.NotFound")
    answer = raw.call("DescribeImageUsageReports", Filters=[{"Name": "owner", "Values": ["x"]}])
    refused(answer, "InvalidParameterValue")
    answer = raw.call("DescribeImageUsageReportEntries", MaxResults=0)
    refused(answer, "InvalidParameterValue")
