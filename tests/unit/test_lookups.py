"""The pickers' lookups (amitui.aws.lookups) against the sandbox."""

from __future__ import annotations

import re

import boto3
import pytest
from botocore.exceptions import ClientError

from amitui.aws.clients import AwsClients
from amitui.aws.lookups import (
    bucket_region,
    list_buckets,
    list_instances,
    list_regions,
    list_snapshots,
)

EU_BUCKET = "amitui-pickers-eu"
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def eu_bucket(sandbox):
    s3 = boto3.client("s3", region_name="eu-west-1", endpoint_url=sandbox.url)
    if EU_BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(
            Bucket=EU_BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
    return EU_BUCKET


def refuse(operation: str, code: str, when=lambda params: True):
    def hook(params=None, **_):
        if when(params or {}):
            raise ClientError({"Error": {"Code": code, "Message": "refused"}}, operation)

    return hook


def test_snapshots_show_id_name_description_size_and_date(sandbox):
    lookup = list_snapshots(AwsClients(endpoint_url=sandbox.url), "eu-west-1")
    (legacy,) = [c for c in lookup.choices if c.name == "legacy-app root volume"]
    assert legacy.value.startswith("snap-")
    assert legacy.description == "legacy-app root volume (register an image from me)"
    assert legacy.size == "8 GiB" and DAY.match(legacy.date)
    assert lookup.noun == "snapshots" and lookup.scope == "in eu-west-1"


def test_instances_show_name_state_and_type(sandbox):
    lookup = list_instances(AwsClients(endpoint_url=sandbox.url), "eu-west-1")
    (payments,) = [c for c in lookup.choices if c.name == "payments-api-1"]
    assert payments.value.startswith("i-") and payments.size == "m6i.large"
    assert payments.description.startswith("running") and DAY.match(payments.date)


def test_regions_come_from_describe_regions(sandbox):
    clients = AwsClients(endpoint_url=sandbox.url)
    lookup = list_regions(clients, "us-east-1")
    enabled = boto3.client("ec2", region_name="us-east-1", endpoint_url=sandbox.url)
    answer = enabled.describe_regions()["Regions"]
    expected = sorted(r["RegionName"] for r in answer if r["OptInStatus"] != "not-opted-in")
    assert [c.value for c in lookup.choices] == expected
    assert "DescribeRegions" in lookup.source and "failed" not in lookup.source
    frankfurt = next(c for c in lookup.choices if c.value == "eu-central-1")
    assert frankfurt.name == "Europe (Frankfurt)"


def test_regions_fall_back_to_botocore_when_describe_regions_fails(sandbox):
    clients = AwsClients(endpoint_url=sandbox.url)
    clients.add_hook(
        "before-parameter-build.ec2.DescribeRegions",
        refuse("DescribeRegions", "UnauthorizedOperation"),
    )
    lookup = list_regions(clients, "us-east-1")
    assert [c.value for c in lookup.choices] == clients.available_regions()
    assert "botocore" in lookup.source and "UnauthorizedOperation" in lookup.source


def test_buckets_carry_their_region_and_warn_when_not_the_images(sandbox, eu_bucket):
    lookup = list_buckets(AwsClients(endpoint_url=sandbox.url), "eu-west-1")
    by_name = {c.value: c for c in lookup.choices}
    assert by_name[eu_bucket].description == "eu-west-1" and not by_name[eu_bucket].warning
    exports = by_name["amitui-exports"]
    assert exports.description == "us-east-1"
    assert exports.warning == (
        "amitui-exports is in us-east-1: ExportImage needs a bucket in eu-west-1"
    )
    in_region = [c.value for c in lookup.choices if c.description == "eu-west-1"]
    assert eu_bucket in in_region
    assert [c.value for c in lookup.choices[: len(in_region)]] == in_region  # usable first


def test_a_bucket_whose_location_is_refused_is_listed_as_not_verified(sandbox):
    clients = AwsClients(endpoint_url=sandbox.url)
    clients.add_hook(
        "before-parameter-build.s3.GetBucketLocation",
        refuse("GetBucketLocation", "AccessDenied", lambda p: p.get("Bucket") == "amitui-imports"),
    )
    by_name = {c.value: c for c in list_buckets(clients, "us-east-1").choices}
    imports = by_name["amitui-imports"]
    assert imports.description == "region not verified"
    assert "region not verified (AccessDenied)" in imports.warning
    assert by_name["amitui-exports"].description == "us-east-1"
    assert not by_name["amitui-exports"].warning


@pytest.mark.parametrize(
    ("constraint", "region"),
    [(None, "us-east-1"), ("", "us-east-1"), ("EU", "eu-west-1"), ("ap-south-1", "ap-south-1")],
)
def test_bucket_region_reads_get_bucket_location(constraint, region):
    assert bucket_region({"LocationConstraint": constraint}) == region
