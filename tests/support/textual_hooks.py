"""The one place where tests touch Textual beyond its public API, each hook documented.

* ``type_burst(app, keys)``: key events as a terminal sends them for a fast typist, all
  at once, without Pilot's wait for idle after each key (``Pilot.press`` waits). Built
  from public pieces (``events.Key``, ``textual.keys``' tables, ``App.post_message``); wait
  on the state the keys lead to afterwards.
* ``nothing_queued(app)``: whether the app and every widget of the screen it shows have no
  message waiting. Textual has no public check: this reads ``MessagePump._message_queue``.
  Wait with ``Pilot.pause(0)`` (which waits until each pump handled what it had) until
  this is true: a key's whole chain (forwarded to the focused widget, bubbled to the
  screen, a screen pushed) has then run, however loaded the machine.
* ``on_paint(app, callback)``: ``callback()`` after every screen update the app makes,
  headless included. Textual has no public paint hook: this wraps ``App._display``, which
  the compositor calls once per update. If a Textual upgrade renames it, this fails
  loudly here, not silently in a test.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from textual import events
from textual.keys import KEY_NAME_REPLACEMENTS, KEY_TO_UNICODE_NAME, REPLACED_KEYS, key_to_character


def key_name(key: str) -> str:
    """The key's name as Pilot and bindings use it ('/' -> 'slash'); names pass through."""
    if len(key) == 1 and not key.isalnum():
        key = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    return KEY_NAME_REPLACEMENTS.get(key, key)


def character(key: str) -> str | None:
    """The character a key types (None for keys like 'enter' or 'ctrl+d')."""
    if len(key) == 1:
        return key
    name = REPLACED_KEYS.get(key, key)
    try:
        return unicodedata.lookup(KEY_TO_UNICODE_NAME.get(name, name))
    except KeyError:
        return key_to_character(key)


def type_burst(app: Any, keys: Iterable[str]) -> int:
    """Post one key event per key (a name like 'enter' or a character) to the app, at once.
    Returns how many were sent."""
    sent = 0
    for key in keys:
        name = key_name(key)
        event = events.Key(name, character(key if len(key) == 1 else name))
        event.set_sender(app)
        app.post_message(event)
        sent += 1
    return sent


def nothing_queued(app: Any) -> bool:
    """No message waits in the app's queue nor in any of its current screen's widgets'."""
    pumps = [app, *app.screen.walk_children(with_self=True)]
    return all(pump._message_queue.empty() for pump in pumps)  # see the module docstring


def on_paint(app: Any, callback: Callable[[], None]) -> None:
    """Call ``callback()`` right after each screen update the app paints."""
    display = app._display  # the documented exception, see the module docstring

    def painted(screen: Any, update: Any) -> None:
        display(screen, update)
        if update is not None:
            callback()

    app._display = painted
