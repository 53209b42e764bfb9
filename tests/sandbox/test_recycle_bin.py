"""The sandbox's Recycle Bin: rbin rules decide whether DeregisterImage can be undone.

Rules made here live in ap-southeast-2 (the catalogue seeds none there) and are deleted
after each test; images are registered here, so the catalogue's stay as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from .ec2_helpers import error_code, unique

REGION = "ap-southeast-2"


@pytest.fixture
def clients(sandbox) -> tuple[Any, Any]:
    def make(service: str) -> Any:
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=sandbox.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return make("ec2"), make("rbin")


@pytest.fixture
def rules(clients) -> Iterator[Any]:
    """``rules(days, **CreateRule members)`` -> rule id; every rule deleted afterwards."""
    rbin = clients[1]
    made: list[str] = []

    def create(days: int, **members: Any) -> str:
        answer = rbin.create_rule(
            ResourceType=members.pop("ResourceType", "EC2_IMAGE"),
            RetentionPeriod={"RetentionPeriodValue": days, "RetentionPeriodUnit": "DAYS"},
            **members,
        )
        made.append(answer["Identifier"])
        return answer["Identifier"]

    yield create
    for identifier in made:
        rbin.delete_rule(Identifier=identifier)


def register(ec2: Any, tags: dict[str, str] | None = None) -> tuple[str, str]:
    """A new image with one EBS snapshot of its own: (image id, snapshot id)."""
    volume = ec2.create_volume(Size=8, AvailabilityZone=f"{REGION}a")["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=volume, Description="bin test")["SnapshotId"]
    ec2.delete_volume(VolumeId=volume)
    extra: dict[str, Any] = {}
    if tags:
        extra["TagSpecifications"] = [
            {"ResourceType": "image", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    image_id = ec2.register_image(
        Name=unique("bin-test"),
        Architecture="x86_64",
        VirtualizationType="hvm",
        RootDeviceName="/dev/xvda",
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": snapshot}}],
        **extra,
    )["ImageId"]
    return image_id, snapshot


def in_bin(ec2: Any, image_id: str) -> list[dict]:
    return ec2.list_images_in_recycle_bin(ImageIds=[image_id])["Images"]


def listed(ec2: Any, image_id: str) -> bool:
    images = ec2.describe_images(
        Owners=["self"], Filters=[{"Name": "image-id", "Values": [image_id]}]
    )
    return bool(images["Images"])


def test_without_a_rule_deregistering_is_permanent(clients):
    ec2, _ = clients
    image_id, _ = register(ec2)
    ec2.deregister_image(ImageId=image_id)
    assert in_bin(ec2, image_id) == []
    with pytest.raises(ClientError) as info:
        ec2.restore_image_from_recycle_bin(ImageId=image_id)
    assert error_code(info) == "InvalidAMIID.NotFound"


def test_a_region_rule_keeps_the_image_and_restore_brings_it_back(clients, rules):
    ec2, _ = clients
    rules(7, Description="a week")
    image_id, snapshot = register(ec2, {"Team": "web"})
    ec2.deregister_image(ImageId=image_id)
    assert not listed(ec2, image_id)
    (entry,) = in_bin(ec2, image_id)
    assert entry["ImageId"] == image_id and entry["Name"].startswith("bin-test")
    assert entry["RecycleBinExitTime"] - entry["RecycleBinEnterTime"] == timedelta(days=7)
    # a snapshot of an image in the bin is still in use
    with pytest.raises(ClientError) as info:
        ec2.delete_snapshot(SnapshotId=snapshot)
    assert error_code(info) == "InvalidSnapshot.InUse"
    assert ec2.restore_image_from_recycle_bin(ImageId=image_id)["Return"] is True
    restored = ec2.describe_images(ImageIds=[image_id])["Images"][0]
    assert restored["State"] == "available"
    assert {"Key": "Team", "Value": "web"} in restored["Tags"]
    assert in_bin(ec2, image_id) == []
    assert listed(ec2, image_id)


def test_the_longest_rule_wins_and_tags_and_exclusions_count(clients, rules):
    ec2, _ = clients
    rules(3, ExcludeResourceTags=[{"ResourceTagKey": "Scratch", "ResourceTagValue": "yes"}])
    rules(30, ResourceTags=[{"ResourceTagKey": "Keep", "ResourceTagValue": "long"}])
    plain, _ = register(ec2)
    kept, _ = register(ec2, {"Keep": "long"})
    scratch, _ = register(ec2, {"Scratch": "yes"})
    for image_id in (plain, kept, scratch):
        ec2.deregister_image(ImageId=image_id)
    days = {
        i: (e["RecycleBinExitTime"] - e["RecycleBinEnterTime"]).days
        for i in (plain, kept)
        for e in in_bin(ec2, i)
    }
    assert days == {plain: 3, kept: 30}
    assert in_bin(ec2, scratch) == []  # excluded by the region rule, no tag rule


def test_delete_associated_snapshots_deletes_them_even_when_the_image_is_kept(clients, rules):
    ec2, _ = clients
    rules(7)
    image_id, snapshot = register(ec2)
    answer = ec2.deregister_image(ImageId=image_id, DeleteAssociatedSnapshots=True)
    assert answer["DeleteSnapshotResults"] == [{"SnapshotId": snapshot, "ReturnCode": "success"}]
    assert in_bin(ec2, image_id)
    with pytest.raises(ClientError) as info:
        ec2.describe_snapshots(SnapshotIds=[snapshot])
    assert error_code(info) == "InvalidSnapshot.NotFound"


def test_restore_refuses_a_name_taken_meanwhile(clients, rules):
    ec2, _ = clients
    rules(7)
    image_id, _ = register(ec2)
    name = ec2.describe_images(ImageIds=[image_id])["Images"][0]["Name"]
    ec2.deregister_image(ImageId=image_id)
    volume = ec2.create_volume(Size=8, AvailabilityZone=f"{REGION}a")["VolumeId"]
    other = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    taker = ec2.register_image(
        Name=name,
        RootDeviceName="/dev/xvda",
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": other}}],
    )["ImageId"]
    with pytest.raises(ClientError) as info:
        ec2.restore_image_from_recycle_bin(ImageId=image_id)
    assert error_code(info) == "InvalidAMIName.Duplicate"
    ec2.deregister_image(ImageId=taker)
    ec2.restore_image_from_recycle_bin(ImageId=image_id)


def test_an_expired_entry_is_gone_for_good(sandbox, clients, rules):
    ec2, _ = clients
    rules(1)
    image_id, _ = register(ec2)
    ec2.deregister_image(ImageId=image_id)
    book = sandbox.state.book("123456789012", REGION)
    book.recycle_bin[image_id].exits = 0.0  # one day later
    assert in_bin(ec2, image_id) == []
    with pytest.raises(ClientError) as info:
        ec2.restore_image_from_recycle_bin(ImageId=image_id)
    assert error_code(info) == "InvalidAMIID.NotFound"


def test_delete_snapshot_of_a_registered_image_is_in_use(clients):
    ec2, _ = clients
    image_id, snapshot = register(ec2)
    with pytest.raises(ClientError) as info:
        ec2.delete_snapshot(SnapshotId=snapshot)
    assert error_code(info) == "InvalidSnapshot.InUse"
    assert image_id in info.value.response["Error"]["Message"]
    ec2.deregister_image(ImageId=image_id)
    ec2.delete_snapshot(SnapshotId=snapshot)


def test_bin_listing_pages(clients, rules):
    ec2, _ = clients
    rules(7)
    made = [register(ec2)[0] for _ in range(3)]
    for image_id in made:
        ec2.deregister_image(ImageId=image_id)
    seen: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 1}
    while True:
        page = ec2.list_images_in_recycle_bin(**kwargs)
        assert len(page["Images"]) <= 1
        seen.extend(i["ImageId"] for i in page["Images"])
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    assert set(made) <= set(seen) and len(seen) == len(set(seen))
