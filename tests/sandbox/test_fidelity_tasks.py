"""Fidelity, ImportImage and ExportImage: issue 13 points 2, 5 and 7, and AWS-like progress."""

from __future__ import annotations

import itertools

import pytest

from amitui.sandbox.catalogue import buckets_for
from amitui.sandbox.lifecycle import EXPORT_STEPS, IMPORT_STEPS
from tests.support.sandbox_time import walk

from .ec2_helpers import pending_for
from .fidelity import Raw, ok, refused
from .polling import collapse

KEY = "vms/legacy-centos7.ova"


def user_bucket(bucket: str, key: str = KEY, fmt: str = "ova") -> dict:
    return {"Format": fmt, "UserBucket": {"S3Bucket": bucket, "S3Key": key}}


def exportable(client, encrypted: str = "false") -> str:
    query = [
        {"Name": "state", "Values": ["available"]},
        {"Name": "block-device-mapping.encrypted", "Values": [encrypted]},
    ]
    return client.describe_images(Owners=["self"], Filters=query)["Images"][0]["ImageId"]


# 2. ImportImage refuses a disk file that is not there, and a bucket of another region ---


def test_2_import_refuses_an_s3_object_that_does_not_exist(sandbox):
    answer = Raw(sandbox.url).call(
        "ImportImage", DiskContainers=[user_bucket("amitui-imports", "vms/no-such-disk.vmdk")]
    )
    assert "does not exist" in refused(answer, "InvalidParameter")


def test_2_import_refuses_a_bucket_in_another_region(sandbox):
    eu_bucket = buckets_for("eu-west-1")[1]
    answer = Raw(sandbox.url, "us-east-1").call(
        "ImportImage", DiskContainers=[user_bucket(eu_bucket)]
    )
    message = refused(answer, "InvalidParameter")
    assert message.startswith("The given S3 object is not local to the region")
    url = {"Format": "ova", "Url": f"s3://{eu_bucket}/{KEY}"}
    refused(Raw(sandbox.url).call("ImportImage", DiskContainers=[url]), "InvalidParameter")


# 5. ExportImage refuses encrypted snapshots, another account's image, another region ---


def test_5_export_refuses_an_image_with_encrypted_snapshots(sandbox, ec2):
    image_id = exportable(ec2(), encrypted="true")
    answer = Raw(sandbox.url).call(
        "ExportImage",
        ImageId=image_id,
        DiskImageFormat="VMDK",
        S3ExportLocation={"S3Bucket": "amitui-exports"},
    )
    assert "encrypted" in refused(answer, "InvalidParameter")


def test_5_export_refuses_an_image_the_caller_does_not_own(sandbox, ec2):
    shared = ec2().describe_images(ExecutableUsers=["self"])["Images"][0]["ImageId"]
    answer = Raw(sandbox.url).call(
        "ExportImage",
        ImageId=shared,
        DiskImageFormat="VMDK",
        S3ExportLocation={"S3Bucket": "amitui-exports"},
    )
    assert "another account" in refused(answer, "InvalidParameter")


def test_5_export_refuses_a_bucket_in_another_region(sandbox, ec2):
    answer = Raw(sandbox.url, "eu-west-1").call(
        "ExportImage",
        ImageId=exportable(ec2("eu-west-1")),
        DiskImageFormat="VMDK",
        S3ExportLocation={"S3Bucket": "amitui-exports"},  # in us-east-1
    )
    assert "not local to the region" in refused(answer, "InvalidParameter")


# 7. Task records fill in as AWS's do; ExportImage echoes vmdk; progress is uneven -------


@pytest.fixture(scope="module")
def import_history(sandbox) -> list:
    """Every moment of one import: looked at every 2% of its way (tests/support/
    sandbox_time.py), so every step is seen however loaded the machine, with no wait."""
    raw = Raw(sandbox.url)
    with pending_for(sandbox, 60.0):
        started = raw.call("ImportImage", DiskContainers=[user_bucket("amitui-imports")])
    ok(started, "ImportImage")
    task_id = started.xml.findtext("{*}importTaskId")

    def read():
        answer = raw.call("DescribeImportImageTasks", ImportTaskIds=[task_id])
        ok(answer, "DescribeImportImageTasks")  # every moment fits botocore's shape
        return answer.xml.find("{*}importImageTaskSet/{*}item")

    history = [started.xml, *walk(sandbox, [task_id], read)]
    return [_flat(moment) for moment in history]


def _flat(task) -> dict:
    disk = task.find("{*}snapshotDetailSet/{*}item")
    return {
        "status": task.findtext("{*}status"),
        "message": task.findtext("{*}statusMessage"),
        "progress": task.findtext("{*}progress"),
        "architecture": task.findtext("{*}architecture"),
        "platform": task.findtext("{*}platform"),
        "license": task.findtext("{*}licenseType"),
        "format": disk.findtext("{*}format"),
        "size": float(disk.findtext("{*}diskImageSize") or 0),
        "disk_status": disk.findtext("{*}status"),
    }


def test_7_an_import_record_fills_in_as_the_work_goes(import_history):
    first, last = import_history[0], import_history[-1]
    assert first["format"] == "ova"  # as given, lower-case
    assert first["size"] == 0.0 and first["disk_status"] == "pending"
    assert first["architecture"] is first["platform"] is first["license"] is None
    assert last["status"] == "completed" and last["size"] > 0 and last["disk_status"] == "completed"
    assert last["architecture"] == "x86_64" and last["platform"] == "Linux" and last["license"]
    for moment in import_history:
        if moment["status"] != "active":
            continue
        step = [s.message for s in IMPORT_STEPS].index(moment["message"])
        validated = step >= [s.message for s in IMPORT_STEPS].index("validated")
        os_known = step >= [s.message for s in IMPORT_STEPS].index("updating")
        assert (moment["size"] > 0) == validated, moment
        assert (moment["disk_status"] == "active") == validated, moment
        assert (moment["architecture"] is not None) == os_known, moment


def test_7_import_status_messages_come_in_aws_order_with_uneven_progress(import_history):
    active = [m for m in import_history if m["status"] == "active"]
    messages = collapse([m["message"] for m in active])
    assert messages == [s.message for s in IMPORT_STEPS]
    progress = collapse([int(m["progress"]) for m in active])
    assert progress == sorted(progress) and progress[0] == 2 and progress[-1] < 100
    jumps = {b - a for a, b in itertools.pairwise(progress)}
    assert len(jumps) > 2  # uneven steps, not a straight line


def test_7_export_echoes_vmdk_lower_case_and_walks_its_steps(sandbox, ec2):
    raw = Raw(sandbox.url)
    with pending_for(sandbox, 60.0):
        started = raw.call(
            "ExportImage",
            ImageId=exportable(ec2()),
            DiskImageFormat="VMDK",
            S3ExportLocation={"S3Bucket": "amitui-exports", "S3Prefix": "fidelity/"},
        )
    ok(started, "ExportImage")
    assert started.xml.findtext("{*}diskImageFormat") == "vmdk"
    task_id = started.xml.findtext("{*}exportImageTaskId")

    def read():
        answer = raw.call("DescribeExportImageTasks", ExportImageTaskIds=[task_id])
        ok(answer, "DescribeExportImageTasks")
        return answer.xml.find("{*}exportImageTaskSet/{*}item")

    history = walk(sandbox, [task_id], read)
    assert history[-1].findtext("{*}status") == "completed"
    assert all(t.find("{*}diskImageFormat") is None for t in history)  # not in AWS's task shape
    messages = collapse([t.findtext("{*}statusMessage") for t in history[:-1]])
    assert messages == [s.message for s in EXPORT_STEPS]
