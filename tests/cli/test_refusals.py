"""What an action command refuses, and that it refuses it before anything is sent."""

from __future__ import annotations

import pytest

from tests.cli.conftest import unique
from tests.support.proxy import RecordingProxy


@pytest.fixture
def proxy(sandbox):
    box = RecordingProxy(sandbox.url).start()
    yield box
    box.stop()


def calls(proxy: RecordingProxy) -> list[str]:
    return [action for action, _ in proxy.log]


def test_every_invalid_value_is_one_line_and_nothing_is_called(amitui, proxy):
    ran = amitui(
        "copy", "ami-123", "--to", "eu-west-1", "--name", "x", "--kms-key-id", "not a key",
        "--snapshot-copy-completion-duration-minutes", "7", endpoint=proxy.url,
    )  # fmt: skip
    assert ran.code == 2
    errors = ran.err.splitlines()
    assert [line.split(":")[1].strip() for line in errors[:-1]] == [
        "IMAGE",
        "--name",
        "--kms-key-id",
        "--snapshot-copy-completion-duration-minutes",
    ]
    assert errors[-1] == "amitui copy: nothing was sent"
    assert ran.out == ""
    assert calls(proxy) == []  # not even STS


def test_a_rule_between_fields_is_checked_before_any_mutating_call(amitui, proxy, own_image):
    ran = amitui(
        "copy", own_image(), "--to", "eu-west-9", "--kms-key-id", "alias/x", "--name", unique(),
        endpoint=proxy.url,
    )  # fmt: skip
    assert ran.code == 2
    assert "--to: " in ran.err and "is not a region" in ran.err
    assert "--kms-key-id: " in ran.err  # a key needs --encrypted
    assert proxy.mutating_count() == 0  # only the image was described (for its prefills)


def test_read_only_refuses_in_one_line_before_any_call(amitui, proxy, own_image):
    ran = amitui("copy", own_image(), "--to", "eu-west-1", "--read-only", endpoint=proxy.url)
    assert ran.code == 2
    assert ran.err.splitlines()[0] == (
        "amitui copy: refused in read-only mode (--read-only or config.toml)"
    )
    assert calls(proxy) == []


def test_read_only_before_the_command_name_refuses_too(amitui, proxy, own_image):
    ran = amitui("--read-only", "deregister", own_image(), "--confirm", own_image(),
                 endpoint=proxy.url)  # fmt: skip
    assert ran.code == 2
    assert calls(proxy) == []


def test_deregister_without_confirm_is_refused(amitui, proxy, own_image):
    ran = amitui("deregister", own_image(), endpoint=proxy.url)
    assert ran.code == 2
    assert "--confirm" in ran.err
    assert calls(proxy) == []


def test_deregister_with_another_id_typed_back_is_refused(amitui, proxy, own_image, ec2):
    image = own_image()
    ran = amitui("deregister", image, "--confirm", "ami-0123456789abcdef0", endpoint=proxy.url)
    assert ran.code == 2
    assert "--confirm: " in ran.err
    assert proxy.mutating_count() == 0
    assert ec2().describe_images(ImageIds=[image])["Images"][0]["State"] == "available"


def copied_image(amitui, own_image) -> str:
    """A fresh image of this test's own (a copy in us-east-1, waited for)."""
    ran = amitui("copy", own_image(), "--to", "us-east-1", "--name", unique(), "--wait")
    assert ran.code == 0, ran.err
    return ran.lines[0].split()[4]


def test_deregister_of_an_image_in_use_needs_anyway(amitui, own_image, ec2, pending):
    pending(0.3)
    image = copied_image(amitui, own_image)
    instance = ec2().run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]
    try:
        ran = amitui("deregister", image, "--confirm", image)
        assert ran.code == 2
        assert f"{image}: instance {instance['InstanceId']}" in ran.err
        assert "add --anyway" in ran.err
        assert ec2().describe_images(ImageIds=[image])["Images"][0]["State"] == "available"

        ran = amitui("deregister", image, "--confirm", image, "--anyway")
        assert ran.code == 0, ran.err
        assert ran.lines == ["DeregisterImage us-east-1: done"]
    finally:
        ec2().terminate_instances(InstanceIds=[instance["InstanceId"]])


def test_create_says_it_reboots_and_needs_yes(amitui, proxy, ec2):
    instance = ec2().describe_instances()["Reservations"][0]["Instances"][0]["InstanceId"]
    ran = amitui("create", "--instance-id", instance, "--name", unique(), endpoint=proxy.url)
    assert ran.code == 2
    assert "reboot" in ran.err.lower() and "--yes" in ran.err
    assert proxy.mutating_count() == 0


def test_dry_run_says_allowed_and_changes_nothing(amitui, own_image, ec2):
    image = own_image()
    ran = amitui("deregister", image, "--confirm", image, "--dry-run")
    assert ran.code == 0, ran.err
    assert ran.lines == ["dry run: us-east-1: allowed (DryRunOperation)"]
    assert ec2().describe_images(ImageIds=[image])["Images"][0]["State"] == "available"
