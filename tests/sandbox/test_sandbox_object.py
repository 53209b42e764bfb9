"""The Sandbox object: one per process, reset, determinism by seed."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from amitui.sandbox import Sandbox


def catalogue_view(url: str, region: str = "ap-southeast-2") -> list[tuple]:
    client = boto3.client("ec2", region_name=region, endpoint_url=url)
    images = client.describe_images(Owners=["self"], IncludeDisabled=True)["Images"]
    return sorted(
        (
            i["ImageId"],
            i["Name"],
            i["CreationDate"],
            i["State"],
            tuple(m.get("Ebs", {}).get("SnapshotId", "") for m in i["BlockDeviceMappings"]),
            tuple(sorted((t["Key"], t["Value"]) for t in i.get("Tags", []))),
        )
        for i in images
    )


def test_only_one_sandbox_per_process(sandbox):
    with pytest.raises(RuntimeError, match="already running"):
        Sandbox(seed=1).start()
    assert Sandbox().running is False
    with pytest.raises(RuntimeError):
        _ = Sandbox().url
    assert boto3.client("ec2", endpoint_url=sandbox.url).describe_regions()["Regions"]


def test_reset_wipes_state_and_the_seed_decides_the_catalogue(sandbox):
    client = boto3.client("ec2", region_name="ap-southeast-2", endpoint_url=sandbox.url)
    source = catalogue_view(sandbox.url)[0][0]
    copy_id = client.copy_image(
        Name="made-before-reset", SourceImageId=source, SourceRegion="ap-southeast-2"
    )["ImageId"]
    task = client.import_image(
        DiskContainers=[
            {
                "Format": "VMDK",
                "UserBucket": {
                    "S3Bucket": "amitui-imports-ap-southeast-2",
                    "S3Key": "vms/web-frontend-2025.03.1.vmdk",
                },
            }
        ]
    )["ImportTaskId"]
    try:
        first_summary = sandbox.reset()
        first = catalogue_view(sandbox.url)
        assert copy_id not in {row[0] for row in first}
        with pytest.raises(ClientError):
            client.describe_import_image_tasks(ImportTaskIds=[task])
        assert client.describe_import_image_tasks()["ImportImageTasks"] == []
        sandbox.reset(seed=8)
        eight = catalogue_view(sandbox.url)
    finally:
        again_summary = sandbox.reset(seed=7)
    assert {row[1] for row in eight} != {row[1] for row in first}
    assert catalogue_view(sandbox.url) == first
    assert again_summary.images == first_summary.images
    assert again_summary.instances == first_summary.instances
    assert sandbox.seed == 7


def test_pending_seconds_can_change_while_running(sandbox):
    client = boto3.client("ec2", region_name="eu-west-1", endpoint_url=sandbox.url)
    source = client.describe_images(
        Owners=["self"], Filters=[{"Name": "state", "Values": ["available"]}], MaxResults=5
    )["Images"][0]["ImageId"]
    before = sandbox.pending_seconds
    sandbox.pending_seconds = 0
    try:
        copy_id = client.copy_image(
            Name="instant-copy", SourceImageId=source, SourceRegion="eu-west-1"
        )["ImageId"]
        started = client.import_image(
            DiskContainers=[
                {
                    "Format": "RAW",
                    "UserBucket": {
                        "S3Bucket": "amitui-imports-eu-west-1",
                        "S3Key": "vms/appliance-raw.raw",
                    },
                }
            ]
        )
    finally:
        sandbox.pending_seconds = before
    assert client.describe_images(ImageIds=[copy_id])["Images"][0]["State"] == "available"
    assert started["Status"] == "completed"
    assert client.describe_images(ImageIds=[started["ImageId"]])["Images"]
    assert sandbox.state.pending_seconds == before == 1.0
    with pytest.raises(ValueError):
        sandbox.pending_seconds = -1


def test_a_bucket_made_after_the_seeding_is_gone_after_a_reset_and_can_be_made_again(sandbox):
    """moto names every bucket's account in a table beside its backends: a restore that
    left it behind answered the next CreateBucket of that name with a 500 (moto looking
    for the bucket in its account without end), as a test fixture met."""
    s3 = boto3.client("s3", region_name="eu-west-1", endpoint_url=sandbox.url)
    where = {"LocationConstraint": "eu-west-1"}
    sandbox.reset()
    try:
        s3.create_bucket(Bucket="made-after-the-seeding", CreateBucketConfiguration=where)
        sandbox.reset()
        assert "made-after-the-seeding" not in {b["Name"] for b in s3.list_buckets()["Buckets"]}
        s3.create_bucket(Bucket="made-after-the-seeding", CreateBucketConfiguration=where)
        assert (
            s3.head_bucket(Bucket="made-after-the-seeding")["ResponseMetadata"]["HTTPStatusCode"]
            == 200
        )
    finally:
        sandbox.reset()
