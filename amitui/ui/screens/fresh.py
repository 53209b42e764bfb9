"""A screen pushed for the first time is not restyled again as it appears.

Textual styles each widget as it mounts, then, as the new screen resumes, restyles every
widget of it once more (``ScreenResume.refresh_styles``, there for a screen coming back
after a theme or stylesheet change). For a screen that has just mounted that second pass
changes nothing and costs a big form tens of ms of the UI thread; a screen resumed later
(after a modal above it closes) is restyled as usual.
"""

from __future__ import annotations

from textual import events


class NotRestyledWhenFresh:
    """Mix into a Screen (first): its ``on_screen_resume`` runs before Textual's own."""

    _resumed_before = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed_before:
            self._resumed_before = True
            event.refresh_styles = False
