"""DescribeImages' kept XML (describe_images_xml.py) answers exactly what moto's serializer
writes: for every image of the sandbox's own, Amazon's of every shape (and a sample of the
rest: they differ only in values), and after each change the sandbox's own
actions make to images already listed (a kept XML that missed the change would differ)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from amitui.sandbox.describe_images import images_result
from amitui.sandbox.describe_images_xml import ImageXmlCache, freeze, thaw
from amitui.sandbox.moto_compat import ActionResult, ec2_backends, service_model
from amitui.sandbox.responses import SandboxEC2Response
from amitui.sandbox.state import SandboxState
from tests.support.sandbox_time import end_cooldowns, finish_now

from .ec2_helpers import pending_for
from .fidelity import Raw
from .lifecycle_helpers import fresh_images

REQUEST_ID = re.compile(rb"<requestId>[^<]*</requestId>")
PARTNER = "210987654321"


def moto_context() -> Any:
    """What moto hands an ActionResult when the sandbox answers DescribeImages."""
    from moto.core.responses import ActionContext
    from moto.core.serialize import EC2Serializer

    model = service_model("ec2")
    operation = model.operation_model("DescribeImages")
    return ActionContext(model, operation, EC2Serializer, SandboxEC2Response)  # type: ignore[arg-type]


def both_ways(images: list[Any], usage_api: bool, cache: ImageXmlCache) -> tuple[str, str]:
    """(the answer written with ``cache``, the answer moto's serializer writes alone)."""
    context = moto_context()
    fast = images_result(images, None, usage_api, cache)
    moto = ActionResult(fast.result)
    return fast.execute_result(context)[2], moto.execute_result(context)[2]


def seeded_images() -> dict[tuple[str, str], list[Any]]:
    """Every image of every account and region the sandbox holds, by (account, region)."""
    return {
        (account, region): sorted(backend.amis.values(), key=lambda ami: ami.id)
        for account, regions in list(ec2_backends.items())
        for region, backend in list(regions.items())
        if backend.amis
    }


def shape(ami: Any) -> tuple[tuple[str, str], ...]:
    """Which of an image's attributes are set, and to what type: what its XML is made of."""
    return tuple(
        sorted(
            (name, type(value).__name__)
            for name, value in vars(ami).items()
            if value not in (None, "", [], {})
        )
    )


#: Amazon's images (moto's own catalogue, ~3,900 of them) are of a few shapes: of each
#: account and region, one of each shape and every ``AMAZON_STRIDE``th one are written.
AMAZON_STRIDE = 40


def written_images(amis: list[Any]) -> list[Any]:
    """Every image of the sandbox's own (``SandboxAmi``) and a sample of Amazon's."""
    shapes: set[tuple[tuple[str, str], ...]] = set()
    kept = []
    for index, ami in enumerate(amis):
        if type(ami).__name__ == "SandboxAmi":
            kept.append(ami)
        elif shape(ami) not in shapes or index % AMAZON_STRIDE == 0:
            shapes.add(shape(ami))
            kept.append(ami)
    return kept


def test_every_seeded_kind_of_image_is_written_as_moto_writes_it(sandbox):
    held = {where: written_images(amis) for where, amis in seeded_images().items()}
    images = [ami for amis in held.values() for ami in amis]
    kinds = Counter(type(ami).__name__ for ami in images)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert {region for _, region in held} >= {"us-east-1", "eu-west-1", "ap-southeast-2"}
    assert len({account for account, _ in held}) >= 4  # the sandbox's and the organization's
    assert kinds["Ami"] > 50 and kinds["SandboxAmi"] > 500  # Amazon's and the sandbox's
    assert len({shape(ami) for ami in images}) > 4  # of every shape the sandbox holds
    assert {"available", "disabled", "failed"} <= {ami.state for ami in images}
    assert any((getattr(ami, "deprecation_time", None) or "9") < now for ami in images)
    assert any(p.get("UserId") for ami in images for p in ami.launch_permissions)
    assert any(ami.is_public for ami in images if type(ami).__name__ == "SandboxAmi")
    cache = ImageXmlCache()
    for usage_api in (True, False):
        for where, amis in held.items():
            # Amazon's images have no usage fields: their answer is the same either way
            amis = [a for a in amis if usage_api or type(a).__name__ == "SandboxAmi"]
            fast, moto = both_ways(amis, usage_api, cache)  # written into the cache
            assert fast == moto, (where, usage_api)
            before = cache.counts.reused
            again = images_result(amis, None, usage_api, cache).execute_result(moto_context())
            assert again[2] == moto, (where, usage_api)  # reused from the cache
            assert cache.counts.reused - before == len(amis)
    assert cache.counts.moto_images == cache.counts.moto_answers == 0


# -- changes made through the sandbox's actions ------------------------------------------


def describe(sandbox, region: str = "us-east-1", **params: Any) -> bytes:
    """DescribeImages over HTTP, answered with the kept XML and by moto's serializer alone:
    the same bytes but the request id; the answer (without its request id)."""
    raw, cache = Raw(sandbox.url, region), sandbox.state.image_xml
    before = cache.counts.moto_answers
    fast = raw.call("DescribeImages", **params)
    fell_back = cache.counts.moto_answers - before
    cache.enabled = False
    try:
        moto = raw.call("DescribeImages", **params)
    finally:
        cache.enabled = True
    assert fast.status == moto.status == 200, fast.body[:300]
    ours, theirs = REQUEST_ID.sub(b"", fast.body), REQUEST_ID.sub(b"", moto.body)
    assert ours == theirs
    assert not fell_back  # written with the kept XML, not by moto's serializer whole
    return ours


def image_ids(body: bytes) -> list[str]:
    items = ET.fromstring(body).find("{*}imagesSet")
    assert items is not None
    return [item.findtext("{*}imageId") or "" for item in items]


def item_of(body: bytes, image_id: str) -> bytes:
    """The image's <item> in an answer, as XML."""
    items = ET.fromstring(body).find("{*}imagesSet")
    assert items is not None
    found = [item for item in items if item.findtext("{*}imageId") == image_id]
    assert len(found) == 1, image_id
    return ET.tostring(found[0])


@pytest.fixture(scope="module")
def listed(sandbox, ec2) -> dict[str, str]:
    """Own images of this module's: one available, one pending (until ``finish_now``)."""
    client = ec2()
    changed = fresh_images(sandbox, client, 1, "kept-xml")[0]
    with pending_for(sandbox, 600.0):
        source = client.describe_images(ImageIds=[changed])["Images"][0]
        pending = client.copy_image(
            Name=f"{source['Name']}-pending", SourceImageId=changed, SourceRegion="us-east-1"
        )["ImageId"]
    return {"changed": changed, "pending": pending}


MINE = {"Owners": ["self"], "IncludeDeprecated": True, "IncludeDisabled": True}


def test_each_change_through_the_sandbox_is_in_the_next_answer(sandbox, ec2, listed):
    client, target = ec2(), listed["changed"]
    # the sandbox itself checks the first image's kept XML against moto's (and answers
    # moto's whole answer on a difference); the others are checked here only
    first = image_ids(describe(sandbox, Owners=["amazon"], MaxResults=5))[0]
    ids = {"ImageIds": [first, listed["pending"], target]}
    assert first < min(listed.values())
    describe(sandbox, **MINE), describe(sandbox, **ids)  # both listed (and kept) before
    later = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    tags = [{"Key": "k", "Value": "1"}]
    everyone = [{"Group": "all"}]
    changes = [  # (what, the change, whether DescribeImages shows it)
        ("tagged", lambda: client.create_tags(Resources=[target], Tags=tags), True),
        ("untagged", lambda: client.delete_tags(Resources=[target], Tags=tags), True),
        ("shared", lambda: client.modify_image_attribute(
            ImageId=target, LaunchPermission={"Add": [{"UserId": PARTNER}]}), False),
        ("public", lambda: client.modify_image_attribute(
            ImageId=target, LaunchPermission={"Add": everyone}), True),
        ("private", lambda: client.modify_image_attribute(
            ImageId=target, LaunchPermission={"Remove": everyone}), True),
        ("deprecated", lambda: client.enable_image_deprecation(
            ImageId=target, DeprecateAt=later), True),
        ("undeprecated", lambda: client.disable_image_deprecation(ImageId=target), True),
        ("protected", lambda: client.enable_image_deregistration_protection(
            ImageId=target, WithCooldown=True), True),
        ("unprotected", lambda: client.disable_image_deregistration_protection(
            ImageId=target), True),
        ("cooled down", lambda: end_cooldowns(sandbox), True),
        ("disabled", lambda: client.disable_image(ImageId=target), True),
        ("enabled", lambda: client.enable_image(ImageId=target), True),
        ("pending ended", lambda: finish_now(sandbox), False),
    ]  # fmt: skip
    after = describe(sandbox, **ids)
    for name, change, shows in changes:
        before, reused = after, sandbox.state.image_xml.counts.reused
        change()
        after = describe(sandbox, **ids)
        assert sandbox.state.image_xml.counts.reused > reused, name  # the other one was kept
        assert (item_of(after, target) != item_of(before, target)) == shows, name
    assert b"imageState>available</" in item_of(after, listed["pending"])
    describe(sandbox, **MINE)
    for usage_api in (False, True):
        sandbox.usage_api = usage_api
        try:
            describe(sandbox, **MINE), describe(sandbox, **ids)
        finally:
            sandbox.usage_api = True
    client.deregister_image(ImageId=target)
    gone = describe(sandbox, **ids)  # described a while after, as AWS does
    assert b"imageState>deregistered</" in item_of(gone, target)
    assert target not in image_ids(describe(sandbox, **MINE))


def test_pages_and_tokens_are_written_as_moto_writes_them(sandbox):
    """Every image is compared above; here the answers around them: a page with a token,
    the page that token asks for, an unpaged answer, with the usage API on and off."""
    for usage_api in (True, False):
        sandbox.usage_api = usage_api
        try:
            first = describe(sandbox, MaxResults=5, IncludeDeprecated=True)
            token = re.search(rb"<nextToken>([^<]*)</nextToken>", first)
            assert token is not None
            describe(
                sandbox, MaxResults=5, NextToken=token.group(1).decode(), IncludeDeprecated=True
            )
            describe(sandbox, "eu-west-1", Owners=["self"])
        finally:
            sandbox.usage_api = True


# -- the cache itself ------------------------------------------------------------------


def test_a_frozen_reading_keeps_kinds_and_order_apart():
    values = [True, 1, 1.0, "1", None, [1, 2], [2, 1], (1, 2), {"a": 1, "b": 2}, {"b": 2, "a": 1}]
    frozen = [freeze(value) for value in values]
    assert len({repr(f) for f in frozen}) == len(values)
    for i, one in enumerate(frozen):
        assert [j for j, other in enumerate(frozen) if other == one] == [i]
    assert [thaw(f) for f in frozen] == values
    assert [type(thaw(f)) for f in frozen] == [type(v) for v in values]
    mutable = {"Ebs": {"VolumeSize": 8}}
    kept = freeze([mutable])
    mutable["Ebs"]["VolumeSize"] = 9
    assert kept != freeze([mutable])  # a copy: a nested change is a different reading


class Image:
    """An image-like object: what moto's picker reads of it is its attributes."""

    def __init__(self, image_id: str, name: str) -> None:
        self.id, self.name = image_id, name
        self.creation_date = datetime(2025, 1, 1, tzinfo=UTC)


def test_an_entry_dies_with_its_image_and_a_reset_clears_all():
    state = SandboxState(pending_seconds=1.0)
    one, two = Image("ami-0000000000000000a", "one"), Image("ami-0000000000000000b", "two")
    fast, moto = both_ways([one, two], True, state.image_xml)
    assert fast == moto and len(state.image_xml) == 2
    del one  # no other reference: it dies now, and so does its entry
    assert len(state.image_xml) == 1
    state.clear()  # what Sandbox.reset does first
    assert len(state.image_xml) == 0


def test_a_failure_on_the_way_answers_moto_s_whole_answer(monkeypatch):
    cache = ImageXmlCache()
    images = [Image(f"ami-000000000000000{i}", f"n{i}") for i in range(3)]
    both_ways(images, True, cache)
    first = next(iter(cache._entries))
    ref, reading, _ = cache._entries[first]
    cache._entries[first] = (ref, reading, "<item><imageId>stale</imageId></item>")
    fast, moto = both_ways(images, True, cache)  # the first image's kept XML is checked
    assert fast == moto and cache.counts.moto_answers == 1
    monkeypatch.setattr(cache, "_xml", lambda *_: 1 / 0)
    fast, moto = both_ways(images, True, cache)
    assert fast == moto and cache.counts.moto_answers == 2
