"""Widgets not styled before they are in the app's DOM.

Textual's Input, Select and Button set their ``compact`` (and a Button its variant) in
their constructor, and each of those toggles a CSS class, which styles the widget there
and then, before it has a parent: a form's widgets were each styled once for nothing
as the form was composed (0.5 ms apiece, ~10 ms for the register form), then again as
Textual registered them into the DOM, which applies the stylesheet to every new widget
anyway. A class changed before registration is still there when it does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.widget import Widget
from textual.widgets import Button

if TYPE_CHECKING:
    from textual.dom import DOMNode as _Node
else:
    _Node = object


W = TypeVar("W", bound=Widget)


def compact_before_mount(widget: W, compact: bool, css_class: str) -> W:
    """``widget`` (one with a ``compact`` reactive toggling ``css_class``: a FooterKey, a
    Select's list) compact or not before it mounts, with no styling now (it is styled as
    it is registered). Set after the mount, or bound to its parent's ``compact`` (which
    reaches it only once mounted), each change styled it again: a footer key three times
    before the first frame."""
    widget.set_reactive(type(widget).compact, compact)  # type: ignore[attr-defined]
    widget.set_class(compact, css_class, update=False)
    return widget


class StyledOnRegister(_Node):
    """Mix into a Widget (first): no styling while it has no parent."""

    def update_node_styles(self, animate: bool = True) -> None:
        if self._parent is None:  # not in the DOM yet: registering it styles it
            return
        super().update_node_styles(animate)


class FormButton(StyledOnRegister, Button):
    """Textual's Button, not styled before it is registered."""
