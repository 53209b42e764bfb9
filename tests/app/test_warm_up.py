"""The warm-up (amitui/ui/warm_up.py): shortly after start the app does the one-off work
the first form would otherwise make the user wait for, so that opening any form later
parses no stylesheet again and restyles no other screen."""

from __future__ import annotations

from textual.screen import Screen

from amitui.actions import ACTIONS
from amitui.ui.keymap import ui_classes
from amitui.ui.screens.action_form import ActionForm
from amitui.ui.screens.inventory import InventoryScreen
from amitui.ui.warm_up import SCREEN_MODULES, WarmUp, css_files
from tests.app.helpers import SIZE, loaded, make_app, screen_on_top, wait_for


def test_every_screen_with_a_tcss_file_is_warmed_up():
    screens = [c for c in ui_classes() if issubclass(c, Screen) and c.CSS_PATH is not None]
    missing = [
        c.__name__
        for c in screens
        if c.__module__ not in SCREEN_MODULES and c is not InventoryScreen  # shown at start
    ]
    assert missing == []
    assert all(path.is_file() for c in screens for path in css_files(c))


async def test_after_the_warm_up_no_form_reparses_or_adds_a_stylesheet(memory, monkeypatch):
    app = make_app(memory)
    app.warm_up.first_step = app.warm_up.between_steps = 0.0  # the same steps, not waited for
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: app.warm_up.done, what="the warm-up")
        reparsed: list[bool] = []
        monkeypatch.setattr(app.stylesheet, "reparse", lambda: reparsed.append(True))
        sources = set(app.stylesheet.source)
        opened = []
        for name in ACTIONS:
            app.inventory.forms.open_action(name)
            form = await screen_on_top(pilot, ActionForm)
            opened.append(form.spec.title)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.inventory, what="the form to close")
        assert len(opened) == len(ACTIONS)
        assert reparsed == []
        assert set(app.stylesheet.source) - sources == set()


async def test_a_failing_step_is_skipped_and_the_rest_still_run(memory):
    app = make_app(memory)
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("no")

    async with app.run_test(size=SIZE) as pilot:
        warm_up = WarmUp(app, [lambda: ran.append("a"), broken, lambda: ran.append("b")])
        warm_up.first_step = 0.01
        warm_up.start()
        await wait_for(pilot, lambda: warm_up.done, what="the steps")
        assert ran == ["a", "b"]
        assert app.is_running


async def test_a_fresh_form_is_styled_once_and_again_when_it_resumes_later(memory, monkeypatch):
    """Textual restyles a screen as it resumes; for one that has just mounted (and was
    just styled) that pass is skipped (amitui/ui/screens/fresh.py), not when it resumes
    again later."""
    from textual import events
    from textual.dom import DOMNode

    restyled: list[str] = []
    original = DOMNode.update_node_styles

    def spy(self, animate: bool = True) -> None:
        restyled.append(type(self).__name__)
        original(self, animate)

    monkeypatch.setattr(DOMNode, "update_node_styles", spy)
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.inventory.forms.open_action("copy")
        form = await screen_on_top(pilot, ActionForm)
        await pilot.pause()
        assert "ActionForm" not in restyled
        form.post_message(events.ScreenResume())
        await wait_for(pilot, lambda: "ActionForm" in restyled, what="the form restyled")


async def test_a_fresh_form_is_not_laid_out_again_with_the_screen_behind_it(memory, monkeypatch):
    """The Resize a just-shown screen receives at the size it was laid out at does not lay
    it and the inventory behind it out again (amitui/ui/screens/fresh.py); a real resize of
    the terminal while the form is open lays both out at the new size."""
    from textual.screen import Screen

    laid_out: list[tuple[str, object]] = []  # (screen, size): layouts for a Resize
    original = Screen._screen_resized

    def spy(self, size) -> None:
        laid_out.append((type(self).__name__, size))
        original(self, size)

    monkeypatch.setattr(Screen, "_screen_resized", spy)
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        laid_out.clear()
        app.inventory.forms.open_action("copy")
        form = await screen_on_top(pilot, ActionForm)
        await wait_for(pilot, lambda: form._resized_before, what="the form's first Resize")
        assert laid_out == []
        assert form.size == app.inventory.size == SIZE
        await pilot.resize_terminal(100, 30)
        # A screen's size is the app's as soon as the terminal's changes; the layouts follow
        # when the Resize is handled: wait for those.
        both = {("ActionForm", (100, 30)), ("InventoryScreen", (100, 30))}
        await wait_for(pilot, lambda: both <= set(laid_out), what="both screens laid out again")
        assert form.size == app.inventory.size == (100, 30)
