"""A screen pushed for the first time is neither restyled nor laid out again as it appears.

Textual styles each widget as it mounts, then, as the new screen resumes, restyles every
widget of it once more (``ScreenResume.refresh_styles``, there for a screen coming back
after a theme or stylesheet change). For a screen that has just mounted that second pass
changes nothing and costs a big form tens of ms of the UI thread; a screen resumed later
(after a modal above it closes) is restyled as usual.

The layout that follows the resume then sends the new screen a ``Resize`` (it has just
been shown), and Textual's handler lays the screen out again and every screen behind it
(the inventory under a modal form), all at the size they were just laid out at: for a
form, a second layout and render of the form and a full one of the table behind it, in
the same tick. That first ``Resize`` is skipped when it changes no size; a real one (the
terminal resized) goes through as usual.

And once the screen's widgets have mounted, Textual asks for a layout of the screen
(``AwaitMount``: the mount's awaitable, called once more after the screen is shown), which
arrives after the first layout has placed every one of them: a third layout of the whole
form (20-60 ms of the UI thread for the largest, the tick after the first). A layout asked
for by a mount whose widgets the last layout placed already is skipped; one whose widgets
it did not place (a widget mounted later, a hidden one) goes through.

The first layout itself asks for one more: it gives each widget its first size, and each
widget's new ``virtual_size`` (a reactive that lays out) asks to lay the screen out again,
to the same result (the arrangement already took those sizes; the second pass moved
nothing and cost the form another full arrangement). A scrollbar does the same as it is
placed. And the requests made before that first layout (the mount's, a style set as the
screen mounted) were still pending after it: the resume lays the screen out itself, and
only the screen's update timer clears them, with one more layout and render (10-15 ms for
a form). The first layout places every widget of a fresh screen as it is then, so the
requests made before it and during it are dropped (scrollbars' too), except a scrolling
widget's whose scrollbars came or went (its content's width or height changed: that
second layout is a real one).
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

from textual import _time, events, messages
from textual.widget import AwaitMount


class NotRestyledWhenFresh:
    """Mix into a Screen (first): its handlers run before Textual's own."""

    _resumed_before = False
    _resized_before = False
    _laid_out_before = False
    _laid_out_at = 0.0  # when the first layout started (Textual's message clock)

    def _refresh_layout(self, size: Any = None, scroll: bool = False) -> None:
        refresh_layout = super()._refresh_layout  # type: ignore[misc]
        if self._laid_out_before:
            return refresh_layout(size, scroll)  # type: ignore[no-any-return]
        self._laid_out_before = True
        self._laid_out_at = _time.get_time()
        widgets = list(self.walk_children(with_self=True))  # type: ignore[attr-defined]
        bars = {w: _scrollbars(w) for w in widgets}
        refresh_layout(size, scroll)
        for widget in widgets:
            if bars[widget] == _scrollbars(widget):
                for part in (widget, widget._vertical_scrollbar, widget._horizontal_scrollbar):
                    if part is not None:
                        part._layout_required = False

    def on_layout(self, message: messages.Layout) -> None:
        if message.time < self._laid_out_at:  # asked before the first layout, which saw it
            message.prevent_default()  # (Screen._on_layout)
            message.stop()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed_before:
            self._resumed_before = True
            event.refresh_styles = False

    def refresh(self, *regions: Any, layout: bool = False, **options: Any) -> Any:
        if layout and _placed_already(self, sys._getframe(1)):
            return self
        return super().refresh(*regions, layout=layout, **options)  # type: ignore[misc]

    def on_resize(self, event: events.Resize) -> None:
        if self._resized_before:
            return
        self._resized_before = True
        screen = self  # a Screen: the mixin's only use
        app = screen.app  # type: ignore[attr-defined]
        laid_out = [screen, *app._background_screens]
        if all(s.size == event.size for s in laid_out) and event.size == app.size:
            event.prevent_default()  # Screen._on_resize: the layouts already made


def _placed_already(screen: Any, caller: FrameType) -> bool:
    """Whether ``caller`` is a finished mount (``AwaitMount``) whose every widget the
    screen's last layout placed."""
    if caller.f_code.co_name != "await_mount":
        return False
    mount = caller.f_locals.get("self")
    if not isinstance(mount, AwaitMount) or not mount._widgets:
        return False
    compositor = screen._compositor
    return all(widget in compositor for widget in mount._widgets)


def _scrollbars(widget: Any) -> tuple[bool, bool] | None:
    if not widget.is_scrollable:
        return None
    return (widget.show_vertical_scrollbar, widget.show_horizontal_scrollbar)
