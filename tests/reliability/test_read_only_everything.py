"""--read-only, beyond the action keys (tests/app/test_read_only.py covers those): every
binding of every screen the app can show, every palette command on each of them, and a
mash of every printable key. Zero mutating calls are made. And a form opened past the UI's
refusal (as a bug would), or a call made without the UI, is stopped by the guard below it,
and nothing reaches the endpoint.

The explorer's EC2 is the in-memory one (tests/support/memory_ec2.py: the sandbox's
answers, each asked once): it lists the catalogue and the Amazon scope (1,300 images)
again and again, which on the HTTP sandbox was most of this test's time. Every EC2 call
the app makes is counted there, mutating ones included (the guard is not in the way: a
call the UI should not have made counts even if the guard would have stopped it); the
other services (Recycle Bin, STS...) go through the recording proxy."""

from __future__ import annotations

import string

import botocore
import pytest
from textual.worker import WorkerState

from amitui.actions import ACTIONS
from amitui.actions.spec import ActionSpec
from amitui.aws.clients import AwsClients, ReadOnlyError, is_mutating
from amitui.tasks.store import TaskStore
from amitui.ui.screens.action_form import ActionForm
from tests.app.helpers import SIZE, fill, loaded, outcome_text, table, wait_for
from tests.reliability.figures import FIGURES
from tests.reliability.helpers import make_app, notifications, one_readable_line
from tests.support.memory_ec2 import MemoryEndpoint, operation_name
from tests.support.textual_hooks import drained, type_burst

SKIP_ACTIONS = ("quit", "app.quit", "screenshot", "app.screenshot")


#: At most this many rounds of draining per settle (a chain is a few hops; a screen
#: whose widgets post messages without end would otherwise hold the driver forever).
SETTLE_ROUNDS = 50


def is_skipped(action: str) -> bool:
    return any(action == s or action.endswith("." + s) for s in SKIP_ACTIONS)


#: Actions that only move a cursor, scroll or focus: run as keys, not again as commands.
NAVIGATION = ("cursor_", "scroll_", "page_")
NAVIGATION_NAMES = ("focus_next", "focus_previous", "copy_text")


def is_navigation(action: str) -> bool:
    name = action.rsplit(".", 1)[-1]
    return name.startswith(NAVIGATION) or name in NAVIGATION_NAMES


def binding_keys(screen) -> tuple[list[str], list[str]]:
    """The screen's keys (quit and screenshot left out): (navigation, the others)."""
    moves, others = set(), set()
    for key, active in screen.active_bindings.items():
        action = active.binding.action
        if not is_skipped(action):
            (moves if is_navigation(action) else others).add(key)
    return sorted(moves), sorted(others)


class Driver:
    """Presses every binding of a screen, explores each amitui screen it opens (one level
    down, reopening it when one of its keys closed it), and runs the palette's commands."""

    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.app = pilot.app
        self.pressed = 0
        self.commands = 0
        self.screens: set[str] = set()

    async def settle(self) -> None:
        """Wait until the app and the screen it shows now (one a key may just have opened)
        have no message left to handle, and no worker of the app (a listing, a screen's
        fetch) runs: a key's whole chain has run (forwarded to the focused widget, bubbled
        up, a screen pushed, the rows it lists arrived): the queues drained (``drained``,
        as Pilot's keys wait in this suite), then the workers done, again until both hold."""
        for _ in range(SETTLE_ROUNDS):  # what a worker posts may start another
            await drained(self.app, rounds=SETTLE_ROUNDS)
            if not self.working():
                return
            await wait_for(self.pilot, lambda: not self.working(), what="the app's workers")

    def working(self) -> bool:
        return any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in self.app.workers)

    async def press(self, *keys: str) -> None:
        for key in keys:
            type_burst(self.app, [key])
            await self.settle()
        self.pressed += len(keys)

    async def type_fast(self, *keys: str) -> None:
        """The key events a terminal would send, through the driver as Pilot does, but
        without waiting after each one (a burst, as from a fast typist)."""
        type_burst(self.app, keys)
        self.pressed += len(keys)
        await self.settle()

    async def back_to(self, screen) -> None:
        for _ in range(6):
            if self.app.screen is screen:
                return
            type_burst(self.app, ["escape"])
            await self.settle()
        while self.app.screen is not screen and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
            await self.settle()
        assert self.app.screen is screen

    async def explore(self, depth: int = 0, reopen=None) -> None:
        home = self.app.screen
        kind = type(home)
        focused = home.focused
        self.screens.add(kind.__name__)
        moves, keys = binding_keys(home)
        if focused is not None and focused.is_attached:
            focused.focus()
        await self.type_fast(*moves)  # cursor, scroll and focus keys: in one burst
        for key in keys:
            if home not in self.app.screen_stack:
                if reopen is None or not await reopen() or type(self.app.screen) is not kind:
                    return
                home, focused = self.app.screen, self.app.screen.focused
            await self.back_to(home)
            if focused is not None and focused.is_attached:
                focused.focus()  # keys go where they went first (not into a filter box)
            await self.press(key)
            opened = self.app.screen
            explorable = depth < 1 and type(opened).__module__.startswith("amitui.")
            if opened is not home and home in self.app.screen_stack and explorable:

                async def again(key=key, home=home, focused=focused) -> bool:
                    await self.back_to(home)
                    if focused is not None and focused.is_attached:
                        focused.focus()
                    await self.press(key)
                    return self.app.screen is not home

                await self.explore(depth + 1, again)
        if home in self.app.screen_stack:
            await self.back_to(home)
            await self.run_palette_commands()

    async def run_palette_commands(self) -> None:
        home = self.app.screen
        for command in list(self.app.get_system_commands(home)):
            title = command.title.lower()
            if "quit" in title or "screenshot" in title:
                continue
            args = getattr(command.callback, "args", ())  # partial(run_action, action, node)
            if args and isinstance(args[0], str) and is_navigation(args[0]):
                continue  # pressed as a key already
            result = command.callback()
            if hasattr(result, "__await__"):
                await result
            self.commands += 1
            await self.settle()
            if home not in self.app.screen_stack:
                return  # the command closed this screen (e.g. a picker's Cancel)
            await self.back_to(home)


# It opens every screen and presses every key there (the cleanup preview, the Recycle Bin,
# the bulk runs... each asks AWS), so it is the suite's one long test. The timeout only
# stops a hung run.
@pytest.mark.timeout(400)
async def test_every_key_and_command_of_every_screen_sends_nothing(
    sandbox, ec2, proxy, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # w's modal, its enter pressed, writes the view here
    store = TaskStore(tmp_path / "tasks.sqlite3")
    scope = f"{proxy.url}|123456789012"
    added = [
        store.add_task(scope=scope, kind=kind, region="us-east-1", target_id=target)
        for kind, target in (
            ("export", "export-ami-0123456789abcdef0"),
            ("copy", "ami-0a1b2c3d"),
        )
    ]
    # Paged listing: the explorer applies the Amazon scope (1,300 images) and lists it
    # again and again; partitions (auto, on a loaded machine) would fetch it twice over.
    memory = MemoryEndpoint(ec2, proxy.url)  # EC2 from memory, the rest through the proxy
    app = make_app(memory, store=store, read_only=True, poll_interval=0.5, listing="paged")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: table(app).current is not None, what="a selected row")
        driver = Driver(pilot)
        await driver.explore()
        # Straight to the tasks screen: cancel the running export, adopt, clear.
        await driver.press("t")
        for key in ("x", "enter", "escape", "a", "C", "x"):
            await driver.press(key)
        await driver.back_to(app.inventory)
        # Every printable key and the usual control keys, a few at a time, on the table.
        mash = [*string.ascii_letters, *string.digits, *string.punctuation]
        mash = [{" ": "space"}.get(k, k) for k in mash if k != "q"]
        mash += ["ctrl+d", "ctrl+s", "ctrl+r", "enter", "delete", "ctrl+x", "ctrl+n"]
        for start in range(0, len(mash), 32):
            table(app).focus()
            await driver.type_fast(*mash[start : start + 32])
            await driver.back_to(app.inventory)
        await loaded(pilot)
        assert app.is_running
    calls = app.clients.calls  # the EC2 calls the app made (MemoryClients)
    mutating = {name: n for name, n in calls.items() if is_mutating(operation_name(name))}
    FIGURES.keys_pressed_read_only += driver.pressed + driver.commands
    FIGURES.mutating_under_read_only += proxy.mutating_count() + sum(mutating.values())
    assert mutating == {}
    assert proxy.mutating_count() == 0, proxy.actions
    assert driver.screens >= {"InventoryScreen", "DetailScreen", "TasksScreen", "HelpScreen"}
    assert driver.pressed > 150 and driver.commands > 10
    assert calls["describe_images"] >= 2  # it did work: listed, refreshed, polled
    refusals = [m for m in notifications(app) if "read-only" in m]
    assert len(refusals) >= len(ACTIONS)
    after = [store.get(t.id) for t in added]  # polled (and failed: nothing by those ids)
    assert [(t.status == "cancelled", t.cancel_requested) for t in after] == [(False, False)] * 2


async def test_a_form_opened_past_the_ui_is_stopped_by_the_guard(sandbox, proxy):
    app = make_app(proxy.url, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        image = table(app).current
        form = ActionForm(ACTIONS["copy"], image, image.region, app.services)
        app.push_screen(form)  # what a bug in the UI's refusal would do
        await pilot.pause()
        await fill(pilot, form, DestinationRegions="us-east-1", Name="past-the-ui")
        for button in ("#dry-run", "#submit"):
            await pilot.click(button)
            await wait_for(pilot, lambda: "read-only" in outcome_text(form), what="refusal")
            line = one_readable_line(outcome_text(form).removeprefix("Dry run: "))
            assert "CopyImage is not allowed" in line
        assert app.screen is form and app.tasks.tasks() == []
    FIGURES.mutating_under_read_only += proxy.mutating_count()
    assert proxy.mutating_count() == 0


@pytest.mark.parametrize("spec", list(ACTIONS.values()), ids=list(ACTIONS))
def test_the_guard_refuses_every_action_below_the_ui(sandbox, proxy, spec: ActionSpec):
    """Even a caller that skips the UI cannot send a mutating call, dry runs included."""
    clients = AwsClients(endpoint_url=proxy.url, read_only=True)
    ec2 = clients.ec2("us-east-1")
    method = getattr(ec2, botocore.xform_name(spec.operation))
    with pytest.raises(ReadOnlyError):
        method(DryRun=True, **MINIMAL_PARAMS[spec.operation])
    ec2.describe_images(Owners=["self"], MaxResults=5)  # reads still work
    assert proxy.count("DescribeImages") == 1  # the guard is not a dead endpoint
    FIGURES.mutating_under_read_only += proxy.mutating_count()
    assert proxy.mutating_count() == 0


@pytest.mark.parametrize("operation", ["DeleteTags", "ResetImageAttribute"])
def test_the_guard_refuses_the_planned_calls_too(sandbox, proxy, operation):
    """The calls a planned action makes besides its own operation (tags removes with
    DeleteTags, sharing resets with ResetImageAttribute) are refused the same way."""
    ec2 = AwsClients(endpoint_url=proxy.url, read_only=True).ec2("us-east-1")
    with pytest.raises(ReadOnlyError):
        getattr(ec2, botocore.xform_name(operation))(DryRun=True, **MINIMAL_PARAMS[operation])
    assert proxy.mutating_count() == 0


MINIMAL_PARAMS = {
    "DeleteTags": {"Resources": ["ami-12345678"], "Tags": [{"Key": "a"}]},
    "ResetImageAttribute": {"ImageId": "ami-12345678", "Attribute": "launchPermission"},
    "CopyImage": {"Name": "x-copy", "SourceImageId": "ami-12345678", "SourceRegion": "us-east-1"},
    "CreateImage": {"InstanceId": "i-12345678", "Name": "xyz"},
    "DeregisterImage": {"ImageId": "ami-12345678"},
    "ExportImage": {
        "DiskImageFormat": "VMDK",
        "ImageId": "ami-12345678",
        "S3ExportLocation": {"S3Bucket": "amitui-exports"},
    },
    "ImportImage": {},
    "RegisterImage": {"Name": "xyz"},
    "CreateImageUsageReport": {
        "ImageId": "ami-12345678",
        "ResourceTypes": [{"ResourceType": "ec2:Instance"}],
    },
    "EnableImageDeprecation": {"ImageId": "ami-12345678", "DeprecateAt": "2030-01-01T00:00:00Z"},
    "DisableImageDeprecation": {"ImageId": "ami-12345678"},
    "EnableImageDeregistrationProtection": {"ImageId": "ami-12345678"},
    "DisableImageDeregistrationProtection": {"ImageId": "ami-12345678"},
    "DisableImage": {"ImageId": "ami-12345678"},
    "EnableImage": {"ImageId": "ami-12345678"},
    "CreateTags": {"Resources": ["ami-12345678"], "Tags": [{"Key": "a", "Value": "b"}]},
    "ModifyImageAttribute": {"ImageId": "ami-12345678", "Description": {"Value": "x"}},
    "CancelImageLaunchPermission": {"ImageId": "ami-12345678"},
}
