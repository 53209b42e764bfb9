"""CopyImage over HTTP: pending then available, encryption, tags, tokens, errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError

from tests.support.sandbox_time import finish_now

from .ec2_helpers import Started, error_code, image, own_available, pending_for, started, unique


@dataclass
class Copies:
    source: dict  # the arm64 image copied from us-east-1 to eu-west-1
    plain: Started
    failing: Started  # named fail-...


@pytest.fixture(scope="module")
def copies(ec2, sandbox) -> Iterator[Copies]:
    """Two copies made with a long pending time, so that a busy machine still sees each
    pending right after its call; then the sandbox ends them at once (``finish_now``)."""
    with pending_for(sandbox, 600.0):
        made = _copies(ec2)
        finish_now(sandbox)
        yield made


def _copies(ec2) -> Copies:
    source_client, client = ec2("us-east-1"), ec2("eu-west-1")
    source = own_available(source_client, architecture="arm64")
    plain = client.copy_image(
        Name=unique("copy-of-arm64"), SourceImageId=source["ImageId"], SourceRegion="us-east-1"
    )
    failing = source_client.copy_image(
        Name=unique("sandbox-fail-copy"),
        SourceImageId=own_available(source_client)["ImageId"],
        SourceRegion="us-east-1",
    )
    return Copies(source, started(client, plain), started(source_client, failing))


def test_a_copy_is_pending_then_available_and_remembers_its_source(copies: Copies):
    source = copies.source
    assert copies.plain.states() == ["pending", "available"]
    copy = image(copies.plain.client, copies.plain.image_id)
    assert copy["Name"].startswith("copy-of-arm64")
    assert copy["SourceImageId"] == source["ImageId"]
    assert copy["SourceImageRegion"] == "us-east-1"
    assert copy["Architecture"] == "arm64"
    assert len(copy["BlockDeviceMappings"]) == len(source["BlockDeviceMappings"])
    source_sizes = [m.get("Ebs", {}).get("VolumeSize") for m in source["BlockDeviceMappings"]]
    assert [m.get("Ebs", {}).get("VolumeSize") for m in copy["BlockDeviceMappings"]] == (
        source_sizes
    )
    new_snaps = {m["Ebs"]["SnapshotId"] for m in copy["BlockDeviceMappings"] if "Ebs" in m}
    old_snaps = {m["Ebs"]["SnapshotId"] for m in source["BlockDeviceMappings"] if "Ebs" in m}
    assert not new_snaps & old_snaps
    assert "StateReason" not in copy


def test_a_copy_named_fail_ends_failed_with_a_state_reason(copies: Copies):
    assert copies.failing.states() == ["pending", "failed"]
    reason = image(copies.failing.client, copies.failing.image_id)["StateReason"]
    assert reason["Code"] and reason["Message"]


def test_copy_encrypted_with_a_key_encrypts_every_volume(ec2):
    client = ec2()
    source = own_available(client)
    key = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    copy_id = client.copy_image(
        Name=unique("encrypted-copy"),
        SourceImageId=source["ImageId"],
        SourceRegion="us-east-1",
        Encrypted=True,
        KmsKeyId=key,
    )["ImageId"]
    volumes = [m["Ebs"] for m in image(client, copy_id)["BlockDeviceMappings"] if "Ebs" in m]
    assert volumes and all(v["Encrypted"] and v["KmsKeyId"] == key for v in volumes)


def test_copy_with_a_key_but_not_encrypted_is_refused(ec2):
    client = ec2()
    source = own_available(client)
    with pytest.raises(ClientError) as info:
        client.copy_image(
            Name=unique("bad-kms"),
            SourceImageId=source["ImageId"],
            SourceRegion="us-east-1",
            KmsKeyId="alias/aws/ebs",
        )
    assert error_code(info) == "InvalidParameterDependency"


def test_copy_image_tags_and_tag_specifications(ec2):
    client = ec2()
    source = own_available(client, **{"tag-key": "Team"})
    source_tags = {t["Key"]: t["Value"] for t in source["Tags"]}
    copied = client.copy_image(
        Name=unique("tagged-copy"),
        SourceImageId=source["ImageId"],
        SourceRegion="us-east-1",
        CopyImageTags=True,
        TagSpecifications=[{"ResourceType": "image", "Tags": [{"Key": "Env", "Value": "qa"}]}],
    )["ImageId"]
    tags = {t["Key"]: t["Value"] for t in image(client, copied)["Tags"]}
    assert tags == {**source_tags, "Env": "qa"}
    plain = client.copy_image(
        Name=unique("untagged-copy"), SourceImageId=source["ImageId"], SourceRegion="us-east-1"
    )["ImageId"]
    assert image(client, plain).get("Tags", []) == []


def test_client_token_makes_copy_idempotent(ec2):
    client = ec2()
    source = own_available(client)
    request = {
        "Name": unique("idempotent-copy"),
        "SourceImageId": source["ImageId"],
        "SourceRegion": "us-east-1",
        "ClientToken": unique("token"),
    }
    first = client.copy_image(**request)["ImageId"]
    again = client.copy_image(**request)["ImageId"]
    assert first == again
    assert (
        len(
            client.describe_images(Filters=[{"Name": "name", "Values": [request["Name"]]}])[
                "Images"
            ]
        )
        == 1
    )
    with pytest.raises(ClientError) as info:
        client.copy_image(**{**request, "Name": unique("other-name")})
    assert error_code(info) == "IdempotentParameterMismatch"


def test_copy_errors(ec2):
    client = ec2()
    cases = [
        ({"SourceImageId": "ami-0123456789abcdef0"}, "InvalidAMIID.NotFound"),
        ({"SourceImageId": "image-12345678"}, "InvalidAMIID.Malformed"),
        (
            {"SourceImageId": own_available(client)["ImageId"], "SourceRegion": "mars-1"},
            "InvalidParameterValue",
        ),
    ]
    for override, code in cases:
        request = {"Name": unique("copy-error"), "SourceRegion": "us-east-1", **override}
        with pytest.raises(ClientError) as info:
            client.copy_image(**request)
        assert error_code(info) == code, override


def test_names_are_unique_per_account_and_region(ec2):
    client = ec2()
    taken = own_available(client)
    with pytest.raises(ClientError) as info:
        client.copy_image(
            Name=taken["Name"], SourceImageId=taken["ImageId"], SourceRegion="us-east-1"
        )
    assert error_code(info) == "InvalidAMIName.Duplicate"


def test_a_pending_image_cannot_be_copied_yet(ec2):
    client = ec2()
    fresh = client.copy_image(
        Name=unique("fresh"),
        SourceImageId=own_available(client)["ImageId"],
        SourceRegion="us-east-1",
    )["ImageId"]
    with pytest.raises(ClientError) as info:
        client.copy_image(
            Name=unique("copy-of-fresh"), SourceImageId=fresh, SourceRegion="us-east-1"
        )
    assert error_code(info) == "IncorrectState"


def test_an_encrypted_image_copied_to_another_region_uses_that_regions_key(ec2):
    source_client, client = ec2("us-east-1"), ec2("ap-southeast-2")
    images = source_client.describe_images(
        Owners=["self"], Filters=[{"Name": "state", "Values": ["available"]}]
    )["Images"]
    source = next(
        i
        for i in images
        if any(m.get("Ebs", {}).get("Encrypted") for m in i["BlockDeviceMappings"])
    )
    copy_id = client.copy_image(
        Name=unique("encrypted-cross-region"),
        SourceImageId=source["ImageId"],
        SourceRegion="us-east-1",
    )["ImageId"]
    keys = {
        m["Ebs"]["KmsKeyId"]
        for m in image(client, copy_id)["BlockDeviceMappings"]
        if m.get("Ebs", {}).get("Encrypted")
    }
    assert keys and all(key.startswith("arn:aws:kms:ap-southeast-2:") for key in keys)
