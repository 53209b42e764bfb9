"""The scope's lease (two amitui processes on one tasks file), with a hand-set clock: taken,
renewed, refused while another holds it, taken over after it expired, one winner when two
race; the poller polls only while it holds it and tells what another wrote once; a bulk
runner's claims and recovery respect it. The two real processes: tests/reliability/
test_two_processes.py."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import amitui.actions  # noqa: F401 (the built-in actions register their task kinds)
from amitui.tasks.bulk_model import DONE, QUEUED, SENDING, NewItem
from amitui.tasks.bulk_runner import BulkRunner
from amitui.tasks.lease import Lease, holder_id, poll_lease_name
from amitui.tasks.model import Observation
from amitui.tasks.store import TaskStore
from tests.support.clock import Clock
from tests.unit.test_poller import SCOPE, FakeClients, make_poller

NAME = poll_lease_name(SCOPE)
TTL = 45.0


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "tasks.sqlite3"


@pytest.fixture
def store(path: Path, clock: Clock):
    with TaskStore(path, clock=clock) as s:
        yield s


@pytest.fixture
def other(path: Path, clock: Clock):
    """The same tasks file as another process opens it (its own connection)."""
    with TaskStore(path, clock=clock) as s:
        yield s


def test_holder_ids_are_unique_and_name_the_process() -> None:
    import os

    ids = {holder_id() for _ in range(100)}
    assert len(ids) == 100 and all(i.endswith(f"-{os.getpid()}") for i in ids)


def test_taken_when_free_then_renewed_by_its_holder(store: TaskStore, clock: Clock) -> None:
    lease = Lease(store, NAME, ttl=TTL)
    assert lease.current() is None
    assert lease.acquire() and lease.held() and lease.generation == 1
    assert lease.current() == (lease.holder, clock.t + TTL)
    clock.t += 30
    assert lease.acquire() and lease.generation == 1  # a renewal, not a new taking
    assert lease.current() == (lease.holder, clock.t + TTL)
    clock.t += TTL - 1
    assert lease.held()  # renewed 30 s in: still ours at 74 s
    clock.t += 1
    assert not lease.held()  # never renewed since: gone


def test_refused_while_another_holds_it(store: TaskStore, other: TaskStore, clock: Clock) -> None:
    mine, theirs = Lease(store, NAME, ttl=TTL), Lease(other, NAME, ttl=TTL)
    assert mine.acquire()
    for _ in range(5):  # the holder renews every cycle: the other never gets it
        clock.t += TTL / 3
        assert not theirs.acquire() and not theirs.held()
        assert mine.acquire()
    assert mine.current() == (mine.holder, clock.t + TTL)
    # another scope's lease is another lease
    assert Lease(other, poll_lease_name("aws|222222222222"), ttl=TTL).acquire()


def test_taken_over_once_its_holder_stopped_renewing(
    store: TaskStore, other: TaskStore, clock: Clock
) -> None:
    dead, heir = Lease(store, NAME, ttl=TTL), Lease(other, NAME, ttl=TTL)
    assert dead.acquire()
    clock.t += TTL - 0.001
    assert not heir.acquire()  # not yet
    clock.t += 0.001
    assert heir.acquire() and heir.generation == 1  # SIGKILLed holders expire
    assert heir.current() == (heir.holder, clock.t + TTL)
    assert not dead.held() and not dead.acquire()  # it came back: the heir keeps it
    clock.t += TTL
    assert dead.acquire() and dead.generation == 2  # a new taking: leftovers to recover


def test_released_on_a_clean_stop_and_taken_at_once(
    store: TaskStore, other: TaskStore, clock: Clock
) -> None:
    leaving, next_one = Lease(store, NAME, ttl=TTL), Lease(other, NAME, ttl=TTL)
    assert leaving.acquire()
    leaving.release()
    assert not leaving.held() and leaving.current() is None
    assert next_one.acquire()
    leaving.release()  # not ours any more: the holder keeps it
    assert next_one.current() is not None and next_one.current()[0] == next_one.holder  # type: ignore[index]


def _race(lease: Lease, barrier: threading.Barrier, won: list[Lease]) -> None:
    barrier.wait()
    if lease.acquire():
        won.append(lease)


def test_two_holders_racing_never_both_win(path: Path, clock: Clock) -> None:
    """Each round: the lease expired, and N connections (as N processes) try at once."""
    stores = [TaskStore(path, clock=clock) for _ in range(4)]
    leases = [Lease(s, NAME, ttl=TTL) for s in stores]
    try:
        for _ in range(30):
            clock.t += TTL  # whoever held it is gone
            barrier = threading.Barrier(len(leases))
            won: list[Lease] = []

            threads = [threading.Thread(target=_race, args=(le, barrier, won)) for le in leases]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert len(won) == 1
            assert won[0].current() == (won[0].holder, clock.t + TTL)
    finally:
        for s in stores:
            s.close()


# -- the poller honours it ----------------------------------------------------------------


def test_only_the_holder_polls_and_the_other_tells_each_change_once(
    store: TaskStore, other: TaskStore, clock: Clock
) -> None:
    clients_a, clients_b = FakeClients(), FakeClients()
    told_a: list[tuple] = []
    told_b: list[tuple] = []
    a = make_poller(
        clients_a, store, clock, lease=Lease(store, NAME, ttl=TTL),
        on_update=lambda t: told_a.append((t.id, t.status, t.progress)),
    )  # fmt: skip
    b = make_poller(
        clients_b, other, clock, lease=Lease(other, NAME, ttl=TTL),
        on_update=lambda t: told_b.append((t.id, t.status, t.progress)),
    )  # fmt: skip
    task = store.add_task(scope=SCOPE, kind="copy", region="us-east-1", target_id="ami-1")
    clients_a.ec2("us-east-1").images["ami-1"] = "pending"
    a.poll_once()
    clock.t += 1
    b.poll_once()  # B starts watching: what changed before is in its list already
    assert [op for _, op in clients_a.log] == ["DescribeImages"] and clients_b.log == []
    clock.t += 1
    store.apply(task.id, Observation(status="running", aws_state="pending", progress=40))
    b.poll_once()  # what A wrote (here by hand) is read back by B
    clock.t += 1
    clients_a.ec2("us-east-1").images["ami-1"] = "available"
    a.poll_once()
    for _ in range(3):
        clock.t += 1
        b.poll_once()
    assert clients_b.log == []  # B never called AWS
    assert told_b == [(task.id, "running", 40), (task.id, "done", None)]
    # A told each change its polls made, once (pending, then done)
    assert told_a == [(task.id, "running", None), (task.id, "done", None)]
    for _ in range(3):
        a.poll_once()
    assert told_a == [(task.id, "running", None), (task.id, "done", None)]
    # clearing the finished task from the list is no change to tell (nor a new task)
    other.clear_finished(SCOPE)
    a.poll_once()
    b.poll_once()
    assert len(told_a) == 2 and len(told_b) == 2
    # A stops cleanly: B takes over at its next cycle, without waiting for the expiry
    a.stop()
    other.add_task(scope=SCOPE, kind="copy", region="us-east-1", target_id="ami-2")
    clients_b.ec2("us-east-1").images["ami-2"] = "pending"
    b.poll_once()
    assert [op for _, op in clients_b.log] == ["DescribeImages"]
    b.stop()


def test_a_holder_whose_calls_all_fail_lets_another_poll_meanwhile(
    store: TaskStore, other: TaskStore, clock: Clock
) -> None:
    """E.g. its network fails it, and the other terminal's does not (refused credentials
    pause at once: tests/unit/test_credential_pause.py)."""
    clients_a, clients_b = FakeClients(), FakeClients()
    a = make_poller(clients_a, store, clock, lease=Lease(store, NAME, ttl=TTL))
    b = make_poller(clients_b, other, clock, lease=Lease(other, NAME, ttl=TTL))
    store.add_task(scope=SCOPE, kind="copy", region="us-east-1", target_id="ami-1")
    for clients in (clients_a, clients_b):
        clients.ec2("us-east-1").images["ami-1"] = "pending"
    clients_a.ec2("us-east-1").error = "InternalError"
    a.poll_once(force=False)
    clock.t += 40  # past its first backoff, within the lease
    a.poll_once(force=False)  # two failures in a row
    assert len(clients_a.log) == 2 and a.lease is not None and a.lease.held()
    # A waits out its backoff: it lets the lease go, and B polls meanwhile
    assert a.poll_once(force=False) == {} and a.lease.current() is None
    b.poll_once(force=False)
    assert [op for _, op in clients_b.log] == ["DescribeImages"] and len(clients_a.log) == 2
    clock.t += 40  # A's group is due again: B holds the lease, A only reads
    a.poll_once(force=False)
    assert len(clients_a.log) == 2


# -- bulk items: claimed under the lease, recovered only from a holder that is gone ---------


def items(*ids: str) -> list[NewItem]:
    return [NewItem("us-east-1", i, (("DeregisterImage", {"ImageId": i}),)) for i in ids]


def test_only_the_holder_claims_and_recovery_spares_a_live_holders_items(
    store: TaskStore, other: TaskStore, clock: Clock
) -> None:
    a, b = Lease(store, NAME, ttl=TTL), Lease(other, NAME, ttl=TTL)
    run = store.bulk.add_run(SCOPE, "deregister", "Deregister 3", items("ami-a", "ami-b", "ami-c"))
    assert a.acquire() and not b.acquire()
    assert other.bulk.claim(SCOPE, b.holder, b.name) is None  # not the holder: never sends
    sending = store.bulk.claim(SCOPE, a.holder, a.name)
    assert sending is not None and sending.target_id == "ami-a"
    # B starts (or its runner looks again) while A lives: A's item is left alone
    assert other.bulk.recover(SCOPE, b.holder, b.name) == 0
    assert store.bulk.recover(SCOPE, a.holder, a.name) == 0  # the holder's own: not lost
    states = {i.target_id: i.status for i in store.bulk.items(run.id)}
    assert states == {"ami-a": SENDING, "ami-b": QUEUED, "ami-c": QUEUED}
    # A is SIGKILLed mid-send: its lease expires, B takes it and recovers A's item
    clock.t += TTL
    assert b.acquire()
    assert other.bulk.recover(SCOPE, b.holder, b.name) == 1
    again = other.bulk.claim(SCOPE, b.holder, b.name)
    assert again is not None and again.target_id == "ami-a" and again.uncertain
    # A comes back from a stall: it may not claim, and it cannot take B's item back
    assert store.bulk.claim(SCOPE, a.holder, a.name) is None
    assert store.bulk.recover(SCOPE, a.holder, a.name) == 0


def test_a_runner_that_does_not_hold_the_lease_tells_what_the_holder_sent_once(
    store: TaskStore, other: TaskStore, clock: Clock
) -> None:
    a, b = Lease(store, NAME, ttl=TTL), Lease(other, NAME, ttl=TTL)
    told: list[tuple[str, str, str]] = []
    runner = BulkRunner(
        None, other.bulk, SCOPE, lease=b,
        on_update=lambda run, item: told.append((item.target_id, item.status, run.state())),
    )  # fmt: skip
    assert a.acquire() and not b.acquire()
    # B's user starts a run; A (the holder) sends it
    other.bulk.add_run(SCOPE, "deregister", "Deregister 2", items("ami-a", "ami-b"))
    runner.read_back()  # B starts watching
    first = store.bulk.claim(SCOPE, a.holder, a.name)
    second = store.bulk.claim(SCOPE, a.holder, a.name)
    assert first is not None and second is not None
    clock.t += 1
    runner.read_back()
    assert told == []  # being sent: nothing to tell yet
    store.bulk.finish(first.id, DONE)
    store.bulk.requeue(second.id, delay=5, message="waiting 5 s: throttled", uncertain=False)
    clock.t += 1
    runner.read_back()
    runner.read_back()
    assert told == [("ami-a", DONE, "running"), ("ami-b", QUEUED, "running")]
    clock.t += 5
    again = store.bulk.claim(SCOPE, a.holder, a.name)
    assert again is not None
    store.bulk.finish(again.id, DONE)
    clock.t += 1
    runner.read_back()
    assert told[2:] == [("ami-b", DONE, "done")]
