"""--accounts against the sandbox's organization (issue 20): when one member account's
credentials are refused (its assumed role's session expired), the polling of THAT
account's tasks pauses, probed with its own credentials, while the management account's
tasks keep being polled; once its credentials work again, it is polled again without a
restart. (Textual-free: the task service the app runs, on the organization's endpoint
behind the recording proxy, which refuses every key but the base one as expired.)"""

from __future__ import annotations

import os
import time

from amitui.aws.clients import AwsClients, default_config
from amitui.tasks.model import make_scope
from amitui.tasks.service import TaskService
from amitui.tasks.store import TaskStore
from tests.app.organization import REGIONS


def wait_until(condition, what: str, timeout: float = 60.0) -> None:
    """Wait on state (the timeout only stops a hung test)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def a_copy(organization, account: str | None) -> str:
    """A new, pending image of ``account`` (None: the management account)."""
    region = REGIONS[0]
    ec2 = organization.ec2(region, account)
    source = next(
        i for i in ec2.describe_images(Owners=["self"])["Images"] if i["State"] == "available"
    )
    name = f"paused-{account or 'management'}-{time.monotonic_ns()}"
    return ec2.copy_image(SourceImageId=source["ImageId"], SourceRegion=region, Name=name)[
        "ImageId"
    ]


def test_one_members_refused_credentials_pause_its_polling_only(
    organization, slow_sandbox, proxy, tmp_path
) -> None:
    summary = organization.summary
    member = next(a for a in summary.images if a != summary.management)
    base_key = os.environ["AWS_ACCESS_KEY_ID"]
    config = default_config(retries={"mode": "standard", "max_attempts": 1})
    clients = AwsClients(endpoint_url=proxy.url, config=config)
    management = clients.identity().account
    assert management == summary.management
    store = TaskStore(tmp_path / "tasks.sqlite3")
    scope = make_scope(proxy.url, management)
    own_task = store.add_task(
        scope=scope, kind="copy", region=REGIONS[0], target_id=a_copy(organization, None)
    )
    member_task = store.add_task(
        scope=scope,
        kind="copy",
        region=REGIONS[0],
        target_id=a_copy(organization, member),
        account=member,
    )
    told: list[tuple[str | None, str]] = []
    # the member's session expires: every call signed with a key but the base one is refused
    proxy.fault_by_key = lambda action, key: None if key == base_key else "expired"
    made = [(None, own_task.target_id), (member, member_task.target_id)]
    # the member's probes 0.2 s apart (the app's are at least 1 s): the test waits on them
    service = TaskService(
        clients,
        store,
        poll_interval=0.5,
        probe_interval=0.2,
        on_credentials=lambda *said: told.append(said),
    )
    service.start(management)
    poller = service.poller
    assert poller is not None
    try:
        wait_until(lambda: poller.pauses.paused(member), "the member's polling to pause")
        assert service.pause is not None and not service.pause.paused  # the base's goes on
        expired = proxy.outcomes("DescribeImages")["expired"]
        answered = proxy.outcomes("DescribeImages")["200"]
        probed = proxy.outcomes("GetCallerIdentity")["expired"]
        # the management account's copy is polled again and again; the member's is not
        # called, only probed (GetCallerIdentity, once per interval)
        wait_until(
            lambda: proxy.outcomes("DescribeImages")["200"] >= answered + 3,
            "three more polls of the management account's copy",
        )
        wait_until(
            lambda: proxy.outcomes("GetCallerIdentity")["expired"] >= probed + 1,
            "a probe of the member's credentials",
        )
        assert proxy.outcomes("DescribeImages")["expired"] == expired
        assert len(told) == 1 and told[0][1] == member  # told once, naming the member
        assert poller.pauses.paused(member) and not service.pause.paused
        assert store.get(own_task.id).status == "running"  # type: ignore[union-attr]

        proxy.fault_by_key = None  # the member's credentials work again
        wait_until(lambda: not poller.pauses.paused(member), "the member's polling to resume")
        member_groups = [k for k in poller.groups() if k.account == member]
        polled = {k: poller.groups()[k].cycles for k in member_groups}
        wait_until(
            lambda: all(poller.groups()[k].cycles > polled[k] for k in member_groups),
            "the member's copy to be polled again",
        )
        assert all(poller.groups()[k].failures == 0 for k in member_groups)
        assert told == [told[0], (None, member)]
    finally:
        service.stop()
        proxy.fault_by_key = None
        for account, image_id in made:  # the organization's listing tests count its images
            organization.ec2(REGIONS[0], account).deregister_image(ImageId=image_id)
    assert {t.id for t in store.list_tasks(scope)} == {own_task.id, member_task.id}  # none lost
    store.close()


async def test_what_the_app_says_names_the_paused_account(memory):
    """The app's words for the service's two callbacks: the signed-in account's refusal
    pauses everything; another account's names it and says the others go on."""
    from amitui.ui.task_tracker import CredentialsPaused
    from tests.app.helpers import SIZE, loaded, make_app, wait_for

    member = "222222222222"
    app = make_app(memory)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        said = len(app.notified)
        for line, account in (
            ("ExpiredToken: the token expired.", member),
            (None, member),
            ("ExpiredToken: the token expired.", ""),
            (None, ""),
        ):
            app.post_message(CredentialsPaused(line, account))
        await wait_for(pilot, lambda: len(app.notified) >= said + 4, what="four notifications")
        paused, resumed, own_paused, own_resumed = list(app.notified)[said:]
    assert paused.startswith(f"Account {member}'s credentials refused: ExpiredToken")
    assert "Its task polling and bulk items are paused (the other accounts' go on)" in paused
    assert (
        resumed
        == f"Account {member}'s credentials work again: its task polling and bulk items resumed."
    )
    assert own_paused.startswith("Credentials refused: ExpiredToken")
    assert "other accounts" not in own_paused and member not in own_paused
    assert own_resumed == "Credentials work again: task polling and bulk runs resumed."
