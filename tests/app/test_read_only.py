"""--read-only: no mutating request reaches the endpoint, whatever the user presses."""

from __future__ import annotations

import pytest

from amitui.actions import ACTIONS
from amitui.actions.spec import ActionSpec
from amitui.aws.clients import AwsClients, ReadOnlyError
from amitui.ui.action_keys import key_for
from tests.app.helpers import SIZE, loaded, make_app, table, wait_for


async def test_every_action_key_and_palette_command_is_refused(sandbox, proxy):
    app = make_app(proxy.url, read_only=True, regions=("us-east-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert table(app).current is not None
        for spec in ACTIONS.values():
            await pilot.press(key_for(spec.name))
            await pilot.pause(0.05)
            assert app.screen is app.inventory, (
                f"{key_for(spec.name)} opened a form under --read-only"
            )
        # the palette runs the same actions
        for command in app.get_system_commands(app.inventory):
            if "(read-only)" in command.title:
                await command.callback()
                await pilot.pause(0.05)
                assert app.screen is app.inventory
        titles = [c.title for c in app.get_system_commands(app.inventory)]
        assert sum("(read-only)" in t for t in titles) == len(ACTIONS)
        messages = " ".join(app.notified)
        assert "read-only" in messages
        footer_text = " ".join(
            a.binding.description for a in app.inventory.active_bindings.values()
        )
        assert "Copy (read-only)" in footer_text
        await pilot.press("t")  # the tasks screen refuses cancel too
        await pilot.press("x")
    assert proxy.mutating_count() == 0
    assert proxy.count("DescribeImages") >= 1  # it did talk to the endpoint


@pytest.mark.parametrize("spec", list(ACTIONS.values()), ids=list(ACTIONS))
def test_guard_refuses_below_the_ui(sandbox, proxy, spec: ActionSpec):
    """Even a caller that skips the UI cannot send a mutating call, dry runs included."""
    clients = AwsClients(endpoint_url=proxy.url, read_only=True)
    ec2 = clients.ec2("us-east-1")
    method = getattr(ec2, __import__("botocore").xform_name(spec.operation))
    with pytest.raises(ReadOnlyError):
        method(DryRun=True, **_minimal_params(spec.operation))
    ec2.describe_images(Owners=["self"], MaxResults=5)  # reads still work
    assert proxy.mutating_count() == 0


def _minimal_params(operation: str) -> dict:
    return {
        "CopyImage": {
            "Name": "x-copy",
            "SourceImageId": "ami-12345678",
            "SourceRegion": "us-east-1",
        },
        "CreateImage": {"InstanceId": "i-12345678", "Name": "xyz"},
        "DeregisterImage": {"ImageId": "ami-12345678"},
        "ExportImage": {
            "DiskImageFormat": "VMDK",
            "ImageId": "ami-12345678",
            "S3ExportLocation": {"S3Bucket": "amitui-exports"},
        },
        "ImportImage": {},
        "RegisterImage": {"Name": "xyz"},
    }[operation]


async def test_read_only_header_badge(sandbox):
    app = make_app(sandbox.url, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: "READ-ONLY" in str(app.inventory.query_one("#context").render())
        )
