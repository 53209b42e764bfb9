"""The seeded nightly builds, their roles, the orphaned snapshots and the Recycle Bin
(catalogue_cleanup.py), read back through the endpoint as the app reads them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import boto3
import pytest

from amitui.sandbox.catalogue_cleanup import AS_OF

SUFFIX = re.compile(r"[-.](\d{4}[.\-]?\d{2}[.\-]?\d{2}|\d+\.\d+\.\d+)|nightly\.\d+|build\d+|-b\d+")


@pytest.fixture(scope="module")
def cleanup(sandbox) -> dict:
    return sandbox.summary.cleanup


def described(ec2, region: str, ids: list[str]) -> dict[str, dict]:
    images = ec2(region).describe_images(ImageIds=ids, IncludeDisabled=True)["Images"]
    return {i["ImageId"]: i for i in images}


def test_families_of_nightly_builds(ec2, cleanup):
    families = cleanup["families"]
    assert len(families) >= 3
    for family, where in families.items():
        ids = where["images"]
        assert 20 <= len(ids) <= 40, family
        images = described(ec2, where["region"], ids[:5] + ids[-3:])
        for image in images.values():
            assert image["Name"].startswith(family) and SUFFIX.search(image["Name"])
            assert image["OwnerId"] == "123456789012"
            snaps = [m for m in image["BlockDeviceMappings"] if "Ebs" in m]
            assert 1 <= len(snaps) <= 2
        created = sorted(i["CreationDate"] for i in images.values())
        span = datetime.fromisoformat(created[-1][:10]) - datetime.fromisoformat(created[0][:10])
        assert timedelta(days=18) <= span <= timedelta(days=60)


def test_roles_are_older_builds_and_answer_as_their_role(ec2, cleanup):
    newest = {i for f in cleanup["families"].values() for i in f["images"][:5]}
    roles = (
        list(cleanup["in_use"]) + cleanup["protected"] + cleanup["shared"]
        + cleanup["recently_launched"] + cleanup["in_bin"]
    )  # fmt: skip
    assert len(set(roles)) == len(roles) and not set(roles) & newest
    us = ec2("us-east-1")
    images = described(ec2, "us-east-1", cleanup["protected"] + cleanup["recently_launched"])
    assert all(
        images[i]["DeregistrationProtection"].startswith("enabled") for i in cleanup["protected"]
    )
    (recent,) = cleanup["recently_launched"]
    launched = datetime.fromisoformat(images[recent]["LastLaunchedTime"].replace("Z", "+00:00"))
    assert AS_OF - launched <= timedelta(days=7)
    for image_id in cleanup["shared"]:
        attribute = us.describe_image_attribute(ImageId=image_id, Attribute="launchPermission")
        assert {"UserId": "210987654321"} in attribute["LaunchPermissions"]
    references = us.describe_image_references(
        ImageIds=list(cleanup["in_use"]), IncludeAllResourceTypes=True
    )["ImageReferences"]
    assert {r["ImageId"] for r in references} == set(cleanup["in_use"])
    assert {r["ResourceType"] for r in references} == {"ec2:Instance", "ec2:LaunchTemplate"}


def test_one_build_is_in_the_recycle_bin_of_the_rule_region(ec2, cleanup):
    region = cleanup["rbin_region"]
    (binned,) = cleanup["in_bin"]
    listed = ec2(region).list_images_in_recycle_bin(ImageIds=[binned])["Images"]
    assert [i["ImageId"] for i in listed] == [binned]
    assert listed[0]["Name"].startswith("web-api-")
    mine = ec2(region).describe_images(Filters=[{"Name": "image-id", "Values": [binned]}])
    assert mine["Images"] == []


def test_rbin_rule_in_one_region_only(sandbox, cleanup):
    def rules(region: str) -> list[dict]:
        rbin = boto3.client(
            "rbin",
            region_name=region,
            endpoint_url=sandbox.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        return rbin.list_rules(ResourceType="EC2_IMAGE")["Rules"]

    (rule,) = rules(cleanup["rbin_region"])
    assert rule["Identifier"] == cleanup["rbin_rule"]
    assert rule["RetentionPeriod"]["RetentionPeriodValue"] == cleanup["rbin_days"]
    assert rules(cleanup["no_rbin_region"]) == []


def test_snapshots_are_described_as_aws_describes_them_and_orphans_name_gone_images(ec2, cleanup):
    for region, orphan_ids in cleanup["orphans"].items():
        client = ec2(region)
        snaps = client.describe_snapshots(SnapshotIds=orphan_ids)["Snapshots"]
        kinds = {s["Description"].split(" ")[0] for s in snaps}
        assert kinds == {"Created", "Copied"}
        gone = [re.search(r"(ami-[0-9a-f]+)", s["Description"]).group(1) for s in snaps]
        listed = client.describe_images(Filters=[{"Name": "image-id", "Values": gone}])
        assert listed["Images"] == []
    live = cleanup["families"]["web-api"]["images"][0]
    snaps = ec2("us-east-1").describe_snapshots(SnapshotIds=cleanup["family_snapshots"][live])
    for snapshot in snaps["Snapshots"]:
        assert re.fullmatch(
            rf"Created by CreateImage\(i-[0-9a-f]{{17}}\) for {live} from vol-[0-9a-f]+",
            snapshot["Description"],
        )


def test_full_snapshot_size_for_some_snapshots_only(ec2, cleanup):
    ids = [s for ids in cleanup["family_snapshots"].values() for s in ids]
    here = set(_region_snapshots(ec2, "us-east-1"))
    us = [s for s in ids if s in here]
    answers = ec2("us-east-1").describe_snapshots(SnapshotIds=us)["Snapshots"]
    without = {s["SnapshotId"] for s in answers if "FullSnapshotSizeInBytes" not in s}
    assert without and without <= set(cleanup["no_full_size"])
    for snapshot in answers:
        full = snapshot.get("FullSnapshotSizeInBytes")
        assert full is None or 0 < full <= snapshot["VolumeSize"] * 1024**3


def _region_snapshots(ec2, region: str) -> list[str]:
    answer = ec2(region).describe_snapshots(OwnerIds=["self"])
    return [s["SnapshotId"] for s in answer["Snapshots"]]
