"""Issue 16's sandbox behaviour: deprecation, disabling, sharing, leaving, tags.

Every change is checked with an independent read (DescribeImages or
DescribeImageAttribute); every wait is on state (polling.wait_for), never a sleep.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from amitui.sandbox.catalogue_others import VENDOR_ACCOUNT

from .ec2_helpers import error_code, image
from .lifecycle_helpers import fresh_images, shares

ACCOUNT = "111122223333"
ORG = "arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5"


@pytest.fixture(scope="module")
def roles(sandbox) -> dict[str, str]:
    return sandbox.summary.lifecycle


@pytest.fixture(scope="module")
def mine(sandbox, ec2) -> list[str]:
    return fresh_images(sandbox, ec2(), 4, "behaviour-lifecycle")


def refusal(call, **params) -> str:
    with pytest.raises(ClientError) as info:
        call(**params)
    return error_code(info)


def test_deprecation_time_is_rounded_to_the_minute_and_can_be_cleared(ec2, mine):
    client, target = ec2(), mine[0]
    base = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    for seconds, expected_minute_shift in ((10, 0), (45, 1)):
        asked = base.replace(second=seconds)
        client.enable_image_deprecation(ImageId=target, DeprecateAt=asked)
        shown = image(client, target)["DeprecationTime"]
        rounded = asked.replace(second=0) + timedelta(minutes=expected_minute_shift)
        assert shown == rounded.strftime("%Y-%m-%dT%H:%M:00.000Z")
    client.disable_image_deprecation(ImageId=target)
    assert "DeprecationTime" not in image(client, target)


def test_a_past_or_too_distant_deprecation_time_is_refused_and_changes_nothing(ec2, mine):
    client, target = ec2(), mine[0]
    now = datetime.now(UTC)
    call = client.enable_image_deprecation
    assert refusal(call, ImageId=target, DeprecateAt=now - timedelta(minutes=5)) == (
        "InvalidParameterValue"
    )
    assert refusal(call, ImageId=target, DeprecateAt=now + timedelta(days=3660)) == (
        "InvalidParameterValue"
    )
    assert "DeprecationTime" not in image(client, target)
    almost_ten_years = (now + timedelta(days=3640)).replace(second=0, microsecond=0)
    client.enable_image_deprecation(ImageId=target, DeprecateAt=almost_ten_years)
    shown = image(client, target)["DeprecationTime"]
    assert shown == almost_ten_years.strftime("%Y-%m-%dT%H:%M:00.000Z")
    client.disable_image_deprecation(ImageId=target)


def test_a_public_image_is_deprecated_at_most_two_years_after_its_creation(ec2, roles):
    client, target = ec2(), roles["public_own"]
    created = datetime.fromisoformat(image(client, target)["CreationDate"].replace("Z", "+00:00"))
    later = max(created.replace(year=created.year + 2), datetime.now(UTC)) + timedelta(days=1)
    code = refusal(client.enable_image_deprecation, ImageId=target, DeprecateAt=later)
    assert code == "InvalidParameterValue"


def test_disabling_removes_every_share_and_enabling_does_not_restore_them(ec2, mine):
    client, target = ec2(), mine[1]
    client.modify_image_attribute(
        ImageId=target,
        LaunchPermission={"Add": [{"UserId": ACCOUNT}, {"OrganizationArn": ORG}, {"Group": "all"}]},
    )
    assert len(shares(client, target)) == 3 and image(client, target)["Public"]
    client.disable_image(ImageId=target)
    assert image(client, target)["State"] == "disabled"  # by id, it is still answered
    assert shares(client, target) == []
    only_it = [{"Name": "image-id", "Values": [target]}]
    assert client.describe_images(Owners=["self"], Filters=only_it)["Images"] == []
    listed = client.describe_images(Owners=["self"], Filters=only_it, IncludeDisabled=True)
    assert [i["State"] for i in listed["Images"]] == ["disabled"]
    client.enable_image(ImageId=target)
    after = image(client, target)
    assert (after["State"], after["Public"]) == ("available", False)
    assert shares(client, target) == []
    assert client.describe_images(Owners=["self"], Filters=only_it)["Images"]


def test_share_with_accounts_organizations_and_ous_then_reset_to_private(ec2, mine):
    client, target = ec2(), mine[2]
    ou = "arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/ou-ab12-cd34ef56"
    wanted = [{"UserId": ACCOUNT}, {"OrganizationArn": ORG}, {"OrganizationalUnitArn": ou}]
    client.modify_image_attribute(ImageId=target, LaunchPermission={"Add": wanted})
    assert sorted(map(str, shares(client, target))) == sorted(map(str, wanted))
    client.modify_image_attribute(ImageId=target, LaunchPermission={"Remove": [wanted[1]]})
    assert {"OrganizationArn": ORG} not in shares(client, target)
    # the older form of the call
    client.modify_image_attribute(
        ImageId=target, Attribute="launchPermission", OperationType="add", UserIds=["444455556666"]
    )
    assert {"UserId": "444455556666"} in shares(client, target)
    client.reset_image_attribute(ImageId=target, Attribute="launchPermission")
    assert shares(client, target) == [] and not image(client, target)["Public"]


def test_public_sharing_is_refused_while_blocked_and_allowed_once_unblocked(sandbox, ec2):
    client = ec2("eu-west-1")
    (target,) = fresh_images(sandbox, client, 1, "behaviour-blocked")
    assert client.get_image_block_public_access_state()["ImageBlockPublicAccessState"] == (
        "block-new-sharing"
    )
    public = {"Add": [{"Group": "all"}]}
    call = client.modify_image_attribute
    assert refusal(call, ImageId=target, LaunchPermission=public) == "OperationNotPermitted"
    assert not image(client, target)["Public"]
    client.modify_image_attribute(ImageId=target, LaunchPermission={"Add": [{"UserId": ACCOUNT}]})
    try:
        client.disable_image_block_public_access()
        client.modify_image_attribute(ImageId=target, LaunchPermission=public)
        assert image(client, target)["Public"]
    finally:
        client.enable_image_block_public_access(ImageBlockPublicAccessState="block-new-sharing")
    # blocking again leaves an image that is already public as it is, as AWS does
    assert image(client, target)["Public"]
    client.reset_image_attribute(ImageId=target, Attribute="launchPermission")


def test_leaving_is_refused_for_an_own_a_public_and_an_unseen_image(ec2, sandbox, roles):
    client = ec2()
    call = client.cancel_image_launch_permission
    assert refusal(call, ImageId=roles["public_own"]) == "InvalidParameterValue"  # own
    vendor = client.describe_images(Owners=[VENDOR_ACCOUNT])["Images"][0]["ImageId"]
    assert refusal(call, ImageId=vendor) == "InvalidParameterValue"  # public, not shared
    secret = sandbox.summary.others["us-east-1"][-1]
    assert refusal(call, ImageId=secret) == "InvalidAMIID.NotFound"
    assert image(client, roles["shared_with_me"])["OwnerId"] != "123456789012"


def test_a_resource_holds_fifty_tags_and_aws_rules_hold(ec2, mine):
    client, target = ec2(), mine[3]
    fifty = [{"Key": f"k{n:02}", "Value": "v"} for n in range(50)]
    client.create_tags(Resources=[target], Tags=fifty)
    assert len(image(client, target)["Tags"]) == 50
    client.create_tags(Resources=[target], Tags=[{"Key": "k00", "Value": "changed"}])  # a change
    one_more = [{"Key": "k50", "Value": "v"}]
    assert refusal(client.create_tags, Resources=[target], Tags=one_more) == "TagLimitExceeded"
    client.delete_tags(Resources=[target], Tags=[{"Key": "k01"}])
    client.create_tags(Resources=[target], Tags=[{"Key": "k" * 128, "Value": "v" * 256}])
    tags = {t["Key"]: t["Value"] for t in image(client, target)["Tags"]}
    assert len(tags) == 50 and tags["k00"] == "changed" and "k01" not in tags
    too_long = [{"Key": "k" * 129, "Value": "v"}]
    assert refusal(client.create_tags, Resources=[target], Tags=too_long) == (
        "InvalidParameterValue"
    )


def test_snapshot_tags_and_volume_permissions_follow_the_image(ec2, roles):
    client = ec2()
    mappings = image(client, roles["encrypted_own"])["BlockDeviceMappings"]
    snapshots = [m["Ebs"]["SnapshotId"] for m in mappings if "Ebs" in m]
    assert all(m["Ebs"]["Encrypted"] and m["Ebs"]["KmsKeyId"] for m in mappings if "Ebs" in m)
    change = {"Add": [{"UserId": ACCOUNT}]}
    try:
        for snapshot in snapshots:
            client.modify_snapshot_attribute(SnapshotId=snapshot, CreateVolumePermission=change)
            client.create_tags(Resources=[snapshot], Tags=[{"Key": "SharedWith", "Value": ACCOUNT}])
            answer = client.describe_snapshot_attribute(
                SnapshotId=snapshot, Attribute="createVolumePermission"
            )
            assert answer["CreateVolumePermissions"] == [{"UserId": ACCOUNT}]
        tagged = client.describe_snapshots(SnapshotIds=snapshots)["Snapshots"]
        assert all({"Key": "SharedWith", "Value": ACCOUNT} in s["Tags"] for s in tagged)
    finally:
        for snapshot in snapshots:
            client.modify_snapshot_attribute(
                SnapshotId=snapshot, CreateVolumePermission={"Remove": [{"UserId": ACCOUNT}]}
            )
            client.delete_tags(Resources=[snapshot], Tags=[{"Key": "SharedWith"}])
    answer = client.describe_snapshot_attribute(
        SnapshotId=snapshots[0], Attribute="createVolumePermission"
    )
    assert answer["CreateVolumePermissions"] == []


def test_the_seeded_roles_are_what_their_names_say(ec2, roles):
    client = ec2()
    assert set(roles) == {"shared_with_me", "leave_me", "public_own", "encrypted_own", "shared_org"}
    shared = image(client, roles["shared_with_me"])
    assert shared["OwnerId"] == "210987654321" and not shared["Public"]
    mine_shared = client.describe_images(ExecutableUsers=["self"])["Images"]
    assert roles["shared_with_me"] in {i["ImageId"] for i in mine_shared}
    public = image(client, roles["public_own"])
    assert public["OwnerId"] == "123456789012" and public["Public"]
    assert image(client, roles["encrypted_own"])["OwnerId"] == "123456789012"
    kinds = {next(iter(p)) for p in shares(client, roles["shared_org"])}
    assert kinds == {"UserId", "OrganizationArn", "OrganizationalUnitArn"}
    states = {
        region: ec2(region).get_image_block_public_access_state()["ImageBlockPublicAccessState"]
        for region in ("us-east-1", "ap-southeast-2")
    }
    assert states == {"us-east-1": "unblocked", "ap-southeast-2": "unblocked"}
