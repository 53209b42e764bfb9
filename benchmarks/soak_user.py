"""The soak's user: starts tasks through the real forms (the keys a user presses, the
form's own call, its task service recording the task), refreshes the listing with its
key, and the colleague who cleans up the images the tasks made (straight at the sandbox,
so the catalogue stays the same size and RSS growth means a leak, not more rows)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from textual.pilot import WaitForScreenTimeout

from amitui.ui.screens.action_form import ActionForm
from amitui.ui.widgets.image_table import ImageTable

REGION = "us-east-1"
DESTINATIONS = ("us-east-1", "eu-west-1")
#: How long one step of the user may wait for the app (a loaded 2-core machine).
PATIENCE = 90.0


# -- waiting on the app, as tests/app/helpers.py does (not imported: it loads moto, and
# this process is to hold the app alone) ------------------------------------------------


async def wait_for(pilot: Any, ready: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := ready():
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def table(app: Any) -> ImageTable:
    return app.inventory.query_one(ImageTable)


async def loaded(pilot: Any) -> None:
    """Until the inventory finished listing every region."""
    app = pilot.app
    await wait_for(
        pilot,
        lambda: (
            app.inventory.is_mounted
            and not app.inventory.listing.pages_by_region
            and app.inventory.listing.finished_in is not None
        ),
        PATIENCE,
        "the listing to finish",
    )


async def open_form(pilot: Any, key: str) -> ActionForm:
    await pilot.press(key)
    app = pilot.app
    return await wait_for(
        pilot,
        lambda: isinstance(app.screen, ActionForm) and app.screen.is_mounted and app.screen,
        PATIENCE,
        "the form",
    )


async def fill(pilot: Any, form: ActionForm, **values: Any) -> None:
    """Set fields as the user would (the widgets fire their Changed events)."""
    for key, value in values.items():
        api_name = key.replace("__", ".")
        index = next(i for i, f in enumerate(form.spec.fields) if f.api_name == api_name)
        form.query_one(f"#f-{index}").value = value  # type: ignore[attr-defined]
    await pilot.pause()


def outcome_text(form: ActionForm) -> str:
    return str(form.query_one("#outcome").content)  # type: ignore[attr-defined]


def own_images(ec2: Any) -> list[dict[str, Any]]:
    pages = ec2.get_paginator("describe_images").paginate(Owners=["self"])
    return [image for page in pages for image in page["Images"]]


@dataclass
class Catalogue:
    """What the user works on: seeded images, an instance, the import's disk file."""

    copy_source: str
    export_source: str
    instance: str
    disk_key: str = "vms/web-frontend-2025.03.1.vmdk"

    @classmethod
    def read(cls, ec2: Any) -> Catalogue:
        """From the sandbox's seeded catalogue (days old, so no task of ours touches it)."""
        day_ago = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        images = sorted(
            (
                i
                for i in own_images(ec2)
                if i["State"] == "available" and i["CreationDate"] < day_ago
            ),
            key=lambda i: i["ImageId"],
        )
        plain = [
            i
            for i in images
            if not any(m.get("Ebs", {}).get("Encrypted") for m in i["BlockDeviceMappings"])
        ]
        instances = ec2.describe_instances()["Reservations"][0]["Instances"]
        return cls(images[3]["ImageId"], plain[5]["ImageId"], instances[0]["InstanceId"])


@dataclass
class UserLog:
    forms_sent: int = 0
    forms_closed: int = 0  # closed by the success of their call: a task started
    forms_sent_again: int = 0
    forms_given_up: int = 0
    steps_timed_out: int = 0
    refreshes: int = 0
    deregistered: set[str] = field(default_factory=set)


def kind_of(index: int) -> str:
    """Of every 20 tasks, 17 copies, one create, one export, one import."""
    return {5: "create", 10: "export", 15: "import"}.get(index % 20, "copy")


def form_values(kind: str, index: int, cat: Catalogue) -> tuple[str, str, dict[str, Any]]:
    """(the image to select, the key that opens the form, the fields to fill). Every 25th
    copy is named to fail at the sandbox (its task ends ``failed``)."""
    name = f"soak-{index:03d}-{time.time_ns() % 10**6:06d}"
    if kind == "copy":
        if index % 25 == 7:
            name = "sandbox-fail-" + name
        destination = DESTINATIONS[index % 2]
        return cat.copy_source, "c", {"DestinationRegions": destination, "Name": name}
    if kind == "create":
        return cat.copy_source, "n", {"InstanceId": cat.instance, "Name": name, "NoReboot": True}
    if kind == "export":
        values = {
            "DiskImageFormat": "RAW",
            "S3ExportLocation__S3Bucket": "amitui-exports",
            "S3ExportLocation__S3Prefix": f"{name}/",
        }
        return cat.export_source, "e", values
    values = {
        "DiskContainers__0__Format": "VMDK",
        "DiskContainers__0__UserBucket__S3Bucket": "amitui-imports",
        "DiskContainers__0__UserBucket__S3Key": cat.disk_key,
        "Description": name,
    }
    return cat.copy_source, "i", values


async def select(pilot: Any, image_id: str) -> None:
    """Put the cursor on the image by filtering on its id."""
    app = pilot.app
    app.inventory.query_one("#filter").value = image_id
    await wait_for(
        pilot,
        lambda: getattr(table(app).current, "image_id", None) == image_id,
        PATIENCE,
        f"the cursor on {image_id}",
    )


async def back_to_inventory(pilot: Any) -> None:
    app = pilot.app
    for _ in range(5):
        if app.screen is app.inventory:
            break
        await pilot.press("escape")
    app.inventory.query_one("#filter").value = ""


async def start_task(pilot: Any, index: int, cat: Catalogue, log: UserLog) -> None:
    """One task, as a user starts it: select, open the form, fill, ctrl+s; a form that
    shows an error is sent again (its ClientToken is the same), up to three times."""
    app = pilot.app
    image_id, key, values = form_values(kind_of(index), index, cat)
    try:
        await select(pilot, image_id)
        form = await open_form(pilot, key)
        await fill(pilot, form, **values)
        for attempt in range(3):
            if attempt:
                log.forms_sent_again += 1
            await pilot.press("ctrl+s")
            log.forms_sent += 1
            await wait_for(
                pilot,
                lambda: app.screen is not form or not form.busy,
                PATIENCE,
                "the form's call",
            )
            if app.screen is not form:
                log.forms_closed += 1
                break
            if not outcome_text(form) or "nothing was sent" in outcome_text(form):
                break  # refused before sending: not the network's doing
        else:
            log.forms_given_up += 1
    except (AssertionError, WaitForScreenTimeout):  # the app lagged past a step's patience
        log.steps_timed_out += 1
    finally:
        if isinstance(app.screen, ActionForm):
            log.forms_given_up += 1
        await back_to_inventory(pilot)


async def refresh(pilot: Any, log: UserLog) -> None:
    if pilot.app.screen is pilot.app.inventory:
        await pilot.press("ctrl+r")
        log.refreshes += 1


def ended_images(tasks: list[Any], older_than: float) -> list[tuple[str, str]]:
    """(region, image id) of the images ended tasks made, ended before ``older_than``."""
    found = []
    for task in tasks:
        if not task.is_terminal or (task.finished_at or 0) > older_than:
            continue
        if task.kind in ("copy", "create"):
            found.append((task.region, task.target_id))
        elif task.kind == "import" and task.image_id:
            found.append((task.region, task.image_id))
    return found


def clean_up(app: Any, clients: dict[str, Any], log: UserLog) -> None:
    """Deregister (at the sandbox, not through the app) what ended tasks made. Runs in a
    thread."""
    for region, image_id in ended_images(app.tasks.tasks(), time.time() - 10):
        if image_id in log.deregistered:
            continue
        # already gone (a failed copy may be): nothing to clean
        with contextlib.suppress(Exception):
            clients[region].deregister_image(ImageId=image_id)
        log.deregistered.add(image_id)


async def cleaner(app: Any, clients: dict[str, Any], log: UserLog, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await asyncio.to_thread(clean_up, app, clients, log)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 15)
