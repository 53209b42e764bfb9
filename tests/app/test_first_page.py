"""`amitui` asks for each region's first page before the UI loads (amitui.cli.make_app):
the app's listing takes that answer and never asks it again."""

from __future__ import annotations

from typing import Any

from amitui.aws.first_page import PrefetchedEc2
from amitui.aws.images import ListQuery
from amitui.aws.partitions import iter_auto_pages
from amitui.cli import make_app
from amitui.settings import Settings
from tests.app.helpers import SIZE, wait_for

REGION = "us-east-1"


def describe_images_calls(ec2: Any) -> list[int]:
    calls: list[int] = []
    ec2.meta.events.register("before-call.ec2.DescribeImages", lambda **_: calls.append(1))
    return calls


async def test_the_app_lists_from_the_first_page_asked_at_startup(sandbox: Any, tmp_path: Any):
    log = tmp_path / "debug.log"
    settings = Settings(endpoint_url=sandbox.url, cache=False, debug_log=log, regions=(REGION,))
    app = make_app(settings)  # as `amitui` makes it
    clients = app.clients
    assert isinstance(clients.listing_ec2(REGION), PrefetchedEc2)  # asked, not yet taken
    async with app.run_test(size=SIZE) as pilot:
        listing = app.inventory.listing
        await wait_for(pilot, lambda: listing.finished_in is not None, 60, "the listing")
        listed = app.inventory.rows.total
    assert not isinstance(clients.listing_ec2(REGION), PrefetchedEc2)  # taken
    made = log.read_text().count(f"ec2.DescribeImages region={REGION}")
    # The same listing by a plain client: as many DescribeImages calls as the app made.
    plain = clients.ec2(REGION)
    calls = describe_images_calls(plain)
    expected = sum(len(page) for page in iter_auto_pages(plain, REGION, ListQuery()))
    assert listed == expected > 100  # more than the first page: the rest was asked too
    assert made == len(calls)  # the first page was not asked twice
