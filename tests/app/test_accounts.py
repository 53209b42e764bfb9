"""Many accounts in one table (issue 18), Pilot against the sandbox's organization."""

from __future__ import annotations

from amitui.ui.failures import failure_lines
from tests.app.helpers import SIZE, loaded, make_app, table, wait_for
from tests.app.organization import REGIONS


def test_failure_lines_one_per_account_or_place() -> None:
    places = ("1/a", "1/b", "2/a", "2/b")
    errors = {"1/a": "denied", "1/b": "denied", "2/b": "OptInRequired"}
    assert failure_lines(errors, places, lambda a: f"#{a}") == [
        "account #1: denied",
        "account #2 b: OptInRequired",
    ]
    assert failure_lines({"us-east-1": "x"}, ("us-east-1",), str) == ["us-east-1: x"]


async def test_org_mode_lists_every_member_account_with_the_account_column(organization) -> None:
    org = organization.summary
    app = organization.app()
    async with app.run_test(size=SIZE) as pilot:
        grid = await loaded(pilot, timeout=60)
        images = grid.rows.images
        for account, by_region in org.images.items():
            for region in REGIONS:
                listed = {i.image_id for i in images if i.account == account and i.region == region}
                assert listed == set(by_region[region]), (account, region)
        assert {i.account_name for i in images if i.account in org.images} == {
            org.names[a] for a in org.images
        }
        titles = [c.title for c in grid.columns]
        assert titles[:2] == ["Name", "Account"] and "Region" in titles
        # The management account's own images are listed with its own credentials.
        assert any(i.account == org.management for i in images)
        # account: filters by id or name.
        member = next(iter(org.images))
        app.inventory.query_one("#filter").value = f"account:{org.names[member]}"
        await wait_for(
            pilot,
            lambda: (
                len(grid.rows)
                and {grid.rows.images[i].account for i in grid.rows.visible} == {member}
            ),
            what="the account filter",
        )


async def test_the_account_without_the_role_is_one_failure_and_the_others_list(
    organization,
) -> None:
    org = organization.summary
    app = organization.app()
    async with app.run_test(size=SIZE) as pilot:
        grid = await loaded(pilot, timeout=60)
        message = str(app.inventory.query_one("#message").render())
        lines = [line for line in message.splitlines() if line.strip()]
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"account {org.no_role} ({org.names[org.no_role]}): ")
        assert "AccessDenied" in lines[0]
        assert set(app.inventory.listing.errors) == {f"{org.no_role}/{r}" for r in REGIONS}
        assert {i.account for i in grid.rows.images} >= set(org.images)
        assert org.suspended not in {i.account for i in grid.rows.images}
        assert table(app).rows.total > 0


async def _copy_in_member(pilot, source: str, name: str) -> None:
    from amitui.ui.screens.action_form import ActionForm
    from tests.app.helpers import fill, open_form, select_image

    await select_image(pilot, source)
    form = await open_form(pilot, "c")
    await fill(pilot, form, DestinationRegions="us-east-1", Name=name)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ActionForm), what="submit")


async def test_a_copy_of_a_member_accounts_image_is_made_and_followed_there(
    organization, slow_sandbox
) -> None:
    from amitui.actions.copy import COPY
    from tests.app.helpers import open_form, select_image
    from tests.support.sandbox_time import finish_now

    org = organization.summary
    member = list(org.images)[2]
    source = org.images[member]["eu-west-1"][3]
    app = organization.app(poll_interval=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, timeout=60)
        await select_image(pilot, source)
        form = await open_form(pilot, "c")
        title = str(form.query_one("#title").render())
        assert f"account {member} ({org.names[member]})" in title
        assert str(form.query_one("#account-note").render()) == COPY.account_note
        await pilot.press("escape")
        await pilot.press("escape")
        await _copy_in_member(pilot, source, "org-copy-for-test")
        (task,) = [t for t in app.tasks.tasks() if t.name == "org-copy-for-test"]
        assert task.account == member
        finish_now(slow_sandbox)  # pending until now, however loaded the machine
        await wait_for(
            pilot,
            lambda: app.tasks.store.get(task.id).status == "done",
            what="the member account's copy to complete: " + " | ".join(app.notified),
        )
        # Its row comes in with the member account's credentials, in that account.
        row = await wait_for(
            pilot,
            lambda: next((i for i in table(app).rows.images if i.image_id == task.target_id), None),
            what="the copy's row",
        )
        assert (row.account, row.account_name) == (member, org.names[member])
    ec2 = organization.ec2("us-east-1", member)
    copied = ec2.describe_images(ImageIds=[task.target_id])["Images"]
    assert [(i["OwnerId"], i["Name"], i["State"]) for i in copied] == [
        (member, "org-copy-for-test", "available")
    ]
    management = organization.ec2("us-east-1")
    mine = management.describe_images(Owners=["self"])["Images"]
    assert task.target_id not in {i["ImageId"] for i in mine}


async def test_a_member_accounts_task_is_followed_after_a_restart(
    organization, slow_sandbox, tmp_path
) -> None:
    from amitui.tasks.store import TaskStore
    from tests.support.sandbox_time import finish_now

    org, sandbox = organization.summary, slow_sandbox  # pending until finish_now
    member = list(org.images)[1]
    source = org.images[member]["eu-west-1"][4]
    path = tmp_path / "tasks.sqlite3"
    app = organization.app(store=TaskStore(path), poll_interval=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, timeout=60)
        await _copy_in_member(pilot, source, "org-copy-after-restart")
        (task,) = [t for t in app.tasks.tasks() if t.name == "org-copy-after-restart"]
        assert task.status == "running" and task.account == member
    # The copy finishes while nobody watches; a new session (even without --accounts)
    # follows it with the member account's credentials.
    finish_now(sandbox)
    app = make_app(
        sandbox.url, regions=REGIONS, default_cache=False, store=TaskStore(path), poll_interval=0.5
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: app.tasks.store.get(task.id).status != "running",
            60,
            "the member account's copy to be followed after the restart",
        )
        assert app.tasks.store.get(task.id).status == "done"
    copied = organization.ec2("us-east-1", member).describe_images(ImageIds=[task.target_id])
    assert [i["State"] for i in copied["Images"]] == ["available"]


async def test_the_inventory_cache_keeps_each_accounts_listing(
    organization, isolated_app_dirs
) -> None:
    org, sandbox = organization.summary, organization.sandbox
    app = organization.app(default_cache=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, timeout=60)
        cache = app.services.cache
        owners = app.list_query.label()
        await wait_for(
            pilot,
            lambda: set(org.images) <= set(cache.accounts(sandbox.url, "eu-west-1", owners)),
            what="each account's listing in the cache",
        )
        member = next(iter(org.images))
        images, _ = cache.load((sandbox.url, member, "eu-west-1", owners))
        assert sorted(i.image_id for i in images) == sorted(org.images[member]["eu-west-1"])
        assert {(i.account, i.account_name) for i in images} == {(member, org.names[member])}
        assert org.no_role not in cache.accounts(sandbox.url, "eu-west-1", owners)
        # Nothing about the assumed credentials is written: not in the cache, the tasks
        # file or anything else under amitui's directories (the cache's row chunks are
        # compressed, so for them this proves less: an Image has no credential field).
        frozen = app.services.accounts.clients(member).session.get_credentials()
        secrets = [v.encode() for v in frozen.get_frozen_credentials() if v]
        assert len(secrets) == 3
        written = [p for p in isolated_app_dirs.rglob("*") if p.is_file()]
        assert written  # the cache and the tasks file at least
        for path in written:
            data = path.read_bytes()
            assert not any(secret in data for secret in secrets), path


async def test_read_only_org_mode_assumes_the_roles_and_lists_the_members(organization) -> None:
    """sts:AssumeRole changes nothing: the read-only guard lets it through (it refused it,
    and every member account failed under --read-only)."""
    from amitui.aws.clients import is_mutating

    assert not is_mutating("AssumeRole") and is_mutating("CopyImage")
    org = organization.summary
    app = organization.app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        grid = await loaded(pilot, timeout=60)
        assert {i.account for i in grid.rows.images} >= set(org.images)
        assert set(app.inventory.listing.errors) == {f"{org.no_role}/{r}" for r in REGIONS}


async def test_an_image_shared_into_another_account_is_a_row_in_each(organization) -> None:
    """Rows are keyed by place (account/region) and id: the image one member shares with
    another is listed by both (owner scope: the owner's id), a row each, each account's
    own; the cursor, a mark and a removal name one of them."""
    org = organization.summary
    owner, region, image_id, other = org.shared
    app = organization.app(owners=(owner,))
    async with app.run_test(size=SIZE) as pilot:
        grid = await loaded(pilot, timeout=60)
        rows = grid.rows
        shared = [i for i in rows.images if i.image_id == image_id]
        assert sorted(i.account for i in shared) == sorted([owner, other])
        assert {i.region for i in shared} == {region}
        mine = {i.image_id for i in rows.images if i.account == owner and i.region == region}
        assert mine == set(org.images[owner][region])  # the owner's listing, whole
        theirs = [i for i in rows.images if i.account == other]
        assert [i.image_id for i in theirs] == [image_id]  # what the other account sees
        at_owner, at_other = (rows.row_of(image_id, region, a) for a in (owner, other))
        assert None not in (at_owner, at_other) and at_owner != at_other
        assert rows.image_at(at_other).account == other
        assert rows.row_of(image_id, region) == min(at_owner, at_other)  # either account
        # A mark is the other account's row only.
        copy = next(i for i in shared if i.account == other)
        app.inventory.marks.add([copy])
        assert copy in app.inventory.marks
        assert next(i for i in shared if i.account == owner) not in app.inventory.marks
        # Removing it from one account's rows leaves the other's.
        assert rows.remove(image_id, region, other)
        assert [i.account for i in rows.images if i.image_id == image_id] == [owner]
