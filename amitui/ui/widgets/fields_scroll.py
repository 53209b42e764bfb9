"""A form's scrolling list of fields, never focused itself.

A focusable scroll container took the focus first as a form opened (Textual focuses the
first focusable widget), then gave it to the first field: each of the two focus changes
restyled the container and every widget in it (~120 for the register form: 50-100 ms of
the UI thread each). The fields are what takes keys; tab to a field scrolls it into view,
and the mouse wheel still scrolls the list.
"""

from __future__ import annotations

from textual.containers import VerticalScroll


class FieldsScroll(VerticalScroll, can_focus=False):
    pass
