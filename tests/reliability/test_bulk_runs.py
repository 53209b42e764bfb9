"""Bulk runs under faults (issue 17): the endpoint dies halfway through a bulk deregister of
50, the app restarts, and the run finishes the rest with no image deregistered twice; a
throttled run keeps a few calls in flight and finishes; an item a dead process left
"sending" is looked for before it is sent again.

The runs go through the real TaskService (Textual-free) against the sandbox behind the
fault-injecting proxy; the truth is read straight from the sandbox with its own client.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable

from botocore.exceptions import ClientError

from amitui.aws.clients import AwsClients, default_config
from amitui.tasks.bulk_model import DONE, FAILED, SENDING, NewItem
from amitui.tasks.service import TaskService
from amitui.tasks.store import TaskStore
from tests.app.helpers import own_images
from tests.reliability.test_faults_tasks import a_source

REGION = "us-east-1"


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Wait on state (the timeout only stops a hung test)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def clients_for(url: str) -> AwsClients:
    config = default_config(
        retries={"mode": "standard", "max_attempts": 2}, connect_timeout=2, read_timeout=10
    )
    return AwsClients(endpoint_url=url, config=config)


def service_for(url: str, path, bulk_backoff: float = 1.0) -> TaskService:
    """The service on ``path`` (``bulk_backoff``: its bulk runner's first backoff)."""
    service = TaskService(
        clients_for(url), TaskStore(path), poll_interval=60, bulk_backoff=bulk_backoff
    )
    service.start(service.clients.identity().account)
    return service


def copies(ec2, count: int) -> list[str]:
    """``count`` new images of this account (copies of a seeded one)."""
    client = ec2()
    source = a_source(ec2)
    tag = uuid.uuid4().hex[:8]
    return [
        client.copy_image(
            SourceImageId=source["ImageId"], SourceRegion=REGION, Name=f"bulk-{tag}-{n:03d}"
        )["ImageId"]
        for n in range(count)
    ]


def exists(client, image_id: str) -> bool:
    try:
        images = client.describe_images(ImageIds=[image_id])["Images"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("InvalidAMIID.NotFound", "InvalidAMIID.Unavailable"):
            return False
        raise
    return bool(images) and images[0]["State"] != "deregistered"


def deregistered(proxy) -> Counter[str]:
    """How many times the endpoint deregistered each image (answered 200)."""
    return Counter(
        p["ImageId"] for p in proxy.reached.get("DeregisterImage", []) if p["__status"] == "200"
    )


def deregister_items(ids: list[str]) -> list[NewItem]:
    return [NewItem(REGION, i, (("DeregisterImage", {"ImageId": i}),)) for i in ids]


def test_endpoint_dies_halfway_through_50_then_a_restart_finishes_the_rest_once(
    sandbox, proxy, ec2, tmp_path
) -> None:
    ids = copies(ec2, 50)
    others = {i["ImageId"] for i in own_images(ec2())} - set(ids)
    proxy.watched = {"DeregisterImage"}

    def fault(action: str, n: int) -> str | None:
        if action != "DeregisterImage":
            return None
        # the 20th takes effect but its answer is lost; the endpoint dies at the 26th
        return {20: "drop_after", 26: "die"}.get(n)

    proxy.fault = fault
    path = tmp_path / "tasks.sqlite3"
    first = service_for(proxy.url, path)
    run = first.start_bulk("deregister", "Deregister 50 images", deregister_items(ids))

    def settled_after_death() -> bool:
        items = first.bulk_items(run.id)
        return not proxy.running and not any(i.status == SENDING for i in items)

    wait_until(settled_after_death, "the endpoint to die and the workers to give up")
    halfway = first.store.bulk.run(run.id)
    failed = [(i.code, i.message) for i in first.bulk_items(run.id) if i.status == FAILED]
    assert halfway is not None and 0 < halfway.done < 50 and not failed, failed
    first.stop()
    first.store.close()

    proxy.fault = None
    proxy.restart()
    second = service_for(proxy.url, path)  # the app starts again on the same tasks file
    wait_until(lambda: second.store.bulk.run(run.id).finished, "the run to finish")  # type: ignore[union-attr]
    ended = second.store.bulk.run(run.id)
    items = second.bulk_items(run.id)
    second.stop()
    second.store.close()

    assert ended is not None and ended.done == 50 and ended.failed == 0
    assert all(i.status == DONE for i in items)
    done = deregistered(proxy)
    assert set(done) == set(ids)
    assert max(done.values()) == 1, {i: n for i, n in done.items() if n > 1}
    lost = [i for i in items if "already" in i.message]
    assert lost, "the answer lost at the 20th call was looked for, not taken for a failure"
    direct = ec2()
    assert not [i for i in ids if exists(direct, i)]
    assert others <= {i["ImageId"] for i in own_images(direct)}


def test_a_throttled_bulk_deregister_of_200_keeps_a_few_calls_in_flight_and_finishes(
    sandbox, proxy, ec2, tmp_path
) -> None:
    ids = copies(ec2, 200)
    proxy.watched = {"DeregisterImage"}
    proxy.delays["DeregisterImage"] = 0.01  # calls overlap, as on AWS
    proxy.fault = lambda action, n: (
        "throttle" if action == "DeregisterImage" and n % 50 == 0 else None
    )
    # backing off from 0.05 s (the app's: 1 s): each throttle is sent again sooner
    service = service_for(proxy.url, tmp_path / "tasks.sqlite3", bulk_backoff=0.05)
    run = service.start_bulk("deregister", "Deregister 200 images", deregister_items(ids))
    wait_until(lambda: service.store.bulk.run(run.id).finished, "the run to finish")  # type: ignore[union-attr]
    ended = service.store.bulk.run(run.id)
    peak = service.bulk.peak_in_flight if service.bulk else 0
    service.stop()
    service.store.close()

    assert ended is not None and ended.done == 200 and ended.failed == 0
    assert proxy.faults["throttle"] >= 4  # throttled, then sent again
    assert 2 <= peak <= 3  # the runner's own count: concurrent, never more than its workers
    assert proxy.peak_in_flight <= 3 + 1  # + the one describe a settle check may make
    done = deregistered(proxy)
    assert set(done) == set(ids) and max(done.values()) == 1
    assert not set(ids) & {i["ImageId"] for i in own_images(ec2())}


def test_an_item_a_dead_process_left_sending_is_looked_for_before_it_is_sent(
    sandbox, proxy, ec2, tmp_path
) -> None:
    (gone, kept) = copies(ec2, 2)
    path = tmp_path / "tasks.sqlite3"
    with TaskStore(path) as store:
        scope_of = TaskService(clients_for(proxy.url), store, 60)
        scope = scope_of._scope_of(scope_of.clients.identity().account)
        run = store.bulk.add_run(
            scope, "deregister", "Deregister 2", deregister_items([gone, kept])
        )
        # The process claimed both and sent the first; then it was killed.
        assert store.bulk.claim(scope) is not None and store.bulk.claim(scope) is not None
    ec2().deregister_image(ImageId=gone)
    proxy.watched = {"DeregisterImage"}

    service = service_for(proxy.url, path)
    wait_until(lambda: service.store.bulk.run(run.id).finished, "the run to finish")  # type: ignore[union-attr]
    items = {i.target_id: i for i in service.bulk_items(run.id)}
    service.stop()
    service.store.close()

    assert items[gone].status == DONE and "already happened" in items[gone].message
    assert items[kept].status == DONE
    reached = [p["ImageId"] for p in proxy.reached["DeregisterImage"]]
    assert reached == [kept]  # the one already gone was not asked for again
    assert not exists(ec2(), kept)


def test_refused_as_gone_when_the_check_cannot_be_made_is_unknown_not_failed(
    sandbox, proxy, ec2, tmp_path
) -> None:
    """A deregister whose answer was lost is retried by botocore and refused as gone; if
    the endpoint then fails the look that would tell whether the lost attempt did it, the
    item is not verified: queued again as uncertain (not FAILED), and done, once, when the
    look can be made."""
    (image,) = copies(ec2, 1)
    proxy.watched = {"DeregisterImage"}
    looks_fail = True

    def fault(action: str, n: int) -> str | None:
        if action == "DeregisterImage" and n == 1:
            return "drop_after"  # it takes effect, its answer is lost: botocore asks again
        if action == "DescribeImages" and looks_fail:
            return "drop"  # the check of whether it happened cannot be made
        return None

    proxy.fault = fault
    service = service_for(proxy.url, tmp_path / "tasks.sqlite3")
    try:
        run = service.start_bulk("deregister", "Deregister 1", deregister_items([image]))

        def looked_for_in_vain() -> bool:
            (item,) = service.bulk_items(run.id)
            return item.status == FAILED or (item.status == "queued" and item.uncertain)

        wait_until(looked_for_in_vain, "the item queued again (or failed)")
        (item,) = service.bulk_items(run.id)
        assert item.status != FAILED, item.message
        # the lost attempt, and botocore's retry refused as gone; the look asked, and failed
        assert proxy.outcomes("DeregisterImage") == Counter({"drop_after": 1, "400": 1})
        assert proxy.outcomes("DescribeImages")["drop"] >= 1
        looks_fail = False
        wait_until(lambda: service.store.bulk.run(run.id).finished, "the run to finish")  # type: ignore[union-attr]
        (item,) = service.bulk_items(run.id)
    finally:
        service.stop()
        service.store.close()
    assert item.status == DONE and "already" in item.message
    assert deregistered(proxy) == Counter({image: 1})  # done once, never sent a third time
    assert proxy.count("DeregisterImage") == 2
