"""The widgets of one field of the generic action form (action_form.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from amitui.actions.spec import Field
from amitui.ui.screens.form_pickers import has_picker, pick_button, warning_box
from amitui.ui.screens.form_text import as_text
from amitui.ui.widgets.choice_select import ChoiceSelect
from amitui.ui.widgets.steady_input import SteadyInput
from amitui.ui.widgets.toggle import Toggle


def field_widgets(
    index: int, field: Field, value: object, locked: bool, *, first: bool = False
) -> ComposeResult:
    """One field's widgets: its row (its label, its input (a Static when it is fixed to
    the selected image), a picker button), then its help, warning and error lines.

    They are children of the fields' list, with no container per field (one widget fewer
    per field to style, lay out and render as the form opens): a row's top margin spaces
    the fields (not the ``first`` one's), ``fields_end`` closes the list with the blank
    line the last field's margin made, and ``show_field`` hides or shows a field's parts
    together.

    The first row is a class, not ``:first-child`` in the CSS: a widget styled by its
    place among its siblings is styled again, with everything in it, once its siblings
    have mounted (Textual's ``mount``), so every row of a form was styled twice as it
    opened (14 rows and their ~100 widgets for the register form)."""
    label = field.label + (" *" if field.required else "")
    # A row is one line (its label fits the label column; a compact input, choice or
    # switch is one line high) unless it shows a fixed value, which may wrap: said so,
    # the layout does not arrange the row's widgets to measure it.
    classes = "row" + ("" if locked else " one-line") + (" first" if first else "")
    with Horizontal(classes=classes, id=f"field-{index}"):
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
            yield ChoiceSelect(  # (Textual's Select, its value one widget, not four)
                [(c, c) for c in field.choices],
                value=value if value in field.choices else Select.NULL,
                allow_blank=not field.required or value not in field.choices,
                compact=True,
                id=f"f-{index}",
            )
        else:
            yield SteadyInput(  # (a fixed size: typing lays out no other field)
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
        yield Static(Text(field.help), classes="help", id=f"h-{index}")
    if has_picker(field):
        yield warning_box(index)
    yield Static("", classes="error", id=f"e-{index}")


def fields_end() -> Static:
    """The last child of a fields' list: the blank line under the last field."""
    return Static("", classes="fields-end")


def show_field(screen: DOMNode, index: int, shown: bool) -> None:
    """Show or hide a field's row and the lines under it (``.off``: display none, over
    any other rule, so a hidden field's error line stays hidden too)."""
    for part in screen.query(f"#field-{index}, #h-{index}, #w-{index}, #e-{index}"):
        part.set_class(not shown, "off")


def field_values(
    screen: DOMNode,
    fields: Iterable[tuple[int, Field]],
    fixed: Mapping[str, object] | None = None,
) -> dict[str, object]:
    """What the widgets of these (index, field) hold now (``#f-<index>``); ``fixed``:
    values not read from a widget (the fields fixed to the selected image)."""
    fixed = fixed or {}
    out: dict[str, object] = {}
    for index, field in fields:
        if field.api_name in fixed:
            out[field.api_name] = fixed[field.api_name]
            continue
        widget = screen.query_one(f"#f-{index}")
        if isinstance(widget, Toggle):
            out[field.api_name] = widget.value
        elif isinstance(widget, Select):
            out[field.api_name] = None if widget.value is Select.NULL else widget.value
        elif isinstance(widget, Input):
            out[field.api_name] = widget.value
    return out


def field_index(widget_id: str | None) -> int | None:
    """The field index of a field's input widget (``f-<index>``); None for another widget."""
    if widget_id and widget_id.startswith("f-"):
        return int(widget_id[2:])
    return None


def fit_fields(form: Screen, *, before_layout: bool = False) -> None:
    """Let the form's fields (``#fields`` in ``#box``) scroll in whatever height the
    summary, the outcome and the buttons leave (at 80x24 a long form scrolls instead of
    hiding its last fields).

    ``before_layout``: the form is mounted but not laid out yet; the other widgets'
    heights are measured as its layout will (their box models), so that the first layout
    already has the fields' height: set after it, the new height laid the whole form out
    and rendered it a second time (the largest forms' worst tick). And if the fields will
    not fit in it, their scrollbar is shown before that layout, as Textual would show it
    after: appearing after the first layout, it narrowed every field and the form was laid
    out and rendered twice more (the register and import forms at 160x45). Once laid out,
    the call checks the height, and Textual the scrollbar (a wrong guess costs the layout
    it saved, no more)."""
    box = form.query_one("#box")
    fields = form.query_one("#fields")
    height = form.app.size.height if before_layout else form.size.height
    if before_layout:
        others = sum(_height_before_layout(form, w) for w in box.children if w is not fields)
    else:
        others = sum(w.outer_size.height for w in box.children if w is not fields)
    room = max(3, int((height - 1) * 0.95) - box.styles.gutter.height - others)
    fields.styles.max_height = room
    if before_layout and isinstance(fields, Widget) and _overflows(form, fields, room):
        fields.show_vertical_scrollbar = True
        fields.vertical_scrollbar.display = True


def _overflows(form: Screen, fields: Widget, room: int) -> bool:
    """Whether the fields' widgets, laid out one under the other beside a scrollbar, are
    taller than ``room`` (measured before the first layout, as it will measure them)."""
    viewport = form.app.size
    bar = fields.styles.scrollbar_size_vertical
    inner = Size(max(1, _inner_width(form, fields) - bar), viewport.height)
    one = Fraction(1)
    taller = 0
    for widget in fields.children:
        if isinstance(widget, Widget) and widget.display:
            model = widget._get_box_model(inner, viewport, one, one)
            taller += int(model.height) + model.margin.height
            if taller > room:
                return True
    return False


def _inner_width(form: Screen, widget: Widget) -> int:
    """The width inside ``#box`` (which ``widget`` is in) once laid out."""
    box = form.query_one("#box")
    viewport = form.app.size
    width = box.styles.width.resolve(viewport, viewport) if box.styles.width else viewport.width
    if box.styles.max_width is not None:
        width = min(width, box.styles.max_width.resolve(viewport, viewport))
    return int(width) - box.styles.gutter.width


def _height_before_layout(form: Screen, widget: Widget) -> int:
    """The height ``widget`` (a child of ``#box``) will take, margins included."""
    if not widget.display:
        return 0
    viewport = form.app.size
    inner = Size(max(1, _inner_width(form, widget)), viewport.height)
    one = Fraction(1)
    model = widget._get_box_model(inner, viewport, one, one)
    return int(model.height) + model.margin.height
