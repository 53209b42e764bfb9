"""Fidelity, issue 16: lifecycle and sharing calls against botocore's model.

Success answers are walked against the operation's output shape (fidelity.ok; an
operation the model gives no output answers ``return`` true only); refusals are
HTTP 400 with EC2's code (fidelity.refused), AuthFailure 401, DryRun 412.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from .ec2_helpers import seeded_snapshot
from .fidelity import Raw, ok, refused
from .lifecycle_helpers import fresh_images

UNKNOWN = "ami-0123456789abcdef0"
ORG = "arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5"
OU = "arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/ou-ab12-cd34ef56"


@pytest.fixture(scope="module")
def roles(sandbox) -> dict[str, str]:
    return sandbox.summary.lifecycle


@pytest.fixture(scope="module")
def mine(sandbox, ec2) -> list[str]:
    """Three own images for this module to change."""
    return fresh_images(sandbox, ec2(), 3, "fidelity-lifecycle")


def soon(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_image_deprecation_calls_fit_the_model(sandbox, mine):
    raw, target = Raw(sandbox.url), mine[0]
    answer = raw.call("EnableImageDeprecation", ImageId=target, DeprecateAt=soon(days=30))
    assert ok(answer, "EnableImageDeprecation").findtext("{*}return") == "true"
    answer = raw.call("DisableImageDeprecation", ImageId=target)
    assert ok(answer, "DisableImageDeprecation").findtext("{*}return") == "true"


def test_image_deprecation_refusals(sandbox, mine, roles):
    raw, target = Raw(sandbox.url), mine[0]
    call = raw.call
    refused(call("EnableImageDeprecation", ImageId=target, DeprecateAt=soon(days=-1)),
            "InvalidParameterValue")  # fmt: skip
    refused(call("EnableImageDeprecation", ImageId=target, DeprecateAt=soon(days=3700)),
            "InvalidParameterValue")  # fmt: skip
    refused(call("EnableImageDeprecation", ImageId=target), "MissingParameter")
    refused(call("EnableImageDeprecation", ImageId=roles["shared_with_me"],
                 DeprecateAt=soon(days=1)), "AuthFailure", 401)  # fmt: skip
    refused(call("EnableImageDeprecation", ImageId=UNKNOWN, DeprecateAt=soon(days=1)),
            "InvalidAMIID.NotFound")  # fmt: skip
    refused(call("DisableImageDeprecation", ImageId="ami-x"), "InvalidAMIID.Malformed")
    refused(call("EnableImageDeprecation", ImageId=target, DeprecateAt=soon(days=1), DryRun=True),
            "DryRunOperation", 412)  # fmt: skip


def test_disable_and_enable_image_fit_the_model_and_refuse_as_ec2_does(sandbox, mine, roles):
    raw, target = Raw(sandbox.url), mine[1]
    refused(raw.call("EnableImage", ImageId=target), "IncorrectState")  # not disabled
    assert ok(raw.call("DisableImage", ImageId=target), "DisableImage").findtext("{*}return")
    refused(raw.call("DisableImage", ImageId=target), "IncorrectState")
    answer = raw.call("ModifyImageAttribute", ImageId=target,
                      LaunchPermission={"Add": [{"UserId": "111122223333"}]})  # fmt: skip
    refused(answer, "IncorrectState")  # a disabled image can't be shared
    assert ok(raw.call("EnableImage", ImageId=target), "EnableImage").findtext("{*}return")
    refused(raw.call("DisableImage", ImageId=roles["shared_with_me"]), "AuthFailure", 401)
    refused(raw.call("EnableImage", ImageId=UNKNOWN), "InvalidAMIID.NotFound")
    refused(raw.call("DisableImage", ImageId=target, DryRun=True), "DryRunOperation", 412)


def test_launch_permission_calls_fit_the_model(sandbox, mine, roles):
    raw, target = Raw(sandbox.url), mine[2]
    add = [{"UserId": "111122223333"}, {"OrganizationArn": ORG}, {"OrganizationalUnitArn": OU}]
    answer = raw.call("ModifyImageAttribute", ImageId=target, LaunchPermission={"Add": add})
    ok(answer, "ModifyImageAttribute")
    answer = raw.call("DescribeImageAttribute", ImageId=target, Attribute="launchPermission")
    items = ok(answer, "DescribeImageAttribute").find("{*}launchPermission")
    got = {(child.tag.rsplit("}", 1)[1], child.text) for item in items for child in item}
    assert got == {("userId", "111122223333"), ("organizationArn", ORG),
                   ("organizationalUnitArn", OU)}  # fmt: skip
    answer = raw.call("ResetImageAttribute", ImageId=target, Attribute="launchPermission")
    ok(answer, "ResetImageAttribute")
    answer = raw.call("DescribeImageAttribute", ImageId=target, Attribute="launchPermission")
    assert not list(ok(answer, "DescribeImageAttribute").find("{*}launchPermission"))
    answer = raw.call("DescribeImageAttribute", ImageId=roles["shared_org"],
                      Attribute="launchPermission")  # fmt: skip
    assert len(ok(answer, "DescribeImageAttribute").find("{*}launchPermission")) == 3


@pytest.mark.parametrize(
    "item",
    [
        {"UserId": "12345"},
        {"UserId": "12345678901a"},
        {"Group": "everyone"},
        {"OrganizationArn": "arn:aws:organizations::111122223333:organization/x"},
        {"OrganizationalUnitArn": "arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/x"},
    ],
)
def test_a_malformed_launch_permission_is_refused(sandbox, mine, item):
    answer = Raw(sandbox.url).call(
        "ModifyImageAttribute", ImageId=mine[2], LaunchPermission={"Add": [item]}
    )
    refused(answer, "InvalidAMIAttributeItemValue")


def test_modify_image_attribute_refusals(sandbox, mine, roles):
    raw, target = Raw(sandbox.url), mine[2]
    both = raw.call("ModifyImageAttribute", ImageId=target, Description={"Value": "x"},
                    LaunchPermission={"Add": [{"UserId": "111122223333"}]})  # fmt: skip
    refused(both, "InvalidParameterCombination")
    refused(raw.call("ModifyImageAttribute", ImageId=target), "MissingParameter")
    long = raw.call("ModifyImageAttribute", ImageId=target, Description={"Value": "d" * 256})
    refused(long, "InvalidParameterValue")
    others = raw.call("ModifyImageAttribute", ImageId=roles["shared_with_me"],
                      Description={"Value": "mine now"})  # fmt: skip
    refused(others, "AuthFailure", 401)
    answer = raw.call("DescribeImageAttribute", ImageId=roles["shared_with_me"],
                      Attribute="launchPermission")  # fmt: skip
    refused(answer, "AuthFailure", 401)
    answer = raw.call("ResetImageAttribute", ImageId=target, Attribute="description")
    refused(answer, "InvalidParameterValue")


def test_description_round_trip_fits_the_model(sandbox, mine, roles):
    raw, target = Raw(sandbox.url), mine[2]
    answer = raw.call("ModifyImageAttribute", ImageId=target, Description={"Value": "golden v2"})
    ok(answer, "ModifyImageAttribute")
    answer = raw.call("DescribeImageAttribute", ImageId=target, Attribute="description")
    got = ok(answer, "DescribeImageAttribute").findtext("{*}description/{*}value")
    assert got == "golden v2"
    # description is readable on an image shared with the caller
    answer = raw.call("DescribeImageAttribute", ImageId=roles["shared_with_me"],
                      Attribute="description")  # fmt: skip
    assert ok(answer, "DescribeImageAttribute").findtext("{*}description/{*}value")


def test_block_public_access_calls_fit_the_model(sandbox):
    seeded = {"us-east-1": "unblocked", "eu-west-1": "block-new-sharing"}
    for region, state in seeded.items():
        root = ok(Raw(sandbox.url, region).call("GetImageBlockPublicAccessState"),
                  "GetImageBlockPublicAccessState")  # fmt: skip
        assert root.findtext("{*}imageBlockPublicAccessState") == state
        assert root.findtext("{*}managedBy") == "account"
    raw = Raw(sandbox.url, "us-west-2")  # a region no other test looks at
    answer = raw.call(
        "EnableImageBlockPublicAccess", ImageBlockPublicAccessState="block-new-sharing"
    )
    root = ok(answer, "EnableImageBlockPublicAccess")
    assert root.findtext("{*}imageBlockPublicAccessState") == "block-new-sharing"
    root = ok(raw.call("DisableImageBlockPublicAccess"), "DisableImageBlockPublicAccess")
    assert root.findtext("{*}imageBlockPublicAccessState") == "unblocked"
    answer = raw.call("EnableImageBlockPublicAccess", ImageBlockPublicAccessState="unblocked")
    refused(answer, "InvalidParameterValue")
    refused(raw.call("EnableImageBlockPublicAccess"), "MissingParameter")


def test_public_sharing_refused_while_blocked(sandbox, ec2):
    client = ec2("eu-west-1")
    query = [{"Name": "is-public", "Values": ["false"]}, {"Name": "state", "Values": ["available"]}]
    private = client.describe_images(Owners=["self"], Filters=query)["Images"][0]["ImageId"]
    answer = Raw(sandbox.url, "eu-west-1").call(
        "ModifyImageAttribute", ImageId=private, LaunchPermission={"Add": [{"Group": "all"}]}
    )
    message = refused(answer, "OperationNotPermitted")
    assert "block public access for AMIs is enabled" in message


def test_cancel_image_launch_permission_fits_the_model(sandbox, ec2, roles):
    """The one test that leaves ``leave_me`` (ap-southeast-2): the session shares it."""
    raw, target = Raw(sandbox.url, "ap-southeast-2"), roles["leave_me"]
    answer = raw.call("CancelImageLaunchPermission", ImageId=target)
    assert ok(answer, "CancelImageLaunchPermission").findtext("{*}return") == "true"
    shared = ec2("ap-southeast-2").describe_images(ExecutableUsers=["self"])["Images"]
    assert target not in {i["ImageId"] for i in shared}
    refused(raw.call("CancelImageLaunchPermission", ImageId=target), "InvalidAMIID.NotFound")


def test_snapshot_attribute_calls_fit_the_model(sandbox, ec2):
    raw, snapshot = Raw(sandbox.url), seeded_snapshot(ec2())["SnapshotId"]
    add = {"Add": [{"UserId": "111122223333"}]}
    answer = raw.call("ModifySnapshotAttribute", SnapshotId=snapshot,
                      Attribute="createVolumePermission", CreateVolumePermission=add)  # fmt: skip
    ok(answer, "ModifySnapshotAttribute")
    answer = raw.call("DescribeSnapshotAttribute", SnapshotId=snapshot,
                      Attribute="createVolumePermission")  # fmt: skip
    root = ok(answer, "DescribeSnapshotAttribute")
    assert root.findtext("{*}createVolumePermission/{*}item/{*}userId") == "111122223333"
    remove = {"Remove": [{"UserId": "111122223333"}]}
    answer = raw.call("ModifySnapshotAttribute", SnapshotId=snapshot, CreateVolumePermission=remove)
    ok(answer, "ModifySnapshotAttribute")
    answer = raw.call("DescribeSnapshotAttribute", SnapshotId=snapshot, Attribute="productCodes")
    ok(answer, "DescribeSnapshotAttribute")


def test_snapshot_attribute_refusals(sandbox, ec2, roles):
    raw, client = Raw(sandbox.url), ec2()
    mappings = client.describe_images(ImageIds=[roles["encrypted_own"]])["Images"][0]
    encrypted = mappings["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]
    public = {"Add": [{"Group": "all"}]}
    answer = raw.call("ModifySnapshotAttribute", SnapshotId=encrypted,
                      CreateVolumePermission=public)  # fmt: skip
    refused(answer, "InvalidParameterValue")
    answer = raw.call("ModifySnapshotAttribute", SnapshotId=encrypted,
                      CreateVolumePermission={"Add": [{"UserId": "42"}]})  # fmt: skip
    refused(answer, "InvalidAMIAttributeItemValue")
    answer = raw.call("ModifySnapshotAttribute", SnapshotId="snap-x", CreateVolumePermission=public)
    refused(answer, "InvalidSnapshotID.Malformed")
    answer = raw.call("DescribeSnapshotAttribute", SnapshotId="snap-0123456789abcdef0",
                      Attribute="createVolumePermission")  # fmt: skip
    refused(answer, "InvalidSnapshot.NotFound")


def test_tag_calls_fit_the_model_and_refuse_aws_rules(sandbox, mine):
    raw, target = Raw(sandbox.url), mine[0]
    tag = [{"Key": "Team", "Value": "web"}]
    ok(raw.call("CreateTags", Resources=[target], Tags=tag), "CreateTags")
    ok(raw.call("DeleteTags", Resources=[target], Tags=[{"Key": "Team"}]), "DeleteTags")
    for bad in ({"Key": "k" * 129, "Value": "v"}, {"Key": "k", "Value": "v" * 257},
                {"Key": "aws:owner", "Value": "v"}, {"Key": "AWS:x", "Value": "v"}):  # fmt: skip
        refused(raw.call("CreateTags", Resources=[target], Tags=[bad]), "InvalidParameterValue")
    answer = raw.call("DeleteTags", Resources=[target], Tags=[{"Key": "aws:cloudformation"}])
    refused(answer, "InvalidParameterValue")
    many = [{"Key": f"k{n}", "Value": "v"} for n in range(51)]
    refused(raw.call("CreateTags", Resources=[target], Tags=many), "TagLimitExceeded")
    refused(raw.call("CreateTags", Resources=[UNKNOWN], Tags=tag), "InvalidAMIID.NotFound")
