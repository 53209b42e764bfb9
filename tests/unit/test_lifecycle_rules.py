"""The lifecycle actions' pure rules: deprecation times as typed, the tag editor's calls,
and who a sharing entry names. Hypothesis over the date and tag inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amitui.actions import ACTIONS
from amitui.actions.sharing import principal
from amitui.actions.when import MAX_YEARS, add_months, parse_when, round_to_minute

NOW = datetime(2026, 11, 30, 10, 15, 40, tzinfo=UTC)
AMI = "ami-0123456789abcdef0"


# -- deprecation times -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+90d", datetime(2027, 2, 28, 10, 16, tzinfo=UTC)),
        ("+6m", datetime(2027, 5, 30, 10, 16, tzinfo=UTC)),
        ("+2w", datetime(2026, 12, 14, 10, 16, tzinfo=UTC)),
        ("+1y", datetime(2027, 11, 30, 10, 16, tzinfo=UTC)),
        ("+12h", datetime(2026, 11, 30, 22, 16, tzinfo=UTC)),
        ("2027-06-30", datetime(2027, 6, 30, tzinfo=UTC)),
        ("2027-06-30 14:30", datetime(2027, 6, 30, 14, 30, tzinfo=UTC)),
        ("2027-06-30T14:30:29Z", datetime(2027, 6, 30, 14, 30, tzinfo=UTC)),
        ("2027-06-30T14:30:30Z", datetime(2027, 6, 30, 14, 31, tzinfo=UTC)),
    ],
)
def test_a_time_is_read_as_utc_and_rounded_to_the_minute(text, expected):
    assert parse_when(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2026-11-30", "future"),
        ("+0d", "Use "),
        ("2036-12-01", "10 years"),
        ("+11y", "10 years"),
        ("+121m", "10 years"),
        ("2027-02-30", "real date"),
        ("next week", "Use "),
        ("", "Use "),
    ],
)
def test_a_time_aws_would_refuse_is_refused_with_why(text, why):
    message = parse_when(text, NOW)
    assert isinstance(message, str) and why in message


def test_months_end_on_the_month_s_last_day():
    assert add_months(datetime(2027, 1, 31, tzinfo=UTC), 1) == datetime(2027, 2, 28, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_any_text_is_a_time_in_aws_s_window_or_a_message(text):
    found = parse_when(text, NOW)
    if isinstance(found, str):
        assert found
    else:
        assert NOW < found <= add_months(NOW, 12 * MAX_YEARS)
        assert found.second == 0 and found.microsecond == 0 and found.tzinfo is UTC


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 12, 1), max_value=datetime(2036, 11, 1)))
def test_a_future_date_as_typed_reads_back_as_its_minute(moment):
    moment = moment.replace(tzinfo=UTC)
    found = parse_when(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), NOW)
    assert found == round_to_minute(moment.replace(microsecond=0))


@given(st.integers(min_value=1, max_value=3650))
def test_days_from_now(days):
    assert parse_when(f"+{days}d", NOW) == round_to_minute(NOW + timedelta(days=days))


def test_the_deprecate_request_carries_the_minute():
    request = ACTIONS["deprecate"].build_request({"ImageId": AMI, "When": "2027-06-30 14:30"})
    assert request == {"ImageId": AMI, "DeprecateAt": "2027-06-30T14:30:00Z"}


# -- the tag editor --------------------------------------------------------------------------

TAGS = ACTIONS["tags"]
KEYS = st.text(st.sampled_from("abcXYZ:-_ "), min_size=1, max_size=6).map(str.strip).filter(bool)
VALUES = st.text(st.sampled_from("xyz01 "), max_size=4).map(str.strip)


def planned(current, wanted, snapshots=(), also=False):
    values = {"ImageId": AMI, "Tags": list(wanted.items()), "AlsoSnapshots": also}
    context = {"tags": tuple(current.items()), "snapshot_ids": tuple(snapshots)}
    return TAGS.plan(TAGS.build_request(values), TAGS.clean(values), context)


def applied(current, calls):
    """What EC2 leaves on the image after the calls (CreateTags sets, DeleteTags by key)."""
    tags = dict(current)
    for operation, request in calls:
        for tag in request["Tags"]:
            if operation == "CreateTags":
                tags[tag["Key"]] = tag["Value"]
            else:
                tags.pop(tag["Key"], None)
    return tags


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(KEYS.filter(lambda k: not k.lower().startswith("aws:")), VALUES, max_size=6),
    st.dictionaries(KEYS.filter(lambda k: not k.lower().startswith("aws:")), VALUES, max_size=6),
)
def test_the_calls_leave_exactly_the_tags_the_field_shows(current, wanted):
    calls = planned(current, wanted)
    assert applied(current, calls) == wanted
    assert [op for op, _ in calls] == (
        ["CreateTags"] * any(current.get(k) != v for k, v in wanted.items())
        + ["DeleteTags"] * any(k not in wanted for k in current)
    )


def test_aws_tags_are_never_removed_and_snapshots_follow_when_asked():
    calls = planned({"aws:cloudformation:stack": "s", "team": "web"}, {}, ["snap-1"], also=True)
    assert calls == [("DeleteTags", {"Resources": [AMI, "snap-1"], "Tags": [{"Key": "team"}]})]
    assert planned({"team": "web"}, {"team": "web"}) == []


# -- sharing ---------------------------------------------------------------------------------


def test_a_sharing_entry_is_an_account_an_organization_or_an_ou():
    org = "arn:aws:organizations::123456789012:organization/o-abcdefghij"
    ou = "arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-abcdefgh"
    assert principal("111111111111") == {"UserId": "111111111111"}
    assert principal(org) == {"OrganizationArn": org}
    assert principal(ou) == {"OrganizationalUnitArn": ou}
    assert principal("1111") is None and principal("all") is None


def test_sharing_builds_one_modify_or_a_reset():
    spec = ACTIONS["sharing"]
    values = {"ImageId": AMI, "ShareWith": "111111111111", "Public": "not public"}
    (call,) = spec.plan(spec.build_request(values), spec.clean(values), {})
    assert call == (
        "ModifyImageAttribute",
        {
            "ImageId": AMI,
            "LaunchPermission": {"Add": [{"UserId": "111111111111"}], "Remove": [{"Group": "all"}]},
        },
    )
    reset = {"ImageId": AMI, "Public": "reset to private"}
    assert spec.plan(spec.build_request(reset), spec.clean(reset), {}) == [
        ("ResetImageAttribute", {"ImageId": AMI, "Attribute": "launchPermission"})
    ]
    assert "StopSharingWith" in spec.validate(
        {"ImageId": AMI, "ShareWith": "111111111111", "StopSharingWith": "111111111111"}
    )


def test_public_sharing_is_refused_where_it_is_blocked_and_allowed_where_unknown():
    spec = ACTIONS["sharing"]
    values = {"ImageId": AMI, "Public": "public"}
    blocked = {"region": "eu-west-1", "public_sharing": "block-new-sharing"}
    assert "blocked in eu-west-1" in spec.validate(values, context=blocked)["Public"]
    for state in ("unblocked", None):  # None: not verified -> AWS answers for itself
        assert spec.validate(values, context={"public_sharing": state}) == {}


def test_snapshots_too_adds_volume_permissions_for_the_accounts_and_warns_of_the_key():
    spec = ACTIONS["sharing"]
    org = "arn:aws:organizations::123456789012:organization/o-abcdefghij"
    values = {"ImageId": AMI, "ShareWith": f"111111111111, {org}", "SnapshotVolumes": True}
    context = {"snapshot_ids": ("snap-1", "snap-2"), "encrypted": True}
    calls = spec.plan(spec.build_request(values), spec.clean(values), context)
    assert [op for op, _ in calls] == ["ModifyImageAttribute"] + ["ModifySnapshotAttribute"] * 2
    assert calls[1][1] == {
        "SnapshotId": "snap-1",
        "Attribute": "createVolumePermission",
        "CreateVolumePermission": {"Add": [{"UserId": "111111111111"}]},
    }
    assert "KMS key" in spec.warn(spec.clean(values), context)
