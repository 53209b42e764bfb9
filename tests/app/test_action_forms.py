"""The six action forms, driven with Pilot: end to end against the sandbox (results
checked with boto3); the checks that send nothing on the in-memory EC2."""

from __future__ import annotations

from amitui.ui.screens.action_form import ActionForm
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
    pick_from_list,
    select_image,
    table,
    wait_for,
)

available_image = available_images


async def test_copy_to_two_regions_makes_two_pending_images(slow_sandbox, ec2):
    # pending for a minute: still pending when the rows are read, however loaded the machine
    # (with 1 s, a poll could make them available first and the test fail)
    source = available_image(ec2)[0]
    regions = ("us-east-1", "eu-west-1", "ap-southeast-2")
    app = make_app(slow_sandbox.url, regions=regions)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_image(pilot, source["ImageId"])
        form = await open_form(pilot, "c")
        assert field_widget_value(form, "SourceImageId") == source["ImageId"]
        assert field_widget_value(form, "SourceRegion") == "us-east-1"
        assert field_widget_value(form, "Name") == source["Name"] + "-copy"
        await fill(pilot, form, DestinationRegions="eu-west-1, ap-southeast-2")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm), what="form to close")
        copies = await wait_for(
            pilot,
            lambda: [i for i in table(app).rows.images if i.name == source["Name"] + "-copy"],
            what="the copies in the table",
        )
        assert sorted(i.region for i in copies) == ["ap-southeast-2", "eu-west-1"]
        assert all(i.state == "pending" for i in copies)  # shown without a full reload
        for image in copies:
            answer = ec2(image.region).describe_images(ImageIds=[image.image_id])["Images"][0]
            assert answer["SourceImageId"] == source["ImageId"]
        tasks = app.tasks.tasks()
        assert sorted(t.target_id for t in tasks) == sorted(i.image_id for i in copies)


def field_widget_value(form, api_name):
    """What the form shows (and will send) for a field."""
    return form.values()[api_name]


async def test_invalid_field_blocks_submit_and_nothing_is_sent(memory):
    source = available_image(memory.ec2)[1]
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_image(pilot, source["ImageId"])
        form = await open_form(pilot, "c")
        await fill(pilot, form, Name="ab", DestinationRegions="eu-west-1, mars-north-9x")
        assert "3" in field_error(form, "Name")  # "3 to 128 characters"
        assert "mars-north-9x" in field_error(form, "DestinationRegions")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "nothing was sent" in outcome_text(form), what="refusal")
        assert isinstance(app.screen, ActionForm)
        assert app.clients.calls["copy_image"] == 0


async def test_kms_key_needs_encrypted(memory):
    source = available_image(memory.ec2)[1]
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_image(pilot, source["ImageId"])
        form = await open_form(pilot, "c")
        await fill(pilot, form, DestinationRegions="eu-west-1", KmsKeyId="alias/my-key")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "nothing was sent" in outcome_text(form), what="refusal")
        assert "Encrypted" in field_error(form, "KmsKeyId")
        assert app.clients.calls["copy_image"] == 0


async def test_export_to_missing_bucket_shows_aws_error_in_the_form(sandbox, ec2):
    source = available_image(ec2)[2]
    app = make_app(sandbox.url)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_image(pilot, source["ImageId"])
        form = await open_form(pilot, "e")
        await fill(
            pilot,
            form,
            DiskImageFormat="VMDK",
            S3ExportLocation__S3Bucket="no-such-bucket-here",
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "InvalidParameter" in outcome_text(form), what="AWS error")
        await pilot.pause()
        assert form.query_one("#outcome").region.height >= 1  # on screen, where the user looks
        assert isinstance(app.screen, ActionForm)  # stays open, with the input kept
        assert field_widget_value(form, "S3ExportLocation.S3Bucket") == "no-such-bucket-here"
        assert app.tasks.tasks() == []


async def test_export_starts_a_task(sandbox, ec2):
    source = available_image(ec2)[3]
    app = make_app(sandbox.url)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_image(pilot, source["ImageId"])
        form = await open_form(pilot, "e")
        await fill(pilot, form, DiskImageFormat="RAW", S3ExportLocation__S3Bucket="amitui-exports")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
        (task,) = app.tasks.tasks()
        assert task.kind == "export" and task.target_id.startswith("export-ami-")
        answer = ec2().describe_export_image_tasks(ExportImageTaskIds=[task.target_id])
        assert answer["ExportImageTasks"][0]["ImageId"] == source["ImageId"]


async def test_dry_run_reports_allowed_and_changes_nothing(sandbox, ec2, proxy):
    source = available_image(ec2)[4]
    before = len(own_images(ec2("eu-west-1")))
    app = make_app(proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_image(pilot, source["ImageId"])
        form = await open_form(pilot, "c")
        await fill(pilot, form, DestinationRegions="eu-west-1")
        await pilot.click("#dry-run")
        await wait_for(pilot, lambda: "allowed" in outcome_text(form), what="dry run answer")
        assert "DryRunOperation" in outcome_text(form)
        assert isinstance(app.screen, ActionForm)
    assert len(own_images(ec2("eu-west-1"))) == before
    assert proxy.count("CopyImage") == 1


async def test_deregister_with_its_snapshots_names_them_and_removes_the_row(sandbox, ec2, proxy):
    """The end-to-end deregister (the typed-back id's refusals: reliability/test_safety.py)."""
    victim = clear_images(sandbox, "eu-west-1", available_image(ec2, "eu-west-1")[:8])[0]
    app = make_app(proxy.url, regions=("eu-west-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_image(pilot, victim["ImageId"])
        form = await open_form(pilot, "ctrl+d")
        context = str(form.query_one("#context").content)
        assert victim["ImageId"] in context and victim["Name"] in context
        snapshots = [m["Ebs"]["SnapshotId"] for m in victim["BlockDeviceMappings"] if "Ebs" in m]
        assert snapshots, "the victim has EBS snapshots"
        await fill(pilot, form, ConfirmImageId=victim["ImageId"], DeleteAssociatedSnapshots=True)
        context = str(form.query_one("#context").content)
        assert [s for s in snapshots if s not in context] == []
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
        assert table(app).rows.row_of(victim["ImageId"]) is None
        messages = " ".join(app.notified)
        assert [s for s in snapshots if s not in messages] == []
    assert proxy.count("DeregisterImage") == 1
    remaining = {i["ImageId"] for i in own_images(ec2("eu-west-1"))}
    assert victim["ImageId"] not in remaining


async def test_create_from_instance_picker(sandbox, ec2):
    app = make_app(sandbox.url, regions=("ap-southeast-2",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "n")
        instance_id = await pick_from_list(pilot, form, "InstanceId", "web-1")
        assert instance_id.startswith("i-")
        await fill(pilot, form, Name="amitui-test-create", NoReboot=True)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
        created = await wait_for(
            pilot,
            lambda: [i for i in table(app).rows.images if i.name == "amitui-test-create"],
        )
        assert created[0].state == "pending"
        assert created[0].region == "ap-southeast-2"


async def test_aws_error_stays_in_the_form(sandbox, ec2):
    """A duplicate name: AWS refuses, the form stays open with the code and message."""
    images = available_image(ec2)
    app = make_app(sandbox.url)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_image(pilot, images[5]["ImageId"])
        form = await open_form(pilot, "c")
        await fill(pilot, form, DestinationRegions="us-east-1", Name=images[6]["Name"])
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "InvalidAMIName.Duplicate" in outcome_text(form))
        assert isinstance(app.screen, ActionForm)


async def test_register_from_a_snapshot_with_x86_64_hvm_defaults(sandbox, ec2):
    app = make_app(sandbox.url, regions=("eu-west-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "r")
        assert field_widget_value(form, "Architecture") == "x86_64"
        assert field_widget_value(form, "VirtualizationType") == "hvm"
        snap_field = next(f.api_name for f in form.spec.fields if f.lookup == "snapshots")
        snapshot_id = await pick_from_list(pilot, form, snap_field, "legacy-app")
        assert snapshot_id.startswith("snap-")
        await fill(pilot, form, Name="amitui-registered-test")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
        (task,) = app.tasks.tasks()
        image = ec2("eu-west-1").describe_images(ImageIds=[task.target_id])["Images"][0]
        assert image["Architecture"] == "x86_64" and image["VirtualizationType"] == "hvm"
        assert image["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"] == snapshot_id


async def test_create_warns_that_the_instance_reboots(memory):
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "n")
        assert "REBOOT" in str(form.query_one("#context").content)
        toggle = field_widget(form, "NoReboot")
        toggle.focus()
        await pilot.press("space")
        assert toggle.value is True
        # the switch's Changed message reaches the form after the key (a busy machine)
        await wait_for(
            pilot,
            lambda: "REBOOT" not in str(form.query_one("#context").content),
            what="the reboot warning gone",
        )
