"""Issue 12's proof: an action added by one module (tests/support/toy_action.py) is in
the footer, the palette and help, opens its form, validates, sends, and its task is
recorded, polled and finished — with no other file naming it."""

from __future__ import annotations

import pytest

from amitui.actions import ACTIONS
from amitui.tasks.kinds import KINDS
from amitui.ui.screens.action_form import ActionForm
from amitui.ui.screens.help import HelpScreen
from amitui.ui.widgets.key_footer import FooterKey, KeyFooter
from tests.app.helpers import (
    SIZE,
    field_error,
    fill,
    loaded,
    make_app,
    open_form,
    own_images,
    rendered,
    select_image,
    visible_images,
    wait_for,
)
from tests.support import toy_action


@pytest.fixture
def toy():
    spec = toy_action.install()
    yield spec
    toy_action.uninstall()


def test_the_toy_leaves_no_trace_when_uninstalled(toy):
    assert ACTIONS["toy-clone"] is toy and "toy-clone" in KINDS
    toy_action.uninstall()
    assert "toy-clone" not in ACTIONS and "toy-clone" not in KINDS
    toy_action.install()  # the fixture uninstalls it again


async def test_a_toy_action_from_one_module_runs_end_to_end(sandbox, proxy, ec2, toy):
    source = next(i for i in own_images(ec2()) if i["State"] == "available")
    app = make_app(proxy.url, regions=("us-east-1",), poll_interval=0.5)
    # wide enough for every key: a narrower footer leaves out the last ones whole
    async with app.run_test(size=(220, SIZE[1])) as pilot:
        await loaded(pilot)
        footer = app.inventory.query_one(KeyFooter)
        # composed again once it knows its width (a loaded machine gets there later)
        await wait_for(pilot, lambda: footer._composed_width == 220, what="the footer's width")
        await pilot.pause()
        assert "Clone" in [key.description for key in footer.query(FooterKey)]
        await pilot.press("question_mark")
        help_screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, HelpScreen) and app.screen.is_mounted and app.screen,
        )
        keys = rendered(help_screen.query_one("#keys"))
        assert any(line.split()[:2] == ["z", "Clone"] for line in keys.splitlines()), keys
        await pilot.press("escape")

        palette = {c.title: c.help for c in app.get_system_commands(app.inventory)}
        assert palette.get("Clone") == f"key: {toy_action.KEY}"

        await select_image(pilot, source["ImageId"])
        form = await open_form(pilot, toy_action.KEY)
        assert form.spec is toy
        assert form.values()["SourceImageId"] == source["ImageId"]

        await pilot.press("ctrl+s")  # no name yet: nothing is sent
        await wait_for(pilot, lambda: field_error(form, "Name"), what="the missing name")
        assert isinstance(app.screen, ActionForm)
        assert proxy.count("CopyImage") == 0

        await fill(pilot, form, Name="toy-clone-of-" + source["ImageId"])
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm), what="the send")
        assert proxy.count("CopyImage") == 1
        tasks = app.tasks.tasks()
        assert [(t.kind, t.source) for t in tasks] == [
            ("toy-clone", f"{source['ImageId']} (cloned in place)")
        ]
        target = tasks[0].target_id

        def finished():
            return [t for t in app.tasks.tasks() if t.id == tasks[0].id and t.is_terminal]

        task = (await wait_for(pilot, finished, what="the clone to finish"))[0]
        assert task.status == "done", task.message
        await wait_for(
            pilot,
            lambda: any(f"toy-clone {target}" in m and "finished" in m for m in app.notified),
            what="the task's notice",
        )
        await pilot.press("escape")  # the filter: the new row is shown, available
        await wait_for(
            pilot,
            lambda: any(
                i.image_id == target and i.state == "available" for i in visible_images(app)
            ),
            what="the clone's row, available",
        )
