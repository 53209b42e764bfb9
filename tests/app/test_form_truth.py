"""A form does exactly what it shows (issue 11): the image it describes is the image it
sends, Enter never sends, a reboot is confirmed, failures stay visible, and a deregister
says which snapshots really went. Each runs at 80x24 and wide, against the sandbox."""

from __future__ import annotations

import pytest
from textual.widgets import Footer, Input

from amitui.ui.screens.action_form import ActionForm
from amitui.ui.screens.confirm import ConfirmScreen
from amitui.ui.screens.help import HelpScreen
from tests.app.helpers import (
    SIZE,
    available_images,
    clear_images,
    field_error,
    field_widget,
    fill,
    loaded,
    make_app,
    open_form,
    outcome_text,
    own_images,
    rendered,
    select_image,
    table,
    type_text,
    wait_for,
)

SIZES = pytest.mark.parametrize("size", [(80, 24), SIZE], ids=["80x24", "wide"])


def snapshots_of(image: dict) -> list[str]:
    return [m["Ebs"]["SnapshotId"] for m in image["BlockDeviceMappings"] if "Ebs" in m]


async def focus_walk(pilot, form) -> list[str]:
    """The ids of every widget Tab reaches in the form, once round."""
    seen: list[str] = []
    for _ in range(40):
        await pilot.press("tab")
        focused = pilot.app.focused
        ident = focused.id if focused is not None else None
        if ident in seen:
            break
        seen.append(ident)
    return seen


@SIZES
async def test_deregister_is_fixed_to_the_image_it_shows(sandbox, ec2, proxy, size):
    region = "eu-west-1"
    candidates = available_images(ec2, region)[-8 - (size == SIZE) * 8 :]
    shown, other = clear_images(sandbox, region, candidates)[:2]
    app = make_app(proxy.url, regions=(region,))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await select_image(pilot, shown["ImageId"])
        form = await open_form(pilot, "ctrl+d")
        image_field = field_widget(form, "ImageId")
        # The image is shown, not editable: no key reaches it and it is no text box.
        assert not isinstance(image_field, Input) and not image_field.can_focus
        assert shown["ImageId"] in rendered(image_field)
        assert image_field.id not in await focus_walk(pilot, form)
        # Typing another image's id back does not deregister that one (or any).
        await fill(pilot, form, ConfirmImageId=other["ImageId"], DeleteAssociatedSnapshots=True)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Does not match" in field_error(form, "ConfirmImageId"))
        assert shown["ImageId"] in field_error(form, "ConfirmImageId")
        assert proxy.count("DeregisterImage") == 0
        # The summary, the request and the row update are all about the shown image.
        context = rendered(form.query_one("#context"))
        assert snapshots_of(shown), "the shown image has EBS snapshots"
        assert [s for s in snapshots_of(shown) if s not in context] == []
        await fill(pilot, form, ConfirmImageId=shown["ImageId"])
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm), what="form to close")
        listed = {i.image_id for i in table(app).rows.images}
        assert shown["ImageId"] not in listed and other["ImageId"] in listed
    remaining = {i["ImageId"] for i in own_images(ec2(region))}
    assert shown["ImageId"] not in remaining and other["ImageId"] in remaining
    snapshots = ec2(region).describe_snapshots(OwnerIds=["self"])["Snapshots"]
    left = {s["SnapshotId"] for s in snapshots}
    assert not set(snapshots_of(shown)) & left
    assert set(snapshots_of(other)) <= left


@pytest.mark.parametrize(
    ("key", "api_names"),
    [("c", ("SourceImageId", "SourceRegion")), ("e", ("ImageId",))],
    ids=["copy", "export"],
)
async def test_forms_that_describe_the_image_are_fixed_to_it(memory, key, api_names):
    image = available_images(memory.ec2, "ap-southeast-2")[0]
    app = make_app(memory, regions=("ap-southeast-2",))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await select_image(pilot, image["ImageId"])
        form = await open_form(pilot, key)
        walk = await focus_walk(pilot, form)
        for api_name in api_names:
            assert field_widget(form, api_name).id not in walk
        values = form.values()
        assert values[api_names[0]] == image["ImageId"]
        if "SourceRegion" in api_names:
            assert values["SourceRegion"] == "ap-southeast-2"


@SIZES
async def test_enter_moves_to_the_next_field_and_never_sends(memory, size):
    app = make_app(memory, regions=("ap-southeast-2",))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "n")
        name = field_widget(form, "Name")
        name.focus()
        await type_text(pilot, *"enter-sends-nothing")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.focused is field_widget(form, "Description"))
        await fill(pilot, form, InstanceId="i-0123456789abcdef0")
        field_widget(form, "Description").focus()
        await pilot.press("x", "enter")
        await wait_for(pilot, lambda: app.focused is field_widget(form, "NoReboot"))
        assert app.screen is form
        assert app.clients.calls["create_image"] == 0


@SIZES
async def test_a_create_that_reboots_asks_once_more_naming_the_instance(sandbox, ec2, proxy, size):
    region = "ap-southeast-2"
    reservations = ec2(region).describe_instances()["Reservations"]
    instance = reservations[0]["Instances"][0]["InstanceId"]
    app = make_app(proxy.url, regions=(region,))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "n")
        await fill(pilot, form, InstanceId=instance, Name=f"reboot-check-{size[0]}")
        await pilot.press("ctrl+s")
        confirm = await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConfirmScreen) and app.screen.is_mounted and app.screen,
            what="confirm",
        )
        assert instance in confirm.message and "REBOOT" in confirm.message
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is form, what="back in the form")
        assert "Not sent" in outcome_text(form)
        assert proxy.count("CreateImage") == 0
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm again")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: not isinstance(app.screen, (ActionForm, ConfirmScreen)))
    assert proxy.count("CreateImage") == 1


async def test_no_reboot_is_sent_without_a_second_question(sandbox, ec2, proxy):
    region = "ap-southeast-2"
    instance = ec2(region).describe_instances()["Reservations"][0]["Instances"][0]["InstanceId"]
    app = make_app(proxy.url, regions=(region,))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "n")
        await fill(pilot, form, InstanceId=instance, Name="no-reboot-check", NoReboot=True)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm), what="form to close")
    assert proxy.count("CreateImage") == 1


@SIZES
async def test_the_form_footer_and_help_show_the_form_keys(memory, size):
    app = make_app(memory, regions=("ap-southeast-2",))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "r")
        footer = form.query_one(Footer)
        assert footer.region.height == 1 and footer.region.bottom == size[1]
        shown = {b.binding.description for b in form.active_bindings.values() if b.binding.show}
        assert {"Submit", "Dry run", "Cancel"} <= shown
        assert not {"Copy", "Deregister", "Tasks"} & shown  # the inventory's keys are not
        await pilot.press("f1")
        help_screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, HelpScreen) and app.screen.is_mounted and app.screen,
            what="help",
        )
        keys = rendered(help_screen.query_one("#keys"))
        submit = next(b.binding for b in form.active_bindings.values() if b.binding.key == "ctrl+s")
        assert app.get_key_display(submit) in keys
        assert "Submit" in keys and "Dry run" in keys and "Cancel" in keys


@SIZES
async def test_a_copy_keeps_each_failed_regions_reason(sandbox, ec2, proxy, size):
    source = available_images(ec2, "us-east-1")[7 + (size == SIZE)]
    proxy.fault_by_region = lambda action, region, n: (
        "denied" if action == "CopyImage" and region == "ap-southeast-2" else None
    )
    app = make_app(proxy.url, regions=("us-east-1",))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await select_image(pilot, source["ImageId"])
        form = await open_form(pilot, "c")
        await fill(pilot, form, DestinationRegions="eu-west-1, ap-southeast-2")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: form.values()["DestinationRegions"] == "ap-southeast-2", 10, "retry"
        )
        for _ in range(5):  # the field's Changed events have all been handled
            await pilot.pause()
        assert "ap-southeast-2" in outcome_text(form)
        assert "UnauthorizedOperation" in outcome_text(form)
        assert app.screen is form
    assert proxy.count("CopyImage") == 2
    assert [t.region for t in app.tasks.tasks()] == ["eu-west-1"]


@SIZES
async def test_a_region_that_does_not_exist_is_refused_before_any_call(memory, size):
    source = available_images(memory.ec2, "us-east-1")[0]
    app = make_app(memory, regions=("us-east-1",))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await select_image(pilot, source["ImageId"])
        form = await open_form(pilot, "c")
        await wait_for(pilot, lambda: form.known_regions, what="DescribeRegions")
        await fill(pilot, form, DestinationRegions="eu-west-9")
        assert "eu-west-9" in field_error(form, "DestinationRegions")
        for key in ("ctrl+t", "ctrl+s"):  # a dry run is a request too: not sent either
            form.set_outcome("")
            await pilot.press(key)
            await wait_for(pilot, lambda: "nothing was sent" in outcome_text(form), what=key)
    assert app.clients.calls["copy_image"] == 0


async def test_snapshots_an_endpoint_kept_are_named(sandbox, ec2, proxy):
    region = "eu-west-1"
    victim = clear_images(sandbox, region, available_images(ec2, region)[-12:-4])[-1]
    proxy.ignored_params = {"DeleteAssociatedSnapshots"}
    app = make_app(proxy.url, regions=(region,))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_image(pilot, victim["ImageId"])
        form = await open_form(pilot, "ctrl+d")
        await fill(pilot, form, ConfirmImageId=victim["ImageId"], DeleteAssociatedSnapshots=True)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm), what="form to close")
        message = await wait_for(
            pilot, lambda: [m for m in app.notified if "Deregister image done" in m], 5, "the toast"
        )
    for snapshot in snapshots_of(victim):
        assert f"{snapshot}: STILL EXISTS" in message[0]


async def test_import_reads_the_format_from_the_file_and_refuses_a_mismatch(memory):
    app = make_app(memory, regions=("us-east-1",))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "i")
        await fill(
            pilot,
            form,
            DiskContainers__0__UserBucket__S3Bucket="amitui-imports",
            DiskContainers__0__UserBucket__S3Key="vms/legacy-centos7.ova",
        )
        fmt = "DiskContainers.0.Format"
        await wait_for(pilot, lambda: form.values()[fmt] == "OVA", what="the format shown")
        await fill(pilot, form, DiskContainers__0__Format="VMDK")  # the user insists
        await wait_for(pilot, lambda: "not VMDK" in field_error(form, fmt), what="the mismatch")
        assert form.values()[fmt] == "VMDK"  # the user's choice is not overwritten
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "nothing was sent" in outcome_text(form))
