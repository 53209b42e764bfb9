"""Shared helpers for the Pilot tests: build the real app against an endpoint, and wait."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from amitui.aws.clients import AwsClients, default_config
from amitui.inventory_cache import InventoryCache
from amitui.settings import Settings
from amitui.tasks.store import TaskStore
from amitui.ui.app import AmiTui
from amitui.ui.widgets.image_table import ImageTable
from tests.support.boto_sessions import boto3_session
from tests.support.memory_ec2 import MemoryClients, MemoryEndpoint

SIZE = (160, 45)


def make_app(
    url: str | MemoryEndpoint,
    *,
    store: TaskStore | None = None,
    inventory_cache: InventoryCache | None = None,
    default_cache: bool = True,
    attempts: int = 5,
    **overrides,
) -> AmiTui:
    """The real app, as `amitui --endpoint-url URL` builds it (the store in a temp dir).

    ``url`` may be a ``MemoryEndpoint`` (the in-memory EC2): the app is the same, its AWS
    clients answer from memory (``app.clients.calls`` counts what it asked).
    ``default_cache``: without an ``inventory_cache``, use the default one (else none).
    ``read_timeout``/``connect_timeout`` go to the client config, the rest to Settings."""
    timeouts = {k: overrides.pop(k) for k in ("read_timeout", "connect_timeout") if k in overrides}
    memory = url if isinstance(url, MemoryEndpoint) else None
    url = memory.url if memory else url
    settings = Settings(endpoint_url=url, **overrides)
    config = default_config(retries={"mode": "adaptive", "max_attempts": attempts}, **timeouts)
    if memory is not None:
        clients: AwsClients = MemoryClients(
            memory,
            default_region=settings.region,
            read_only=settings.read_only,
            config=config,
            # botocore's region list (region pickers, validators) from the shared loader
            session=boto3_session(settings.region),
        )
    else:
        clients = AwsClients(
            profile=settings.profile,
            endpoint_url=url,
            default_region=settings.region,
            read_only=settings.read_only,
            config=config,
            # a named profile is the real Session's to resolve (and to fail on)
            session=None if settings.profile else boto3_session(settings.region),
        )
    cache = inventory_cache
    if cache is None and settings.cache and default_cache:
        cache = InventoryCache()
    app = AmiTui(settings, clients, store or TaskStore(), cache if settings.cache else None)
    record_notifications(app)
    return app


def record_notifications(app: AmiTui) -> list[str]:
    """Keep every message the app notifies in ``app.notified`` (toasts expire; this does not).
    The app's own notify still runs."""
    app.notified = []
    original = app.notify

    def notify(message, *args, **kwargs):
        app.notified.append(str(message))
        return original(message, *args, **kwargs)

    app.notify = notify
    return app.notified


async def wait_for(pilot, predicate: Callable[[], object], timeout: float = 60.0, what: str = ""):
    """Wait until ``predicate()`` is true (and return its value), checking every 50 ms.

    The app runs in this event loop, so sleeping lets it work; ``pilot.pause`` instead
    would make it walk every widget and repaint the screen at each check, which made
    waiting the suite's largest CPU cost."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or predicate}")


def table(app) -> ImageTable:
    return app.inventory.query_one(ImageTable)


async def loaded(pilot, timeout: float = 60.0):
    """Wait until the inventory finished listing every region."""
    app = pilot.app
    await wait_for(
        pilot,
        lambda: (
            app.inventory.is_mounted
            and not app.inventory.listing.pages_by_region
            and app.inventory.listing.finished_in is not None
        ),
        timeout,
        "the listing to finish",
    )
    return table(app)


async def filtered(pilot) -> None:
    """Wait until the table's filter has scanned every row (a big filter paints the first
    screenful, then scans the rest in steps: on a loaded machine, after the keys' pause)."""
    await wait_for(pilot, lambda: not table(pilot.app).rows.filtering, what="the filter")


async def type_filter(pilot, *keys: str, value: str) -> None:
    """Type ``keys`` into the focused filter box as a fast typist does (``type_text``; the
    box takes each key as a keystroke), then wait until it holds ``value`` and the table
    has filtered on it. (``Pilot.press`` lets each key's chain run before the next key.)"""
    await type_text(pilot, *keys)
    box = pilot.app.inventory.query_one("#filter")
    await wait_for(pilot, lambda: box.value == value, what=f"the filter {value!r}")
    await filtered(pilot)


def status_text(app) -> str:
    return str(app.inventory.query_one("#status").render())


def message_text(app) -> str:
    return str(app.inventory.query_one("#message").render())


def visible_images(app):
    rows = table(app).rows
    return [rows.image_at(i) for i in range(len(rows))]


def table_lines(app) -> list[str]:
    """The table's rendered lines as the terminal gets them (header first)."""
    widget = table(app)
    return [widget.render_line(y).text for y in range(widget.size.height)]


def own_images(ec2, **filters) -> list[dict]:
    """The ground truth, straight from the endpoint with boto3."""
    params = {"Owners": ["self"]}
    if filters:
        params["Filters"] = [{"Name": k, "Values": [v]} for k, v in filters.items()]
    images, token = [], None
    while True:
        page = ec2.describe_images(**params, **({"NextToken": token} if token else {}))
        images += page["Images"]
        token = page.get("NextToken")
        if not token:
            return images


def available_images(ec2, region="us-east-1", arch=None) -> list[dict]:
    """The account's available images in a region, sorted by id (stable across runs)."""
    images = [
        i
        for i in own_images(ec2(region))
        if i["State"] == "available" and (arch is None or i["Architecture"] == arch)
    ]
    return sorted(images, key=lambda i: i["ImageId"])


def clear_images(sandbox, region: str, images: list[dict]) -> list[dict]:
    """Those of ``images`` that nothing uses, nothing shares and nothing protects (amitui's
    own check, on the sandbox): the deregister form sends them without an override."""
    from amitui.aws.usage_checks import check_usage

    clients = AwsClients(endpoint_url=sandbox.url, session=boto3_session(region))
    return [i for i in images if check_usage(clients, region, i["ImageId"]).clear]


def rendered(widget, width: int = 200) -> str:
    """A Static's content as plain text, however it is built (Text, Table, JSON...)."""
    import io

    from rich.console import Console

    console = Console(width=width, file=io.StringIO(), color_system=None, legacy_windows=False)
    console.print(widget.content)
    return console.file.getvalue()


def field_widget(form, api_name: str):
    index = next(i for i, f in enumerate(form.spec.fields) if f.api_name == api_name)
    return form.query_one(f"#f-{index}")


def field_error(form, api_name: str) -> str:
    index = next(i for i, f in enumerate(form.spec.fields) if f.api_name == api_name)
    return str(form.query_one(f"#e-{index}").content)


async def fill(pilot, form, **values) -> None:
    """Set fields as the user would (the widgets fire their Changed events)."""
    for api_name, value in values.items():
        field_widget(form, api_name.replace("__", ".")).value = value
    await pilot.pause()


def outcome_text(form) -> str:
    return str(form.query_one("#outcome").content)


async def screen_on_top(pilot, kind: type, timeout: float = 60.0):
    """The screen of ``kind`` once it is on top and mounted (its widgets exist)."""
    return await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, kind) and pilot.app.screen.is_mounted and pilot.app.screen
        ),
        timeout,
        kind.__name__,
    )


async def open_form(pilot, key: str, *, usage_known: bool = True):
    """The form ``key`` opens, once shown; where the form asks what uses its image (a
    deregister), once that answer is in too: until then a send is refused as "not
    verified" (``usage_known=False``: at once)."""
    from amitui.ui.screens.action_form import ActionForm

    await pilot.press(key)
    form = await screen_on_top(pilot, ActionForm)
    if usage_known and form.usage.active:
        await wait_for(pilot, lambda: form.usage.usage is not None, what="the usage check")
    return form


async def select_image(pilot, image_id: str) -> None:
    """Put the cursor on one image by filtering on its id (typed as a fast typist does)."""
    await pilot.press("slash")
    await type_text(pilot, *image_id, "enter")
    await wait_for(
        pilot, lambda: table(pilot.app).current and table(pilot.app).current.image_id == image_id
    )


async def open_picker(pilot, form, api_name: str, key: str = "ctrl+o"):
    """Focus a form field and open its picker with ``key``; wait until the picker's list
    is loaded (or its error shown)."""
    from amitui.ui.screens.choice_picker import ChoicePicker

    field_widget(form, api_name).focus()
    await pilot.press(key)
    picker = await screen_on_top(pilot, ChoicePicker)
    await wait_for(pilot, lambda: picker.lookup or picker.error, what="the picker's list")
    return picker


def picker_shown(picker) -> list[str]:
    """The values the picker's list shows now, top to bottom."""
    from amitui.ui.widgets.choice_list import ChoiceList

    listing = picker.query_one(ChoiceList)
    return [listing.choices[i].value for i in listing.shown]


async def pick_from_list(pilot, form, api_name: str, query: str) -> str:
    """Open a field's picker, type ``query`` (no spaces) until one entry is left, press
    Enter; the field's value afterwards."""
    picker = await open_picker(pilot, form, api_name)
    await type_text(pilot, *query)
    await wait_for(pilot, lambda: len(picker_shown(picker)) == 1, what=f"one match for {query}")
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen is form, what="back to the form")
    return field_widget(form, api_name).value


async def type_text(pilot, *keys: str) -> None:
    """Keys (names or characters) as a fast typist sends them: all at once, then one pause.
    ``Pilot.press`` lets each key's chain run before it sends the next (``drained``, in
    tests/support/textual_hooks.py). Focus moves only after the queued keys are handled,
    so press the key that focuses a field first with ``pilot.press``; then wait on the
    state the keys lead to."""
    type_burst(pilot, keys)
    await pilot.pause()


def type_burst(pilot, keys) -> None:
    """Send key events as a terminal does for a fast typist: all at once, without Pilot's
    wait after each key. Wait on the state they lead to afterwards."""
    from tests.support.textual_hooks import type_burst as burst

    burst(pilot.app, keys)
