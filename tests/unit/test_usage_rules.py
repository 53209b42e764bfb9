"""The pure rules of "is this image still used?": the usage answer, the deregister guard,
the new columns and the date comparisons of the filter language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from amitui.actions.deregister import DEREGISTER, OVERRIDE
from amitui.actions.spec import FORM_ERROR
from amitui.aws.images import Image
from amitui.aws.usage import Check, Reference, Usage, UsageCache, shares_reference
from amitui.ui.columns import (
    DEFAULT_COLUMN_KEYS,
    columns_for,
    launched_cell,
    protection_cell,
)
from amitui.ui.query import comparison, explain, parse_query
from amitui.ui.rows import ImageRows

TEMPLATE = Reference("launch template", "lt-0123", "web", "us-east-1", "version 3 of 5")


def usage(*checks, protection="disabled"):
    return Usage("ami-1", "us-east-1", tuple(checks), protection=protection, checked_at=100.0)


# -- the answer ---------------------------------------------------------------------------


def test_an_image_is_clear_only_when_every_check_was_made_and_found_nothing():
    assert usage(Check("Image references"), Check("Auto Scaling groups")).clear
    unverified = usage(Check("Image references", error="UnsupportedOperation: no such API"))
    assert not unverified.clear
    assert unverified.blockers() == [
        "Image references: not verified — UnsupportedOperation: no such API"
    ]


def test_each_reference_and_protection_is_a_line_naming_what_breaks():
    answer = usage(Check("Image references", (TEMPLATE,)), protection="enabled-with-cooldown")
    assert answer.blockers() == [
        "launch template lt-0123 (web) — version 3 of 5 · us-east-1",
        "deregistration protection is on (enabled-with-cooldown)",
    ]


@pytest.mark.parametrize(
    ("value", "protected"),
    [
        ("enabled-without-cooldown", True),
        ("enabled-with-cooldown", True),
        ("disabled-until 2026-12-01T10:00:00.000Z", True),
        ("disabled", False),
        ("", False),  # not reported: AWS still refuses a protected image itself
    ],
)
def test_protection_values(value, protected):
    assert usage(protection=value).protected is protected


def test_shares_are_references_and_a_public_image_says_so():
    assert shares_reference({"UserId": "210987654321"}).line() == (
        "account 210987654321 — shared: can launch it"
    )
    assert shares_reference({"Group": "all"}).kind == "public"
    assert shares_reference({}) is None


def test_the_cache_keeps_answers_with_their_time_and_a_max_age_refuses_old_ones():
    now = [1000.0]
    cache = UsageCache(clock=lambda: now[0])
    answer = Usage("ami-1", "us-east-1", (), checked_at=1000.0)
    cache.put(answer)
    now[0] = 1100.0
    assert cache.get("us-east-1", "ami-1") is answer
    assert cache.get("us-east-1", "ami-1", max_age=60) is None
    assert cache.get("eu-west-1", "ami-1") is None


def test_the_cache_keeps_each_accounts_answer_for_an_image_shared_between_them():
    """An image shared into another account is one id in two accounts: what uses it in
    one says nothing of the other, so neither account's answer stands in for the other's."""
    cache = UsageCache(clock=lambda: 1000.0)
    owner = Usage("ami-1", "us-east-1", (Check("Instances", (TEMPLATE,)),), checked_at=1000.0)
    cache.put(owner, account="111111111111")
    assert cache.get("us-east-1", "ami-1", account="111111111111") is owner
    assert cache.get("us-east-1", "ami-1", account="222222222222") is None
    assert cache.get("us-east-1", "ami-1") is None  # the one account of a session
    member = Usage("ami-1", "us-east-1", (), checked_at=1000.0)
    cache.put(member, account="222222222222")
    cache.forget("us-east-1", "ami-1", account="111111111111")
    assert cache.get("us-east-1", "ami-1", account="111111111111") is None
    assert cache.get("us-east-1", "ami-1", account="222222222222") is member


# -- the deregister guard -------------------------------------------------------------------


def guard(values, answer):
    return dict(DEREGISTER.usage_guard(values, answer))


def test_deregister_waits_for_the_check_and_passes_a_clear_image():
    assert FORM_ERROR in guard({}, None)
    assert guard({}, usage(Check("Image references"))) == {}


@pytest.mark.parametrize(
    "answer",
    [
        usage(Check("Image references", (TEMPLATE,))),
        usage(Check("Image references"), protection="enabled-without-cooldown"),
        usage(Check("Image references", error="AccessDenied")),
    ],
    ids=["referenced", "protected", "not-verified"],
)
def test_deregister_refuses_a_used_protected_or_unverified_image_without_the_tick(answer):
    refusal = guard({OVERRIDE: False}, answer)
    assert list(refusal) == [OVERRIDE]
    assert guard({OVERRIDE: True}, answer) == {}


def test_the_override_is_never_sent():
    values = {"ImageId": "ami-0123456789abcdef0", "ConfirmImageId": "ami-0123456789abcdef0"}
    request = DEREGISTER.build_request({**values, OVERRIDE: True})
    assert request == {"ImageId": "ami-0123456789abcdef0"}


# -- columns -----------------------------------------------------------------------------


def test_the_new_columns_are_hidden_until_picked():
    assert [c.key for c in columns_for(False)] == list(
        k for k in DEFAULT_COLUMN_KEYS if k != "region"
    )
    picked = [c.key for c in columns_for(True, ["launched", "created"])]
    assert picked == ["name", "id", "created", "region", "launched"]


def test_launched_and_protection_cells():
    assert launched_cell(Image("ami-1", "r")) == "never"
    assert launched_cell(Image("ami-1", "r", last_launched="2025-01-02T03:04:05.000Z")).startswith(
        "2025-01-02 "
    )
    cells = {
        p: protection_cell(Image("ami-1", "r", protection=p))
        for p in (
            "enabled-without-cooldown",
            "enabled-with-cooldown",
            "disabled",
            "",
            "disabled-until 2026-01-02",
        )
    }
    assert cells == {
        "enabled-without-cooldown": "yes",
        "enabled-with-cooldown": "yes+24h",
        "disabled": "no",
        "": "",
        "disabled-until 2026-01-02": "yes until 2026-01-02",
    }


# -- comparisons in the filter ------------------------------------------------------------

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def iso(days_ago):
    return (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_an_age_compares_older_or_within_and_never_is_older_than_any_age():
    older = comparison(">", "90d", NOW)
    within = comparison("<", "90d", NOW)
    assert older(iso(100)) and not older(iso(10))
    assert within(iso(10)) and not within(iso(100))
    assert older("") and not within("")  # never launched: older than any age


def test_a_date_compares_after_or_before_at_its_precision():
    after = comparison(">", "2024-06", NOW)
    before = comparison("<", "2024-06", NOW)
    assert after("2024-07-01T00:00:00Z") and not after("2024-06-30T23:00:00Z")
    assert before("2024-05-31T00:00:00Z") and not before("2024-06-01T00:00:00Z")
    assert comparison(">", "9x", NOW) is None


def test_launched_filters_on_rows():
    images = [
        Image("ami-never", "r"),
        Image("ami-recent", "r", last_launched=iso(3)),
        Image("ami-stale", "r", last_launched=iso(200)),
        Image("ami-guarded", "r", protection="enabled", source_image_id="ami-root"),
    ]
    rows = ImageRows()
    rows.extend(images)

    def shown(text):
        rows.set_filter(text)
        return {rows.images[i].image_id for i in rows.visible}

    assert shown("launched:>90d") == {"ami-never", "ami-stale", "ami-guarded"}
    assert shown("launched:<30d") == {"ami-recent"}
    assert shown("launched:never") == {"ami-never", "ami-guarded"}
    assert shown("protected:yes") == {"ami-guarded"}
    assert shown("source:ami-root") == {"ami-guarded"}
    assert shown("!launched:>90d") == {"ami-recent"}


def test_a_comparison_term_is_parsed_as_one_and_a_bad_one_is_explained():
    (term,) = parse_query("created:>2024").terms
    assert (term.field, term.op, term.value) == ("created", ">", "2024")
    assert "neither an age" in explain("launched:>9x")
    assert parse_query("name:>x").terms[0].op == ""  # only date columns compare
