"""ImportImage, DescribeImportImageTasks, CancelImportTask over HTTP."""

from __future__ import annotations

from dataclasses import dataclass

import boto3
import pytest
from botocore.exceptions import ClientError

from amitui.sandbox.catalogue import buckets_for
from tests.support.sandbox_time import walk

from .ec2_helpers import error_code, pending_for
from .polling import collapse

BUCKET = "amitui-imports"


def disk(
    key: str = "vms/web-frontend-2025.03.1.vmdk",
    fmt: str = "VMDK",
    region: str = "us-east-1",
    **extra,
) -> dict:
    """A disk container for a seeded disk file in ``region``'s import bucket."""
    bucket = buckets_for(region)[1]
    return {"Format": fmt, "UserBucket": {"S3Bucket": bucket, "S3Key": key}, **extra}


@dataclass
class Runs:
    """Three imports started together and followed side by side to their end."""

    started: dict  # ImportImage's answer for the plain one
    cancel_answer: dict  # CancelImportTask's answer for the cancelled one
    histories: dict[str, list[dict]]


@pytest.fixture(scope="module")
def runs(sandbox) -> Runs:
    """A plain import, one with the failure marker in its key, and one cancelled at once,
    each looked at every 2% of its way (tests/support/sandbox_time.py: no wait)."""
    client = boto3.client("ec2", region_name="us-east-1", endpoint_url=sandbox.url)
    with pending_for(sandbox, 60.0):
        plain, failing, cancelled = start_three(client)
    cancel_answer = client.cancel_import_task(
        ImportTaskId=cancelled["ImportTaskId"], CancelReason="wrong disk"
    )
    ids = {
        "plain": plain["ImportTaskId"],
        "failing": failing["ImportTaskId"],
        "cancelled": cancelled["ImportTaskId"],
    }

    def read() -> dict[str, dict]:
        answer = client.describe_import_image_tasks(ImportTaskIds=list(ids.values()))
        by_id = {t["ImportTaskId"]: t for t in answer["ImportImageTasks"]}
        return {label: by_id[task_id] for label, task_id in ids.items()}

    history = walk(sandbox, ids.values(), read)
    assert all(t["Status"] in ("completed", "deleted") for t in history[-1].values())
    # Each history starts with ImportImage's own answer: the first moment of the task.
    answers = {"plain": plain, "failing": failing, "cancelled": cancelled}
    histories = {label: [answers[label], *(moment[label] for moment in history)] for label in ids}
    return Runs(started=plain, cancel_answer=cancel_answer, histories=histories)


def start_three(client) -> tuple[dict, dict, dict]:
    """The plain, failing and cancelled imports of :func:`runs`."""
    plain = client.import_image(
        Description="web frontend from vSphere",
        Architecture="x86_64",
        Platform="Linux",
        BootMode="uefi",
        DiskContainers=[
            disk(Description="root disk"),
            {"Format": "vmdk", "Url": f"s3://{BUCKET}/vms/appliance-raw.raw"},
        ],
        TagSpecifications=[
            {"ResourceType": "import-image-task", "Tags": [{"Key": "Team", "Value": "web"}]}
        ],
    )
    failing = client.import_image(DiskContainers=[disk("vms/sandbox-fail-corrupt.vmdk")])
    cancelled = client.import_image(DiskContainers=[disk("vms/legacy-centos7.ova", "OVA")])
    return plain, failing, cancelled


def test_an_import_answers_active_at_once(runs: Runs):
    started = runs.started
    assert started["ImportTaskId"].startswith("import-ami-")
    assert started["Status"] == "active"
    assert started["StatusMessage"] == "pending"
    assert "ImageId" not in started
    assert [d["Format"] for d in started["SnapshotDetails"]] == ["vmdk", "vmdk"]


def test_an_import_goes_through_its_steps_to_completed_with_a_real_image(runs: Runs, sandbox):
    history = runs.histories["plain"]
    assert collapse([t["Status"] for t in history]) == ["active", "completed"]
    steps = collapse([t["StatusMessage"] for t in history if t["Status"] == "active"])
    assert steps == [
        "pending",
        "validating",
        "validated",
        "converting",
        "updating",
        "booting",
        "booted",
        "preparing ami",
    ]
    assert all("ImageId" not in t for t in history if t["Status"] == "active")
    done = history[-1]
    assert done["Tags"] == [{"Key": "Team", "Value": "web"}]
    assert done["LicenseType"] == "BYOL" and done["BootMode"] == "uefi"
    client = boto3.client("ec2", region_name="us-east-1", endpoint_url=sandbox.url)
    image = client.describe_images(ImageIds=[done["ImageId"]])["Images"][0]
    assert image["Name"] == done["ImportTaskId"]
    assert image["State"] == "available"
    assert image["Description"] == "web frontend from vSphere"
    assert image["BootMode"] == "uefi"
    details = done["SnapshotDetails"]
    assert [d["Status"] for d in details] == ["completed", "completed"]
    assert [d["DeviceName"] for d in details] == ["/dev/sda1", "/dev/sdb"]
    snapshot_ids = [d["SnapshotId"] for d in details]
    image_snapshots = [m["Ebs"]["SnapshotId"] for m in image["BlockDeviceMappings"]]
    assert snapshot_ids == image_snapshots
    assert len(client.describe_snapshots(SnapshotIds=snapshot_ids)["Snapshots"]) == 2


def test_an_import_with_fail_in_its_key_ends_deleted_with_a_client_error(runs: Runs):
    history = runs.histories["failing"]
    assert collapse([t["Status"] for t in history]) == ["active", "deleted"]
    assert history[-1]["StatusMessage"].startswith("ClientError: ")
    assert "ImageId" not in history[-1]


def test_a_cancelled_import_is_deleting_then_deleted(runs: Runs, ec2):
    assert runs.cancel_answer["PreviousState"] == "active"
    assert runs.cancel_answer["State"] == "deleting"
    history = runs.histories["cancelled"]
    assert collapse([t["Status"] for t in history]) == ["active", "deleting", "deleted"]
    assert "wrong disk" in history[-1]["StatusMessage"]
    assert not history[-1]["StatusMessage"].startswith("ClientError")
    with pytest.raises(ClientError) as info:
        ec2().cancel_import_task(ImportTaskId=history[-1]["ImportTaskId"])
    assert error_code(info) == "IncorrectState"


def test_import_errors(ec2):
    client = ec2()
    cases = [
        (
            [{"Format": "VMDK", "UserBucket": {"S3Bucket": "no-such-bucket", "S3Key": "a.vmdk"}}],
            "InvalidParameter",
        ),
        ([{"Format": "VMDK", "Url": "s3://no-such-bucket/a.vmdk"}], "InvalidParameter"),
        ([disk(fmt="QCOW2")], "InvalidParameterValue"),
        ([{"Format": "VMDK"}], "InvalidParameter"),
        ([], "MissingParameter"),
    ]
    for containers, code in cases:
        with pytest.raises(ClientError) as info:
            client.import_image(DiskContainers=containers)
        assert error_code(info) == code, containers
    with pytest.raises(ClientError) as info:
        client.import_image(DiskContainers=[disk()], Platform="BeOS")
    assert error_code(info) == "InvalidParameterValue"


def test_unknown_and_malformed_task_ids(ec2):
    client = ec2()
    for call in (
        lambda i: client.describe_import_image_tasks(ImportTaskIds=[i]),
        lambda i: client.cancel_import_task(ImportTaskId=i),
    ):
        with pytest.raises(ClientError) as info:
            call("import-ami-0123456789abcdef0")
        assert error_code(info) == "InvalidConversionTaskId"
        with pytest.raises(ClientError) as info:
            call("import-1")
        assert error_code(info) == "InvalidConversionTaskId.Malformed"


def test_dry_run(ec2):
    client = ec2("eu-west-1")
    here = disk(region="eu-west-1")
    started = client.import_image(DiskContainers=[here])["ImportTaskId"]
    before = client.describe_import_image_tasks()["ImportImageTasks"]
    for call in (
        lambda: client.import_image(DiskContainers=[here], DryRun=True),
        lambda: client.describe_import_image_tasks(DryRun=True),
        lambda: client.cancel_import_task(ImportTaskId=started, DryRun=True),
    ):
        with pytest.raises(ClientError) as info:
            call()
        assert error_code(info) == "DryRunOperation"
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    after = client.describe_import_image_tasks()["ImportImageTasks"]
    assert len(after) == len(before)
    assert {t["Status"] for t in after if t["ImportTaskId"] == started} == {"active"}


def test_describe_pages_and_filters_by_task_state(ec2):
    client = ec2("ap-southeast-2")
    here = disk(region="ap-southeast-2")
    made = [client.import_image(DiskContainers=[here])["ImportTaskId"] for _ in range(3)]
    client.cancel_import_task(ImportTaskId=made[0])
    seen, token = [], None
    while True:
        extra = {"NextToken": token} if token else {}
        answer = client.describe_import_image_tasks(MaxResults=2, **extra)
        assert len(answer["ImportImageTasks"]) <= 2
        seen += [t["ImportTaskId"] for t in answer["ImportImageTasks"]]
        token = answer.get("NextToken")
        if not token:
            break
    assert len(seen) == len(set(seen)) and set(made) <= set(seen)
    deleting = client.describe_import_image_tasks(
        Filters=[{"Name": "task-state", "Values": ["deleting", "deleted"]}]
    )["ImportImageTasks"]
    assert made[0] in {t["ImportTaskId"] for t in deleting}
    assert not set(made[1:]) & {t["ImportTaskId"] for t in deleting}
    with pytest.raises(ClientError) as info:
        client.describe_import_image_tasks(Filters=[{"Name": "image-id", "Values": ["x"]}])
    assert error_code(info) == "InvalidParameterValue"


def test_client_token_makes_import_idempotent(ec2):
    client = ec2()
    first = client.import_image(DiskContainers=[disk()], ClientToken="import-token-1")
    again = client.import_image(DiskContainers=[disk()], ClientToken="import-token-1")
    assert first["ImportTaskId"] == again["ImportTaskId"]
    with pytest.raises(ClientError) as info:
        client.import_image(DiskContainers=[disk(fmt="OVA")], ClientToken="import-token-1")
    assert error_code(info) == "IdempotentParameterMismatch"
