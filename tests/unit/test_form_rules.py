"""Form rules added for issue 11: regions that exist, the import format read from the
file, the reboot question, and placeholders that read as examples."""

from __future__ import annotations

import pytest

from amitui.actions import ACTIONS, get_action
from amitui.actions.import_ import format_of
from tests.unit.test_action_specs import FULL

FORMAT = "DiskContainers.0.Format"
S3KEY = "DiskContainers.0.UserBucket.S3Key"
URL = "DiskContainers.0.Url"


@pytest.mark.parametrize("region", ["eu-west-9", "us-east-7", "mars-north-1"])
def test_a_well_formed_region_that_does_not_exist_is_refused(region):
    spec = get_action("copy")
    errors = spec.validate(FULL["copy"] | {"DestinationRegions": f"eu-west-1, {region}"})
    assert region in errors["DestinationRegions"]
    assert "SourceRegion" not in errors


def test_regions_are_checked_against_describe_regions_when_known():
    spec = get_action("copy")
    values = FULL["copy"] | {"SourceRegion": "us-east-1", "DestinationRegions": "ap-east-1"}
    assert spec.validate(values) == {}  # botocore knows ap-east-1 ...
    enabled = ["us-east-1", "us-west-2", "eu-west-1"]
    errors = spec.validate(values, regions=enabled)  # ... but this account has not enabled it
    assert "ap-east-1" in errors["DestinationRegions"]
    assert "this account" in errors["DestinationRegions"]
    assert spec.validate(FULL["copy"], regions=enabled) == {}


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("disks/server.ova", "OVA"),
        ("a/b/C.VMDK", "VMDK"),
        ("https://example.com/x.vhdx?X-Amz-Signature=abc", "VHDX"),
        ("s3://bucket/disk.img", "RAW"),
        ("disks/noextension", None),
        ("disks.ova/readme", None),
        ("", None),
    ],
)
def test_the_disk_format_is_read_from_the_extension(location, expected):
    assert format_of(location) == expected


def test_import_suggests_the_format_and_refuses_a_mismatch():
    spec = get_action("import")
    values = FULL["import"] | {FORMAT: "VMDK", S3KEY: "disks/server.ova"}
    assert spec.suggest is not None
    assert spec.suggest(spec.clean(values)) == {FORMAT: "OVA"}
    errors = spec.validate(values)
    assert errors[FORMAT] == "server.ova is OVA by its extension, not VMDK: choose OVA."
    assert spec.validate(values | {FORMAT: "OVA"}) == {}
    by_url = FULL["import"] | {"DiskContainers.0.UserBucket.S3Bucket": "", S3KEY: ""}
    assert spec.validate(by_url | {URL: "https://example.com/d.vhd", FORMAT: "VHD"}) == {}


def test_create_asks_once_more_only_when_the_instance_reboots():
    spec = get_action("create")
    assert spec.confirm is not None
    reboot = spec.confirm(spec.clean(FULL["create"] | {"NoReboot": False}))
    assert reboot and "i-0123456789abcdef0" in reboot and "REBOOT" in reboot
    assert spec.confirm(spec.clean(FULL["create"] | {"NoReboot": True})) is None
    assert all(s.confirm is None for name, s in ACTIONS.items() if name != "create")


def test_placeholders_read_as_examples_not_defaults():
    for spec in ACTIONS.values():
        for field in spec.fields:
            if field.placeholder:
                assert field.placeholder.startswith("e.g. "), (spec.name, field.api_name)
