"""--accounts: one account's refused credentials pause that account only
(tasks/account_pauses.py), on fake clients and a fake clock: its groups are not polled and
its bulk items wait, with one probe of its own credentials per interval, while the other
accounts (the scope's own included) keep polling; valid credentials of that account
resume it by themselves."""

from __future__ import annotations

import amitui.actions  # noqa: F401 (the built-in actions register their task kinds)
from amitui.tasks.account_pauses import AccountPauses
from amitui.tasks.credential_pause import CredentialPause
from amitui.tasks.store import TaskStore
from tests.support.clock import Clock
from tests.unit.test_credential_pause import ProbedClients, calls
from tests.unit.test_poller import SCOPE, make_poller

OWN = "123456789012"
OTHER = "222222222222"
THIRD = "333333333333"


def accounts() -> dict[str, ProbedClients]:
    """Each account's clients, with valid credentials of that account."""
    out = {a: ProbedClients() for a in (OWN, OTHER, THIRD)}
    for account, clients in out.items():
        clients.account = account
    return out


def test_one_accounts_refused_credentials_pause_that_account_only(
    store: TaskStore, clock: Clock
) -> None:
    clients = accounts()
    told: list[tuple[str, str | None]] = []
    own = CredentialPause(
        clients[OWN],
        OWN,
        probe_interval=30,
        clock=clock,
        on_paused=lambda line: told.append(("", line)),
        on_resumed=lambda: told.append(("", None)),
    )
    pauses = AccountPauses(
        own,
        clients.__getitem__,
        clock=clock,
        on_paused=lambda account, line: told.append((account, line)),
        on_resumed=lambda account: told.append((account, None)),
    )
    poller = make_poller(
        clients[OWN], store, clock, pause=own, pauses=pauses, clients_for=clients.__getitem__
    )
    for account, image in (("", "ami-own"), (OTHER, "ami-other"), (THIRD, "ami-third")):
        store.add_task(
            scope=SCOPE, kind="copy", region="us-east-1", target_id=image, account=account
        )
        clients[account or OWN].ec2("us-east-1").images[image] = "pending"
    other = clients[OTHER]
    other.ec2("us-east-1").error = "ExpiredToken"  # its SSO session ended
    other.account = None  # (and STS says so too)
    poller.poll_once()
    assert not own.paused and poller.pauses.paused(OTHER) and not poller.pauses.paused(THIRD)
    assert len(told) == 1 and told[0][0] == OTHER and "ExpiredToken" in (told[0][1] or "")
    for _ in range(5):  # within the probe interval: the others polled, OTHER not called
        clock.t += 5
        poller.poll_once(force=False)
    assert calls(clients[OWN], "DescribeImages") == 6
    assert calls(clients[THIRD], "DescribeImages") == 6
    assert calls(other, "DescribeImages") == 1 and calls(other, "GetCallerIdentity") == 0
    assert calls(clients[OWN], "GetCallerIdentity") == 0  # the own account is not probed
    clock.t += 5  # the interval has passed: one probe of OTHER's own credentials
    poller.poll_once(force=False)
    assert calls(other, "GetCallerIdentity") == 1 and calls(other, "DescribeImages") == 1
    assert len(told) == 1  # told once
    other.account, other.ec2("us-east-1").error = OTHER, None  # `aws sso login` for OTHER
    other.ec2("us-east-1").images["ami-other"] = "available"
    clock.t += 30
    poller.poll_once(force=False)  # the probe works: OTHER is polled again, in this cycle
    assert not poller.pauses.paused(OTHER) and told == [told[0], (OTHER, None)]
    assert calls(other, "DescribeImages") == 2
    assert [t.status for t in store.list_tasks(SCOPE) if t.account == OTHER] == ["done"]
    poller.stop()


def test_another_accounts_credentials_do_not_resume_it(clock: Clock) -> None:
    clients = accounts()
    own = CredentialPause(clients[OWN], OWN, probe_interval=30, clock=clock)
    pauses = AccountPauses(own, clients.__getitem__, clock=clock)
    pause = pauses.of(OTHER)
    assert pause.refused("ExpiredToken", "expired") and pauses.paused(OTHER)
    clients[OTHER].account = THIRD  # the profile now signs in to another account
    clock.t += 30
    pauses.probe_due()
    assert pauses.paused(OTHER) and calls(clients[OTHER], "GetCallerIdentity") == 1
    assert pauses.wait_time() == 30


def test_an_unreachable_account_stays_paused(clock: Clock) -> None:
    """Its clients cannot even be made (the role cannot be assumed): still refused."""
    own = CredentialPause(None, OWN, probe_interval=30, clock=clock)

    def unreachable(account: str):
        raise RuntimeError("AssumeRole refused")

    pauses = AccountPauses(own, unreachable, clock=clock)
    pauses.of(OTHER).refused("ExpiredToken", "expired")
    clock.t += 30
    pauses.probe_due()
    assert pauses.paused(OTHER)


class DeregisteringClients(ProbedClients):
    """ProbedClients whose EC2 deregisters (refused while its ``error`` is set)."""

    def ec2(self, region: str):
        ec2 = super().ec2(region)

        def deregister_image(ImageId, **_):
            ec2._call("DeregisterImage")
            return {"Return": True}

        ec2.deregister_image = deregister_image
        return ec2


def test_a_bulk_run_sends_the_other_accounts_items_while_one_is_paused(
    store: TaskStore, clock: Clock
) -> None:
    from amitui.tasks.bulk_model import NewItem
    from amitui.tasks.bulk_runner import BulkRunner

    clients = {a: DeregisteringClients() for a in (OWN, OTHER)}
    for account, c in clients.items():
        c.account = account
    own = CredentialPause(clients[OWN], OWN, probe_interval=30)
    runner = BulkRunner(clients[OWN], store.bulk, SCOPE, pause=own, clients_for=clients.__getitem__)
    items = [
        NewItem("us-east-1", image, [("DeregisterImage", {"ImageId": image})], account=account)
        for account, image in ((OTHER, "ami-1"), ("", "ami-2"), (OTHER, "ami-3"), ("", "ami-4"))
    ]
    run = store.bulk.add_run(SCOPE, "deregister", "Deregister 4", items)
    clients[OTHER].ec2("us-east-1").error = "ExpiredToken"
    clients[OTHER].account = None
    while (item := runner._claim()) is not None:
        runner._process(item)
    status = {i.target_id: i.status for i in store.bulk.items(run.id)}
    assert status == {"ami-1": "queued", "ami-2": "done", "ami-3": "queued", "ami-4": "done"}
    assert not own.paused and runner.pauses.paused(OTHER)
    # OTHER's second item waited for the pause: only the first one was sent
    assert calls(clients[OTHER], "DeregisterImage") == 1
    assert calls(clients[OWN], "DeregisterImage") == 2
