"""amitui.cleanup.preview and storage: the retention rules, what is never proposed, and the
storage figures. Properties over generated inventories, then the cases one by one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amitui.aws.images import Image
from amitui.aws.usage import Check, Reference, Usage
from amitui.cleanup import RuleError, Rules, builtin_family, preview
from tests.support.examples import examples

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ME, OTHER = "123456789012", "210987654321"
CLEAR = (Check("Image references"), Check("Auto Scaling groups"), Check("Launch permissions"))


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def image(image_id, name, days_old, *, region="us-east-1", snaps=(), **kw):
    kw.setdefault("owner_id", ME)
    kw.setdefault("state", "available")
    created = stamp(NOW - timedelta(days=days_old))
    return Image(image_id, region, name=name, creation_date=created, snapshot_ids=snaps, **kw)


def clear(img, protection="disabled"):
    return Usage(img.image_id, img.region, CLEAR, protection=protection)


def answers(images, **special):
    out = {(i.region, i.image_id): clear(i) for i in images}
    out.update({(i.region, i.image_id): u for i, u in special.items()})
    return out


# -- properties ---------------------------------------------------------------------------

USAGES = st.sampled_from(["clear", "missing", "instance", "shared", "unverified", "protected"])


def make_usage(kind, img):
    if kind == "missing":
        return None
    if kind == "protected":
        return clear(img, "enabled-with-cooldown")
    checks = {
        "clear": CLEAR,
        "instance": (Check("Image references", (Reference("instance", "i-1"),)),),
        "shared": (Check("Launch permissions", (Reference("account", OTHER),)),),
        "unverified": (Check("Image references", error="AccessDenied: no"),),
    }[kind]
    return Usage(img.image_id, img.region, checks)


@st.composite
def inventories(draw):
    count = draw(st.integers(0, 30))
    images, usage, sizes = [], {}, {}
    for n in range(count):
        family = draw(st.sampled_from(["web-api", "base-al2023", "billing-x86_64"]))
        days = draw(st.integers(0, 400))
        snaps = tuple(draw(st.lists(st.sampled_from([f"snap-{i}" for i in range(40)]), max_size=3)))
        launched = draw(st.none() | st.integers(0, 400))
        img = image(
            f"ami-{n:04x}",
            f"{family}-{(NOW - timedelta(days=days)):%Y%m%d}-{n}",
            days,
            region=draw(st.sampled_from(["us-east-1", "eu-west-1"])),
            snaps=snaps,
            owner_id=draw(st.sampled_from([ME, ME, ME, OTHER])),
            public=draw(st.booleans()) and draw(st.booleans()),
            protection=draw(
                st.sampled_from(["", "disabled", "disabled", "enabled-without-cooldown"])
            ),
            state=draw(st.sampled_from(["available"] * 5 + ["pending"])),
            architecture=draw(st.sampled_from(["x86_64", "x86_64", "arm64"])),
            last_launched=stamp(NOW - timedelta(days=launched)) if launched is not None else "",
        )
        images.append(img)
        answer = make_usage(draw(USAGES), img)
        if answer is not None:
            usage[(img.region, img.image_id)] = answer
    for snap in {s for i in images for s in i.snapshot_ids}:
        if draw(st.booleans()) or draw(st.booleans()):
            sizes[snap] = (draw(st.integers(1, 500)), draw(st.none() | st.integers(0, 10**12)))
    return images, usage, sizes


RULES = st.builds(
    Rules,
    keep_newest=st.integers(1, 5),
    launched_days=st.integers(0, 60),
    younger_days=st.integers(0, 30),
)


@settings(max_examples=examples(full=150, quick=40), deadline=None)
@given(inventories(), RULES)
def test_nothing_that_must_not_go_is_ever_proposed(inventory, rules):
    images, usage, sizes = inventory
    result = preview(images, rules, usage, sizes, {ME}, NOW)
    assert len(result.verdicts) == len(images)
    for v in result.proposed:
        img = v.image
        assert img.owner_id == ME and not img.public and img.state != "pending"
        assert img.protection in ("", "disabled")
        answer = usage[(img.region, img.image_id)]  # never proposed without its answer
        assert answer.clear and not answer.unverified and not answer.protected
        assert NOW - datetime.fromisoformat(img.creation_date) >= timedelta(rules.younger_days)
        if img.last_launched:
            age = NOW - datetime.fromisoformat(img.last_launched)
            assert age >= timedelta(rules.launched_days)
    for v in result.excluded + result.kept + result.waiting:
        assert v.reasons, v  # each image that stays says why


@settings(max_examples=examples(full=100, quick=30), deadline=None)
@given(inventories(), RULES)
def test_the_newest_n_of_each_family_in_each_region_are_kept(inventory, rules):
    images, usage, sizes = inventory
    result = preview(images, rules, usage, sizes, {ME}, NOW)
    decided = {v.image.image_id: v for v in result.verdicts}
    arches: dict = {}
    for img in images:
        arches.setdefault((img.region, builtin_family(img.name)), set()).add(img.architecture)
    groups: dict = {}
    for img in images:
        key = (img.region, builtin_family(img.name))
        groups.setdefault((*key, img.architecture if len(arches[key]) > 1 else ""), []).append(img)
    for members in groups.values():
        members.sort(key=lambda i: (i.creation_date, i.image_id), reverse=True)
        for img in members[: rules.keep_newest]:
            assert decided[img.image_id].decision == "kept"
            assert any(r.startswith("newest ") for r in decided[img.image_id].reasons)


@settings(max_examples=examples(full=150, quick=40), deadline=None)
@given(inventories(), RULES)
def test_totals_are_the_sum_of_their_parts_and_each_snapshot_counts_once(inventory, rules):
    images, usage, sizes = inventory
    result = preview(images, rules, usage, sizes, {ME}, NOW)
    storage = result.storage
    proposed = {v.image.image_id for v in result.proposed}
    staying = {(i.region, s) for i in images if i.image_id not in proposed for s in i.snapshot_ids}
    freed = {
        (i.region, s) for i in images if i.image_id in proposed for s in i.snapshot_ids
    } - staying
    assert storage.freed_snapshots == len(freed)
    assert storage.freed_gib == sum(sizes[s][0] for _, s in freed if s in sizes)
    assert storage.freed_bytes == sum(sizes[s][1] or 0 for _, s in freed if s in sizes)
    assert storage.sizes_unknown == sum(1 for _, s in freed if s not in sizes)
    assert storage.freed_gib == sum(f.proposed_gib for f in storage.families)
    assert storage.freed_gib == sum(p.gib for p in storage.images.values())
    assert set(storage.images) == {v.key for v in result.proposed}
    every = {(i.region, s) for i in images for s in i.snapshot_ids}
    total = sum(sizes[s][0] for _, s in every if s in sizes)
    assert total == sum(f.kept_gib + f.proposed_gib for f in storage.families)
    wins = [f.proposed_gib for f in storage.families]
    assert wins == sorted(wins, reverse=True)  # the biggest win first


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["web", "api", "db"]), st.sampled_from(["a", "b"])),
        max_size=20,
    ),
    RULES,
)
def test_a_regex_override_groups_as_stated(parts, rules):
    images = [
        image(f"ami-{n}", f"{team}.{app}-20240101", 100 + n) for n, (team, app) in enumerate(parts)
    ]
    by_team = Rules(rules.keep_newest, rules.launched_days, rules.younger_days, r"^(\w+)\.")
    by_app = Rules(
        rules.keep_newest, rules.launched_days, rules.younger_days, r"\.(?P<family>\w+)-"
    )
    for chosen, index in ((by_team, 0), (by_app, 1)):
        result = preview(images, chosen, answers(images), {}, {ME}, NOW)
        assert [v.family for v in result.verdicts] == [p[index] for p in parts]
        assert result.unmatched == 0
        counts: dict = {}
        for v in result.verdicts:
            counts[v.family] = counts.get(v.family, 0) + (v.decision == "kept")
        for family, kept in counts.items():
            size = sum(1 for p in parts if p[index] == family)
            assert kept == min(size, chosen.keep_newest)


# -- cases --------------------------------------------------------------------------------


def nightly(n, days, **kw):
    return image(
        f"ami-{n:04d}", f"web-api-{(NOW - timedelta(days=days)):%Y.%m.%d}-nightly.{n}", days, **kw
    )


def test_the_default_rules_keep_three_and_propose_the_rest_with_reasons():
    images = [nightly(n, 10 + n) for n in range(6)]
    result = preview(images, Rules(), answers(images), {}, {ME}, NOW)
    assert [v.decision for v in result.verdicts] == ["kept"] * 3 + ["proposed"] * 3
    assert result.verdicts[0].reasons == ("newest 1 of 6",)
    assert {v.family for v in result.verdicts} == {"web-api"}


def test_recently_launched_and_young_images_are_kept_and_say_so():
    old = [nightly(n, 100 + n) for n in range(3)]
    launched = nightly(10, 200, last_launched=stamp(NOW - timedelta(days=2)))
    young = nightly(11, 3)
    rules = Rules(keep_newest=1, younger_days=5)
    result = preview(
        [*old, launched, young], rules, answers([*old, launched, young]), {}, {ME}, NOW
    )
    by_id = {v.image.image_id: v for v in result.verdicts}
    assert by_id["ami-0010"].reasons == ("launched 2 d ago",)
    assert by_id["ami-0011"].reasons == ("newest 1 of 5", "created 3 d ago")
    assert [v.image.image_id for v in result.proposed] == ["ami-0000", "ami-0001", "ami-0002"]


def test_every_exclusion_says_why():
    imgs = [nightly(n, 100 + n) for n in range(9)]
    usage = answers(imgs[:5])
    usage[(imgs[3].region, imgs[3].image_id)] = Usage(
        "ami-0003", "us-east-1", (Check("Image references", error="AccessDenied: denied"),)
    )
    usage[(imgs[4].region, imgs[4].image_id)] = Usage(
        "ami-0004", "us-east-1", (Check("Launch permissions", (Reference("account", OTHER),)),)
    )
    imgs[0] = nightly(0, 100, owner_id=OTHER)
    imgs[1] = nightly(1, 101, public=True)
    imgs[2] = nightly(2, 102, protection="disabled-until 2026-12-01T10:00:00.000Z")
    imgs.append(nightly(99, 50))  # the newest, kept
    result = preview(imgs, Rules(keep_newest=1), usage, {}, {ME}, NOW)
    reasons = {v.image.image_id: (v.decision, v.reasons) for v in result.verdicts}
    assert reasons["ami-0000"] == ("excluded", (f"not this account's image (owner {OTHER})",))
    assert reasons["ami-0001"] == ("excluded", ("public: anyone can launch it",))
    assert reasons["ami-0002"][1] == (
        "deregistration protection (disabled-until 2026-12-01T10:00:00.000Z)",
    )
    assert reasons["ami-0003"] == (
        "excluded",
        ("Image references: not verified — AccessDenied: denied",),
    )
    assert reasons["ami-0004"][1][0].startswith("account 210987654321")
    assert reasons["ami-0005"] == ("waiting", ("usage not checked yet",))
    assert result.waiting and not result.proposed  # nothing before its usage answer


def test_an_unknown_account_proposes_nothing():
    imgs = [nightly(n, 100 + n) for n in range(5)]
    result = preview(imgs, Rules(keep_newest=1), answers(imgs), {}, set(), NOW)
    assert not result.proposed
    assert result.excluded[0].reasons[0].startswith("owner not verified")


def test_a_builtin_family_of_two_architectures_keeps_its_newest_of_each():
    x86 = [nightly(n, 10 + n, architecture="x86_64") for n in range(4)]
    arm = [nightly(n + 10, 100 + n, architecture="arm64") for n in range(3)]
    result = preview(x86 + arm, Rules(keep_newest=2), answers(x86 + arm), {}, {ME}, NOW)
    assert {v.family for v in result.verdicts} == {"web-api (x86_64)", "web-api (arm64)"}
    assert [v.image.image_id for v in result.proposed] == ["ami-0002", "ami-0003", "ami-0012"]
    regex = Rules(keep_newest=2, family_regex=r"^(web-api)-")  # a regex groups as it says
    result = preview(x86 + arm, regex, answers(x86 + arm), {}, {ME}, NOW)
    assert {v.family for v in result.verdicts} == {"web-api"}
    assert len(result.proposed) == 5


def test_families_are_per_region():
    east = [nightly(n, 100 + n) for n in range(3)]
    west = [nightly(n + 10, 200 + n, region="eu-west-1") for n in range(3)]
    result = preview(east + west, Rules(keep_newest=2), answers(east + west), {}, {ME}, NOW)
    assert {(v.image.region, v.image.image_id) for v in result.proposed} == {
        ("us-east-1", "ami-0002"),
        ("eu-west-1", "ami-0012"),
    }


def test_a_shared_snapshot_counts_once_and_one_an_image_that_stays_uses_is_not_freed():
    imgs = [
        nightly(0, 10, snaps=("snap-new",)),
        nightly(1, 100, snaps=("snap-a", "snap-kept")),
        nightly(2, 101, snaps=("snap-a", "snap-b")),  # a copy sharing snap-a
    ]
    imgs.append(nightly(3, 5, snaps=("snap-kept",)))
    sizes = {
        "snap-a": (8, 3 * 2**30),
        "snap-b": (30, None),
        "snap-kept": (100, 1),
        "snap-new": (8, 1),
    }
    result = preview(imgs, Rules(keep_newest=2), answers(imgs), sizes, {ME}, NOW)
    storage = result.storage
    assert {v.image.image_id for v in result.proposed} == {"ami-0001", "ami-0002"}
    assert (storage.freed_snapshots, storage.freed_gib) == (2, 38)
    assert (storage.freed_bytes, storage.bytes_unknown) == (3 * 2**30, 1)
    first = storage.images[("us-east-1", "ami-0001")]
    assert [(s.snapshot_id, s.freed) for s in first.snapshots] == [
        ("snap-a", True),
        ("snap-kept", False),
    ]
    assert first.snapshots[1].note == "kept: also used by ami-0003 (kept)"
    second = storage.images[("us-east-1", "ami-0002")]
    assert second.snapshots[0].note == "counted with ami-0001" and second.gib == 30
    (family,) = storage.families
    assert (family.kept_gib, family.proposed_gib) == (108, 38)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (Rules(keep_newest=0), "keep newest"),
        (Rules(launched_days=-1), "launched in"),
        (Rules(younger_days=10**9), "younger"),
        (Rules(family_regex="(web"), "family regex: missing \\)"),
    ],
)
def test_a_rule_that_cannot_be_used_is_a_message(rules, message):
    with pytest.raises(RuleError, match=message):
        preview([], rules, {}, {}, {ME}, NOW)


def test_with_several_accounts_an_image_is_its_listing_accounts_own_or_excluded():
    """--accounts: each image is listed by one account (Image.account); it is that
    account's own when that account owns it, whatever the signed-in account is."""
    member, other = "111111111111", "222222222222"
    own = [nightly(n, 100 + n, owner_id=member, account=member) for n in range(3)]
    shared_in = nightly(9, 200, owner_id=other, account=member)  # the oldest
    imgs = [*own, shared_in]
    usage = {(i.place, i.image_id): clear(i) for i in imgs}
    result = preview(imgs, Rules(keep_newest=1), usage, {}, {ME}, NOW)
    by_id = {v.image.image_id: v for v in result.verdicts}
    assert [v.image.image_id for v in result.proposed] == ["ami-0001", "ami-0002"]
    assert by_id["ami-0009"].decision == "excluded"
    assert by_id["ami-0009"].reasons == (f"not this account's image (owner {other})",)
