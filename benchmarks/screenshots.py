"""`make screenshots`: SVGs of the main screens from the sandbox (seed 7) into screenshots/.

Runs the real app headless against the embedded sandbox, as `amitui --demo` does.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "screenshots"
SIZE = (160, 45)


async def wait_for(pilot, predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        await pilot.pause(0.05)


def listed(inventory) -> bool:
    """The inventory is on screen and its listing ended."""
    return inventory.is_mounted and inventory.listing.finished_in is not None


def saver(app, written: list[Path], suffix: str = ""):
    """``save(name)``: the app's screen as screenshots/<name><suffix>.svg, noted in ``written``."""

    def save(name: str) -> None:
        path = OUT / f"{name}{suffix}.svg"
        app.save_screenshot(str(path))
        written.append(path)

    return save


async def shoot(url: str) -> list[Path]:
    from amitui.cli import make_app
    from amitui.settings import Settings
    from amitui.ui.screens.action_form import ActionForm
    from amitui.ui.screens.detail import DetailScreen
    from amitui.ui.screens.tasks import TasksScreen

    written: list[Path] = []
    app = make_app(Settings(endpoint_url=url, regions=("us-east-1", "eu-west-1")))

    save = saver(app, written)

    async with app.run_test(size=SIZE) as pilot:
        inventory = app.inventory
        await wait_for(pilot, lambda: listed(inventory))
        await wait_for(pilot, lambda: app.account is not None)
        await pilot.pause(0.3)
        save("inventory")
        await pilot.press("slash", *"arch:arm64 !ubuntu", "enter")
        await pilot.pause(0.2)
        save("inventory-filtered")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen))
        await wait_for(pilot, lambda: bool(app.screen.query_one("#devices").content))
        await pilot.pause(0.2)
        save("detail")
        await pilot.press("escape", "c")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionForm))
        form = app.screen
        index = [f.api_name for f in form.spec.fields].index("DestinationRegions")
        form.query_one(f"#f-{index}").value = "eu-west-1, ap-southeast-2"
        await pilot.pause(0.2)
        save("copy-form")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen))
        await pilot.pause(0.3)
        save("tasks")
    return written


async def shoot_cleanup(url: str) -> list[Path]:
    """The cleanup workbench on one nightly family: the retention preview (the storage it
    frees), the bulk deregister it opens, the run in the tasks screen, the Recycle Bin."""
    from amitui.cli import make_app
    from amitui.settings import Settings
    from amitui.ui.screens.bulk_form import BulkForm
    from amitui.ui.screens.cleanup import CleanupScreen
    from amitui.ui.screens.recycle_bin import RecycleBinScreen
    from amitui.ui.screens.tasks import TasksScreen

    written: list[Path] = []
    app = make_app(Settings(endpoint_url=url, regions=("us-east-1",)))

    save = saver(app, written)

    async with app.run_test(size=SIZE) as pilot:
        inventory = app.inventory
        await wait_for(pilot, lambda: listed(inventory))
        await wait_for(pilot, lambda: app.account is not None)
        await pilot.press("slash", *"web-api-2025", "enter")
        await pilot.pause(0.3)
        await pilot.press("K")
        await wait_for(pilot, lambda: isinstance(app.screen, CleanupScreen))
        cleanup = app.screen

        def answered() -> bool:
            result = cleanup.result
            return result is not None and not result.waiting and not cleanup.asking

        await wait_for(pilot, answered, 60)
        cleanup.query_one("#delete-snapshots").value = True
        await pilot.pause(0.5)
        save("cleanup")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkForm))
        form = app.screen
        await wait_for(pilot, lambda: form.usages is not None, 60)
        going = sum(p.ok for p in form.plans)
        form.query_one("#confirm").value = f"deregister {going}"
        await pilot.pause(0.2)
        save("bulk-deregister")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, BulkForm))
        runs = app.tasks.bulk_runs
        await wait_for(pilot, lambda: bool(runs()) and all(r.finished for r in runs()), 60)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen))
        await pilot.pause(0.5)
        save("tasks-bulk-run")
        await pilot.press("escape", "B")
        await wait_for(pilot, lambda: isinstance(app.screen, RecycleBinScreen))
        await wait_for(pilot, lambda: not app.screen.reads.waiting)
        await pilot.pause(0.3)
        save("recycle-bin")
    return written


async def shoot_accounts(url: str) -> list[Path]:
    """--accounts org: the organization's accounts in one table, the account that could
    not be reached under it, and a member account's copy form."""
    from amitui.cli import make_app
    from amitui.settings import Settings
    from amitui.ui.screens.action_form import ActionForm

    written: list[Path] = []
    app = make_app(Settings(endpoint_url=url, regions=("us-east-1", "eu-west-1"), accounts="org"))
    save = saver(app, written)
    async with app.run_test(size=SIZE) as pilot:
        inventory = app.inventory
        await wait_for(pilot, lambda: listed(inventory), 60)
        await pilot.press("slash", *"account:payments", "enter")
        await pilot.pause(0.3)
        save("inventory-accounts")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionForm))
        await pilot.pause(0.3)
        save("copy-form-account")
    return written


SMALL = (80, 24)


async def shoot_modals(url: str) -> list[Path]:
    """Every modal at 80x24: the six forms, their pickers, the reboot question, help, the
    inventory's pickers, the tasks screen with its history and cancel question."""
    from amitui.cli import make_app
    from amitui.settings import Settings
    from amitui.ui.screens.action_form import ActionForm
    from amitui.ui.screens.choice_picker import ChoicePicker
    from amitui.ui.screens.confirm import ConfirmScreen
    from amitui.ui.screens.tasks import TasksScreen

    written: list[Path] = []
    app = make_app(Settings(endpoint_url=url, regions=("us-east-1",)))

    save = saver(app, written, "-80x24")

    async def screen_is(kind) -> None:
        await wait_for(pilot, lambda: isinstance(app.screen, kind))
        await pilot.pause(0.2)

    def field(form, api_name: str):
        index = [f.api_name for f in form.spec.fields].index(api_name)
        return form.query_one(f"#f-{index}")

    async def pick(form, api_name: str, name: str) -> None:
        field(form, api_name).focus()
        await pilot.press("ctrl+o")
        await screen_is(ChoicePicker)
        await wait_for(pilot, lambda: app.screen.lookup or app.screen.error)
        await pilot.pause(0.2)
        save(name)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is form)

    async with app.run_test(size=SMALL) as pilot:
        inventory = app.inventory
        await wait_for(pilot, lambda: listed(inventory))
        await wait_for(pilot, lambda: app.account is not None)
        for key, name in (("c", "copy"), ("e", "export"), ("ctrl+d", "deregister")):
            await pilot.press(key)
            await screen_is(ActionForm)
            save(f"form-{name}")
            if name == "copy":
                await pick(app.screen, "DestinationRegions", "picker-regions")
            if name == "export":
                await pick(app.screen, "S3ExportLocation.S3Bucket", "picker-buckets")
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is inventory)
        await pilot.press("n")
        await screen_is(ActionForm)
        save("form-create")
        form = app.screen
        await pick(form, "InstanceId", "picker-instances")
        instance = form.pickers.lookups["instances"].choices[0].value
        field(form, "InstanceId").value = instance
        field(form, "Name").value = "nightly build"
        await pilot.press("ctrl+s")
        await screen_is(ConfirmScreen)
        save("confirm-reboot")
        await pilot.press("n", "escape")
        await wait_for(pilot, lambda: app.screen is inventory)
        for key, name in (("i", "import"), ("r", "register")):
            await pilot.press(key)
            await screen_is(ActionForm)
            save(f"form-{name}")
            if name == "register":
                await pick(app.screen, "BlockDeviceMappings.0.Ebs.SnapshotId", "picker-snapshots")
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is inventory)
        for key, name in (("question_mark", "help"), ("o", "owners"), ("R", "regions")):
            await pilot.press(key)
            await wait_for(pilot, lambda: app.screen is not inventory)
            await pilot.pause(0.3)
            save(name)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is inventory)
        # A running export to show in the tasks screen, its history and its cancel question.
        await pilot.press("e")
        await screen_is(ActionForm)
        field(app.screen, "S3ExportLocation.S3Bucket").value = "amitui-exports"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is inventory)
        await pilot.press("t")
        await screen_is(TasksScreen)
        await pilot.pause(1.2)
        save("tasks")
        await pilot.press("x")
        await screen_is(ConfirmScreen)
        save("confirm-cancel")
        await pilot.press("n")
    return written


def main() -> int:
    from amitui.sandbox import Sandbox

    OUT.mkdir(exist_ok=True)
    os.environ.update(AWS_ACCESS_KEY_ID="demo", AWS_SECRET_ACCESS_KEY="demo")
    os.environ.pop("AWS_PROFILE", None)
    with tempfile.TemporaryDirectory() as state:
        os.environ["AMITUI_STATE_DIR"] = state  # never mix with the user's own tasks
        os.environ["AMITUI_CACHE_DIR"] = state
        with Sandbox(seed=7, pending_seconds=30) as sandbox:
            written = asyncio.run(shoot(sandbox.url)) + asyncio.run(shoot_modals(sandbox.url))
            written += asyncio.run(shoot_accounts(sandbox.url))
            written += asyncio.run(shoot_cleanup(sandbox.url))  # last: it deregisters images
            for path in written:
                print(path.relative_to(OUT.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
