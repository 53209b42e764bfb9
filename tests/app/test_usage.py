""" "Is this AMI still used?" in the app, end to end on the sandbox (its seeded roles:
amitui/sandbox/catalogue_usage.py): the detail screen's Used by, the deregister form's
refusals, "not verified" against an endpoint without the API, the usage report as a task
that survives a restart, and no usage call while browsing."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from amitui.tasks.store import TaskStore
from amitui.ui.screens.action_form import ActionForm
from amitui.ui.screens.detail import DetailScreen
from tests.app.helpers import (
    SIZE,
    field_error,
    fill,
    loaded,
    make_app,
    open_form,
    outcome_text,
    rendered,
    screen_on_top,
    select_image,
    table,
    wait_for,
)
from tests.support.sandbox_time import finish_reports


def role(sandbox, name: str) -> str:
    return sandbox.summary.usage[name]


async def open_detail(pilot, image_id: str) -> DetailScreen:
    await select_image(pilot, image_id)
    await pilot.press("enter")
    screen = await screen_on_top(pilot, DetailScreen)
    await wait_for(pilot, lambda: "checked " in usage_shown(screen), what="the usage checks")
    return screen


def usage_shown(screen: DetailScreen) -> str:
    return rendered(screen.query_one("#usage"), width=240)


async def back(pilot) -> None:
    from amitui.ui.screens.inventory import InventoryScreen

    await pilot.press("escape")
    await screen_on_top(pilot, InventoryScreen)


def override_shown(form) -> bool:
    """Whether the "Deregister anyway" field is displayed (it is, only when needed): its
    row and its help line together, and its error line never without them."""
    index = next(i for i, f in enumerate(form.spec.fields) if f.api_name == "DeregisterAnyway")
    row = bool(form.query_one(f"#field-{index}").display)
    assert bool(form.query_one(f"#h-{index}").display) == row
    assert row or not form.query_one(f"#e-{index}").display
    return row


@pytest.fixture
def plain_moto(sandbox):
    """The session's sandbox answering the usage calls as plain moto does."""
    sandbox.usage_api = False
    yield sandbox
    sandbox.usage_api = True


async def test_detail_shows_what_uses_an_image_and_asks_only_when_opened(sandbox, proxy):
    app = make_app(proxy.url, regions=("us-east-1", "eu-west-1"))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for _ in range(5):
            await pilot.press("down")
        assert proxy.count("DescribeImageReferences") == 0, "browsing asks nothing"

        # Launch template version 3 of 5, and only it.
        detail = await open_detail(pilot, role(sandbox, "launch_template_v3"))
        text = usage_shown(detail)
        assert "launch template" in text and "version 3 of 5" in text, text
        assert "not verified" not in text
        assert proxy.count("DescribeImageReferences") == 1
        await back(pilot)
        # Opened again: the session's answer, with its time; AWS is not asked again.
        detail = await open_detail(pilot, role(sandbox, "launch_template_v3"))
        assert "version 3 of 5" in usage_shown(detail)
        assert proxy.count("DescribeImageReferences") == 1
        await back(pilot)

        # An Auto Scaling group through $Latest (DescribeImageReferences sees no group).
        detail = await open_detail(pilot, role(sandbox, "asg_latest"))
        text = usage_shown(detail)
        assert "Auto Scaling group web-asg" in text and "$Latest (version 2)" in text, text
        await back(pilot)
        # A launch configuration, which only the group check finds.
        detail = await open_detail(pilot, role(sandbox, "asg_launch_configuration"))
        assert "launch configuration legacy-lc" in usage_shown(detail)
        await back(pilot)

        # The lineage: the image, the copy it was made from, the root; an ancestor opens.
        detail = await open_detail(pilot, role(sandbox, "lineage_leaf"))
        lineage = detail.query_one("#lineage", OptionList)
        await wait_for(pilot, lambda: lineage.option_count == 3, what="the three-deep lineage")
        ids = [lineage.get_option_at_index(i).id for i in range(3)]
        assert ids == [
            f"eu-west-1/{role(sandbox, 'lineage_leaf')}",
            f"eu-west-1/{role(sandbox, 'lineage_copy')}",
            f"us-east-1/{role(sandbox, 'lineage_root')}",
        ]
        lineage.focus()
        lineage.highlighted = 2
        await pilot.press("enter")
        root = await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, DetailScreen) and app.screen is not detail and app.screen
            ),
        )
        assert root.image.image_id == role(sandbox, "lineage_root")


async def test_deregister_refuses_a_used_or_protected_image_without_the_tick(sandbox, ec2, proxy):
    app = make_app(proxy.url, regions=("us-east-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        # Used only by an Auto Scaling group through $Latest: listed before the typed-back
        # id, refused until "Deregister anyway" is ticked, and nothing is sent.
        used = role(sandbox, "asg_latest")
        await select_image(pilot, used)
        form = await open_form(pilot, "ctrl+d")
        await wait_for(pilot, lambda: form.usage.usage is not None, what="the usage check")
        context = rendered(form.query_one("#context"), width=240)
        assert "In use" in context and "web-asg" in context, context
        assert override_shown(form)
        await fill(pilot, form, ConfirmImageId=used)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "tick" in field_error(form, "DeregisterAnyway"))
        assert proxy.count("DeregisterImage") == 0
        await pilot.press("escape")

        # Protected: refused without the tick; with it, AWS's own refusal is shown.
        protected = role(sandbox, "protected")
        await select_image(pilot, protected)
        form = await open_form(pilot, "ctrl+d")
        await wait_for(pilot, lambda: form.usage.usage is not None, what="the usage check")
        assert "protection" in rendered(form.query_one("#context"), width=240)
        await fill(pilot, form, ConfirmImageId=protected)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "tick" in field_error(form, "DeregisterAnyway"))
        assert proxy.count("DeregisterImage") == 0
        await fill(pilot, form, DeregisterAnyway=True)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "OperationNotPermitted" in outcome_text(form))
        assert isinstance(app.screen, ActionForm)
        assert proxy.count("DeregisterImage") == 1
        await pilot.press("escape")

        # In no use: the form says so and hides the override.
        clear = role(sandbox, "unused")
        await select_image(pilot, clear)
        form = await open_form(pilot, "ctrl+d")
        await wait_for(pilot, lambda: form.usage.usage is not None, what="the usage check")
        assert "Nothing uses it" in rendered(form.query_one("#context"), width=240)
        assert not override_shown(form)
        form.show_errors({"DeregisterAnyway": "an error of a hidden field"}, everything=True)
        await pilot.pause()
        assert "hidden field" in field_error(form, "DeregisterAnyway")
        assert not override_shown(form)  # its error line stays hidden with it
    assert ec2().describe_images(ImageIds=[protected])["Images"], "protection kept it"


async def test_without_the_api_every_image_is_not_verified_never_unused(plain_moto, proxy):
    app = make_app(proxy.url, regions=("us-east-1",))
    clear = role(plain_moto, "unused")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        detail = await open_detail(pilot, clear)
        text = usage_shown(detail)
        assert "Image references: not verified" in text, text
        assert "Image references: none" not in text
        await back(pilot)
        form = await open_form(pilot, "ctrl+d")
        await wait_for(pilot, lambda: form.usage.usage is not None, what="the usage check")
        assert "Not verified" in rendered(form.query_one("#context"), width=240)
        await fill(pilot, form, ConfirmImageId=clear)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "tick" in field_error(form, "DeregisterAnyway"))
        assert "not verified" in field_error(form, "DeregisterAnyway")
    assert proxy.count("DeregisterImage") == 0


async def test_a_usage_report_is_a_task_that_survives_a_restart(sandbox, tmp_path):
    db = tmp_path / "tasks.sqlite3"
    shared = role(sandbox, "shared")
    first = make_app(sandbox.url, store=TaskStore(db), poll_interval=60, regions=("us-east-1",))
    async with first.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_image(pilot, shared)
        await open_form(pilot, "U")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(first.screen, ActionForm), what="sent")
        (task,) = first.tasks.tasks()
        assert task.kind == "usage-report" and task.image_id == shared
    finish_reports(sandbox)  # available while nobody watches (not after 2 s of pending)
    second = make_app(sandbox.url, store=TaskStore(db), poll_interval=0.5, regions=("us-east-1",))
    async with second.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(
            pilot,
            lambda: [t.status for t in second.tasks.tasks()] == ["done"],
            what="the report to be available",
        )
        detail = await open_detail(pilot, shared)
        await wait_for(
            pilot,
            lambda: "account 210987654321" in rendered(detail.query_one("#report"), width=240),
            what="the per-account counts",
        )
        report = rendered(detail.query_one("#report"), width=240)
        assert task.target_id in report and "account 456789012345" in report
        # Asked again while it is unexpired: the same report, nothing new is made.
        await back(pilot)
        await open_form(pilot, "U")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(second.screen, ActionForm), what="sent")
        assert [t.target_id for t in second.tasks.tasks()] == [task.target_id]


async def test_the_column_picker_shows_the_usage_columns_and_config_remembers_them(memory):
    import tomllib

    from amitui import paths
    from amitui.settings import build_settings
    from amitui.ui.screens.pickers import ColumnPicker

    app = make_app(memory, regions=("us-east-1",))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert "launched" not in [c.key for c in table(app).columns]
        await pilot.press("C")
        picker = await screen_on_top(pilot, ColumnPicker)
        choices = picker.query_one("#columns")
        for key in ("launched", "protection"):
            choices.select(key)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "launched" in [c.key for c in table(app).columns])
        assert "Last launched" in " ".join(c.title for c in table(app).columns)
        await wait_for(pilot, lambda: paths.config_file().exists(), what="config.toml")
    saved = tomllib.loads(paths.config_file().read_text())["columns"]
    assert {"launched", "protection", "created", "arch"} <= set(saved)
    assert build_settings({}, env={}).columns == tuple(saved)
