"""ExportImage, DescribeExportImageTasks, CancelExportTask over HTTP."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import boto3
import pytest
from botocore.exceptions import ClientError

from amitui.sandbox.catalogue import buckets_for
from tests.support.sandbox_time import walk

from .ec2_helpers import error_code, pending_for
from .polling import collapse

BUCKET = "amitui-exports"
_prefixes = itertools.count()


def exportable(client) -> str:
    unencrypted = [
        {"Name": "state", "Values": ["available"]},
        {"Name": "block-device-mapping.encrypted", "Values": ["false"]},
    ]
    images = client.describe_images(Owners=["self"], Filters=unencrypted, MaxResults=5)["Images"]
    return images[0]["ImageId"]


def start_export(client, prefix: str = "exports/", **extra) -> dict:
    return client.export_image(
        ImageId=extra.pop("ImageId", None) or exportable(client),
        DiskImageFormat=extra.pop("DiskImageFormat", "VMDK"),
        S3ExportLocation={
            "S3Bucket": extra.pop("Bucket", None) or buckets_for(client.meta.region_name)[0],
            "S3Prefix": prefix,
        },
        **extra,
    )


@dataclass
class Runs:
    """Three exports started together and followed side by side to their end."""

    prefix: str
    started: dict  # ExportImage's answer for the plain one
    histories: dict[str, list[dict]]  # label -> every DescribeExportImageTasks view


@pytest.fixture(scope="module")
def runs(sandbox) -> Runs:
    """A plain export, one with the failure marker in its prefix, and one cancelled at once,
    each looked at every 2% of its way (tests/support/sandbox_time.py: no wait)."""
    client = boto3.client("ec2", region_name="us-east-1", endpoint_url=sandbox.url)
    prefix = f"exports/run-{next(_prefixes)}/"
    image_id = exportable(client)
    with pending_for(sandbox, 60.0):
        plain = start_export(
            client, prefix, ImageId=image_id, Description="nightly export", RoleName="vmimport"
        )
        failing = start_export(client, f"sandbox-fail/run-{next(_prefixes)}/", ImageId=image_id)
        cancelled = start_export(client, f"cancel/run-{next(_prefixes)}/", ImageId=image_id)
    client.cancel_export_task(ExportTaskId=cancelled["ExportImageTaskId"])
    ids = {
        "plain": plain["ExportImageTaskId"],
        "failing": failing["ExportImageTaskId"],
        "cancelled": cancelled["ExportImageTaskId"],
    }

    def read() -> dict[str, dict]:
        answer = client.describe_export_image_tasks(ExportImageTaskIds=list(ids.values()))
        by_id = {t["ExportImageTaskId"]: t for t in answer["ExportImageTasks"]}
        return {label: by_id[task_id] for label, task_id in ids.items()}

    history = walk(sandbox, ids.values(), read)
    assert all(t["Status"] in ("completed", "deleted") for t in history[-1].values())
    # Each history starts with ExportImage's own answer: the first moment of the task.
    answers = {"plain": plain, "failing": failing, "cancelled": cancelled}
    histories = {label: [answers[label], *(moment[label] for moment in history)] for label in ids}
    return Runs(prefix=prefix, started=plain, histories=histories)


def test_an_export_answers_active_at_once(runs):
    started = runs.started
    assert started["ExportImageTaskId"].startswith("export-ami-")
    assert started["Status"] == "active"
    assert started["DiskImageFormat"] == "vmdk"  # asked as VMDK; AWS echoes it lower-case
    assert started["S3ExportLocation"] == {
        "S3Bucket": BUCKET,
        "S3Prefix": runs.prefix,
    }


def test_an_export_goes_active_through_its_steps_to_completed(runs: Runs, sandbox):
    history = runs.histories["plain"]
    assert collapse([t["Status"] for t in history]) == ["active", "completed"]
    steps = collapse([t["StatusMessage"] for t in history if t["Status"] == "active"])
    assert steps == ["validating", "validated", "converting", "updating"]
    progress = [int(t["Progress"]) for t in history if t["Status"] == "active"]
    assert progress == sorted(progress) and progress[-1] > progress[0]
    done = history[-1]
    assert "Progress" not in done and "StatusMessage" not in done
    assert done["Description"] == "nightly export"
    prefix = runs.prefix
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=sandbox.url)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]]
    assert keys == [f"{prefix}{done['ExportImageTaskId']}.vmdk"]


def test_an_export_with_fail_in_its_prefix_ends_deleted_with_a_client_error(runs):
    history = runs.histories["failing"]
    assert collapse([t["Status"] for t in history]) == ["active", "deleted"]
    assert history[-1]["StatusMessage"].startswith("ClientError: ")


def test_a_cancelled_export_is_deleting_then_deleted(runs, ec2):
    history = runs.histories["cancelled"]
    assert collapse([t["Status"] for t in history]) == ["active", "deleting", "deleted"]
    assert "ClientError" not in history[-1].get("StatusMessage", "")
    with pytest.raises(ClientError) as info:
        ec2().cancel_export_task(ExportTaskId=history[-1]["ExportImageTaskId"])
    assert error_code(info) == "IncorrectState"


def test_export_errors(ec2):
    client = ec2()
    cases = [
        ({"ImageId": "ami-0123456789abcdef0"}, "InvalidAMIID.NotFound"),
        ({"ImageId": "image-1"}, "InvalidAMIID.Malformed"),
        ({"Bucket": "no-such-bucket-here"}, "InvalidParameter"),
        ({"DiskImageFormat": "QCOW2"}, "InvalidParameterValue"),
    ]
    for extra, code in cases:
        with pytest.raises(ClientError) as info:
            start_export(client, **extra)
        assert error_code(info) == code, extra


def test_exporting_a_pending_image_is_incorrect_state(ec2):
    client = ec2()
    pending = client.copy_image(
        Name=f"export-pending-{next(_prefixes)}",
        SourceImageId=exportable(client),
        SourceRegion="us-east-1",
    )["ImageId"]
    with pytest.raises(ClientError) as info:
        start_export(client, ImageId=pending)
    assert error_code(info) == "IncorrectState"


def test_unknown_and_malformed_task_ids(ec2):
    client = ec2()
    for call in (
        lambda i: client.describe_export_image_tasks(ExportImageTaskIds=[i]),
        lambda i: client.cancel_export_task(ExportTaskId=i),
    ):
        with pytest.raises(ClientError) as info:
            call("export-ami-0123456789abcdef0")
        assert error_code(info) == "InvalidExportTaskID.NotFound"
        with pytest.raises(ClientError) as info:
            call("task-1")
        assert error_code(info) == "InvalidExportTaskID.Malformed"


def test_dry_run(ec2):
    client = ec2()
    before = client.describe_export_image_tasks()["ExportImageTasks"]
    for call in (
        lambda: start_export(client, DryRun=True),
        lambda: client.describe_export_image_tasks(DryRun=True),
    ):
        with pytest.raises(ClientError) as info:
            call()
        assert error_code(info) == "DryRunOperation"
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert len(client.describe_export_image_tasks()["ExportImageTasks"]) == len(before)


def test_describe_pages_and_filters_by_task_state(ec2):
    client = ec2("eu-west-1")
    made = [start_export(client, f"paged-{i}/")["ExportImageTaskId"] for i in range(3)]
    client.cancel_export_task(ExportTaskId=made[0])
    pages, token = [], None
    while True:
        extra = {"NextToken": token} if token else {}
        answer = client.describe_export_image_tasks(MaxResults=1, **extra)
        pages.append([t["ExportImageTaskId"] for t in answer["ExportImageTasks"]])
        token = answer.get("NextToken")
        if not token:
            break
    seen = [task_id for page in pages for task_id in page]
    assert all(len(page) == 1 for page in pages)
    assert len(seen) == len(set(seen)) and set(made) <= set(seen)
    by_ids = client.describe_export_image_tasks(ExportImageTaskIds=made[1:], MaxResults=1)
    assert len(by_ids["ExportImageTasks"]) == 1 and by_ids["NextToken"]
    active = client.describe_export_image_tasks(
        Filters=[{"Name": "task-state", "Values": ["active"]}]
    )["ExportImageTasks"]
    active_ids = {t["ExportImageTaskId"] for t in active}
    assert made[0] not in active_ids and set(made[1:]) <= active_ids
    for bad in (501, 1000):  # botocore itself refuses < 1
        with pytest.raises(ClientError) as info:
            client.describe_export_image_tasks(MaxResults=bad)
        assert error_code(info) == "InvalidParameterValue"
    with pytest.raises(ClientError) as info:
        client.describe_export_image_tasks(MaxResults=1, NextToken="bogus")
    assert error_code(info) == "InvalidParameterValue"


def test_client_token_makes_export_idempotent(ec2):
    client = ec2()
    image_id = exportable(client)
    first = start_export(client, "idem/", ImageId=image_id, ClientToken="export-token-1")
    again = start_export(client, "idem/", ImageId=image_id, ClientToken="export-token-1")
    assert first["ExportImageTaskId"] == again["ExportImageTaskId"]
