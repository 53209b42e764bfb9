"""What opening a form costs the UI thread, counted (never timed): every widget of a form
is styled as Textual registers it into the DOM, not also before (its constructor setting
``compact``), and not again once its siblings have mounted or its bindings arrive; and
the form is laid out once, its fields' scrollbar shown before that layout when they will
not fit (a wrong guess is put right by Textual, one layout later)."""

from __future__ import annotations

from collections import Counter

import pytest
from textual.app import App
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen
from textual.widgets._footer import FooterKey

from amitui.ui.screens import form_fields
from amitui.ui.screens.action_form import ActionForm
from tests.app.helpers import SIZE, loaded, make_app, screen_on_top, wait_for


async def test_a_form_styles_no_widget_before_it_joins_the_dom(memory, monkeypatch):
    unplaced: list[str] = []
    original = App.update_styles

    def spy(self, node, animate: bool = True) -> None:
        if node._parent is None:
            unplaced.append(type(node).__name__)
        original(self, node, animate)

    monkeypatch.setattr(App, "update_styles", spy)
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        unplaced.clear()
        app.inventory.forms.open_action("register")  # inputs, choices, switches, buttons
        form = await screen_on_top(pilot, ActionForm)
        await wait_for(pilot, lambda: form._laid_out_before, what="the form's first layout")
        await pilot.pause()
        assert form.query("SteadyInput, ChoiceSelect, FormButton")
        assert unplaced == []


async def test_a_forms_rows_and_footer_keys_are_styled_once_as_it_opens(memory, monkeypatch):
    """Rows were styled again with all they hold once the fields' list had mounted
    (the first row was ``:first-child`` in the CSS); footer keys as they mounted
    (compact) and again as the footer's ``compact`` reached them."""
    styled: Counter[int] = Counter()
    original = Stylesheet.apply

    def spy(self, node, *, animate: bool = False, cache=None) -> None:
        styled[id(node)] += 1
        original(self, node, animate=animate, cache=cache)

    monkeypatch.setattr(Stylesheet, "apply", spy)
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.inventory.forms.open_action("register")
        form = await screen_on_top(pilot, ActionForm)
        await wait_for(pilot, lambda: form._laid_out_before, what="the form's first layout")
        await pilot.pause()
        rows = list(form.query(".row"))
        keys = list(form.query(FooterKey))
        assert len(rows) == len(form.spec.fields) and keys
        assert {styled[id(w)] for w in [*rows, *keys]} == {1}
        assert form.query_one(".row").has_class("first")
        assert [r for r in rows if r.has_class("first")] == rows[:1]


async def open_counting_layouts(pilot, monkeypatch, name: str) -> tuple[ActionForm, list[int]]:
    """Open the ``name`` form; the list counts its layouts (one entry each), all of them
    once this returns (the pauses run every pending message and the screen's update)."""
    layouts: list[int] = []
    original = Screen._refresh_layout

    def spy(self, size=None, scroll: bool = False) -> None:
        if isinstance(self, ActionForm):
            layouts.append(1)
        original(self, size, scroll)

    monkeypatch.setattr(Screen, "_refresh_layout", spy)
    pilot.app.inventory.forms.open_action(name)
    form = await screen_on_top(pilot, ActionForm)
    await wait_for(pilot, lambda: form._laid_out_before, what="the form's first layout")
    await pilot.pause()
    await pilot.pause()
    return form, layouts


def scrolls(form: ActionForm) -> bool:
    fields = form.query_one("#fields")
    return fields.virtual_size.height > fields.size.height


@pytest.mark.parametrize(
    "name, size, scrolling",
    [("register", SIZE, True), ("copy", SIZE, False), ("register", (80, 24), True)],
    ids=["register", "copy", "register-80x24"],
)
async def test_a_form_is_laid_out_once_as_it_opens(memory, monkeypatch, name, size, scrolling):
    app = make_app(memory)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        form, layouts = await open_counting_layouts(pilot, monkeypatch, name)
        assert scrolls(form) is scrolling
        assert form.query_one("#fields").show_vertical_scrollbar is scrolling
        assert len(layouts) == 1


@pytest.mark.parametrize("name, scrolling", [("register", True), ("copy", False)])
async def test_a_wrong_guess_of_the_fields_scrollbar_costs_a_layout(
    memory, monkeypatch, name, scrolling
):
    monkeypatch.setattr(form_fields, "_overflows", lambda *args: not scrolling)
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        form, layouts = await open_counting_layouts(pilot, monkeypatch, name)
        assert scrolls(form) is scrolling
        assert form.query_one("#fields").show_vertical_scrollbar is scrolling
        assert len(layouts) >= 2
