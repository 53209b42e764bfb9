"""CreateImage, RegisterImage, DeregisterImage over HTTP, and DryRun on all four."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError

from tests.support.sandbox_time import finish_now

from .ec2_helpers import (
    Started,
    error_code,
    image,
    own_available,
    pending_for,
    running_instance,
    seeded_snapshot,
    started,
    unique,
)


# -- CreateImage -----------------------------------------------------------------------
@dataclass
class Made:
    """Three images started together so that their pending seconds overlap."""

    instance: dict  # payments-api-1 in ap-southeast-2
    volumes: list[dict]  # its volumes
    created: Started  # CreateImage from it
    created_failing: Started  # CreateImage from web-1 (us-east-1) named sandbox-fail-...
    snapshot: dict  # the seeded snapshot registered from
    registered: Started  # RegisterImage from that snapshot, arm64/hvm/uefi


@pytest.fixture(scope="module")
def made(ec2, sandbox) -> Iterator[Made]:
    """Everything is made with a long pending time, and each image's state is read right
    after its call, so that a busy machine still sees each image pending then; then the
    sandbox ends them at once (``finish_now``): nothing waits for their pending time."""
    with pending_for(sandbox, 600.0):
        made = _make(ec2)
        finish_now(sandbox)
        yield made


def _make(ec2) -> Made:
    client, us = ec2("ap-southeast-2"), ec2("us-east-1")
    instance = running_instance(client, "payments-api-1")
    volume_ids = [m["Ebs"]["VolumeId"] for m in instance["BlockDeviceMappings"]]
    volumes = client.describe_volumes(VolumeIds=volume_ids)["Volumes"]
    created = client.create_image(
        InstanceId=instance["InstanceId"],
        Name=unique("payments-api-snapshot"),
        Description="from payments-api-1",
        NoReboot=True,
        TagSpecifications=[
            {"ResourceType": "image", "Tags": [{"Key": "Team", "Value": "payments"}]},
            {"ResourceType": "snapshot", "Tags": [{"Key": "Backup", "Value": "yes"}]},
        ],
    )
    created_at_once = started(client, created)  # each state read right after its call
    web = running_instance(us, "web-1")
    failing = started(
        us, us.create_image(InstanceId=web["InstanceId"], Name=unique("sandbox-fail-web"))
    )
    snapshot = seeded_snapshot(us)
    registered = us.register_image(
        Name=unique("registered-arm"),
        Description="registered from a snapshot",
        Architecture="arm64",
        VirtualizationType="hvm",
        BootMode="uefi",
        RootDeviceName="/dev/xvda",
        EnaSupport=True,
        BlockDeviceMappings=[
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "SnapshotId": snapshot["SnapshotId"],
                    "VolumeSize": 12,
                    "VolumeType": "gp3",
                    "DeleteOnTermination": True,
                },
            },
            {
                "DeviceName": "/dev/sdf",
                "Ebs": {"VolumeSize": 100, "VolumeType": "io1", "Iops": 4000},
            },
            {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
        ],
    )
    return Made(
        instance=instance,
        volumes=volumes,
        created=created_at_once,
        created_failing=failing,
        snapshot=snapshot,
        registered=started(us, registered),
    )


def test_create_image_from_a_running_instance(made: Made):
    assert made.created.states() == ["pending", "available"]
    client = made.created.client
    result = image(client, made.created.image_id)
    assert result["SourceInstanceId"] == made.instance["InstanceId"]
    assert result["Architecture"] == made.instance["Architecture"]
    assert sorted(m["Ebs"]["VolumeSize"] for m in result["BlockDeviceMappings"]) == sorted(
        v["Size"] for v in made.volumes
    )
    assert {"Key": "Team", "Value": "payments"} in result["Tags"]
    snapshot_ids = [m["Ebs"]["SnapshotId"] for m in result["BlockDeviceMappings"]]
    snapshots = client.describe_snapshots(SnapshotIds=snapshot_ids)["Snapshots"]
    assert all({"Key": "Backup", "Value": "yes"} in s["Tags"] for s in snapshots)


def test_create_image_named_fail_fails(made: Made):
    assert made.created_failing.states() == ["pending", "failed"]


def test_create_image_from_unknown_or_malformed_instances(ec2):
    client = ec2()
    with pytest.raises(ClientError) as info:
        client.create_image(InstanceId="i-0123456789abcdef0", Name=unique("nope"))
    assert error_code(info) == "InvalidInstanceID.NotFound"
    with pytest.raises(ClientError) as info:
        client.create_image(InstanceId="instance-1", Name=unique("nope"))
    assert error_code(info) == "InvalidInstanceID.Malformed"


# -- RegisterImage ---------------------------------------------------------------------
def test_register_keeps_what_it_was_given(made: Made):
    assert made.registered.states() == ["pending", "available"]
    result = image(made.registered.client, made.registered.image_id)
    assert (result["Architecture"], result["VirtualizationType"], result["BootMode"]) == (
        "arm64",
        "hvm",
        "uefi",
    )
    assert result["RootDeviceName"] == "/dev/xvda"
    assert result["RootDeviceType"] == "ebs"
    by_device = {m["DeviceName"]: m for m in result["BlockDeviceMappings"]}
    root = by_device["/dev/xvda"]["Ebs"]
    assert (root["SnapshotId"], root["VolumeSize"], root["VolumeType"]) == (
        made.snapshot["SnapshotId"],
        12,
        "gp3",
    )
    data = by_device["/dev/sdf"]["Ebs"]
    assert (data["VolumeSize"], data["VolumeType"], data["Iops"]) == (100, "io1", 4000)
    assert by_device["/dev/sdb"]["VirtualName"] == "ephemeral0"


def test_register_defaults_are_aws_defaults(ec2):
    client = ec2()
    snapshot = seeded_snapshot(client)
    image_id = client.register_image(
        Name=unique("registered-defaults"),
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[
            {"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": snapshot["SnapshotId"]}}
        ],
    )["ImageId"]
    made = image(client, image_id)
    assert (made["Architecture"], made["VirtualizationType"]) == ("i386", "paravirtual")
    assert made["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"] == snapshot["VolumeSize"]


def test_register_errors(ec2):
    client = ec2()
    with pytest.raises(ClientError) as info:
        client.register_image(Name=unique("nothing-to-boot"))
    assert error_code(info) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as info:
        client.register_image(
            Name=unique("missing-snapshot"),
            RootDeviceName="/dev/sda1",
            BlockDeviceMappings=[
                {"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": "snap-0123456789abcdef0"}}
            ],
        )
    assert error_code(info) == "InvalidSnapshot.NotFound"
    with pytest.raises(ClientError) as info:
        client.register_image(
            Name=unique("bad-arch"), Architecture="sparc", ImageLocation="bucket/manifest.xml"
        )
    assert error_code(info) == "InvalidParameterValue"


# -- DeregisterImage -------------------------------------------------------------------
def fresh_copy(client) -> dict:
    """A new (still pending) copy: AWS lets a pending image be deregistered too."""
    copy_id = client.copy_image(
        Name=unique("to-deregister"),
        SourceImageId=own_available(client)["ImageId"],
        SourceRegion="us-east-1",
    )["ImageId"]
    return image(client, copy_id)


def test_deregister_with_delete_associated_snapshots(ec2):
    client = ec2()
    made = fresh_copy(client)
    snapshot_ids = [m["Ebs"]["SnapshotId"] for m in made["BlockDeviceMappings"] if "Ebs" in m]
    answer = client.deregister_image(ImageId=made["ImageId"], DeleteAssociatedSnapshots=True)
    assert answer["Return"] is True
    assert sorted(r["SnapshotId"] for r in answer["DeleteSnapshotResults"]) == sorted(snapshot_ids)
    assert {r["ReturnCode"] for r in answer["DeleteSnapshotResults"]} == {"success"}
    for snapshot_id in snapshot_ids:
        with pytest.raises(ClientError) as info:
            client.describe_snapshots(SnapshotIds=[snapshot_id])
        assert error_code(info) == "InvalidSnapshot.NotFound"
    gone = client.describe_images(ImageIds=[made["ImageId"]])["Images"]
    assert [image["State"] for image in gone] in (["deregistered"], [])


def test_deregister_keeps_snapshots_by_default(ec2):
    client = ec2()
    made = fresh_copy(client)
    snapshot_ids = [m["Ebs"]["SnapshotId"] for m in made["BlockDeviceMappings"] if "Ebs" in m]
    answer = client.deregister_image(ImageId=made["ImageId"])
    assert "DeleteSnapshotResults" not in answer
    assert len(client.describe_snapshots(SnapshotIds=snapshot_ids)["Snapshots"]) == len(
        snapshot_ids
    )


def test_deregister_errors(ec2):
    client = ec2()
    amazon = client.describe_images(Owners=["amazon"], MaxResults=5)["Images"][0]
    for image_id, code in [
        (amazon["ImageId"], "AuthFailure"),
        ("ami-0123456789abcdef0", "InvalidAMIID.NotFound"),
        ("image-1", "InvalidAMIID.Malformed"),
    ]:
        with pytest.raises(ClientError) as info:
            client.deregister_image(ImageId=image_id)
        assert error_code(info) == code


# -- DryRun ----------------------------------------------------------------------------
def test_dry_run_on_every_image_action(ec2):
    client = ec2()
    source = own_available(client)
    instance = running_instance(client, "web-1")
    snapshot = seeded_snapshot(client)
    calls = [
        lambda: client.copy_image(
            Name=unique("dry"),
            SourceImageId=source["ImageId"],
            SourceRegion="us-east-1",
            DryRun=True,
        ),
        lambda: client.create_image(
            InstanceId=instance["InstanceId"], Name=unique("dry"), DryRun=True
        ),
        lambda: client.register_image(
            Name=unique("dry"),
            RootDeviceName="/dev/sda1",
            BlockDeviceMappings=[
                {"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": snapshot["SnapshotId"]}}
            ],
            DryRun=True,
        ),
        lambda: client.deregister_image(ImageId=source["ImageId"], DryRun=True),
        lambda: client.describe_images(Owners=["self"], MaxResults=5, DryRun=True),
    ]
    dry_names = [{"Name": "name", "Values": ["dry-*"]}]
    for call in calls:
        with pytest.raises(ClientError) as info:
            call()
        assert error_code(info) == "DryRunOperation"
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert client.describe_images(Owners=["self"], Filters=dry_names)["Images"] == []
    assert image(client, source["ImageId"])["State"] == "available"  # not deregistered


def test_create_image_block_device_mappings_change_or_drop_instance_volumes(ec2):
    client = ec2("eu-west-1")
    instance = running_instance(client, "payments-api-1")
    devices = [m["DeviceName"] for m in instance["BlockDeviceMappings"]]
    root, data = instance["RootDeviceName"], [d for d in devices if d != instance["RootDeviceName"]]
    assert data, "payments-api images carry data volumes"
    root_volume = client.describe_volumes(
        VolumeIds=[
            m["Ebs"]["VolumeId"] for m in instance["BlockDeviceMappings"] if m["DeviceName"] == root
        ]
    )["Volumes"][0]
    image_id = client.create_image(
        InstanceId=instance["InstanceId"],
        Name=unique("payments-root-only"),
        BlockDeviceMappings=[
            {"DeviceName": root, "Ebs": {"VolumeSize": 64}},
            *({"DeviceName": device, "NoDevice": ""} for device in data),
        ],
    )["ImageId"]
    (mapping,) = image(client, image_id)["BlockDeviceMappings"]
    assert mapping["DeviceName"] == root
    assert mapping["Ebs"]["VolumeSize"] == 64
    assert mapping["Ebs"]["VolumeType"] == root_volume["VolumeType"]
