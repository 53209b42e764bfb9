"""The form pickers (ctrl+o / f2 / Pick…): searchable lists of instances, snapshots,
buckets and regions that fill a form field. On the in-memory EC2 (the sandbox's answers,
served from memory), but for the faults, which the proxy in front of the sandbox makes."""

from __future__ import annotations

import boto3
import pytest
from textual.widgets import Input

from amitui.ui.screens.action_form import ActionForm
from amitui.ui.screens.choice_picker import ChoicePicker
from amitui.ui.widgets.choice_list import ChoiceList
from tests.app.helpers import (
    SIZE,
    field_widget,
    loaded,
    make_app,
    open_form,
    open_picker,
    outcome_text,
    own_images,
    pick_from_list,
    picker_shown,
    rendered,
    select_image,
    type_burst,
    type_text,
    wait_for,
)

SIZES = [pytest.param(SIZE, id="wide"), pytest.param((80, 24), id="80x24")]
EU_BUCKET = "amitui-pickers-eu"


def field_index(form, api_name: str) -> int:
    return next(i for i, f in enumerate(form.spec.fields) if f.api_name == api_name)


def text_of(screen, selector: str) -> str:
    return rendered(screen.query_one(selector))


@pytest.mark.parametrize("size", SIZES)
async def test_snapshot_picker_filters_hundreds_and_enter_fills_the_field(memory, ec2, size):
    (legacy,) = ec2("us-east-1").describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": "tag:Name", "Values": ["legacy-app root volume"]}]
    )["Snapshots"]
    app = make_app(memory, regions=("us-east-1",))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "r")
        field = next(f.api_name for f in form.spec.fields if f.lookup == "snapshots")
        picker = await open_picker(pilot, form, field)
        total = len(picker.lookup.choices)
        # the account's own snapshots only (OwnerIds=self): ~400 in the sandbox's us-east-1
        assert total > 300
        assert f"{total:,} of {total:,} snapshots" in text_of(picker, "#status")
        await type_text(pilot, *"LEGACY-app")
        await wait_for(pilot, lambda: picker_shown(picker) == [legacy["SnapshotId"]])
        assert "1 of" in text_of(picker, "#status")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is form, what="back to the form")
        assert field_widget(form, field).value == legacy["SnapshotId"]
        # Enter picked, and did nothing else: the form was not submitted, focus is back.
        assert outcome_text(form) == ""
        assert app.focused is field_widget(form, field)
        assert not [t for t in app.tasks.tasks() if t.kind == "register"]


async def test_instance_picker_opens_from_its_button_and_a_click_picks(memory, ec2):
    answer = ec2("eu-west-1").describe_instances(
        Filters=[{"Name": "tag:Name", "Values": ["payments-api-1"]}]
    )
    (payments,) = [i for r in answer["Reservations"] for i in r["Instances"]]
    app = make_app(memory, regions=("eu-west-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "n")
        await pilot.click(f"#pick-{field_index(form, 'InstanceId')}")
        picker = await wait_for(
            pilot,
            lambda: isinstance(app.screen, ChoicePicker) and app.screen.is_mounted and app.screen,
        )
        await wait_for(pilot, lambda: picker.lookup, what="instances")
        assert "3 of 3 instances" in text_of(picker, "#status")
        await type_text(pilot, *"payments")
        await wait_for(pilot, lambda: picker_shown(picker) == [payments["InstanceId"]])
        await pilot.click(ChoiceList, offset=(5, 1))  # the first row, under the header
        await wait_for(pilot, lambda: app.screen is form, what="back to the form")
        assert field_widget(form, "InstanceId").value == payments["InstanceId"]


async def test_an_empty_region_says_none_found_there(memory):
    app = make_app(memory, regions=("sa-east-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "n")
        picker = await open_picker(pilot, form, "InstanceId", key="f2")
        assert "No instances found in sa-east-1." in text_of(picker, "#status")
        await pilot.press("enter")  # nothing to pick: the picker stays
        assert app.screen is picker
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is form)
        assert field_widget(form, "InstanceId").value == ""


@pytest.mark.parametrize("size", SIZES)
async def test_destination_regions_are_marked_with_space_and_applied_with_enter(memory, size):
    app = make_app(memory)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "c")
        picker = await open_picker(pilot, form, "DestinationRegions", key="f2")
        assert "regions enabled for this account (DescribeRegions)" in text_of(picker, "#source")
        await type_text(pilot, *"eu-west")
        await wait_for(
            pilot, lambda: picker_shown(picker) == ["eu-west-1", "eu-west-2", "eu-west-3"]
        )
        await pilot.press("space", "down", "down", "space")
        assert "marked: eu-west-1, eu-west-3" in text_of(picker, "#status")
        assert picker.query_one(Input).value == "eu-west"  # space marked, it did not type
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is form, what="back to the form")
        assert field_widget(form, "DestinationRegions").value == "eu-west-1, eu-west-3"
        assert outcome_text(form) == ""
        # Opened again, the picker starts from the field's regions; esc changes nothing.
        picker = await open_picker(pilot, form, "DestinationRegions")
        assert "marked: eu-west-1, eu-west-3" in text_of(picker, "#status")
        await pilot.press("space", "escape")
        await wait_for(pilot, lambda: app.screen is form)
        assert field_widget(form, "DestinationRegions").value == "eu-west-1, eu-west-3"


async def test_keys_typed_in_a_burst_act_on_the_list_the_keys_before_them_left(memory):
    """A fast typist: the filter is applied as each key arrives, so space, down and Enter
    right after the text mark and pick among the filtered regions."""
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "c")
        await open_picker(pilot, form, "DestinationRegions")
        type_burst(pilot, [*"eu-west", "space", "down", "space", "enter"])
        await wait_for(pilot, lambda: app.screen is form, what="back to the form")
        assert field_widget(form, "DestinationRegions").value == "eu-west-1, eu-west-2"


async def test_regions_fall_back_to_botocore_and_the_picker_says_so(sandbox, proxy):
    proxy.fault = lambda action, n: "denied" if action == "DescribeRegions" else None
    app = make_app(proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "c")
        picker = await open_picker(pilot, form, "DestinationRegions")
        source = text_of(picker, "#source")
        assert "botocore's region list, not checked against the account" in source
        assert "UnauthorizedOperation" in source
        assert "eu-west-1" in picker_shown(picker)
    assert proxy.outcomes("DescribeRegions")["denied"] >= 1


async def test_an_aws_error_shows_inside_the_picker_as_one_line(sandbox, proxy):
    proxy.fault = lambda action, n: "denied" if action == "DescribeSnapshots" else None
    app = make_app(proxy.url, regions=("eu-west-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "r")
        field = next(f.api_name for f in form.spec.fields if f.lookup == "snapshots")
        picker = await open_picker(pilot, form, field)
        status = picker.query_one("#status")
        assert status.has_class("failed")
        text = text_of(picker, "#status").strip()
        assert text.startswith("Could not list: UnauthorizedOperation: ")
        assert "\n" not in str(status.content)
        assert picker_shown(picker) == []
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is form)
        assert field_widget(form, field).value == ""


@pytest.fixture(scope="module")
def eu_bucket(sandbox):
    s3 = boto3.client("s3", region_name="eu-west-1", endpoint_url=sandbox.url)
    if EU_BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(
            Bucket=EU_BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
    return EU_BUCKET


@pytest.mark.parametrize("size", SIZES)
async def test_bucket_picker_warns_when_the_bucket_is_not_in_the_images_region(
    memory, eu_bucket, size
):
    image = sorted(own_images(memory.ec2("eu-west-1")), key=lambda i: i["ImageId"])[0]
    app = make_app(memory, regions=("eu-west-1",))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await select_image(pilot, image["ImageId"])
        form = await open_form(pilot, "e")
        assert isinstance(form, ActionForm)
        bucket = "S3ExportLocation.S3Bucket"
        warning = form.query_one(f"#w-{field_index(form, bucket)}")
        picker = await open_picker(pilot, form, bucket)
        assert {eu_bucket, "amitui-exports"} <= set(picker_shown(picker))
        shown = picker_shown(picker)
        in_region = {eu_bucket, "amitui-exports-eu-west-1", "amitui-imports-eu-west-1"}
        first_elsewhere = next(i for i, b in enumerate(shown) if b not in in_region)
        assert set(shown[:first_elsewhere]) == in_region & set(shown)  # usable buckets first
        await type_text(pilot, *"amitui-exports us-east-1")
        await wait_for(pilot, lambda: picker_shown(picker) == ["amitui-exports"])
        expected = "amitui-exports is in us-east-1: ExportImage needs a bucket in eu-west-1"
        assert expected in text_of(picker, "#warning")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is form, what="back to the form")
        assert field_widget(form, bucket).value == "amitui-exports"
        assert warning.has_class("shown") and expected in rendered(warning)
        # The bucket in the image's region: no warning.
        assert await pick_from_list(pilot, form, bucket, eu_bucket) == eu_bucket
        assert not warning.has_class("shown")
        # Typed by hand, a bucket the picker listed is judged the same way.
        field_widget(form, bucket).value = "amitui-exports"
        await wait_for(pilot, lambda: warning.has_class("shown"))


async def test_ctrl_o_on_a_field_without_a_list_says_which_fields_have_one(memory):
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        form = await open_form(pilot, "n")
        field_widget(form, "Name").focus()
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: any("no list to pick from" in m for m in app.notified))
        assert "Instance" in app.notified[-1]
        assert app.screen is form
