"""Faults around tasks: mid-action (CopyImage/CreateImage answered with a 500 or a dropped
connection, or the endpoint dead), mid-poll (the endpoint dies while a copy is pending)
and credentials expiring mid-session. No task is lost or duplicated: the SQLite store
and the sandbox are checked after each."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from amitui.tasks.store import TaskStore
from amitui.ui.screens.action_form import ActionForm
from tests.app.helpers import (
    SIZE,
    fill,
    loaded,
    message_text,
    open_form,
    outcome_text,
    own_images,
    table,
    wait_for,
)
from tests.reliability.figures import FIGURES
from tests.reliability.helpers import error_line, make_app, notifications, one_readable_line, pick
from tests.support.sandbox_time import finish_now

FAST = {"poll_interval": 0.5}


def fresh_name(prefix: str = "rel") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def images_named(ec2, name: str, region: str = "us-east-1") -> list[dict]:
    return own_images(ec2(region), name=name)


def a_source(ec2) -> dict:
    """An available image of the seeded catalogue (days old), whatever other tests of this
    process made (new images, whose ids may sort anywhere)."""
    day_ago = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    images = [
        i for i in own_images(ec2()) if i["State"] == "available" and i["CreationDate"] < day_ago
    ]
    return sorted(images, key=lambda i: i["ImageId"])[3]


async def copy_form(pilot, source: dict, name: str) -> ActionForm:
    await pick(pilot, source["ImageId"])
    form = await open_form(pilot, "c")
    await fill(pilot, form, DestinationRegions="us-east-1", Name=name)
    return form


async def submit_and_close(pilot, form) -> None:
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ActionForm), what="success")


async def submit_and_fail(pilot, form) -> str:
    await pilot.press("ctrl+s")
    await wait_for(
        pilot, lambda: not form.busy and outcome_text(form).startswith("us-east-1:"), 30, "error"
    )
    assert pilot.app.screen is form  # the form stays open with the values
    return one_readable_line(outcome_text(form))


def check_tasks(app, ec2, expected: dict[str, int]) -> None:
    """Each name: that many tasks in SQLite and that many images at the endpoint."""
    stored = app.tasks.tasks()
    lost = duplicated = 0
    for name, count in expected.items():
        tasks = [t for t in stored if t.name == name]
        made = images_named(ec2, name)
        assert len(made) == count, (name, made)
        assert len(tasks) == count, (name, tasks)
        assert {t.target_id for t in tasks} == {i["ImageId"] for i in made}
        lost += max(0, len(made) - len(tasks))
        duplicated += max(0, len(tasks) - len(made), len(made) - 1 if count == 1 else 0)
    FIGURES.tasks(told=sum(expected.values()), lost=lost, duplicated=duplicated)


async def test_copy_survives_500s_lost_or_cut_answers_and_a_dead_endpoint(sandbox, proxy, ec2):
    source = a_source(ec2)
    names = [fresh_name() for _ in range(6)]
    app = make_app(proxy.url, **FAST)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        start = proxy.count("CopyImage")

        # 1. A 500 on the first attempt: botocore retries, one copy.
        proxy.fault = lambda a, n: "server" if a == "CopyImage" and n == start + 1 else None
        await submit_and_close(pilot, await copy_form(pilot, source, names[0]))
        await pilot.press("escape")

        # 2. The copy happens but its answer is lost: the retry carries the same
        #    ClientToken, so AWS answers with the same image instead of a second copy.
        proxy.fault = lambda a, n: "drop_after" if a == "CopyImage" and n == start + 3 else None
        await submit_and_close(pilot, await copy_form(pilot, source, names[1]))
        await pilot.press("escape")
        assert proxy.outcomes("CopyImage")["drop_after"] == 1

        # 3. 500s on every attempt: one line in the form, nothing started.
        proxy.fault = lambda a, n: "server" if a == "CopyImage" else None
        form = await copy_form(pilot, source, names[2])
        line = await submit_and_fail(pilot, form)
        assert "InternalError" in line
        await pilot.press("escape", "escape")

        # 4. The endpoint is dead when the form is sent; it comes back; sent again.
        proxy.fault = None
        form = await copy_form(pilot, source, names[3])
        proxy.stop()
        line = await submit_and_fail(pilot, form)
        assert "Cannot reach" in line
        proxy.restart()
        await submit_and_close(pilot, form)
        await pilot.press("escape")

        # 5. The copy happens, its answer is lost and every retry is dropped too: the
        #    form shows one line. Sent again once the network is back, the same form
        #    sends the same ClientToken: AWS answers with the first copy, no second one.
        drops = proxy.count("CopyImage")
        proxy.fault = lambda a, n: (
            ("drop_after" if n == drops + 1 else "drop") if a == "CopyImage" else None
        )
        form = await copy_form(pilot, source, names[4])
        line = await submit_and_fail(pilot, form)
        assert "Connection" in line
        assert len(images_named(ec2, names[4])) == 1  # it did happen
        proxy.fault = None
        await submit_and_close(pilot, form)
        await pilot.press("escape")

        # 6. The answer breaks off half-way (botocore does not retry that): one line;
        #    sent again, the same token again, still one copy.
        cut = proxy.count("CopyImage")
        proxy.fault = lambda a, n: "truncate" if a == "CopyImage" and n == cut + 1 else None
        form = await copy_form(pilot, source, names[5])
        assert "could not be read" in await submit_and_fail(pilot, form)
        await submit_and_close(pilot, form)
        await pilot.press("escape")
        proxy.fault = None

        expected = {names[0]: 1, names[1]: 1, names[2]: 0, names[3]: 1, names[4]: 1, names[5]: 1}
        check_tasks(app, ec2, expected)
        assert app.is_running
        # The poller follows the three copies to the end.
        finish_now(sandbox)
        await wait_for(
            pilot, lambda: all(t.status == "done" for t in app.tasks.tasks()), 30, "copies done"
        )


async def test_create_image_whose_answer_was_lost_is_still_followed(sandbox, proxy, ec2):
    """CreateImage has no ClientToken: the retry of a lost answer is refused as a duplicate
    name although the first attempt made the image. The task must not be lost."""
    instance = ec2().describe_instances()["Reservations"][0]["Instances"][0]["InstanceId"]
    name = fresh_name("create")
    app = make_app(proxy.url, **FAST)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        proxy.fault = lambda a, n: "drop_after" if a == "CreateImage" and n == 1 else None
        form = await open_form(pilot, "n")
        await fill(pilot, form, InstanceId=instance, Name=name, NoReboot=True)
        await submit_and_close(pilot, form)
        assert proxy.count("CreateImage") == 2 and proxy.faults["drop_after"] == 1
        check_tasks(app, ec2, {name: 1})


async def test_endpoint_dies_mid_poll_and_polling_resumes(sandbox, proxy, ec2, pending):
    pending(600.0)  # the copy runs until the test ends it
    source = a_source(ec2)
    name = fresh_name()
    app = make_app(proxy.url, **FAST)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await submit_and_close(pilot, await copy_form(pilot, source, name))
        await pilot.press("escape")
        (task,) = app.tasks.tasks()
        await wait_for(pilot, lambda: proxy.count("DescribeImages") and app.tasks.poller)
        proxy.stop()
        warning = await wait_for(
            pilot,
            lambda: next((m for m in notifications(app) if m.startswith("Polling")), None),
            what="a poll failure",
        )
        assert "Cannot reach" in one_readable_line(warning)
        assert app.tasks.store.get(task.id).status == "running"  # not given up, not lost
        rows = table(app).rows.total
        proxy.restart()
        finish_now(sandbox)
        done = await wait_for(
            pilot, lambda: app.tasks.store.get(task.id).status == "done", 30, "the copy done"
        )
        assert done
        assert table(app).rows.total == rows
        check_tasks(app, ec2, {name: 1})


async def test_credentials_expire_mid_session(sandbox, proxy, ec2, pending, tmp_path):
    pending(600.0)  # the copy runs until the test ends it
    source = a_source(ec2)
    name = fresh_name()
    store = TaskStore(tmp_path / "tasks.sqlite3")
    app = make_app(proxy.url, store=store, **FAST)
    app.tasks.probe_interval = 0.2  # (the app's are at least 1 s apart) before it follows
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        before = {i.image_id for i in table(app).rows.images}
        await submit_and_close(pilot, await copy_form(pilot, source, name))
        await pilot.press("escape")
        (task,) = app.tasks.tasks()
        proxy.fault = lambda a, n: "expired"  # every call from now on
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "ExpiredToken" in message_text(app), what="the error line")
        line = error_line(app)
        assert "credentials expired" in line
        assert before <= {i.image_id for i in table(app).rows.images}  # kept what it had
        warning = await wait_for(
            pilot,
            lambda: next((m for m in notifications(app) if "Credentials refused" in m), None),
            what="the pause told",
        )
        one_readable_line(warning)
        assert "ExpiredToken" in warning
        pause = app.tasks.pause
        failed_polls = proxy.outcomes("DescribeImages")["expired"]
        probes = pause.probes
        await wait_for(pilot, lambda: pause.probes >= probes + 2, what="two more probes")
        # paused: no poll while the credentials are refused, only the probes
        assert proxy.outcomes("DescribeImages")["expired"] == failed_polls
        told = [m for m in notifications(app) if "Credentials refused" in m]
        assert len(told) == 1, told  # said once, not at every probe
        assert not [m for m in notifications(app) if m.startswith("Polling us-east-1 failed")]
        form = await open_form(pilot, "c")
        await fill(pilot, form, DestinationRegions="us-east-1", Name=fresh_name())
        assert "ExpiredToken" in await submit_and_fail(pilot, form)
        await pilot.press("escape")
        assert store.get(task.id).status == "running"
        # Fresh credentials (the fault clears): polling resumes and the copy finishes.
        proxy.fault = None
        finish_now(sandbox)
        await wait_for(pilot, lambda: store.get(task.id).status == "done", what="the copy done")
        resumed = [m for m in notifications(app) if "Credentials work again" in m]
        assert len(resumed) == 1, resumed
        await pilot.press("ctrl+r")
        await loaded(pilot)
        assert not message_text(app).strip()
        check_tasks(app, ec2, {name: 1})


async def test_a_genuine_duplicate_name_is_still_refused_after_a_retry(sandbox, proxy, ec2):
    """The lost-answer rule adopts only a pending or just-made image: an old image that
    has the name makes the retried CreateImage fail as it should."""
    instance = ec2().describe_instances()["Reservations"][0]["Instances"][0]["InstanceId"]
    taken = a_source(ec2)["Name"]
    app = make_app(proxy.url, **FAST)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        proxy.fault = lambda a, n: "server" if a == "CreateImage" and n == 1 else None
        form = await open_form(pilot, "n")
        await fill(pilot, form, InstanceId=instance, Name=taken, NoReboot=True)
        line = await submit_and_fail(pilot, form)
        assert "InvalidAMIName.Duplicate" in line
        assert proxy.count("CreateImage") == 2
        assert app.tasks.tasks() == []
        assert len(images_named(ec2, taken)) == 1


def test_a_form_seed_gives_the_same_tokens_for_the_same_request():
    from amitui.actions import ACTIONS
    from tests.unit.test_action_specs import FULL

    copy = ACTIONS["copy"]

    def tokens(seed, **changes):
        calls = copy.build_requests(FULL["copy"] | changes, region="us-east-1", token_seed=seed)
        return {region: request["ClientToken"] for region, request in calls}

    first = tokens("seed-1")
    assert first == tokens("seed-1")  # sent again: the same tokens
    assert len(set(first.values())) == 2  # one per destination region
    assert set(first.values()).isdisjoint(tokens("seed-1", Name="other").values())
    assert set(first.values()).isdisjoint(tokens("seed-2").values())  # another form
    assert set(tokens(None).values()).isdisjoint(tokens(None).values())  # no seed: fresh
    dry = copy.build_requests(FULL["copy"], region="us-east-1", token_seed="seed-1", dry_run=True)
    assert {r: q["ClientToken"] for r, q in dry} == first
