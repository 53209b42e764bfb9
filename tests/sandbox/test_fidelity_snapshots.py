"""Fidelity, issue 17: DescribeSnapshots (sizes, ids, owners, paging) and DeleteSnapshot of
a snapshot in use, against botocore's EC2 model."""

from __future__ import annotations

import pytest

from .fidelity import Raw, ok, refused

MISSING = "snap-0123456789abcdef0"


@pytest.fixture(scope="module")
def cleanup(sandbox) -> dict:
    return sandbox.summary.cleanup


def test_sizes_fit_the_model_and_full_size_is_sometimes_absent(sandbox, cleanup):
    images = cleanup["families"]["web-api"]["images"][:6]
    ids = [s for image in images for s in cleanup["family_snapshots"][image]]
    root = ok(Raw(sandbox.url).call("DescribeSnapshots", SnapshotIds=ids), "DescribeSnapshots")
    items = root.find("{*}snapshotSet")
    assert len(items) == len(ids)
    full = {i.findtext("{*}snapshotId"): i.findtext("{*}fullSnapshotSizeInBytes") for i in items}
    assert all(i.findtext("{*}volumeSize") for i in items)
    bare = set(cleanup["no_full_size"])
    assert {s for s, size in full.items() if size is None} == bare & set(ids)


def test_missing_and_malformed_ids_fail_the_whole_call(sandbox, cleanup):
    raw = Raw(sandbox.url)
    known = cleanup["orphans"]["us-east-1"][0]
    message = refused(
        raw.call("DescribeSnapshots", SnapshotIds=[known, MISSING]), "InvalidSnapshot.NotFound"
    )
    assert MISSING in message and known not in message
    refused(raw.call("DescribeSnapshots", SnapshotIds=["snap-xyz"]), "InvalidSnapshotID.Malformed")
    refused(raw.call("DescribeSnapshots", SnapshotIds=[known], MaxResults=5),
            "InvalidParameterCombination")  # fmt: skip
    refused(raw.call("DescribeSnapshots", MaxResults=4), "InvalidParameterValue")
    refused(raw.call("DescribeSnapshots", MaxResults=5, NextToken="x"), "InvalidParameterValue")
    refused(raw.call("DescribeSnapshots", DryRun=True), "DryRunOperation", 412)


def test_own_snapshots_page_without_gaps_or_repeats(sandbox):
    raw = Raw(sandbox.url, "eu-west-1")
    seen: list[str] = []
    token = None
    while True:
        params = {"OwnerIds": ["self"], "MaxResults": 100}
        if token:
            params["NextToken"] = token
        root = ok(raw.call("DescribeSnapshots", **params), "DescribeSnapshots")
        items = root.find("{*}snapshotSet")
        assert len(items) <= 100
        seen += [i.findtext("{*}snapshotId") for i in items]
        assert {i.findtext("{*}ownerId") for i in items} <= {"123456789012"}
        token = root.findtext("{*}nextToken")
        if not token:
            break
    assert len(seen) == len(set(seen)) > 100
    everything = ok(raw.call("DescribeSnapshots", OwnerIds=["self"]), "DescribeSnapshots")
    assert sorted(seen) == sorted(
        i.findtext("{*}snapshotId") for i in everything.find("{*}snapshotSet")
    )


def test_delete_snapshot_in_use_by_a_registered_image(sandbox, cleanup):
    image = cleanup["families"]["base-al2023"]["images"][0]
    (snapshot,) = cleanup["family_snapshots"][image]
    raw = Raw(sandbox.url)
    message = refused(raw.call("DeleteSnapshot", SnapshotId=snapshot), "InvalidSnapshot.InUse")
    assert image in message
    refused(raw.call("DeleteSnapshot", SnapshotId=snapshot, DryRun=True), "DryRunOperation", 412)
    binned = cleanup["family_snapshots"][cleanup["in_bin"][0]][0]
    refused(raw.call("DeleteSnapshot", SnapshotId=binned), "InvalidSnapshot.InUse")
