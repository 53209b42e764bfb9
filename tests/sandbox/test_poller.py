"""The task poller against the sandbox endpoint: real HTTP, real botocore, real SQLite.

Calls are counted with botocore's ``before-call`` hooks registered through
``AwsClients.add_hook``, and faults are injected the same way (a hook that raises a
``ClientError`` for one region). Time-driven sandbox states are awaited with deadlines.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

import amitui.actions  # noqa: F401 (the built-in actions register their task kinds)
from amitui.aws.clients import AwsClients
from amitui.sandbox.catalogue import buckets_for
from amitui.tasks.model import Task, make_scope, scope_for
from amitui.tasks.poller import GroupKey, Poller
from amitui.tasks.store import TaskStore
from tests.sandbox.ec2_helpers import pending_for
from tests.sandbox.polling import collapse, wait_for
from tests.support.sandbox_time import finish_now, forget_deregistered, walk

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
DESCRIBES = {"DescribeImages", "DescribeExportImageTasks", "DescribeImportImageTasks"}
EXPORT_BUCKET = "amitui-exports"
IMPORT_KEY = "vms/web-frontend-2025.03.1.vmdk"


def uid() -> str:
    return uuid.uuid4().hex[:10]


class CallLog:
    """Every EC2 operation the clients send, with its region (a before-call hook)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[tuple[str, str]] = []

    def __call__(self, model: Any = None, context: Any = None, **_: Any) -> None:
        with self.lock:
            self.calls.append(((context or {}).get("client_region", "?"), model.name))

    def take(self) -> list[tuple[str, str]]:
        with self.lock:
            out, self.calls = self.calls, []
        return out


def make_clients(sandbox: Any) -> tuple[AwsClients, CallLog]:
    clients = AwsClients(endpoint_url=sandbox.url, default_region="us-east-1")
    log = CallLog()
    clients.add_hook("before-call.ec2", log)
    return clients, log


def available_image(ec2: Any) -> str:
    """An available image that ExportImage takes (no encrypted snapshots)."""
    unencrypted = [{"Name": "block-device-mapping.encrypted", "Values": ["false"]}]
    images = ec2.describe_images(Owners=["self"], Filters=unencrypted)["Images"]
    return sorted(i["ImageId"] for i in images if i["State"] == "available")[0]


def instance_id(ec2: Any, name: str = "web-1") -> str:
    answer = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": [name]}])
    return answer["Reservations"][0]["Instances"][0]["InstanceId"]


def snapshot_id(ec2: Any) -> str:
    return sorted(s["SnapshotId"] for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"])[
        0
    ]


def start_export(ec2: Any, image: str, prefix: str = "exports/") -> str:
    return ec2.export_image(
        DiskImageFormat="VMDK",
        ImageId=image,
        S3ExportLocation={"S3Bucket": buckets_for(ec2.meta.region_name)[0], "S3Prefix": prefix},
    )["ExportImageTaskId"]


def start_import(ec2: Any, description: str = "amitui test import") -> str:
    bucket = buckets_for(ec2.meta.region_name)[1]
    disk = {"Format": "VMDK", "UserBucket": {"S3Bucket": bucket, "S3Key": IMPORT_KEY}}
    return ec2.import_image(Description=description, DiskContainers=[disk])["ImportTaskId"]


def image_gone(ec2: Any, image_id: str) -> bool:
    try:
        return ec2.describe_images(ImageIds=[image_id])["Images"] == []
    except ClientError as exc:
        return exc.response["Error"]["Code"] == "InvalidAMIID.NotFound"


def all_finished(store: TaskStore, ids: list[int]) -> Callable[[], bool]:
    return lambda: all(store.get(i).is_terminal for i in ids)


def follow(poller: Poller, store: TaskStore, ids: list[int], timeout: float = 20.0) -> None:
    """poll_once until every task is finished, against a deadline."""

    def cycle() -> bool:
        poller.poll_once()
        return all_finished(store, ids)()

    wait_for(cycle, bool, timeout=timeout, interval=0.1)


# Every terminal transition, followed by one background poller ------------------------------


@dataclass
class Journey:
    store: TaskStore
    scope: str
    tasks: dict[str, Task]
    updates: list[Task] = field(default_factory=list)
    errors: list[tuple[GroupKey, str]] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    ec2: Any = None

    def final(self, label: str) -> Task:
        return self.store.get(self.tasks[label].id)

    def states(self, label: str) -> list[tuple[str, str]]:
        history = self.store.history(self.tasks[label].id)
        return collapse([(e.status, e.aws_state) for e in history])


@pytest.fixture(scope="module")
def journey(sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> Journey:
    clients, log = make_clients(sandbox)
    scope = scope_for(clients)
    store = TaskStore(tmp_path_factory.mktemp("journey") / "tasks.sqlite3")
    j = Journey(store=store, scope=scope, tasks={}, ec2=clients.ec2("us-east-1"))
    poller = Poller(
        clients,
        store,
        scope,
        interval=0.2,
        fast_interval=0.2,
        not_found_grace=0.5,  # ids AWS does not know fail half a second after their start
        on_update=j.updates.append,
        on_error=lambda g, m: j.errors.append((g, m)),
    )
    poller.start()  # polling before the tasks exist: each is seen within 0.2 s of its start
    answered = CallLog()  # the calls answered (the sandbox told the moment it was at)
    clients.add_hook("after-call.ec2", answered)
    with pending_for(sandbox, 600.0):  # nothing ends by itself: the walk below moves them
        _start_the_journey(j, poller)
    log.take()
    ids = [t.id for t in j.tasks.values()]
    transfers = [j.tasks[k].target_id for k in ("export", "export_fail", "import", "import_fail")]
    try:
        # Each moment of the transfers, one answered poll at each; then everything ends.
        walk(sandbox, transfers, lambda: a_poll(poller, answered), fractions=JOURNEY_STEPS)
        wait_for(all_finished(store, ids), bool, timeout=30)
    finally:
        poller.stop()
    j.calls = log.take()
    forget_deregistered(sandbox)  # the cancelled copy's described-by-id while is over
    return j


#: The moments of the journey's transfers the poller is shown (each of AWS's steps lasts
#: at least 5% of a transfer, so a step every 20% shows several status messages).
JOURNEY_STEPS = (0.1, 0.3, 0.5, 0.7, 0.9)
TRANSFER_DESCRIBES = {"DescribeExportImageTasks", "DescribeImportImageTasks"}


def a_poll(poller: Poller, answered: CallLog) -> None:
    """Wake the poller and wait until the endpoint answered its exports and imports."""
    with answered.lock:
        start = len(answered.calls)
    poller.wake()

    def asked() -> bool:
        with answered.lock:
            return {op for _, op in answered.calls[start:]} >= TRANSFER_DESCRIBES

    wait_for(asked, bool, timeout=30, interval=0.02)


def _start_the_journey(j: Journey, poller: Poller) -> None:
    store, scope, ec2 = j.store, j.scope, j.ec2
    tag = uid()
    src = available_image(ec2)

    def add(label: str, kind: str, target: str, source: str) -> None:
        j.tasks[label] = store.add_task(
            scope=scope, kind=kind, region="us-east-1", target_id=target, source=source
        )
        poller.wake()

    def copy(name: str) -> str:
        return ec2.copy_image(Name=name, SourceImageId=src, SourceRegion="us-east-1")["ImageId"]

    # Cancel a pending copy first: this deregisters the image.
    add("cancel_copy", "copy", copy(f"cancel-copy-{tag}"), src)
    poller.cancel(j.tasks["cancel_copy"].id)
    add("copy", "copy", copy(f"poller-copy-{tag}"), src)
    add("copy_fail", "copy", copy(f"sandbox-fail-copy-{tag}"), src)
    inst = instance_id(ec2)
    created = ec2.create_image(InstanceId=inst, Name=f"poller-create-{tag}", NoReboot=True)
    add("create", "create", created["ImageId"], inst)
    snap = snapshot_id(ec2)
    registered = ec2.register_image(
        Name=f"poller-register-{tag}",
        Architecture="x86_64",
        VirtualizationType="hvm",
        RootDeviceName="/dev/xvda",
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": snap}}],
    )
    add("register", "register", registered["ImageId"], snap)
    add("export", "export", start_export(ec2, src, f"poller-{tag}/"), src)
    add("export_fail", "export", start_export(ec2, src, f"sandbox-fail-{tag}/"), src)
    add("import", "import", start_import(ec2), IMPORT_KEY)
    add("import_fail", "import", start_import(ec2, "sandbox-fail: this one will fail"), IMPORT_KEY)
    # Cancels: each is asked for while the task is still active.
    add("cancel_export", "export", start_export(ec2, src, f"cancel-{tag}/"), src)
    add("cancel_import", "import", start_import(ec2), IMPORT_KEY)
    for label in ("cancel_export", "cancel_import"):
        poller.cancel(j.tasks[label].id)
    # Ids AWS does not know (state lost, deleted elsewhere): they must end, failed.
    add("gone_image", "copy", "ami-0123456789abcdef0", src)
    add("gone_export", "export", "export-ami-0123456789abcdef0", src)
    add("gone_import", "import", "import-ami-0123456789abcdef0", IMPORT_KEY)


def test_copy_goes_pending_then_available(journey: Journey) -> None:
    assert journey.states("copy") == [
        ("running", ""),
        ("running", "pending"),
        ("done", "available"),
    ]
    task = journey.final("copy")
    assert task.finished_at is not None and task.finished_at >= task.created_at


def test_create_and_register_finish(journey: Journey) -> None:
    for label in ("create", "register"):
        assert journey.final(label).status == "done", journey.states(label)
        assert journey.states(label)[-1] == ("done", "available")


def test_fail_name_copy_fails_with_the_state_reason(journey: Journey) -> None:
    task = journey.final("copy_fail")
    assert (task.status, task.aws_state) == ("failed", "failed")
    raw = journey.ec2.describe_images(ImageIds=[task.target_id])["Images"][0]
    assert task.message == raw["StateReason"]["Message"] and task.message


def test_export_progresses_then_completes(journey: Journey) -> None:
    task = journey.final("export")
    assert (task.status, task.aws_state, task.progress) == ("done", "completed", 100)
    assert task.message.startswith(f"exported to s3://{EXPORT_BUCKET}/poller-")
    history = journey.store.history(task.id)
    progress = [e.progress for e in history if e.aws_state == "active"]
    assert progress == sorted(progress) and len(set(progress)) >= 2
    assert len({e.message for e in history if e.aws_state == "active"}) >= 2  # status messages


def test_export_failure_keeps_the_client_error(journey: Journey) -> None:
    task = journey.final("export_fail")
    assert (task.status, task.aws_state) == ("failed", "deleted")
    assert task.message.startswith("ClientError: ")


def test_import_completes_with_an_image_id(journey: Journey) -> None:
    task = journey.final("import")
    assert (task.status, task.aws_state) == ("done", "completed")
    assert task.image_id.startswith("ami-")
    [image] = journey.ec2.describe_images(ImageIds=[task.image_id])["Images"]
    assert image["ImageId"] == task.image_id


def test_import_failure_keeps_the_client_error(journey: Journey) -> None:
    task = journey.final("import_fail")
    assert (task.status, task.aws_state) == ("failed", "deleted")
    assert task.message.startswith("ClientError: ")


@pytest.mark.parametrize("label", ["cancel_export", "cancel_import", "cancel_copy"])
def test_cancel_of_each_kind_ends_cancelled(journey: Journey, label: str) -> None:
    task = journey.final(label)
    assert task.status == "cancelled", journey.states(label)
    assert task.cancel_requested
    messages = [e.message for e in journey.store.history(task.id)]
    assert "cancel requested" in messages


def test_cancel_of_the_pending_copy_deregistered_it(journey: Journey) -> None:
    assert image_gone(journey.ec2, journey.final("cancel_copy").target_id)


def test_cancelled_transfers_passed_through_deleting(journey: Journey) -> None:
    for label in ("cancel_export", "cancel_import"):
        assert ("running", "deleting") in journey.states(label), journey.states(label)


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("gone_image", "image no longer exists"),
        ("gone_export", "export task no longer exists"),
        ("gone_import", "import task no longer exists"),
    ],
)
def test_not_found_ends_failed_never_running(journey: Journey, label: str, message: str) -> None:
    task = journey.final(label)
    assert (task.status, task.message) == ("failed", message)


def test_every_change_was_reported_and_no_group_errored(journey: Journey) -> None:
    assert journey.errors == []
    finished = {t.id for t in journey.updates if t.is_terminal}
    assert finished == {t.id for t in journey.tasks.values()}


def test_polling_cost_one_describe_per_group_per_cycle(journey: Journey) -> None:
    describes = [c for c in journey.calls if c[1] in DESCRIBES]
    assert describes, "the poller made no describe call"
    assert {region for region, _ in describes} == {"us-east-1"}
    # Each cycle polls 3 groups (images, export, import) at most: a group's calls per cycle
    # are 1, plus 1 when an unknown id must be split off (the gone_* tasks).
    counts = Counter(op for _, op in describes)
    cycles = max(counts.values())
    assert len(describes) <= 3 * cycles + 3


# Grouping at scale ------------------------------------------------------------------------


def test_200_tasks_over_3_regions_cost_at_most_9_describes_per_cycle(
    sandbox: Any, tmp_path: Path
) -> None:
    clients, log = make_clients(sandbox)
    scope = scope_for(clients)
    store = TaskStore(tmp_path / "tasks.sqlite3")
    tag = uid()
    sources = {}
    for region in REGIONS:
        ec2 = clients.ec2(region)
        src = sources[region] = available_image(ec2)
        for i in range(8):
            target = start_export(ec2, src, f"bulk-{tag}-{i}/")
            store.add_task(scope=scope, kind="export", region=region, target_id=target)
            target = start_import(ec2)
            store.add_task(scope=scope, kind="import", region=region, target_id=target)
    n = 0
    while len(store.running_tasks(scope)) < 200:
        region = REGIONS[n % 3]
        ec2 = clients.ec2(region)
        image = ec2.copy_image(
            Name=f"bulk-{tag}-{n}", SourceImageId=sources[region], SourceRegion=region
        )["ImageId"]
        store.add_task(scope=scope, kind="copy", region=region, target_id=image)
        n += 1
    regions = Counter(t.region for t in store.running_tasks(scope))
    assert set(regions) == set(REGIONS) and min(regions.values()) >= 66
    poller = Poller(clients, store, scope, interval=0.2, fast_interval=0.2)
    log.take()
    per_cycle: list[list[tuple[str, str]]] = []

    snapshot_calls: list[list[str]] = []  # the regions that asked DescribeSnapshots, per cycle

    def cycle() -> bool:
        poller.poll_once()
        calls = log.take()
        per_cycle.append([c for c in calls if c[1] in DESCRIBES])
        snapshot_calls.append([r for r, op in calls if op == "DescribeSnapshots"])
        return not store.running_tasks(scope)

    wait_for(cycle, bool, timeout=60, interval=0.1)
    first = per_cycle[0]
    assert len(first) == 9
    assert set(first) == {(r, op) for r in REGIONS for op in DESCRIBES}
    assert all(len(calls) <= 9 for calls in per_cycle)
    assert all(len(set(calls)) == len(calls) for calls in per_cycle)  # one per group
    # the pending copies' progress: at most ONE DescribeSnapshots per region per cycle
    assert any(snapshot_calls), "no pending copy's progress was asked for"
    assert all(len(set(regions)) == len(regions) for regions in snapshot_calls)
    statuses = Counter(t.status for t in store.list_tasks(scope))
    assert statuses == {"done": 200}, [
        (t.kind, t.target_id, t.aws_state, t.message)
        for t in store.list_tasks(scope)
        if t.status != "done"
    ]
    store.close()


# Backoff, isolation of a failing region, recovery ----------------------------------------------


def throttled(operation: str) -> Exception:
    error = {"Code": "RequestLimitExceeded", "Message": "Request limit exceeded."}
    return ClientError({"Error": error}, operation)


def unreachable(operation: str) -> Exception:
    return EndpointConnectionError(endpoint_url="https://ec2.eu-west-1.amazonaws.com/")


@pytest.mark.parametrize(
    ("fault", "line"),
    [(throttled, "RequestLimitExceeded: "), (unreachable, "Cannot reach ")],
    ids=["throttled", "unreachable"],
)
def test_a_failing_region_backs_off_while_others_progress(
    sandbox: Any, tmp_path: Path, fault: Callable[[str], Exception], line: str
) -> None:
    clients, _ = make_clients(sandbox)
    failing: set[str] = set()  # armed once the tasks are started
    refused: Counter[str] = Counter()

    def inject(model: Any = None, context: Any = None, **_: Any) -> None:
        region = (context or {}).get("client_region")
        if region in failing and model.name in DESCRIBES:
            refused[region] += 1
            raise fault(model.name)

    clients.add_hook("before-call.ec2", inject)
    scope = scope_for(clients)
    store = TaskStore(tmp_path / "tasks.sqlite3")
    tag = uid()
    ids = {}
    for region in REGIONS:
        ec2 = clients.ec2(region)
        src = available_image(ec2)
        ids[region] = store.add_task(
            scope=scope,
            kind="copy",
            region=region,
            target_id=ec2.copy_image(Name=f"th-{tag}", SourceImageId=src, SourceRegion=region)[
                "ImageId"
            ],
        ).id
    finish_now(sandbox)  # the copies are available now: only the failing region's waits
    failing.add("eu-west-1")
    bad = GroupKey("eu-west-1", "images")
    errors: list[tuple[GroupKey, str, float]] = []
    poller = Poller(
        clients,
        store,
        scope,
        # backing off from 0.05 s: four failures come within about 0.75 s
        interval=0.05,
        fast_interval=0.05,
        max_backoff=5.0,
        on_error=lambda g, m: errors.append((g, m, poller.groups()[g].delay)),
    )
    with poller:
        wait_for(
            lambda: (store.get(ids["us-east-1"]).status, store.get(ids["ap-southeast-2"]).status),
            lambda s: s == ("done", "done"),
            timeout=15,
        )
        wait_for(lambda: poller.groups()[bad].failures, lambda n: n >= 4, timeout=15)
        assert store.get(ids["eu-west-1"]).status == "running"
        state = poller.groups()[bad]
        assert state.last_error and state.last_error.startswith(line)
        failing.clear()  # the endpoint recovers: polling resumes
        wait_for(lambda: store.get(ids["eu-west-1"]).status, lambda s: s == "done", timeout=15)
    assert {g for g, _, _ in errors} == {bad}
    assert errors[0][1].startswith(line)
    delays = [d for _, _, d in errors]
    assert delays == sorted(delays) and delays[-1] >= 4 * delays[0], delays  # only later
    assert refused["eu-west-1"] == len(errors) >= 4
    assert bad not in poller.groups()  # its task finished: the group is gone
    store.close()


# Restart and resume -----------------------------------------------------------------------


def test_a_fresh_store_and_poller_resume_unfinished_tasks(sandbox: Any, tmp_path: Path) -> None:
    path = tmp_path / "state" / "tasks.sqlite3"
    clients, _ = make_clients(sandbox)
    scope = scope_for(clients)
    ec2 = clients.ec2("eu-west-1")
    src = available_image(ec2)
    store = TaskStore(path)
    with pending_for(sandbox, 600.0):  # running until the test ends them (finish_now)
        copied = ec2.copy_image(Name=f"resume-{uid()}", SourceImageId=src, SourceRegion="eu-west-1")
        started = [
            ("copy", copied["ImageId"]),
            ("export", start_export(ec2, src)),
            ("import", start_import(ec2)),
        ]
    ids = [
        store.add_task(scope=scope, kind=kind, region="eu-west-1", target_id=target).id
        for kind, target in started
    ]
    first = Poller(clients, store, scope, interval=0.2, fast_interval=0.2)
    first.poll_once()
    assert {store.get(i).status for i in ids} == {"running"}
    first.stop()
    store.close()  # "quit"
    finish_now(sandbox)  # they end while no amitui runs

    clients2, _ = make_clients(sandbox)  # "relaunch": nothing shared but the file
    store2 = TaskStore(path)
    assert [t.id for t in store2.running_tasks(scope)] == ids
    done = threading.Event()
    poller = Poller(
        clients2,
        store2,
        scope_for(clients2),
        interval=0.2,
        fast_interval=0.2,
        on_update=lambda t: all_finished(store2, ids)() and done.set(),
    )
    with poller:
        assert done.wait(20), [store2.get(i) for i in ids]
    assert [store2.get(i).status for i in ids] == ["done", "done", "done"]
    store2.close()


# Scope isolation and adoption ---------------------------------------------------------------


def test_only_the_pollers_scope_is_polled(sandbox: Any, tmp_path: Path) -> None:
    clients, log = make_clients(sandbox)
    scope = scope_for(clients)
    assert scope == make_scope(sandbox.url, "123456789012")
    store = TaskStore(tmp_path / "tasks.sqlite3")
    # Same account on real AWS, and another account on this endpoint: never polled here.
    for other, kind, target in (
        ("aws|123456789012", "copy", "ami-1"),
        (make_scope(sandbox.url, "999999999999"), "export", "export-ami-1"),
    ):
        store.add_task(scope=other, kind=kind, region="eu-west-1", target_id=target)
    mine = store.add_task(
        scope=scope, kind="import", region="us-east-1", target_id=start_import(clients.ec2())
    )
    log.take()
    Poller(clients, store, scope).poll_once()
    assert log.take() == [("us-east-1", "DescribeImportImageTasks")]
    assert [t.id for t in store.list_tasks(scope)] == [mine.id]
    assert len(store.running_tasks()) == 3
    store.close()


def test_adoption_follows_transfers_started_elsewhere(sandbox: Any, tmp_path: Path) -> None:
    clients, _ = make_clients(sandbox)
    scope = scope_for(clients)
    store = TaskStore(tmp_path / "tasks.sqlite3")
    ec2 = clients.ec2("ap-southeast-2")
    src = available_image(ec2)
    with pending_for(sandbox, 600.0):  # running until the test ends them (finish_now)
        mine = store.add_task(
            scope=scope, kind="export", region="ap-southeast-2", target_id=start_export(ec2, src)
        )
        # Started by another tool (the AWS CLI, a pipeline...): amitui does not know them.
        foreign_export = start_export(ec2, src, f"other-{uid()}/")
        foreign_import = start_import(ec2)
    poller = Poller(clients, store, scope, interval=0.2, fast_interval=0.2)
    adopted = poller.adopt("ap-southeast-2")
    by_target = {t.target_id: t for t in adopted}
    assert {foreign_export, foreign_import} <= set(by_target)
    assert mine.target_id not in by_target
    assert all(t.adopted and t.scope == scope and t.is_running for t in adopted)
    assert by_target[foreign_export].image_id == src
    bucket = buckets_for("ap-southeast-2")[1]
    assert by_target[foreign_import].source == f"s3://{bucket}/{IMPORT_KEY}"
    assert poller.adopt("ap-southeast-2") == []  # nothing twice
    ids = [mine.id, by_target[foreign_export].id, by_target[foreign_import].id]
    poller.poll_once()
    assert all(store.get(i).is_running for i in ids)
    finish_now(sandbox)
    follow(poller, store, ids)
    assert [store.get(i).status for i in ids] == ["done", "done", "done"]
    assert store.get(by_target[foreign_import].id).image_id.startswith("ami-")
    store.close()
