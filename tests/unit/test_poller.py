"""The poller's scheduling, with a stand-in EC2 that counts calls (no network).

What AWS answers is proven against the sandbox in tests/sandbox/test_poller.py; here we
pin the scheduling rules with a controllable clock: one call per group, fast polling in a
task's first minute, per-group backoff that only grows, isolation of a failing group,
callbacks that cannot break the loop, and a background loop that sleeps.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from botocore.exceptions import ClientError

import amitui.actions  # noqa: F401 (the built-in actions register their task kinds)
from amitui.tasks.poller import GroupKey, Poller
from amitui.tasks.store import TaskStore

SCOPE = "http://sandbox|123456789012"
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")


class FakeEc2:
    def __init__(self, region: str, log: list) -> None:
        self.region = region
        self.log = log
        self.images: dict[str, str] = {}
        self.exports: dict[str, str] = {}
        self.imports: dict[str, str] = {}
        self.error: str | None = None

    delay = 0.0

    def _call(self, op: str) -> None:
        time.sleep(self.delay)
        self.log.append((self.region, op))
        if self.error:
            raise ClientError({"Error": {"Code": self.error, "Message": "slow down"}}, op)

    def describe_images(self, ImageIds, **_):
        self._call("DescribeImages")
        return {"Images": [{"ImageId": i, "State": self.images[i]} for i in ImageIds]}

    def describe_export_image_tasks(self, ExportImageTaskIds, **_):
        self._call("DescribeExportImageTasks")
        return {
            "ExportImageTasks": [
                {"ExportImageTaskId": i, "Status": self.exports[i], "Progress": "50"}
                for i in ExportImageTaskIds
            ]
        }

    def describe_import_image_tasks(self, ImportTaskIds, **_):
        self._call("DescribeImportImageTasks")
        return {
            "ImportImageTasks": [
                {"ImportTaskId": i, "Status": self.imports[i]} for i in ImportTaskIds
            ]
        }


class FakeClients:
    endpoint_url = "http://sandbox"
    profile = None

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []
        self.by_region: dict[str, FakeEc2] = {}

    def ec2(self, region: str) -> FakeEc2:
        return self.by_region.setdefault(region, FakeEc2(region, self.log))


@pytest.fixture
def clients() -> FakeClients:
    return FakeClients()


def make_poller(clients, store, clock, **kw) -> Poller:
    args = dict(interval=15.0, fast_interval=3.0, fast_window=60.0, clock=clock)
    args.update(kw)
    args.setdefault("rng", random.Random(7))
    return Poller(clients, store, SCOPE, **args)


def seed(clients: FakeClients, store: TaskStore, n: int) -> None:
    kinds = ("copy", "create", "register", "export", "import")
    for i in range(n):
        region = REGIONS[i % 3]
        kind = kinds[i % 5]
        ec2 = clients.ec2(region)
        if kind == "export":
            target = f"export-ami-{i:017x}"
            ec2.exports[target] = "active"
        elif kind == "import":
            target = f"import-ami-{i:017x}"
            ec2.imports[target] = "active"
        else:
            target = f"ami-{i:017x}"
            ec2.images[target] = "pending"
        store.add_task(scope=SCOPE, kind=kind, region=region, target_id=target)


def test_200_tasks_over_3_regions_cost_9_calls_per_cycle(clients, store, clock) -> None:
    seed(clients, store, 200)
    poller = make_poller(clients, store, clock)
    for _ in range(3):
        clients.log.clear()
        polled = poller.poll_once()
        assert len(clients.log) == 9 and len(set(clients.log)) == 9
        assert set(polled) == {
            GroupKey(r, a) for r in REGIONS for a in ("images", "export", "import")
        }
        clock.t += 20
    assert sum(len(s.task_ids) for s in poller.groups().values()) == 200


def test_other_scopes_are_never_polled(clients, store, clock) -> None:
    seed(clients, store, 6)
    store.add_task(scope="aws|999999999999", kind="copy", region="us-west-1", target_id="ami-x")
    make_poller(clients, store, clock).poll_once()
    assert "us-west-1" not in {region for region, _ in clients.log}


def test_fast_during_first_minute_then_interval(clients, store, clock) -> None:
    seed(clients, store, 1)  # one copy in us-east-1
    poller = make_poller(clients, store, clock)
    key = GroupKey("us-east-1", "images")
    poller.poll_once()
    assert poller.groups()[key].delay == 3.0
    clock.t += 2
    assert poller.poll_once(force=False) == {}  # not due yet
    clock.t += 1
    assert key in poller.poll_once(force=False)
    clock.t += 60
    poller.poll_once(force=False)
    assert poller.groups()[key].delay == 15.0
    clock.t += 14
    assert poller.poll_once(force=False) == {}
    # A new task joining the slow group makes it fast again.
    clients.ec2("us-east-1").images["ami-new"] = "pending"
    store.add_task(scope=SCOPE, kind="copy", region="us-east-1", target_id="ami-new")
    assert key in poller.poll_once(force=False)


def test_backoff_grows_for_the_failing_group_only(clients, store, clock) -> None:
    seed(clients, store, 3)  # one image task per region
    errors: list[tuple[GroupKey, str]] = []
    poller = make_poller(clients, store, clock, on_error=lambda g, m: errors.append((g, m)))
    bad = GroupKey("eu-west-1", "images")
    clients.ec2("eu-west-1").error = "RequestLimitExceeded"
    delays = []
    polls = {r: 0 for r in REGIONS}
    for _ in range(200):  # 200 simulated seconds
        clients.log.clear()
        poller.poll_once(force=False)
        for region, _op in clients.log:
            polls[region] += 1
        state = poller.groups()[bad]
        if not delays or state.delay != delays[-1]:
            delays.append(state.delay)
        clock.t += 1
    assert len(delays) >= 4
    assert delays == sorted(delays) and delays[-1] > 4 * delays[0]
    assert poller.groups()[bad].failures == len(errors) == polls["eu-west-1"]
    assert all(g == bad for g, _ in errors)
    assert "RequestLimitExceeded" in errors[0][1] and "throttling" in errors[0][1]
    # The healthy regions kept their rhythm: every 3 s for 60 s, then every 15 s.
    assert polls["us-east-1"] >= 25 and polls["ap-southeast-2"] >= 25
    assert polls["eu-west-1"] <= 6
    # Recovery resets the backoff.
    clients.ec2("eu-west-1").error = None
    clock.t = poller.groups()[bad].next_due
    poller.poll_once(force=False)
    state = poller.groups()[bad]
    assert state.failures == 0 and state.last_error is None and state.delay == 15.0


def test_backoff_is_capped(clients, store, clock) -> None:
    seed(clients, store, 1)
    clients.ec2("us-east-1").error = "InternalError"
    poller = make_poller(clients, store, clock, max_backoff=40.0)
    for _ in range(10):
        poller.poll_once()
    assert 20.0 <= poller.groups()[GroupKey("us-east-1", "images")].delay <= 40.0


def test_updates_are_reported_and_a_raising_callback_breaks_nothing(clients, store, clock) -> None:
    seed(clients, store, 5)
    seen = []

    def on_update(task):
        seen.append((task.kind, task.status, task.aws_state))
        raise RuntimeError("a broken UI callback")

    poller = make_poller(clients, store, clock, on_update=on_update)
    poller.poll_once()
    assert len(seen) == 5
    seen.clear()
    poller.poll_once()
    assert seen == []  # nothing changed, nothing reported
    for ec2 in clients.by_region.values():
        for image in ec2.images:
            ec2.images[image] = "available"
    poller.poll_once()
    assert sorted(seen) == [
        ("copy", "done", "available"),
        ("create", "done", "available"),
        ("register", "done", "available"),
    ]
    assert {t.kind for t in store.running_tasks(SCOPE)} == {"export", "import"}
    poller.poll_once()
    assert GroupKey("us-east-1", "images") not in poller.groups()  # empty groups are dropped


def test_background_loop_sleeps_and_stops_promptly(clients, store) -> None:
    reads = 0
    real = store.running_tasks

    def counting(scope=None):
        nonlocal reads
        reads += 1
        return real(scope)

    store.running_tasks = counting
    poller = Poller(clients, store, SCOPE, interval=1.0, fast_interval=0.2)
    poller.start()
    poller.start()  # idempotent
    time.sleep(1.0)
    started = time.monotonic()
    poller.stop()
    assert time.monotonic() - started < 1.0
    assert not poller.running
    assert 2 <= reads <= 8  # about one store read per fast_interval: no busy loop
    poller.stop()  # twice is fine


def test_background_loop_follows_tasks_to_the_end(clients, store) -> None:
    seed(clients, store, 6)
    done = threading.Event()
    finished = []

    def on_update(task):
        if task.is_terminal:
            finished.append(task.id)
            if len(finished) == 6:
                done.set()

    with Poller(clients, store, SCOPE, interval=0.1, fast_interval=0.05, on_update=on_update):
        for ec2 in clients.by_region.values():
            for k in ec2.images:
                ec2.images[k] = "available"
            for k in ec2.exports:
                ec2.exports[k] = "completed"
            for k in ec2.imports:
                ec2.imports[k] = "deleted"
        assert done.wait(10)
    assert store.running_tasks(SCOPE) == []


class CancellingEc2(FakeEc2):
    def __init__(self, region: str, log: list, refuse: bool) -> None:
        super().__init__(region, log)
        self.refuse = refuse

    def cancel_export_task(self, ExportTaskId):
        self._call("CancelExportTask")
        if self.refuse:
            raise ClientError(
                {"Error": {"Code": "IncorrectState", "Message": "task is not active"}},
                "CancelExportTask",
            )
        self.exports[ExportTaskId] = "deleted"


@pytest.mark.parametrize("refuse", [False, True], ids=["accepted", "refused"])
def test_cancel_records_intent_first_and_reverts_when_refused(
    clients, store, clock, refuse
) -> None:
    ec2 = clients.by_region["us-east-1"] = CancellingEc2("us-east-1", clients.log, refuse)
    ec2.exports["export-ami-1"] = "active"
    task = store.add_task(scope=SCOPE, kind="export", region="us-east-1", target_id="export-ami-1")
    seen = []
    poller = make_poller(clients, store, clock, on_update=seen.append)
    if refuse:
        with pytest.raises(ClientError):
            poller.cancel(task.id)
        after = store.get(task.id)
        assert not after.cancel_requested and after.cancellable
        assert [e.message for e in store.history(task.id)][-2:] == [
            "cancel requested",
            "cancel failed: IncorrectState: task is not active",
        ]
        assert seen[-1].message.startswith("cancel failed")
    else:
        assert poller.cancel(task.id).cancel_requested
        poller.poll_once()
        assert store.get(task.id).status == "cancelled"
    with pytest.raises(ValueError):
        poller.cancel(12345)


def test_what_cannot_be_cancelled_is_refused_without_a_call(clients, store, clock) -> None:
    register = store.add_task(scope=SCOPE, kind="register", region="us-east-1", target_id="ami-1")
    other = store.add_task(scope="aws|1", kind="export", region="us-east-1", target_id="export-x")
    poller = make_poller(clients, store, clock)
    with pytest.raises(ValueError, match="cannot be cancelled"):
        poller.cancel(register.id)
    with pytest.raises(ValueError, match="no task"):
        poller.cancel(other.id)  # another scope's task
    assert clients.log == []


def test_a_stopped_poller_starts_again_and_polls_every_group(clients, store) -> None:
    seed(clients, store, 15)
    groups = {(t.region, t.api) for t in store.running_tasks(SCOPE)}
    assert len(groups) == 9
    poller = Poller(clients, store, SCOPE, interval=0.1, fast_interval=0.05, max_workers=1)
    # Stop while most groups are still queued behind a slow call: they are cancelled.
    FakeEc2.delay = 0.2
    try:
        poller.start()
        deadline = time.monotonic() + 10
        while not clients.log and time.monotonic() < deadline:
            time.sleep(0.01)
        poller.stop()
    finally:
        FakeEc2.delay = 0.0
    assert len(clients.log) < 9
    clients.log.clear()
    poller.start()
    deadline = time.monotonic() + 10
    while len(set(clients.log)) < 9 and time.monotonic() < deadline:
        time.sleep(0.02)
    poller.stop()
    assert len(set(clients.log)) == 9  # every (region, api) group polls after the restart


class SnapshotEc2(FakeEc2):
    """Pending images with snapshots, whose DescribeSnapshots answers a Progress."""

    def __init__(self, region: str, log: list) -> None:
        super().__init__(region, log)
        self.snapshots: dict[str, list[str]] = {}  # image id -> its snapshot ids

    def describe_images(self, ImageIds, **_):
        self._call("DescribeImages")
        return {
            "Images": [
                {
                    "ImageId": i,
                    "State": self.images[i],
                    "BlockDeviceMappings": [
                        {"Ebs": {"SnapshotId": s}} for s in self.snapshots.get(i, [])
                    ],
                }
                for i in ImageIds
            ]
        }

    def describe_snapshots(self, SnapshotIds, **_):
        self._call("DescribeSnapshots")
        return {"Snapshots": [{"SnapshotId": s, "Progress": "40%"} for s in SnapshotIds]}


def test_pending_images_progress_costs_one_describe_snapshots_per_region(
    clients, store, clock
) -> None:
    for region in ("us-east-1", "eu-west-1"):
        ec2 = clients.by_region[region] = SnapshotEc2(region, clients.log)
        for n in range(5):
            image = f"ami-{region[:2]}{n:015x}"
            ec2.images[image] = "pending"
            ec2.snapshots[image] = [f"snap-{region[:2]}{n}a", f"snap-{region[:2]}{n}b"]
            store.add_task(scope=SCOPE, kind="copy", region=region, target_id=image)
    poller = make_poller(clients, store, clock)
    poller.poll_once()
    assert sorted(clients.log) == sorted(
        (r, op)
        for r in ("us-east-1", "eu-west-1")
        for op in ("DescribeImages", "DescribeSnapshots")
    )
    assert {t.progress for t in store.running_tasks(SCOPE)} == {40}
    # once the images are available, no snapshot is asked about
    for ec2 in clients.by_region.values():
        ec2.images = dict.fromkeys(ec2.images, "available")
    clients.log.clear()
    clock.t += 20
    poller.poll_once()
    assert [op for _, op in clients.log] == ["DescribeImages", "DescribeImages"]


def test_an_end_seen_by_this_poller_is_timed_and_one_found_at_start_is_not(
    clients, store, clock
) -> None:
    ec2 = clients.ec2("us-east-1")
    ec2.exports = {"export-ami-old": "active", "export-ami-new": "active"}
    old = store.add_task(scope=SCOPE, kind="export", region="us-east-1", target_id="export-ami-old")
    clock.t += 3600  # amitui was closed for an hour: a new session's poller starts
    poller = make_poller(clients, store, clock)
    new = store.add_task(scope=SCOPE, kind="export", region="us-east-1", target_id="export-ami-new")
    ec2.exports["export-ami-old"] = "completed"  # ended while nobody watched
    poller.poll_once()
    ended = store.get(old.id)
    assert ended.status == "done" and ended.ended_unseen
    assert ended.finished_at == old.created_at  # its last change amitui saw, not "now"
    clock.t += 30
    ec2.exports["export-ami-new"] = "completed"  # seen running above, now seen ending
    poller.poll_once()
    timed = store.get(new.id)
    assert timed.status == "done" and not timed.ended_unseen
    assert timed.finished_at == clock.t and timed.elapsed(clock.t + 999) == 30
