"""DescribeSnapshots: a pending image's snapshots are pending with a growing Progress."""

from __future__ import annotations

from tests.support.sandbox_time import walk_image

from .ec2_helpers import own_available, pending_for, seeded_snapshot, unique


def snapshots_of(client, image_id: str) -> list[dict]:
    image = client.describe_images(ImageIds=[image_id])["Images"][0]
    ids = [m["Ebs"]["SnapshotId"] for m in image["BlockDeviceMappings"] if "Ebs" in m]
    return client.describe_snapshots(SnapshotIds=ids)["Snapshots"]


def test_a_pending_copy_reports_its_snapshots_progress_until_available(sandbox, ec2):
    """The copy's pending time is walked through (tests/support/sandbox_time.py: each
    moment set, not waited for), then ended."""
    client = ec2("us-east-1")
    source = own_available(client)
    with pending_for(sandbox, 600.0):  # pending until the test walks it to its end
        copy = client.copy_image(
            Name=unique("snap-progress"), SourceImageId=source["ImageId"], SourceRegion="us-east-1"
        )["ImageId"]

    def state() -> str:
        return client.describe_images(ImageIds=[copy])["Images"][0]["State"]

    def read():
        """The snapshots, and the image's state read before and after them."""
        before = state()
        snaps = [(s["State"], s["Progress"]) for s in snapshots_of(client, copy)]
        after = state()
        return (before if before == after else "changing"), snaps

    seen = walk_image(sandbox, copy, read, fractions=[i / 10 for i in range(10)])
    pending = [snaps for state_, snaps in seen if state_ == "pending"]
    assert len(pending) == 10  # every moment of the walk, the last one aside
    assert all(s == "pending" and p.endswith("%") for snaps in pending for s, p in snaps)
    for n in range(len(pending[0])):  # each snapshot's Progress grows, below 100%
        percents = [int(snaps[n][1][:-1]) for snaps in pending]
        assert percents == sorted(percents) and percents[0] < percents[-1] <= 99, percents
    assert seen[-1][0] == "available"
    assert seen[-1][1] and all(s == ("completed", "100%") for s in seen[-1][1])
    # the source's snapshots were never pending
    assert all(s["State"] == "completed" for s in snapshots_of(client, source["ImageId"]))


def test_a_snapshot_that_existed_before_the_image_stays_completed(sandbox, ec2):
    client = ec2("ap-southeast-2")
    snapshot = seeded_snapshot(client)
    sandbox.pending_seconds, before = 30.0, sandbox.pending_seconds
    try:
        registered = client.register_image(
            Name=unique("registered-no-progress"),
            Architecture="x86_64",
            VirtualizationType="hvm",
            RootDeviceName="/dev/xvda",
            BlockDeviceMappings=[
                {"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": snapshot["SnapshotId"]}}
            ],
        )["ImageId"]
    finally:
        sandbox.pending_seconds = before
    assert client.describe_images(ImageIds=[registered])["Images"][0]["State"] == "pending"
    (again,) = client.describe_snapshots(SnapshotIds=[snapshot["SnapshotId"]])["Snapshots"]
    assert (again["State"], again["Progress"]) == ("completed", "100%")
