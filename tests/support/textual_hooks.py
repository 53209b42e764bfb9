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
* ``drained(app)``: wait until ``nothing_queued(app)`` holds after the app and each widget
  of its screen handled what it had (rounds of ``call_later``, as ``Pilot`` waits for a
  screen; reads ``App._exception_event`` to stop if the app failed).
* ``pilot_waits_on_queues(monkeypatch)`` (autouse, tests/conftest.py): ``Pilot.press``
  (after each key) and ``Pilot.pause()`` end with ``drained``, not with Textual's
  ``wait_for_idle`` (``textual._wait``, patched where ``textual.app`` and
  ``textual.pilot`` import it), which waits for the process's CPU to go quiet.
* ``on_paint(app, callback)``: ``callback()`` after every screen update the app makes,
  headless included. Textual has no public paint hook: this wraps ``App._display``, which
  the compositor calls once per update. If a Textual upgrade renames it, this fails
  loudly here, not silently in a test.
"""

from __future__ import annotations

import asyncio
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


async def drained(app: Any, rounds: int = 20) -> None:
    """Wait until the app and every widget of the screen it shows handled what was sent to
    them: each round queues a callback behind every node's messages (as ``Pilot`` does
    after a key) and waits for all of them; it ends after a round that left no node a
    message to handle (``nothing_queued``: a message handled may post others, or push a
    screen, each a round more). A wait on the app's queues, not on the process looking
    idle. It does not wait for workers: a worker may wait on an endpoint a test holds on
    purpose (``memory.hold()``, ``proxy.hold``), and keys must reach the app meanwhile; a
    test that needs a worker's answer waits for the state it leads to (``wait_for``)."""
    for _ in range(rounds):
        if not app.is_running:
            return
        await _handled_so_far(app)
        if nothing_queued(app):
            return


async def _handled_so_far(app: Any) -> None:
    """Wait until the app and each widget of its screen handled what it has queued now
    (as ``Pilot._wait_for_screen``), or the app failed."""
    left = 0
    done = asyncio.Event()

    def handled() -> None:
        nonlocal left
        left -= 1
        if left == 0:
            done.set()

    for node in [app, *app.screen.walk_children(with_self=True)]:
        left += bool(node.call_later(handled))
    if not left:
        return
    waits = [
        asyncio.ensure_future(done.wait()),
        asyncio.ensure_future(app._exception_event.wait()),  # the app failed
    ]
    _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for wait in pending:
        wait.cancel()


def pilot_waits_on_queues(patch: Any) -> None:
    """``Pilot.press`` and ``Pilot.pause()`` wait for the app's queues to drain
    (``drained``), not for the process's CPU to go quiet: Textual's ``wait_for_idle``
    polls the process's CPU time every 20 ms and returns when it was idle, or after a
    second; with the sandbox, the poller and the listing running in the test process it
    is rarely idle, so each key cost up to a second of waiting. A test that needs a worker
    thread's result waits for that state (``wait_for``), as it had to anyway."""
    import textual.app
    import textual.pilot

    async def no_wait(*_args: Any, **_kwargs: Any) -> None:
        await asyncio.sleep(0)

    press, pause = textual.pilot.Pilot.press, textual.pilot.Pilot.pause

    async def press_then_drain(self: Any, *keys: str) -> None:
        for key in keys:  # as Textual's wait after each key: the next key meets its effect
            await press(self, key)
            await drained(self.app)

    async def pause_then_drain(self: Any, delay: float | None = None) -> None:
        await pause(self, delay)
        if delay is None:
            await drained(self.app)

    patch.setattr(textual.app, "wait_for_idle", no_wait)
    patch.setattr(textual.pilot, "wait_for_idle", no_wait)
    patch.setattr(textual.pilot.Pilot, "press", press_then_drain)
    patch.setattr(textual.pilot.Pilot, "pause", pause_then_drain)
