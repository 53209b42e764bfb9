"""Safety: deregister needs the exact id typed back; no credential value reaches the debug
log, the SQLite files, a screenshot or a message, even when the endpoint echoes the
request's headers back; state, cache and log files are 0600 inside 0700 directories."""

from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from textual.widgets import Button, Input, Static

from amitui.cli import make_app as cli_make_app
from amitui.settings import build_settings
from amitui.ui.screens.action_form import ActionForm
from amitui.ui.screens.confirm import ConfirmScreen
from amitui.ui.screens.tasks import TasksScreen
from tests.app.helpers import (
    SIZE,
    field_error,
    fill,
    loaded,
    message_text,
    open_form,
    outcome_text,
    own_images,
    record_notifications,
    table,
    wait_for,
)
from tests.reliability.figures import FIGURES
from tests.reliability.helpers import make_app, notifications, pick
from tests.support.sandbox_time import finish_now

# -- deregister: only the exact id --------------------------------------------------------


def near_misses(image_id: str, other: str) -> list[str]:
    body = image_id.removeprefix("ami-")
    return [
        image_id.upper(),
        "AMI-" + body,
        image_id[:-1],  # a prefix
        image_id[:8],
        image_id + "0",
        image_id[:6] + " " + image_id[6:],  # whitespace inside
        image_id.replace("-", " - "),
        image_id.replace("a", "\u0430", 1),  # a Cyrillic a
        image_id.replace("0", "\uff10", 1) if "0" in image_id else image_id + "\u200b",
        image_id[:5] + "\u200b" + image_id[5:],  # a zero-width space
        body,
        other,
    ]


def fresh_image(ec2) -> str:
    """An image of our own to deregister (the shared catalogue stays as it is)."""
    source = sorted(
        (i for i in own_images(ec2()) if i["State"] == "available"), key=lambda i: i["ImageId"]
    )[5]
    return ec2().copy_image(
        SourceImageId=source["ImageId"],
        SourceRegion="us-east-1",
        Name=f"doomed-{uuid.uuid4().hex[:10]}",
    )["ImageId"]


async def test_deregister_needs_the_exact_id(sandbox, proxy, ec2):
    doomed = fresh_image(ec2)
    other = sorted(i["ImageId"] for i in own_images(ec2()))[0]
    await_ready = lambda: ec2().describe_images(ImageIds=[doomed])["Images"][0]["State"]  # noqa: E731
    app = make_app(proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        finish_now(sandbox)
        await wait_for(pilot, lambda: await_ready() == "available", what="the copy")
        await pilot.press("ctrl+r")
        await loaded(pilot)
        await pick(pilot, doomed)
        form = await open_form(pilot, "ctrl+d")
        misses = near_misses(doomed, other)
        for typed in misses:
            await fill(pilot, form, ConfirmImageId=typed)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is form, typed
            assert "Does not match" in field_error(form, "ConfirmImageId"), typed
            assert "nothing was sent" in outcome_text(form)
            await pilot.click("#dry-run")  # a dry run is refused just the same
            await pilot.pause()
        assert proxy.count("DeregisterImage") == 0
        FIGURES.inputs["deregister near-misses (UI)"] += len(misses)
        await fill(pilot, form, ConfirmImageId=doomed)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm), what="deregistered")
        assert proxy.count("DeregisterImage") == 1
        # the row goes once the app has looked the image up again (a worker's answer)
        await wait_for(pilot, lambda: table(app).rows.row_of(doomed) is None, what="row gone")
        assert proxy.count("DeregisterImage") == 1
    assert not ec2().describe_images(ImageIds=[doomed])["Images"] or (
        ec2().describe_images(ImageIds=[doomed])["Images"][0]["State"] == "deregistered"
    )


async def test_cancelling_a_pending_copy_needs_the_exact_id(sandbox, proxy, ec2, pending):
    """Cancelling a pending copy deregisters it: the confirmation wants the exact id."""
    pending(60)
    doomed = fresh_image(ec2)
    other = sorted(i["ImageId"] for i in own_images(ec2()))[0]
    app = make_app(proxy.url, poll_interval=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: app.tasks.scope, what="the account")
        app.tasks.store.add_task(
            scope=app.tasks.scope, kind="copy", region="us-east-1", target_id=doomed
        )
        await pilot.press("t")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, TasksScreen)
                and app.screen.is_mounted
                and app.screen.task_list
            ),
        )
        await pilot.press("x")
        confirm = await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConfirmScreen) and app.screen.is_mounted and app.screen,
        )
        misses = near_misses(doomed, other)
        problem = confirm.query_one("#problem", Static)
        # Button.press, not a click: a toast may cover the button's place on screen.
        yes = confirm.query_one("#yes", Button)
        for typed in misses:
            problem.update("")
            confirm.query_one("#typed", Input).value = typed
            yes.press()
            await wait_for(
                pilot, lambda: "nothing was done" in str(problem.content), 5, f"{typed!r} refused"
            )
            assert app.screen is confirm, typed
        FIGURES.inputs["cancel near-misses (UI)"] += len(misses)
        assert proxy.count("DeregisterImage") == 0
        confirm.query_one("#typed", Input).value = doomed
        yes.press()
        await wait_for(pilot, lambda: proxy.count("DeregisterImage") == 1, what="the cancel")


# -- secrets -------------------------------------------------------------------------------

KEY_ID = "AKIARELIABILITY7Q2XZ"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYreliabilitySECRET"
TOKEN = "IQoJb3JpZ2luX2VjEOv//////////wEaCXVzLWVhc3QtMSJHMEUCIQreliabilityTOKEN=="
CREDENTIALS = (KEY_ID, SECRET, TOKEN)


def leaks(text: str) -> list[str]:
    return [c for c in CREDENTIALS if c in text]


def file_text(path: Path) -> str:
    return "".join(
        p.read_bytes().decode("latin-1")
        for p in sorted(path.parent.glob(path.name + "*"))
        if p.is_file()
    )


@pytest.fixture
def fake_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)


def test_the_echo_fault_really_echoes_the_token(sandbox, proxy, fake_credentials):
    """Without amitui in between, the endpoint's error message carries the token: the
    test below would see it if amitui let it through."""
    proxy.fault = lambda a, n: "echo"
    # A session of its own: boto3's default one may hold credentials from an earlier test.
    plain = boto3.session.Session().client("ec2", region_name="us-east-1", endpoint_url=proxy.url)
    with pytest.raises(ClientError) as raised:
        plain.describe_images(Owners=["self"])
    assert TOKEN in str(raised.value) and KEY_ID in str(raised.value)


async def test_no_credential_in_logs_files_screens_or_messages(
    sandbox, proxy, ec2, fake_credentials, tmp_path, pending
):
    pending(600.0)  # the copy is still polled when the endpoint starts echoing: ended below
    log = tmp_path / "logs" / "debug.log"
    settings = build_settings(
        {
            "endpoint_url": proxy.url,
            "regions": ["us-east-1"],
            "debug_log": str(log),
            "listing": "partitioned",  # the sandbox is fast: auto would page, noting nothing
        },
        env={},
    )
    # as `amitui --endpoint-url URL --debug-log FILE --listing partitioned` builds it
    app = cli_make_app(settings)
    record_notifications(app)
    assert app.clients.config.retries["mode"] == "adaptive"  # AWS's guidance, explicitly
    screens: list[str] = []
    lines: list[str] = []
    source = sorted(i["ImageId"] for i in own_images(ec2()) if i["State"] == "available")[6]
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: app.tasks.poller, what="the account")
        # a task and a cache entry in SQLite
        await pick(pilot, source)
        form = await open_form(pilot, "c")
        await fill(pilot, form, DestinationRegions="us-east-1", Name=f"s-{uuid.uuid4().hex[:8]}")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm), what="started")
        await pilot.press("escape")
        # the endpoint echoes the signed headers (token, key id) in its error messages
        proxy.fault = lambda a, n: "echo"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "SignatureDoesNotMatch" in message_text(app))
        lines.append(message_text(app))
        screens.append(app.export_screenshot())
        form = await open_form(pilot, "c")
        await fill(pilot, form, DestinationRegions="us-east-1", Name="secret-test")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "SignatureDoesNotMatch" in outcome_text(form))
        lines.append(outcome_text(form))
        screens.append(app.export_screenshot())
        await pilot.press("escape")
        app.tasks.poller.wake()  # the copy is polled now, not at its next tick (3 s)
        await wait_for(
            pilot,
            lambda: any("SignatureDoesNotMatch" in m for m in notifications(app)),
            what="a poll failure",
        )
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.is_mounted)
        screens.append(app.export_screenshot())
        proxy.fault = None
        finish_now(sandbox)  # nothing of this test runs on in the sandbox
    lines += notifications(app)
    assert any("SignatureDoesNotMatch" in line for line in lines)
    artifacts = {
        "debug log": log.read_text(),
        "tasks file": file_text(Path(os.environ["AMITUI_STATE_DIR"]) / "tasks.sqlite3"),
        "cache file": file_text(Path(os.environ["AMITUI_CACHE_DIR"]) / "inventory.sqlite3"),
        **{f"screenshot {n}": svg for n, svg in enumerate(screens)},
        **{f"message {n}": line for n, line in enumerate(lines)},
    }
    # --debug-log: one line per call (operation, region, duration, status, error code)...
    calls = artifacts["debug log"].splitlines()
    assert any(" sts.GetCallerIdentity region=us-east-1 " in c and "http=200" in c for c in calls)
    assert any(" ec2.CopyImage region=us-east-1 duration=" in c and "http=200" in c for c in calls)
    assert any("ec2.DescribeImages" in c and "error=SignatureDoesNotMatch" in c for c in calls)
    # (and the listing's notes: how it lists, where it falls back)
    notes = [c for c in calls if c.split(" ", 2)[1] == "note"]
    assert any("us-east-1: listing the rest by creation-date partitions" in n for n in notes)
    assert all("duration=" in c and " http=" in c for c in calls if c not in notes)
    # ... and never a parameter
    assert "secret-test" not in artifacts["debug log"] and source not in artifacts["debug log"]
    assert "ami-" in artifacts["tasks file"] and len(artifacts["cache file"]) > 1000
    found = {name: leaks(text) for name, text in artifacts.items() if leaks(text)}
    assert not found, found


# -- file modes ------------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_state_cache_and_log_files_are_private(sandbox, proxy, ec2, tmp_path, monkeypatch):
    state, cache, logs = tmp_path / "s" / "state", tmp_path / "c" / "cache", tmp_path / "logs"
    state.mkdir(parents=True, mode=0o755)  # made by someone else, too open: tightened
    cache.mkdir(parents=True)
    (cache / "inventory.sqlite3").write_bytes(b"garbage" * 100)  # moved aside, kept private
    (cache / "inventory.sqlite3").chmod(0o644)
    monkeypatch.setenv("AMITUI_STATE_DIR", str(state))
    monkeypatch.setenv("AMITUI_CACHE_DIR", str(cache))
    old_umask = os.umask(0)  # nothing may rely on the user's umask
    try:
        settings = build_settings(
            {"endpoint_url": proxy.url, "debug_log": str(logs / "debug.log")}, env={}
        )
        app = cli_make_app(settings)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await wait_for(pilot, lambda: app.tasks.scope, what="the account")
            app.tasks.store.add_task(
                scope=app.tasks.scope, kind="export", region="us-east-1", target_id="export-ami-1"
            )
            await wait_for(pilot, lambda: (cache / "inventory.sqlite3-wal").exists())
            files = [p for d in (state, cache) for p in d.iterdir()]
            modes = {p.name: oct(mode(p)) for p in files}
    finally:
        os.umask(old_umask)
    assert {"tasks.sqlite3", "tasks.sqlite3-wal", "inventory.sqlite3-wal"} <= set(modes)
    assert any(".corrupt-" in name for name in modes)
    assert set(modes.values()) == {"0o600"}, modes
    assert mode(logs / "debug.log") == 0o600
    assert {oct(mode(d)) for d in (state, cache)} == {"0o700"}


def test_redact_scrubs_values_and_request_borne_credentials():
    from amitui.aws.clients import redact

    url = (
        "https://s3.amazonaws.com/b/k?X-Amz-Credential=ASIAOTHERKEY0000/20260101/us-east-1/s3"
        "&X-Amz-Security-Token=OtherToken%2Fvalue&X-Amz-Signature=abc"
    )
    text = redact(f"{url} x-amz-security-token: {TOKEN} secret {SECRET}", (SECRET, TOKEN))
    assert not leaks(text) and "ASIAOTHERKEY0000" not in text and "OtherToken" not in text
    assert "X-Amz-Signature=abc" in text and text.count("<redacted>") == 4
