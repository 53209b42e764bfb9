"""Fidelity, requests: issue 13 points 6, 9 and 10 (required parameters, exact failure
markers, ClientToken), and what EC2 says to a request it cannot take."""

from __future__ import annotations

from dataclasses import dataclass

import boto3
import pytest

from amitui.sandbox.cli import build_parser
from amitui.sandbox.conventions import FAIL_MARKER
from tests.support.sandbox_time import finish_now

from .ec2_helpers import own_available, running_instance, unique
from .fidelity import MODEL, Raw, refused
from .polling import wait_for

AMI = "ami-0123456789abcdef0"


# 6. A required parameter that is missing is MissingParameter ---------------------------


@pytest.mark.parametrize(
    ("action", "params", "missing"),
    [
        ("CopyImage", {"SourceImageId": AMI, "SourceRegion": "us-east-1"}, "Name"),
        ("CreateImage", {"InstanceId": "i-0123456789abcdef0"}, "Name"),
        ("RegisterImage", {"Architecture": "x86_64"}, "Name"),
        ("DeregisterImage", {}, "ImageId"),
        ("ExportImage", {"ImageId": AMI, "DiskImageFormat": "VMDK"}, "S3ExportLocation"),
        (
            "ExportImage",
            {"ImageId": AMI, "DiskImageFormat": "VMDK", "S3ExportLocation": {"S3Prefix": "x/"}},
            "S3ExportLocation.S3Bucket",
        ),
        ("CopyImage", {"Name": "x-copy", "SourceRegion": "us-east-1"}, "SourceImageId"),
    ],
)
def test_6_a_missing_required_parameter_is_missing_parameter(sandbox, action, params, missing):
    required = MODEL.operation_model(action).input_shape.required_members
    assert missing.split(".")[0] in required  # botocore's model says so
    message = refused(Raw(sandbox.url).call(action, **params), "MissingParameter")
    assert message == f"The request must contain the parameter {missing}"


def test_6_copy_image_without_name_makes_no_image(sandbox, ec2):
    client = ec2()
    before = len(client.describe_images(Owners=["self"])["Images"])
    source = own_available(client)["ImageId"]
    Raw(sandbox.url).call("CopyImage", SourceImageId=source, SourceRegion="us-east-1")
    assert len(client.describe_images(Owners=["self"])["Images"]) == before


def test_6_unknown_action_and_unknown_parameter_are_refused_as_ec2_does(sandbox):
    raw = Raw(sandbox.url)
    refused(raw.post("Action=DescribeUnicorns&Version=2016-11-15"), "InvalidAction")
    refused(raw.post("Version=2016-11-15"), "MissingAction")
    message = refused(
        raw.post("Action=DescribeImages&Version=2016-11-15&ImageType=machine"), "UnknownParameter"
    )
    assert message == "The parameter ImageType is not recognized"
    refused(
        raw.post("Action=DescribeImages&Version=2016-11-15&MaxResults=many"),
        "InvalidParameterValue",
    )


# 9. Failure conventions are one exact marker, documented in --help ----------------------


@dataclass
class LookAlikes:
    client: object
    copy_id: str
    export_id: str
    import_id: str


@pytest.fixture(scope="module")
def look_alikes(sandbox) -> LookAlikes:
    """Real-looking data that merely contains "fail": it must all succeed."""
    client = boto3.client("ec2", region_name="us-east-1", endpoint_url=sandbox.url)
    source = own_available(client, **{"block-device-mapping.encrypted": "false"})["ImageId"]
    copy_id = client.copy_image(
        Name=unique("fail-safe build"), SourceImageId=source, SourceRegion="us-east-1"
    )["ImageId"]
    export_id = client.export_image(
        ImageId=source,
        DiskImageFormat="VMDK",
        Description="fail-safe build",
        S3ExportLocation={"S3Bucket": "amitui-exports", "S3Prefix": "failover/"},
    )["ExportImageTaskId"]
    import_id = client.import_image(
        Description="failover appliance",
        DiskContainers=[
            {
                "Format": "vmdk",
                "UserBucket": {
                    "S3Bucket": "amitui-imports",
                    "S3Key": "vms/web-frontend-2025.03.1.vmdk",
                },
            }
        ],
    )["ImportTaskId"]
    return LookAlikes(client, copy_id, export_id, import_id)


def test_9_names_and_prefixes_that_only_contain_fail_do_not_fail(sandbox, look_alikes):
    client = look_alikes.client
    # their time passes now: each ends as it was decided to end when it started (one
    # meant to fail ends failed)
    finish_now(sandbox)
    states = wait_for(
        lambda: client.describe_images(ImageIds=[look_alikes.copy_id])["Images"][0]["State"],
        lambda s: s != "pending",
    )
    assert states[-1] == "available"
    export = wait_for(
        lambda: client.describe_export_image_tasks(ExportImageTaskIds=[look_alikes.export_id])[
            "ExportImageTasks"
        ][0]["Status"],
        lambda s: s != "active",
    )
    assert export[-1] == "completed"
    imported = wait_for(
        lambda: client.describe_import_image_tasks(ImportTaskIds=[look_alikes.import_id])[
            "ImportImageTasks"
        ][0]["Status"],
        lambda s: s != "active",
    )
    assert imported[-1] == "completed"


def test_9_the_marker_is_documented_in_sandbox_help():
    text = build_parser().format_help()
    assert f'"{FAIL_MARKER}"' in text
    for action in ("CreateImage", "CopyImage", "RegisterImage", "ExportImage", "ImportImage"):
        assert action in text
    import amitui.sandbox

    assert FAIL_MARKER in (amitui.sandbox.__doc__ or "")


# 10. The same ClientToken with other parameters is IdempotentParameterMismatch ---------


def test_10_same_client_token_with_other_tags_is_idempotent_parameter_mismatch(sandbox, ec2):
    client = ec2("eu-west-1")
    source = own_available(client)["ImageId"]
    params = {
        "Name": unique("fidelity-token"),
        "SourceImageId": source,
        "SourceRegion": "eu-west-1",
        "ClientToken": unique("token"),
    }
    first = client.copy_image(**params)["ImageId"]
    assert client.copy_image(**params)["ImageId"] == first
    tagged = {"ResourceType": "image", "Tags": [{"Key": "Team", "Value": "web"}]}
    answer = Raw(sandbox.url, "eu-west-1").call("CopyImage", **params, TagSpecifications=[tagged])
    assert "already used" in refused(answer, "IdempotentParameterMismatch")


def test_10_create_image_still_works_with_a_name(ec2):
    client = ec2()
    web = running_instance(client, "web-1")
    made = client.create_image(InstanceId=web["InstanceId"], Name=unique("fidelity-create"))
    assert made["ImageId"].startswith("ami-")


def test_moto_is_reached_only_through_moto_compat():
    """The house rule: one module holds every moto internal, and it checks the pin."""
    import ast
    from pathlib import Path

    import amitui.sandbox
    from amitui.sandbox import moto_compat

    package = Path(amitui.sandbox.__file__).parent
    importers = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "moto":
                importers.add(path.name)
            if isinstance(node, ast.Import) and any(
                a.name.split(".")[0] == "moto" for a in node.names
            ):
                importers.add(path.name)
    assert importers == {"moto_compat.py"}
    import moto

    assert moto.__version__ == moto_compat.PINNED_MOTO
