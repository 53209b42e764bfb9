"""A form's fields that a list can fill (``Field.lookup``): their "Pick…" buttons, the
picker each opens (ctrl+o / f2 in the field, or the button), and the warning shown
under a field whose value the list knows something about (a bucket in another region
than the image). The form owns one ``FieldPickers`` and calls it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Button, Input, Static

from amitui.actions.spec import Field
from amitui.aws.lookups import LOOKUPS, Lookup
from amitui.ui.screens.choice_picker import ChoicePicker, Picked, choice_values
from amitui.ui.screens.form_text import show
from amitui.ui.widgets.styled_on_register import FormButton

if TYPE_CHECKING:
    from amitui.ui.screens.action_form import ActionForm


def has_picker(field: Field) -> bool:
    return field.lookup in LOOKUPS


def pick_button(index: int) -> Button:
    button = FormButton("Pick…", compact=True, classes="pick", id=f"pick-{index}")
    button.can_focus = False  # Tab and Enter go field to field; ctrl+o / f2 pick
    button.tooltip = "Pick from a list (ctrl+o or f2 in the field)"
    return button


def warning_box(index: int) -> Static:
    return Static("", classes="warning", id=f"w-{index}")


class FieldPickers:
    def __init__(self, form: ActionForm) -> None:
        self.form = form
        self.lookups: dict[str, Lookup] = {}  # picker name -> what its picker last listed

    def index_of(self, widget_id: str | None) -> int | None:
        """The field a widget (its input or its Pick… button) belongs to."""
        for prefix in ("f-", "pick-"):
            if widget_id and widget_id.startswith(prefix):
                return int(widget_id.removeprefix(prefix))
        return None

    def pick_focused(self) -> None:
        form = self.form
        focused = form.focused
        index = self.index_of(focused.id if focused else None)
        if index is None or not has_picker(form.spec.fields[index]):
            lists = ", ".join(f.label for f in form.spec.fields if has_picker(f))
            form.notify(
                f"This field has no list to pick from (fields with one: {lists})."
                if lists
                else "This form has no list to pick from.",
                severity="warning",
            )
            return
        self.open(index)

    def open(self, index: int) -> None:
        form = self.form
        field = form.spec.fields[index]
        name = str(field.lookup)
        lookup, region = LOOKUPS[name], form.aws_region
        services, account = form.services, form.account
        multi = field.kind == "regions"
        text = form.query_one(f"#f-{index}", Input).value
        current = text.replace(",", " ").split() if multi else [text.strip()]
        picker = ChoicePicker(
            f"{field.label} · {region}",
            lambda: lookup(services.clients_for(account), region),
            current=current,
            multi=multi,
            lookup=self.lookups.get(name),
        )

        def picked(value: Picked) -> None:
            if picker.lookup is not None:
                self.lookups[name] = picker.lookup
            box = form.query_one(f"#f-{index}", Input)
            chosen = choice_values(value)
            if chosen is not None:
                box.value = chosen
            box.focus()
            self.show_warning(index)

        form.app.push_screen(picker, picked)

    def show_warning(self, index: int) -> None:
        """The warning of the list entry the field's value names, as its picker knew it."""
        field = self.form.spec.fields[index]
        if not has_picker(field):
            return
        lookup = self.lookups.get(str(field.lookup))
        value = self.form.query_one(f"#f-{index}", Input).value.strip()
        choice = next((c for c in lookup.choices if c.value == value), None) if lookup else None
        warning = choice.warning if choice else ""
        box = self.form.query_one(f"#w-{index}", Static)
        show(box, Text(f"⚠ {warning}" if warning else ""))
        box.set_class(bool(warning), "shown")
