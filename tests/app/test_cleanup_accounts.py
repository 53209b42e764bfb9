"""The cleanup screen over an organization (issues 17 and 18): an image's usage is asked
with the credentials of the account that lists it, since what uses an image (instances,
templates...) lives in that account and no other can see it."""

from __future__ import annotations

from tests.app.helpers import SIZE, filtered, loaded, type_text, visible_images, wait_for
from tests.app.test_cleanup import answered, open_cleanup, set_rule


async def test_a_member_image_launched_there_stays_once_checked_again(organization) -> None:
    summary = organization.summary
    members = set(summary.images) - {summary.management}
    member = sorted(members)[0]
    app = organization.app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        # The cleanup opens on the view: one member's images (the management account's
        # hundreds would only add answers to wait for, and rows to draw, to this question).
        await pilot.press("slash")
        await type_text(pilot, *f"account:{member}", "enter")
        await filtered(pilot)
        assert {i.account for i in visible_images(app)} == {member}
        screen = await open_cleanup(pilot)
        for field, value in (("keep", "1"), ("younger", "0"), ("launched", "0")):
            await set_rule(pilot, screen, field, value)  # the organization's images are new
        await wait_for(pilot, lambda: answered(screen), 60, "the usage answers")
        proposed = [v.image for v in screen.result.proposed if v.image.account in members]
        assert proposed, "the rules propose some member account's image"
        image = proposed[0]
        key = (image.place, image.image_id)
        # Only the member's own credentials see this instance (the sandbox keeps one EC2
        # per account): asked with the management account's, the image would stay proposed.
        member_ec2 = organization.ec2(image.region, image.account)
        launched = member_ec2.run_instances(ImageId=image.image_id, MinCount=1, MaxCount=1)
        instance = launched["Instances"][0]["InstanceId"]
        assert not organization.ec2(image.region).describe_instances(
            Filters=[{"Name": "image-id", "Values": [image.image_id]}]
        )["Reservations"], "the management account does not see the member's instance"

        await pilot.press("ctrl+r")

        def stays() -> bool:
            if not answered(screen):
                return False
            verdict = next(v for v in screen.result.verdicts if v.key == key)
            return verdict.decision != "proposed"

        await wait_for(pilot, stays, 60, "the member's image kept for its instance")
        verdict = next(v for v in screen.result.verdicts if v.key == key)
        assert any("instance" in reason.lower() for reason in verdict.reasons), verdict.reasons
        assert screen.answers[key].references
    member_ec2.terminate_instances(InstanceIds=[instance])  # other tests count what is used
