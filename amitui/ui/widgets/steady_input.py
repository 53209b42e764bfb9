"""An Input whose changing text does not lay the whole screen out again.

Textual's Input sets its virtual size to its text's width at every change, and a widget's
``virtual_size`` is a layout reactive: each keystroke in the inventory's filter box laid out
the whole screen again (the table, the status line, the footer), on top of the filter's
own work. A box whose CSS fixes its width and height keeps its size whatever it holds, so
its virtual size only bounds its own horizontal scroll (which reads the new value at
once): a repaint of the box is enough. Use it only where the box's width and height are
not ``auto``.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive

from amitui.ui.widgets.styled_on_register import StyledOnRegister
from amitui.ui.widgets.text_box import TextBox


class SteadyInput(StyledOnRegister, TextBox):
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
