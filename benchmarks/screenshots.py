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


async def shoot(url: str) -> list[Path]:
    from amitui.cli import make_app
    from amitui.settings import Settings
    from amitui.ui.screens.action_form import ActionForm
    from amitui.ui.screens.detail import DetailScreen
    from amitui.ui.screens.tasks import TasksScreen

    written: list[Path] = []
    app = make_app(Settings(endpoint_url=url, regions=("us-east-1", "eu-west-1")))

    def save(name: str) -> None:
        path = OUT / f"{name}.svg"
        app.save_screenshot(str(path))
        written.append(path)

    async with app.run_test(size=SIZE) as pilot:
        inventory = app.inventory
        await wait_for(pilot, lambda: inventory.is_mounted and inventory.finished_in is not None)
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


def main() -> int:
    from amitui.sandbox import Sandbox

    OUT.mkdir(exist_ok=True)
    os.environ.update(AWS_ACCESS_KEY_ID="demo", AWS_SECRET_ACCESS_KEY="demo")
    os.environ.pop("AWS_PROFILE", None)
    with tempfile.TemporaryDirectory() as state:
        os.environ["AMITUI_STATE_DIR"] = state  # never mix with the user's own tasks
        os.environ["AMITUI_CACHE_DIR"] = state
        with Sandbox(seed=7, pending_seconds=30) as sandbox:
            for path in asyncio.run(shoot(sandbox.url)):
                print(path.relative_to(OUT.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
