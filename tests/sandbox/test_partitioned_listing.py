"""The partitioned listing (amitui/aws/partitions.py) against the sandbox: the same images
as sequential paging, each exactly once, through splits, throttling, images created while
it runs, and an endpoint that refuses the creation-date filter."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from amitui.aws.debug_log import DebugLog
from amitui.aws.images import ListQuery, iter_image_pages
from amitui.aws.partitions import iter_auto_pages, iter_partitioned_pages
from tests.support.proxy import RecordingProxy
from tests.support.retry_waits import retries_without_waits as without_waits

REGION = "us-east-1"
AMAZON = ListQuery(owners=("amazon",))


def client(url: str, attempts: int = 3):
    config = Config(retries={"mode": "adaptive", "max_attempts": attempts})
    return boto3.session.Session().client(
        "ec2", region_name=REGION, endpoint_url=url, config=config
    )


def sent_filters(ec2) -> list[str]:
    """Record the creation-date pattern of every DescribeImages the client sends."""
    patterns: list[str] = []

    def record(params=None, **_):
        for f in (params or {}).get("Filters") or []:
            if f["Name"] == "creation-date":
                patterns.extend(f["Values"])

    ec2.meta.events.register("before-parameter-build.ec2.DescribeImages", record)
    return patterns


def ids(pages) -> list[str]:
    return [image.image_id for page in pages for image in page]


def sequential(ec2, query=AMAZON) -> list[str]:
    return ids(iter_image_pages(ec2, REGION, query, page_size=1000))


@pytest.fixture(scope="module")
def amazon(sandbox) -> list[str]:
    """Amazon's images in us-east-1 by sequential paging, the listing each partitioned one
    is held to: listed once (1,300 images' XML), as no test can change another account's
    images."""
    return sequential(client(sandbox.url))


def test_the_same_images_as_sequential_paging_each_exactly_once(sandbox, amazon, caplog):
    ec2 = client(sandbox.url)
    expected = amazon
    patterns = sent_filters(ec2)
    with caplog.at_level("INFO", logger="amitui.aws"):
        listed = ids(iter_partitioned_pages(ec2, REGION, AMAZON, page_size=50, first_page=10))
    assert "us-east-1: listing the rest by creation-date partitions" in caplog.text
    assert len(listed) == len(set(listed))  # exactly once
    assert set(listed) == set(expected) and len(expected) > 500
    assert "2025-*" in patterns and "2025-06-*" in patterns  # a big year split into months


def test_a_scope_that_fits_one_page_costs_one_call(sandbox):
    ec2 = client(sandbox.url)
    patterns = sent_filters(ec2)
    own = ListQuery(owners=("self",))
    listed = ids(iter_partitioned_pages(ec2, REGION, own, first_page=1000))
    assert set(listed) == set(sequential(ec2, own)) and patterns == []


def test_an_image_created_during_the_listing_is_listed_once(sandbox, ec2):
    client_ = client(sandbox.url)
    own = ListQuery(owners=("self",))
    source = sequential(client_, own)[0]
    pages = iter_partitioned_pages(client_, REGION, own, page_size=20, first_page=5)
    listed = ids([next(pages)])
    made = ec2().copy_image(SourceImageId=source, SourceRegion=REGION, Name="made-mid-listing")
    listed += ids(pages)
    assert listed.count(made["ImageId"]) == 1
    assert len(listed) == len(set(listed))
    assert set(listed) == set(sequential(client_, own))


@pytest.fixture
def throttling_proxy(sandbox):
    box = RecordingProxy(sandbox.url).start()
    box.fault = lambda action, n: "throttle" if action == "DescribeImages" and n % 10 == 3 else None
    yield box
    box.stop()


@pytest.fixture
def retries_without_waits(monkeypatch) -> list[float]:
    """botocore's retries as configured, minus the real waits (tests/support/retry_waits.py):
    the backoff delays it asked for."""
    return without_waits(monkeypatch)


def test_throttling_on_a_tenth_of_the_calls_still_lists_every_image_once(
    sandbox, amazon, throttling_proxy, retries_without_waits
):
    ec2 = client(throttling_proxy.url, attempts=8)
    listed = ids(iter_partitioned_pages(ec2, REGION, AMAZON, page_size=50, first_page=10))
    assert throttling_proxy.faults["throttle"] >= 3
    assert len(retries_without_waits) == throttling_proxy.faults["throttle"]  # each retried
    assert len(listed) == len(set(listed))
    assert set(listed) == set(amazon)


def test_an_endpoint_refusing_the_filter_falls_back_to_paging_and_says_so(
    sandbox, amazon, tmp_path
):
    ec2 = client(sandbox.url)

    def refuse(params=None, **_):
        if any(f["Name"] == "creation-date" for f in (params or {}).get("Filters") or []):
            error = {"Code": "InvalidParameterValue", "Message": "The filter is invalid"}
            raise ClientError({"Error": error}, "DescribeImages")

    ec2.meta.events.register("before-parameter-build.ec2.DescribeImages", refuse)
    debug = DebugLog(tmp_path / "debug.log")

    class Clients:  # what DebugLog.attach needs of AwsClients
        def add_hook(self, event, handler):
            ec2.meta.events.register(event, handler)

    debug.attach(Clients())
    try:
        listed = ids(iter_partitioned_pages(ec2, REGION, AMAZON, page_size=50, first_page=10))
    finally:
        debug.close()
    assert len(listed) == len(set(listed))
    assert set(listed) == set(amazon)
    log = (tmp_path / "debug.log").read_text()
    assert "note us-east-1: DescribeImages refused the creation-date filter" in log
    assert "sequential paging" in log


# -- auto, the app's default: page while paging is fast, partition once it is slow --------


def ticking(step: float):
    """A timer that advances ``step`` seconds each time it is read: every page it times
    took ``step`` seconds, whatever this machine's speed."""
    now = [0.0]

    def timer() -> float:
        now[0] += step
        return now[0]

    return timer


@pytest.mark.parametrize(("step", "partitioned"), [(1.0, True), (0.0, False)], ids=["slow", "fast"])
def test_auto_partitions_only_when_a_full_page_was_slow(sandbox, amazon, caplog, step, partitioned):
    ec2 = client(sandbox.url)
    expected = amazon
    patterns = sent_filters(ec2)
    with caplog.at_level("INFO", logger="amitui.aws"):
        pages = iter_auto_pages(
            ec2, REGION, AMAZON, page_size=50, first_page=10, timer=ticking(step)
        )
        listed = ids(pages)
    assert len(listed) == len(set(listed)) and set(listed) == set(expected)
    assert bool(patterns) is partitioned
    said = "listing the rest by creation-date partitions" if partitioned else "a page of 50 took"
    assert f"us-east-1: {said}" in caplog.text  # --debug-log says which way it went


def test_auto_lists_a_scope_of_two_pages_in_two_calls(sandbox):
    """A scope the first page and one full page hold costs those two calls, however slow."""
    ec2 = client(sandbox.url)
    own = ListQuery(owners=("self",))
    expected = sequential(ec2, own)
    calls: list[dict] = []
    ec2.meta.events.register(
        "before-parameter-build.ec2.DescribeImages", lambda params=None, **_: calls.append(params)
    )
    listed = ids(iter_auto_pages(ec2, REGION, own, page_size=1000, timer=ticking(5.0)))
    assert set(listed) == set(expected) and len(listed) > 100
    assert len(calls) == 2
