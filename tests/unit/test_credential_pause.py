"""The pause of an account whose credentials are refused (tasks/credential_pause.py), on
fake clients and a fake clock: told once, no call while paused but one probe per
interval, resumed by valid credentials of the same account only, the lease let go."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import amitui.actions  # noqa: F401 (the built-in actions register their task kinds)
from amitui.aws.clients import Identity
from amitui.tasks.credential_pause import CredentialPause
from amitui.tasks.lease import Lease
from amitui.tasks.store import TaskStore
from tests.support.clock import Clock
from tests.unit.test_poller import SCOPE, FakeClients, make_poller

ACCOUNT = "123456789012"


class ProbedClients(FakeClients):
    """FakeClients whose credentials STS accepts once ``account`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.account: str | None = None

    def check_credentials(self) -> Identity:
        self.log.append(("sts", "GetCallerIdentity"))
        if self.account is None:
            error = {"Error": {"Code": "ExpiredToken", "Message": "expired"}}
            raise ClientError(error, "GetCallerIdentity")
        return Identity(self.account, f"arn:aws:iam::{self.account}:user/me")


def calls(clients: FakeClients, op: str) -> int:
    return sum(1 for _, o in clients.log if o == op)


@pytest.mark.parametrize("code", ["ExpiredToken", "UnrecognizedClientException", "AuthFailure"])
def test_refused_credentials_pause_polls_until_a_probe_finds_valid_ones(
    store: TaskStore, clock: Clock, code: str
) -> None:
    clients = ProbedClients()
    told: list[str | None] = []
    pause = CredentialPause(
        clients,
        ACCOUNT,
        probe_interval=30,
        clock=clock,
        on_paused=told.append,
        on_resumed=lambda: told.append(None),
    )
    poller = make_poller(clients, store, clock, pause=pause)
    task = store.add_task(scope=SCOPE, kind="copy", region="us-east-1", target_id="ami-1")
    ec2 = clients.ec2("us-east-1")
    ec2.images["ami-1"] = "pending"
    ec2.error = code
    poller.poll_once()
    assert pause.paused and len(told) == 1 and code in (told[0] or "")
    for _ in range(5):  # cycles within the probe interval: nothing is called
        clock.t += 5
        assert poller.poll_once(force=False) == {}
    assert calls(clients, "DescribeImages") == 1 and calls(clients, "GetCallerIdentity") == 0
    clock.t += 5  # the interval has passed: one probe, still refused
    poller.poll_once(force=False)
    assert calls(clients, "GetCallerIdentity") == 1 and calls(clients, "DescribeImages") == 1
    clients.account = "999999999999"  # another account's credentials: not these tasks'
    clock.t += 30
    poller.poll_once(force=False)
    assert pause.paused and calls(clients, "GetCallerIdentity") == 2
    clients.account, ec2.error = ACCOUNT, None  # `aws sso login`
    ec2.images["ami-1"] = "available"
    clock.t += 30
    poller.poll_once(force=False)  # the probe works: polled in the same cycle
    assert not pause.paused and told == [told[0], None]
    assert store.get(task.id).status == "done"  # type: ignore[union-attr]
    assert calls(clients, "DescribeImages") == 2 and calls(clients, "GetCallerIdentity") == 3
    poller.stop()


def test_a_paused_holder_lets_the_lease_go_at_once(store: TaskStore, clock: Clock) -> None:
    clients = ProbedClients()
    poller = make_poller(clients, store, clock, lease=Lease(store, "poll", ttl=45))
    store.add_task(scope=SCOPE, kind="copy", region="us-east-1", target_id="ami-1")
    clients.ec2("us-east-1").images["ami-1"] = "pending"
    clients.ec2("us-east-1").error = "ExpiredToken"
    poller.poll_once()
    assert poller.pause.paused and poller.lease is not None and poller.lease.held()
    poller.poll_once(force=False)  # paused: no call, and another process may poll
    assert poller.lease.current() is None and calls(clients, "DescribeImages") == 1
    poller.stop()


def test_other_failures_do_not_pause(store: TaskStore, clock: Clock) -> None:
    clients = ProbedClients()
    poller = make_poller(clients, store, clock)
    store.add_task(scope=SCOPE, kind="copy", region="us-east-1", target_id="ami-1")
    clients.ec2("us-east-1").error = "UnauthorizedOperation"  # a permission, not the key
    poller.poll_once()
    assert not poller.pause.paused
    poller.stop()
