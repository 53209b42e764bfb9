"""The lifecycle actions from the UI, end to end on the sandbox: each form sends what it
shows, the change is checked with an independent boto3 call, and the image's row changes
in place. Each test works on an image of its own (a copy), so the catalogue stays."""

from __future__ import annotations

import uuid

import pytest

from amitui.ui.screens.action_form import ActionForm
from amitui.ui.screens.help import HelpScreen
from tests.app.helpers import (
    SIZE,
    field_error,
    fill,
    loaded,
    make_app,
    open_form,
    own_images,
    rendered,
    screen_on_top,
    select_image,
    table,
    wait_for,
)
from tests.support.sandbox_time import finish_now


@pytest.fixture
def fresh(sandbox, ec2) -> str:
    """A new image of our own in us-east-1, available (a copy of a seeded one)."""
    source = sorted(
        (i for i in own_images(ec2()) if i["State"] == "available"), key=lambda i: i["ImageId"]
    )[6]
    image_id = ec2().copy_image(
        SourceImageId=source["ImageId"], SourceRegion="us-east-1", Name=f"life-{uuid.uuid4().hex}"
    )["ImageId"]
    finish_now(sandbox)  # not a second of pending time to wait through
    waiter = ec2().get_waiter("image_available")
    waiter.wait(ImageIds=[image_id], WaiterConfig={"Delay": 0.2, "MaxAttempts": 200})
    return image_id


def described(ec2, image_id: str) -> dict:
    return ec2().describe_images(ImageIds=[image_id], IncludeDisabled=True)["Images"][0]


async def send(pilot, name_or_key: str, **values) -> ActionForm:
    """Open an action's form on the selected image (by its key, or from the palette's
    command for a keyless one), fill it, send it, wait for it to close."""
    app = pilot.app
    if len(name_or_key) == 1:
        form = await open_form(pilot, name_or_key)
    else:
        app.inventory.action_open_action(name_or_key)  # what its palette command runs
        form = await screen_on_top(pilot, ActionForm)
    if values:
        await fill(pilot, form, **values)
    form.shown = rendered(form.query_one("#context"), width=240)  # what it said it sends
    await pilot.press("ctrl+s")
    try:
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
    except AssertionError:
        says = rendered(form.query_one("#outcome")) if form.is_mounted else ""
        raise AssertionError(f"{form.spec.name} was not sent; the form says: {says}") from None
    return form


def row(app, image_id: str):
    """The Image the table shows for ``image_id`` (row_of: its visible position)."""
    rows = table(app).rows
    shown = rows.row_of(image_id)
    return None if shown is None else rows.images[rows.visible[shown]]


async def test_tags_description_and_protection_change_the_image_and_its_row(fresh, ec2, proxy):
    app = make_app(proxy.url, regions=("us-east-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_image(pilot, fresh)

        await send(pilot, "T", Tags="team=web, env=prod")
        tags = {t["Key"]: t["Value"] for t in described(ec2, fresh).get("Tags", [])}
        assert tags.get("team") == "web" and tags.get("env") == "prod"
        await wait_for(pilot, lambda: ("team", "web") in row(app, fresh).tags, what="row tags")
        # One field edits the set: a change and a removal are two calls, both sent.
        before = proxy.count("CreateTags", "DeleteTags")
        await send(pilot, "T", Tags="team=data")
        tags = {t["Key"]: t["Value"] for t in described(ec2, fresh).get("Tags", [])}
        assert tags.get("team") == "data" and "env" not in tags
        assert proxy.count("CreateTags", "DeleteTags") == before + 2

        await send(pilot, "description", **{"Description.Value": "golden base, audited"})
        assert described(ec2, fresh)["Description"] == "golden base, audited"
        await wait_for(
            pilot, lambda: row(app, fresh).description == "golden base, audited", 10, "row"
        )

        await send(pilot, "protect")
        assert described(ec2, fresh)["DeregistrationProtection"] == "enabled-without-cooldown"
        await wait_for(pilot, lambda: row(app, fresh).protection.startswith("enabled"))
        await send(pilot, "unprotect")
        assert described(ec2, fresh)["DeregistrationProtection"] == "disabled"


async def test_sharing_adds_an_account_and_resets_to_private(fresh, ec2, proxy):
    app = make_app(proxy.url, regions=("us-east-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_image(pilot, fresh)
        await send(pilot, "P", ShareWith="210987654321")
        permissions = ec2().describe_image_attribute(ImageId=fresh, Attribute="launchPermission")
        assert {"UserId": "210987654321"} in permissions["LaunchPermissions"]
        # The form lists the current shares before anything is sent.
        form = await open_form(pilot, "P")
        await wait_for(pilot, lambda: form.usage.usage is not None, what="current shares")
        assert "210987654321" in rendered(form.query_one("#context"), width=240)
        await fill(pilot, form, Public="reset to private")
        await pilot.press("ctrl+s")
        # the call answered: the form closed, or it is idle again and says why ("Sending…"
        # is shown while the call is out)
        await wait_for(
            pilot,
            lambda: (
                not isinstance(app.screen, ActionForm)
                or (not form.busy and rendered(form.query_one("#outcome")))
            ),
            what="reset",
        )
        assert not isinstance(app.screen, ActionForm), rendered(form.query_one("#outcome"))
        permissions = ec2().describe_image_attribute(ImageId=fresh, Attribute="launchPermission")
        assert permissions["LaunchPermissions"] == []
    assert proxy.count("ResetImageAttribute") == 1


async def test_help_and_palette_offer_the_actions_without_a_key(memory):
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        help_screen = await screen_on_top(pilot, HelpScreen)
        listed = rendered(help_screen.query_one("#palette-only"), width=200)
        for label in ("Deprecate", "Protect", "Disable", "Description", "Leave shared image"):
            assert label in listed
        commands = [c.title for c in app.get_system_commands(app.inventory)]
        assert {"Deprecate", "Undeprecate", "Unprotect", "Enable"} <= set(commands)


async def test_deprecate_then_clear_it(fresh, ec2, proxy):
    app = make_app(proxy.url, regions=("us-east-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_image(pilot, fresh)
        form = await send(pilot, "deprecate", When="+30d")
        shown = form.shown
        when = described(ec2, fresh)["DeprecationTime"]
        assert when[:16].replace("T", " ") in shown, (when, shown)  # sent what it showed
        await wait_for(pilot, lambda: row(app, fresh).deprecation_time == when, what="row")
        await send(pilot, "undeprecate")
        assert "DeprecationTime" not in described(ec2, fresh)
        await wait_for(pilot, lambda: not row(app, fresh).deprecation_time, what="row cleared")


async def test_disable_lists_what_it_drops_and_enable_does_not_restore_it(fresh, ec2, proxy):
    ec2().modify_image_attribute(
        ImageId=fresh, LaunchPermission={"Add": [{"UserId": "210987654321"}]}
    )
    app = make_app(proxy.url, regions=("us-east-1",), include_disabled=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_image(pilot, fresh)
        app.inventory.action_open_action("disable")
        form = await screen_on_top(pilot, ActionForm)
        await wait_for(pilot, lambda: form.usage.usage is not None, what="the current shares")
        context = rendered(form.query_one("#context"), width=240)
        assert "210987654321" in context and "does NOT restore" in context
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm), what="disabled")
        assert described(ec2, fresh)["State"] == "disabled"
        await wait_for(pilot, lambda: row(app, fresh).state == "disabled", what="row state")
        await send(pilot, "enable")
        assert described(ec2, fresh)["State"] == "available"
    permissions = ec2().describe_image_attribute(ImageId=fresh, Attribute="launchPermission")
    assert permissions["LaunchPermissions"] == []


@pytest.fixture
def catalogue_restored(sandbox):
    """The test changes a seeded image; the seeded catalogue (same ids) comes back after."""
    yield sandbox
    sandbox.reset()


async def test_leave_a_shared_image_and_aws_s_refusal_shows_in_the_form(
    catalogue_restored, ec2, proxy
):
    sandbox = catalogue_restored
    shared = sandbox.summary.lifecycle["shared_with_me"]
    own = sandbox.summary.usage["unused"]
    app = make_app(proxy.url, regions=("us-east-1",), owners=("self", "210987654321"))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        # Our own image: AWS refuses, and its code is shown where the user is looking.
        await select_image(pilot, own)
        app.inventory.action_open_action("leave-shared")
        form = await screen_on_top(pilot, ActionForm)
        await fill(pilot, form, ConfirmImageId=own)
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "InvalidParameterValue" in rendered(form.query_one("#outcome"))
        )
        await pilot.press("escape")
        # The shared one: after the typed-back id, it is no longer ours to launch.
        await select_image(pilot, shared)
        await send(pilot, "leave-shared", ConfirmImageId=shared)
        await wait_for(pilot, lambda: row(app, shared) is None, what="its row to go")
    left = ec2().describe_images(ExecutableUsers=["self"], Owners=["210987654321"])["Images"]
    assert shared not in {i["ImageId"] for i in left}


async def test_public_sharing_is_refused_in_the_form_where_the_region_blocks_it(ec2, proxy):
    region = "eu-west-1"  # the sandbox blocks new public sharing there
    image = own_images(ec2(region))[0]["ImageId"]
    app = make_app(proxy.url, regions=(region,))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: app.public_sharing == "blocked", what="the block state")
        await select_image(pilot, image)
        form = await open_form(pilot, "P")
        await fill(pilot, form, Public="public")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "blocked in eu-west-1" in field_error(form, "Public"))
    assert proxy.count("ModifyImageAttribute") == 0
