"""The widgets of one field of the generic action form (action_form.py)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from amitui.actions.spec import Field
from amitui.ui.screens.form_pickers import has_picker, pick_button, warning_box
from amitui.ui.screens.form_text import as_text
from amitui.ui.widgets.toggle import Toggle


def field_widgets(index: int, field: Field, value: object, locked: bool) -> ComposeResult:
    """One field's widgets: its label, its input (a Static when it is fixed to the
    selected image), a picker button, its help, warning and error lines."""
    label = field.label + (" *" if field.required else "")
    with Vertical(classes="field", id=f"field-{index}"):
        with Horizontal(classes="row"):
            yield Label(Text(label), classes="field-label")
            if locked:
                yield Static(
                    Text.assemble((as_text(value), "bold"), ("  · the selected row", "dim")),
                    classes="locked",
                    id=f"f-{index}",
                )
            elif field.kind == "bool":
                yield Toggle(bool(value), id=f"f-{index}")
            elif field.kind == "choice":
                yield Select(
                    [(c, c) for c in field.choices],
                    value=value if value in field.choices else Select.NULL,
                    allow_blank=not field.required or value not in field.choices,
                    compact=True,
                    id=f"f-{index}",
                )
            else:
                yield Input(
                    value="" if value is None else as_text(value),
                    placeholder=field.placeholder,
                    compact=True,
                    # a tag editor is added to: focusing it must not select (and a
                    # key replace) every tag it shows
                    select_on_focus=field.kind != "tags",
                    id=f"f-{index}",
                )
            if has_picker(field) and not locked:
                yield pick_button(index)
        if field.help and not locked:
            yield Static(Text(field.help), classes="help")
        if has_picker(field):
            yield warning_box(index)
        yield Static("", classes="error", id=f"e-{index}")
