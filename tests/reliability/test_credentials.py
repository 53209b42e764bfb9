"""Credentials refreshed while amitui runs (issue 20): after the endpoint refuses the
profile's key as expired, the next call reads the profile again, so a key rewritten in the
credentials file meanwhile (what `aws sso login` or a credential helper does) is used
without a restart. The proxy refuses the old key by the key the request was signed with.

While the account's credentials are refused, its poller and bulk runner pause
(tasks/credential_pause.py): told once, no describe or bulk call, one GetCallerIdentity
probe at a time; they resume by themselves once the profile holds a valid key."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from amitui.aws.clients import AwsClients, default_config
from amitui.tasks.bulk_model import DONE, FAILED
from amitui.tasks.model import make_scope
from amitui.tasks.service import TaskService
from amitui.tasks.store import TaskStore
from tests.reliability.test_bulk_runs import REGION, copies, deregister_items, wait_until

OLD, NEW = "AKIAOLDOLDOLDOLDOLD1", "AKIANEWNEWNEWNEWNEW2"


def write_profile(path, key: str) -> None:
    path.write_text(f"[work]\naws_access_key_id = {key}\naws_secret_access_key = secret-{key}\n")


def test_a_refused_expired_key_is_read_again_from_the_profile(
    sandbox, proxy, tmp_path, monkeypatch
) -> None:
    credentials = tmp_path / "credentials"
    write_profile(credentials, OLD)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    proxy.fault_by_key = lambda action, key: "expired" if key == OLD else None
    config = default_config(retries={"mode": "standard", "max_attempts": 1})
    clients = AwsClients(profile="work", endpoint_url=proxy.url, config=config)

    with pytest.raises(ClientError) as refused:
        clients.ec2().describe_regions()
    assert refused.value.response["Error"]["Code"] == "ExpiredToken"
    write_profile(credentials, NEW)  # the user logs in again in another terminal
    answer = clients.ec2().describe_regions()  # no restart, no new AwsClients
    assert answer["Regions"]
    # the proxy counts an answer once it is sent: the client may read it first
    wait_until(
        lambda: proxy.outcomes("DescribeRegions") == {"expired": 1, "200": 1},
        "the proxy to count the refused call and the answered one",
    )


def test_refused_credentials_pause_polling_and_bulk_runs_until_valid_ones_appear(
    sandbox, proxy, ec2, tmp_path, monkeypatch
) -> None:
    credentials = tmp_path / "credentials"
    write_profile(credentials, OLD)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    copy_id, *doomed = copies(ec2, 4)  # a copy to follow, three images to deregister
    clients = AwsClients(profile="work", endpoint_url=proxy.url)
    account = clients.identity().account  # while the old key still works
    store = TaskStore(tmp_path / "tasks.sqlite3")
    task = store.add_task(
        scope=make_scope(proxy.url, account), kind="copy", region=REGION, target_id=copy_id
    )
    told: list[tuple[str | None, str]] = []
    # the session expires: every call signed with the old key is refused from now on
    proxy.fault_by_key = lambda action, key: "expired" if key == OLD else None
    # probes 0.2 s apart (the app's are at least 1 s): the test waits on three of them
    service = TaskService(
        clients,
        store,
        poll_interval=0.5,
        probe_interval=0.2,
        on_credentials=lambda *said: told.append(said),
    )
    service.start(account)
    pause = service.pause
    assert pause is not None
    try:
        wait_until(lambda: pause.paused, "the poller to pause")
        run = service.start_bulk("deregister", "Deregister 3", deregister_items(doomed))
        described, probes = proxy.count("DescribeImages"), pause.probes
        wait_until(lambda: pause.probes >= probes + 3, "three probes")
        # every probe made so far reached the endpoint and was refused there (a probe is
        # counted when made and its outcome logged once answered: wait on both to agree)
        wait_until(
            lambda: proxy.outcomes("GetCallerIdentity")["expired"] == pause.probes,
            "the probes refused at the endpoint",
        )
        # paused: the probes reached the endpoint, nothing else did
        assert proxy.count("DescribeImages") == described
        assert proxy.count("DeregisterImage") == 0
        assert pause.paused and len(told) == 1 and "ExpiredToken" in (told[0][0] or "")
        assert store.get(task.id).status == "running"  # type: ignore[union-attr]
        assert not [i for i in service.bulk_items(run.id) if i.status in (DONE, FAILED)]

        write_profile(credentials, NEW)  # `aws sso login` in another terminal
        wait_until(lambda: not pause.paused, "the poller to resume")
        wait_until(lambda: store.get(task.id).status == "done", "the copy to be done")  # type: ignore[union-attr]
        wait_until(lambda: store.bulk.run(run.id).finished, "the bulk run to finish")  # type: ignore[union-attr]
    finally:
        service.stop()
    ended = store.bulk.run(run.id)
    assert ended is not None and ended.done == 3 and ended.failed == 0
    assert told == [(told[0][0], ""), (None, "")]  # paused once, resumed once: its own
    assert pause.pauses == 1 and pause.resumes == 1
    assert [t.id for t in store.list_tasks(task.scope)] == [task.id]  # none lost
    assert proxy.outcomes("DeregisterImage") == {"200": 3}  # each sent once, with the new key
    store.close()
