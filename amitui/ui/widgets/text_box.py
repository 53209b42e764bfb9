"""An Input that takes a fast typist's keys in the order they were typed.

Textual's Input inserts a printable key in its own key handler, but its editing keys
(backspace, delete, arrows, home, end, enter) are bindings, and Textual runs a focused
widget's bindings only when the key has bubbled back up to the app, a hop per ancestor,
after the keys queued behind it reached the box. Typed fast (a burst from the terminal,
a paste of keys, a loaded machine), "abc" then backspace, "2" gave "abc": the "2" went in
first and the backspace deleted it; home, "x" gave "abcx". Textual issue #6605 (open,
2026). Here the box runs its own bindings as the key arrives, in order; keys it has no
binding for bubble as before, and priority bindings never reach it (the app runs them
before forwarding the key).
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class TextBox(Input):
    async def _on_key(self, event: events.Key) -> None:
        # Textual calls Input._on_key after this one (handlers run down the MRO) unless
        # the default is prevented.
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return
