"""Faults while the inventory lists: the endpoint dies mid-listing (first listing and a
refresh), read timeouts, HTTP 500s, throttling and expired credentials. The app keeps
running, shows one readable line, keeps the rows it had, and recovers."""

from __future__ import annotations

import uuid

from amitui.ui.screens.action_form import ActionForm
from tests.app.helpers import (
    SIZE,
    fill,
    loaded,
    message_text,
    open_form,
    own_images,
    status_text,
    table,
    wait_for,
)
from tests.reliability.helpers import error_line, make_app

PAGE = 10  # small DescribeImages pages: many of them, so the endpoint can die between them


def own_ids(ec2, region="us-east-1") -> set[str]:
    return {i["ImageId"] for i in own_images(ec2(region))}


def shown_ids(app) -> set[str]:
    return {i.image_id for i in table(app).rows.images}


async def comes_back(pilot, proxy, truth: set[str]) -> None:
    """The endpoint comes back: a refresh lists everything, and the error line goes."""
    proxy.fault = None
    proxy.restart()
    await pilot.press("ctrl+r")
    await loaded(pilot)
    assert shown_ids(pilot.app) == truth
    assert not message_text(pilot.app).strip()


async def test_endpoint_dies_mid_listing_then_comes_back(sandbox, proxy, ec2):
    truth = own_ids(ec2)
    assert len(truth) > 6 * PAGE
    proxy.fault = lambda action, n: "die" if action == "DescribeImages" and n == 4 else None
    app = make_app(proxy.url, page_size=PAGE, listing="paged")  # pages in sequence
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Cannot reach" in message_text(app), what="the error line")
        line = error_line(app)
        assert proxy.url in line
        assert table(app).rows.total == 3 * PAGE  # the three pages it had
        assert shown_ids(app) <= truth
        assert "1 region(s) failed" in status_text(app)
        assert not proxy.running
        await comes_back(pilot, proxy, truth)
        assert app.is_running


async def test_endpoint_dies_mid_partitioned_listing_keeps_what_arrived_then_comes_back(
    sandbox, proxy, ec2, monkeypatch
):
    from amitui.ui.listing import Listing

    arrived: list[str] = []
    original = Listing.page_loaded

    def page_loaded(self, generation, region, images, page, current):
        arrived.extend(i.image_id for i in images)
        return original(self, generation, region, images, page, current)

    monkeypatch.setattr(Listing, "page_loaded", page_loaded)
    truth = own_ids(ec2)
    # Partitions run six at once: the endpoint dies with some answered, some in flight.
    proxy.fault = lambda action, n: "die" if action == "DescribeImages" and n == 12 else None
    app = make_app(proxy.url, page_size=PAGE, listing="partitioned")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "1 region(s) failed" in status_text(app), 60, "the failure")
        assert not app.inventory.listing.pages_by_region  # the region's listing ended, failed
        # Which partition fails first decides the line: one refused a new connection, or
        # one had its answer cut off when the endpoint closed it (a loaded machine, in CI).
        line = error_line(app)
        assert proxy.url in line or "answer could not be read (cut off" in line, line
        assert len(arrived) == len(set(arrived)) > PAGE  # partitions came, each image once
        assert shown_ids(app) == set(arrived) < truth  # every row that came stays
        await comes_back(pilot, proxy, truth)


async def test_endpoint_dies_mid_refresh_and_the_table_keeps_its_rows(sandbox, proxy, ec2):
    truth = own_ids(ec2)
    app = make_app(proxy.url, page_size=PAGE)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert shown_ids(app) == truth
        await pilot.press("j", "j", "j")
        cursor = table(app).current
        listed = proxy.count("DescribeImages")
        proxy.fault = lambda a, n: "die" if a == "DescribeImages" and n == listed + 3 else None
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "Cannot reach" in message_text(app), what="the error line")
        error_line(app)
        assert shown_ids(app) == truth  # two fresh pages came, and nothing was lost
        assert table(app).current == cursor
        proxy.fault = None
        proxy.restart()
        await pilot.press("ctrl+r")
        await loaded(pilot)
        assert shown_ids(app) == truth and not message_text(app).strip()


async def test_a_failing_region_keeps_its_rows_while_the_others_refresh(sandbox, proxy, ec2):
    truth = own_ids(ec2) | own_ids(ec2, "eu-west-1")
    app = make_app(proxy.url, regions=("us-east-1", "eu-west-1"))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert shown_ids(app) == truth
        proxy.fault_by_region = lambda a, region, n: (
            "server" if a == "DescribeImages" and region == "eu-west-1" else None
        )
        await pilot.press("ctrl+r")
        await loaded(pilot)
        line = error_line(app)
        assert line.startswith("eu-west-1: InternalError")
        assert shown_ids(app) == truth
        # botocore retried it: max_attempts=2 is two retries after the first attempt
        assert proxy.faults["server"] == 3


async def test_read_timeouts_are_retried_then_reported(sandbox, proxy, ec2):
    truth = own_ids(ec2)
    # A held answer is far longer than the read timeout; the timeout is far longer than a
    # page takes on a loaded 2-core machine (0.5 s timed out unfaulted pages there).
    proxy.hold_seconds = 8.0
    app = make_app(proxy.url, page_size=50, attempts=1, read_timeout=2.5)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        # One slow answer: botocore times out, retries, and the refresh completes.
        listed = proxy.count("DescribeImages")
        proxy.fault = lambda a, n: "timeout" if a == "DescribeImages" and n == listed + 2 else None
        await pilot.press("ctrl+r")
        await loaded(pilot)
        assert proxy.faults["timeout"] == 1
        assert shown_ids(app) == truth and not message_text(app).strip()
        # Every answer slow: after the retries, one line, and the rows stay.
        proxy.fault = lambda a, n: "timeout" if a == "DescribeImages" else None
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "Timed out" in message_text(app), what="the error line")
        assert "Read timeout" in error_line(app)
        assert proxy.faults["timeout"] == 1 + 2  # two attempts (max_attempts=1)
        assert shown_ids(app) == truth
        proxy.fault = None
        await pilot.press("ctrl+r")
        await loaded(pilot)
        assert shown_ids(app) == truth and not message_text(app).strip()


async def test_throttling_and_500s_on_a_share_of_calls_are_absorbed(
    sandbox, proxy, ec2, retries_without_waits
):
    """Of the first six DescribeImages, two are throttled, one answered 500 and one
    dropped before it reaches the endpoint: botocore's adaptive retries absorb them all
    (its client-side rate limiter engaged; its waits and the backoffs are skipped:
    ``retries_without_waits``); the user sees the whole listing and no error."""
    truth = own_ids(ec2)
    plan = {2: "drop", 3: "throttle", 5: "server", 6: "throttle"}

    def faults(action, n):
        return plan.get(n) if action == "DescribeImages" else None

    proxy.fault = faults
    app = make_app(proxy.url, page_size=50, attempts=4)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, timeout=60)
        assert shown_ids(app) == truth
        assert not message_text(app).strip()
    outcomes = proxy.outcomes("DescribeImages")
    assert outcomes["throttle"] == 2 and outcomes["server"] == outcomes["drop"] == 1
    assert set(outcomes) == {"200", "throttle", "server", "drop"}
    # one answered page per request that was not a fault: every fault was retried
    assert outcomes["200"] == proxy.count("DescribeImages") - sum(proxy.faults.values())
    assert len(retries_without_waits) == sum(proxy.faults.values())  # botocore's retries


async def test_an_answer_cut_off_half_way_is_one_short_line(sandbox, proxy, ec2):
    """botocore does not retry a response that breaks off mid-body (its parser error
    quotes the whole body): one short line, the rows stay, a refresh recovers."""
    truth = own_ids(ec2)
    app = make_app(proxy.url, page_size=25)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        listed = proxy.count("DescribeImages")
        proxy.fault = lambda a, n: "truncate" if a == "DescribeImages" and n == listed + 2 else None
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "could not be read" in message_text(app), what="the line")
        assert len(error_line(app)) < 200 and "<" not in error_line(app)
        assert shown_ids(app) == truth
        assert proxy.faults["truncate"] == 1
        await pilot.press("ctrl+r")
        await loaded(pilot)
        assert shown_ids(app) == truth and not message_text(app).strip()


async def test_throttled_for_good_says_so_in_one_line(sandbox, proxy, retries_without_waits):
    proxy.fault = lambda a, n: "throttle" if a == "DescribeImages" else None
    app = make_app(proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "RequestLimitExceeded" in message_text(app), what="error")
        line = error_line(app)
        assert "throttling" in line and "retries with backoff" in line
        assert proxy.faults["throttle"] == 3
        assert len(retries_without_waits) == 2  # botocore retried twice, then gave up


async def test_connection_refused_at_launch_then_the_endpoint_comes_up(sandbox, proxy, ec2):
    """Nothing listens at launch: one line. When the endpoint comes up, a task started
    from a form is followed to the end, and a refresh lists the images and learns the
    account."""
    instance = ec2().describe_instances()["Reservations"][0]["Instances"][0]["InstanceId"]
    name = f"launch-{uuid.uuid4().hex[:10]}"
    proxy.stop()
    app = make_app(proxy.url, poll_interval=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Cannot reach" in message_text(app), what="the error line")
        error_line(app)
        assert app.account is None and app.tasks.poller is None and app.is_running
        proxy.restart()
        form = await open_form(pilot, "n")
        await fill(pilot, form, InstanceId=instance, Name=name, NoReboot=True)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm), what="started")
        (task,) = app.tasks.tasks()
        await wait_for(pilot, lambda: app.tasks.store.get(task.id).status == "done", what="done")
        await pilot.press("ctrl+r")
        await loaded(pilot)
        assert shown_ids(app) >= own_ids(ec2) - {task.target_id}
        await wait_for(pilot, lambda: app.account, what="the account")
        assert "123456789012" in str(app.inventory.query_one("#context").render())
        assert not message_text(app).strip()
