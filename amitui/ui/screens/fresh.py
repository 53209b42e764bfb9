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
"""

from __future__ import annotations

from textual import events


class NotRestyledWhenFresh:
    """Mix into a Screen (first): its handlers run before Textual's own."""

    _resumed_before = False
    _resized_before = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed_before:
            self._resumed_before = True
            event.refresh_styles = False

    def on_resize(self, event: events.Resize) -> None:
        if self._resized_before:
            return
        self._resized_before = True
        screen = self  # a Screen: the mixin's only use
        app = screen.app  # type: ignore[attr-defined]
        laid_out = [screen, *app._background_screens]
        if all(s.size == event.size for s in laid_out) and event.size == app.size:
            event.prevent_default()  # Screen._on_resize: the layouts already made
