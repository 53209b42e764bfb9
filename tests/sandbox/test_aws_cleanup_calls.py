"""amitui.aws.snapshots and amitui.aws.recycle_bin against the sandbox endpoint."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from amitui.aws import recycle_bin, snapshots
from amitui.aws.snapshots import made_for, orphaned_snapshots, snapshot_sizes

from .test_recycle_bin import register

MISSING = "snap-0123456789abcdef0"


@pytest.fixture(scope="module")
def cleanup(sandbox) -> dict:
    return sandbox.summary.cleanup


def client(sandbox, service: str, region: str) -> Any:
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=sandbox.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


class Counting:
    """An EC2 client that counts DescribeSnapshots calls and their sizes."""

    def __init__(self, inner: Any, refuse_bin: bool = False) -> None:
        self.inner = inner
        self.refuse_bin = refuse_bin
        self.batches: list[int] = []

    def describe_snapshots(self, **kwargs: Any) -> Any:
        self.batches.append(len(kwargs.get("SnapshotIds", [])))
        return self.inner.describe_snapshots(**kwargs)

    def list_images_in_recycle_bin(self, **kwargs: Any) -> Any:
        if self.refuse_bin:
            error = {"Error": {"Code": "UnauthorizedOperation", "Message": "not allowed"}}
            raise ClientError(error, "ListImagesInRecycleBin")
        return self.inner.list_images_in_recycle_bin(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_sizes_of_found_and_missing_snapshots(sandbox, cleanup, monkeypatch):
    ec2 = Counting(client(sandbox, "ec2", "us-east-1"))
    web = cleanup["families"]["web-api"]["images"]
    ids = [s for image in web[:4] for s in cleanup["family_snapshots"][image]]
    monkeypatch.setattr(snapshots, "CHUNK", 3)
    sizes = snapshot_sizes(ec2, [*ids, MISSING, "snap-nothex", ids[0]])
    assert [s for s, size in sizes.items() if not size.found] == [MISSING, "snap-nothex"]
    assert {sizes[s].volume_gib for s in ids} == {30, 50}
    assert all(size <= 3 for size in ec2.batches)  # chunks, the malformed id never sent
    bare = set(cleanup["no_full_size"])
    for sid in ids:
        assert (sizes[sid].full_bytes is None) == (sid in bare)
        assert sizes[sid].upper_bound_bytes <= sizes[sid].volume_gib * 1024**3


def test_a_missing_snapshot_not_named_by_the_error_is_found_by_halving(sandbox, cleanup):
    class Quiet(Counting):
        def describe_snapshots(self, **kwargs: Any) -> Any:
            self.batches.append(len(kwargs["SnapshotIds"]))
            try:
                return self.inner.describe_snapshots(**kwargs)
            except ClientError as exc:  # as moto words it: no id in the message
                exc.response["Error"]["Message"] = ""
                raise

    ec2 = Quiet(client(sandbox, "ec2", "us-east-1"))
    ids = cleanup["family_snapshots"][cleanup["families"]["web-api"]["images"][0]]
    sizes = snapshot_sizes(ec2, [ids[0], MISSING, ids[1]])
    assert sizes[ids[0]].found and sizes[ids[1]].found and not sizes[MISSING].found


def test_orphans_are_the_gone_images_snapshots_not_the_binned_nor_the_live(sandbox, cleanup):
    scan = orphaned_snapshots(client(sandbox, "ec2", "us-east-1"))
    assert scan.verified
    found = {o.snapshot_id for o in scan.orphans}
    assert set(cleanup["orphans"]["us-east-1"]) <= found
    binned = cleanup["family_snapshots"][cleanup["in_bin"][0]]
    live = cleanup["family_snapshots"][cleanup["families"]["web-api"]["images"][0]]
    assert not found & {*binned, *live}
    for orphan in scan.orphans:
        assert orphan.image_id == made_for(orphan.description)
        assert orphan.volume_gib and orphan.verified
    eu = orphaned_snapshots(client(sandbox, "ec2", "eu-west-1"))
    assert set(cleanup["orphans"]["eu-west-1"]) <= {o.snapshot_id for o in eu.orphans}


def test_orphans_are_not_verified_when_the_bin_cannot_be_read(sandbox, cleanup):
    ec2 = Counting(client(sandbox, "ec2", "us-east-1"), refuse_bin=True)
    scan = orphaned_snapshots(ec2)
    assert not scan.verified and "UnauthorizedOperation" in (scan.bin_error or "")
    binned = set(cleanup["family_snapshots"][cleanup["in_bin"][0]])
    found = {o.snapshot_id for o in scan.orphans}
    assert binned <= found  # its AMI may be in the bin: listed, but not verified
    assert not any(o.verified for o in scan.orphans)


def test_a_deregistered_image_leaves_orphans_in_a_region_without_a_rule(sandbox):
    ec2 = client(sandbox, "ec2", "ap-southeast-2")
    instance = ec2.describe_instances()["Reservations"][0]["Instances"][0]["InstanceId"]
    image_id = ec2.create_image(InstanceId=instance, Name="orphan-maker-1", NoReboot=True)[
        "ImageId"
    ]
    mine = ec2.describe_images(ImageIds=[image_id])["Images"][0]
    made = [m["Ebs"]["SnapshotId"] for m in mine["BlockDeviceMappings"] if "Ebs" in m]
    before = {o.snapshot_id for o in orphaned_snapshots(ec2).orphans}
    assert not before & set(made)
    ec2.deregister_image(ImageId=image_id)
    after = {o.snapshot_id: o for o in orphaned_snapshots(ec2).orphans}
    assert set(made) <= set(after) and after[made[0]].image_id == image_id


def test_made_for_reads_both_aws_descriptions():
    assert made_for("Created by CreateImage(i-0abc) for ami-0def from vol-0123") == "ami-0def"
    copied = "Copied for DestinationAmi ami-0aaa from SourceAmi ami-0bbb for SourceSnapshot snap-1"
    assert made_for(copied) == "ami-0aaa"
    assert made_for("my backup") is None and made_for(None) is None


def test_retention_bin_listing_and_restore(sandbox, cleanup):
    us = client(sandbox, "rbin", cleanup["rbin_region"])
    covered = recycle_bin.image_retention(us, [{"Key": "Team", "Value": "web"}])
    assert (covered.kind, covered.rule_id, covered.days) == (
        "covered",
        cleanup["rbin_rule"],
        cleanup["rbin_days"],
    )
    eu = client(sandbox, "rbin", cleanup["no_rbin_region"])
    assert recycle_bin.image_retention(eu, {}).kind == "permanent"
    ec2 = client(sandbox, "ec2", cleanup["rbin_region"])
    image_id, _ = register(client(sandbox, "ec2", "us-east-1"))
    ec2.deregister_image(ImageId=image_id)
    listed = {i.image_id: i for i in recycle_bin.images_in_bin(ec2)}
    assert {image_id, *cleanup["in_bin"]} <= set(listed)
    assert (listed[image_id].exits - listed[image_id].entered).days == cleanup["rbin_days"]
    assert [i.image_id for i in recycle_bin.images_in_bin(ec2, [image_id])] == [image_id]
    recycle_bin.restore(ec2, image_id)
    assert ec2.describe_images(ImageIds=[image_id])["Images"][0]["State"] == "available"
    with pytest.raises(ClientError):
        recycle_bin.restore(ec2, image_id)


def test_retention_is_not_verified_when_rbin_is_not_there(sandbox):
    rbin = boto3.client(
        "rbin",
        region_name="us-east-1",
        endpoint_url=sandbox.url + "/no-such-service",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    answer = recycle_bin.image_retention(rbin, {})
    assert answer.kind == "not_verified" and answer.reason
