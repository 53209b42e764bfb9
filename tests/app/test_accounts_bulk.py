"""Bulk actions over marks under --accounts (issue 18): each item is sent in its image's
own account, with that account's credentials, and its row is read again there."""

from __future__ import annotations

import uuid

from textual.widgets import DataTable

from amitui.ui.screens.bulk_form import BulkForm
from tests.app.helpers import SIZE, fill, loaded, screen_on_top, table, wait_for


async def test_bulk_tags_over_two_member_accounts_are_sent_in_each_account(organization) -> None:
    org = organization.summary
    first, second = list(org.images)[:2]
    targets = {
        (first, "eu-west-1", org.images[first]["eu-west-1"][5]),
        (second, "us-east-1", org.images[second]["us-east-1"][6]),
    }
    value = uuid.uuid4().hex[:8]
    app = organization.app(poll_interval=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, timeout=60)
        rows = app.inventory.rows.images
        marked = [i for i in rows if (i.account, i.region, i.image_id) in targets]
        assert len(marked) == 2
        app.inventory.marks.add(marked)
        await pilot.press("T")
        form = await screen_on_top(pilot, BulkForm)
        await fill(pilot, form, Tags=f"bulkorg={value}")
        await wait_for(pilot, lambda: not form.busy and form.plans, what="the preview")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, BulkForm), what="started")

        def tagged() -> bool:
            images = table(app).rows.images
            return all(
                ("bulkorg", value) in i.tags
                for i in images
                if (i.account, i.region, i.image_id) in targets
            )

        await wait_for(pilot, tagged, what="both rows read again, in their accounts, tagged")
        items = app.tasks.bulk_items(app.tasks.bulk_runs()[0].id)
        assert {(i.account, i.region, i.target_id, i.status) for i in items} == {
            (a, r, i, "done") for a, r, i in targets
        }
    for account, region, image_id in targets:
        (image,) = organization.ec2(region, account).describe_images(ImageIds=[image_id])["Images"]
        assert {t["Key"]: t["Value"] for t in image.get("Tags", [])}["bulkorg"] == value


async def test_the_bulk_form_names_the_accounts_of_its_images(organization) -> None:
    """As a single image's form names its account: the title names the marked images'
    accounts, and with several the preview says each image's."""
    org = organization.summary
    first, second = list(org.images)[:2]
    app = organization.app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, timeout=60)
        rows = app.inventory.rows.images
        one = [next(i for i in rows if i.account == first)]
        both = [*one, next(i for i in rows if i.account == second)]
        for marked, named, column in (
            (one, f"account {first} ({org.names[first]})", False),
            (both, f"2 accounts: {org.names[first]}, {org.names[second]}", True),
        ):
            app.inventory.marks.clear()
            app.inventory.marks.add(marked)
            await pilot.press("T")
            form = await screen_on_top(pilot, BulkForm)
            title = str(form.query_one("#title").render())
            assert f" · {named} · " in title, title
            preview = form.query_one("#preview", DataTable)
            labels = [str(c.label) for c in preview.columns.values()]
            assert ("Account" in labels) is column, labels
            if column:
                accounts = {str(preview.get_row_at(n)[2]) for n in range(preview.row_count)}
                assert accounts == {org.names[first], org.names[second]}
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.inventory, what="the form closed")
