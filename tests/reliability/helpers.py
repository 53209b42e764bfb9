"""Building the real app for fault tests: short timeouts, few attempts, small pages."""

from __future__ import annotations

import amitui.actions  # noqa: F401 (the built-in actions register their task kinds)
from amitui.inventory_cache import InventoryCache
from amitui.tasks.store import TaskStore
from amitui.ui.app import AmiTui
from tests.app import helpers as app_helpers
from tests.app.helpers import message_text, table, wait_for
from tests.support.memory_ec2 import MemoryEndpoint

#: Words that give a Python traceback (or an exception repr) away.
TRACEBACK_MARKERS = ("Traceback", 'File "', "raise ", "botocore.exceptions.", "<class ")


def make_app(
    url: str | MemoryEndpoint,
    *,
    store: TaskStore | None = None,
    cache: InventoryCache | None = None,
    attempts: int = 2,
    read_timeout: float = 10,
    connect_timeout: float = 2,
    **overrides,
) -> AmiTui:
    """The real app against ``url``, with a client config suited to fault tests (few
    attempts, short timeouts) and no inventory cache unless one is given."""
    return app_helpers.make_app(
        url,
        store=store,
        inventory_cache=cache,
        default_cache=False,
        attempts=attempts,
        read_timeout=read_timeout,
        connect_timeout=connect_timeout,
        **overrides,
    )


def one_readable_line(text: str) -> str:
    """Assert ``text`` is one readable line (no traceback, no repr) and return it."""
    assert text.strip(), "no message shown"
    assert "\n" not in text.strip(), f"more than one line: {text!r}"
    for marker in TRACEBACK_MARKERS:
        assert marker not in text, f"{marker!r} in {text!r}"
    return text


def error_line(app) -> str:
    return one_readable_line(message_text(app))


def notifications(app) -> list[str]:
    """Every message the app notified (kept after the toasts expire)."""
    return list(app.notified)


async def pick(pilot, image_id: str) -> None:
    """Put the cursor on one image by filtering on its id (set at once, not typed)."""
    app = pilot.app
    app.inventory.query_one("#filter").value = image_id
    await wait_for(
        pilot,
        lambda: table(app).current is not None and table(app).current.image_id == image_id,
        what=f"the cursor on {image_id}",
    )
