"""The seeded catalogue, as a client sees it over HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import boto3
import pytest

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
NOW_ISO = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture(scope="module")
def own(sandbox) -> dict[str, list[dict]]:
    """Every own image per region (disabled ones included), read once for the module.

    Filtered to the seeded ones: images other tests made carry no CostCenter/BuiltBy
    tags and were created after the catalogue's last date.
    """
    out = {}
    for region in REGIONS:
        client = boto3.client("ec2", region_name=region, endpoint_url=sandbox.url)
        images = client.describe_images(Owners=["self"], IncludeDisabled=True)["Images"]
        out[region] = [i for i in images if i["CreationDate"] < "2025-12-16"]
    return out


def everything(own: dict[str, list[dict]]) -> list[dict]:
    return [image for images in own.values() for image in images]


def test_over_300_own_images_spread_over_three_regions(own):
    assert sum(len(images) for images in own.values()) >= 300
    assert all(len(images) >= 50 for images in own.values())


def test_names_look_like_real_images(own):
    names = [image["Name"] for image in everything(own)]
    patterns = [
        r"^amzn2-ami-hvm-2\.0\.\d{8}\.\d-(x86_64|arm64)-gp2$",
        r"^al2023-ami-2023\.\d+\.\d{8}\.0-kernel-6\.1-(x86_64|arm64)$",
        r"^ubuntu/images/hvm-ssd/ubuntu-jammy-22\.04-(amd64|arm64)-server-\d{8}$",
        r"^debian-12-(amd64|arm64)-\d{8}-\d+$",
        r"^Windows_Server-2022-English-Full-Base-\d{4}\.\d\d\.\d\d$",
        r"^web-frontend-\d{4}\.\d\d\.\d$",
        r"^\[x\] legacy build \d{4}-\d\d$",
    ]
    for pattern in patterns:
        assert any(re.match(pattern, name) for name in names), pattern
    allowed = re.compile(r"^[A-Za-z0-9()\[\] ./\-'@_]{3,128}$")
    assert all(allowed.match(name) for name in names)


def test_architectures_platforms_dates_and_disks_vary(own):
    images = everything(own)
    assert {i["Architecture"] for i in images} == {"x86_64", "arm64"}
    assert any(i.get("Platform") == "windows" for i in images)
    dates = sorted(i["CreationDate"] for i in images)
    first = datetime.fromisoformat(dates[0].replace("Z", "+00:00"))
    last = datetime.fromisoformat(dates[-1].replace("Z", "+00:00"))
    assert (last - first).days > 2.5 * 365
    volumes = [m["Ebs"] for i in images for m in i["BlockDeviceMappings"] if "Ebs" in m]
    assert len({v["VolumeSize"] for v in volumes}) >= 6
    assert {"gp2", "gp3", "io1"} <= {v["VolumeType"] for v in volumes}
    assert {True, False} == {v["Encrypted"] for v in volumes}
    assert all("KmsKeyId" in v for v in volumes if v["Encrypted"])
    assert any(len(i["BlockDeviceMappings"]) >= 3 for i in images)


def test_tags_and_special_states(own):
    images = everything(own)
    tag_keys = {t["Key"] for i in images for t in i.get("Tags", [])}
    assert {"Team", "Env", "CostCenter"} <= tag_keys
    assert any(not i.get("Tags") for i in images)
    deprecated = [i for i in images if i.get("DeprecationTime", "9") <= NOW_ISO]
    assert 3 <= len(deprecated) < len(images) / 5
    assert any(i["State"] == "disabled" for i in images)
    assert any(i["Public"] for i in images)
    for region, region_images in own.items():
        failed = [i for i in region_images if i["State"] == "failed"]
        assert len(failed) == 1, region
        assert failed[0]["Name"].startswith("sandbox-fail-")
        assert failed[0]["StateReason"]["Code"]


@pytest.mark.parametrize("region", REGIONS)
def test_instances_snapshots_and_the_amazon_catalogue(sandbox, region):
    client = boto3.client("ec2", region_name=region, endpoint_url=sandbox.url)
    reservations = client.describe_instances(
        Filters=[{"Name": "instance-state-name", "Values": ["running"]}]
    )["Reservations"]
    names = {
        t["Value"]
        for r in reservations
        for i in r["Instances"]
        for t in i.get("Tags", [])
        if t["Key"] == "Name"
    }
    assert {"web-1", "payments-api-1", "win-build-agent"} <= names
    snapshots = client.describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": "tag:Team", "Values": ["platform"]}]
    )["Snapshots"]
    assert len(snapshots) >= 2
    amazon = client.describe_images(Owners=["amazon"], MaxResults=200)
    assert amazon["NextToken"]  # moto's ~1300 public images per region stay
    assert len({i["CreationDate"][:10] for i in amazon["Images"]}) > 20


def test_the_buckets_exist(sandbox):
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=sandbox.url)
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {"amitui-exports", "amitui-imports"} <= buckets
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="amitui-imports")["Contents"]]
    assert any(key.endswith(".vmdk") for key in keys)


def test_sts_answers_with_the_sandbox_account(sandbox):
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=sandbox.url)
    assert sts.get_caller_identity()["Account"] == "123456789012"
