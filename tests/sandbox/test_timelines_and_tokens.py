"""The pure parts: time-driven phases and paging tokens, at exact moments."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from amitui.sandbox.lifecycle import EXPORT_STEPS, TaskTimeline, image_state
from amitui.sandbox.moto_compat import EC2ClientError
from amitui.sandbox.pagination import decode_token, encode_token, paginate


def timeline(**extra) -> TaskTimeline:
    return TaskTimeline(
        started_at=100.0, duration=4.0, steps=EXPORT_STEPS, deleting_seconds=1.0, **extra
    )


def test_image_state_is_pending_until_ready():
    assert image_state(9.99, 10.0, "available") == "pending"
    assert image_state(10.0, 10.0, "available") == "available"
    assert image_state(10.0, 10.0, "failed") == "failed"
    assert image_state(0.0, None, "disabled") == "disabled"


@pytest.mark.parametrize(
    ("now", "status", "message", "progress"),
    [
        (100.0, "active", "validating", 0),
        (100.5, "active", "validated", 5),
        (101.0, "active", "converting", 12),
        (102.0, "active", "converting", 42),
        (103.5, "active", "updating", 88),
        (104.0, "completed", None, None),
        (999.0, "completed", None, None),
    ],
)
def test_a_plain_task_walks_its_steps(now, status, message, progress):
    phase = timeline().phase(now)
    assert (phase.status, phase.message, phase.progress) == (status, message, progress)


def test_a_failing_task_ends_deleted_half_way_with_its_message():
    failing = timeline(fail_message="ClientError: nope")
    assert failing.phase(101.9).status == "active"
    ended = failing.phase(102.0)
    assert (ended.status, ended.message) == ("deleted", "ClientError: nope")
    assert failing.phase(500.0).status == "deleted"


def test_a_cancelled_task_is_deleting_then_deleted():
    cancelled = timeline().cancelled(101.0, "User initiated task cancelation")
    assert cancelled.phase(100.5).status == "active"  # before the cancel
    assert cancelled.phase(101.0).status == "deleting"
    assert cancelled.phase(101.99).status == "deleting"
    done = cancelled.phase(102.0)
    assert (done.status, done.message) == ("deleted", "User initiated task cancelation")
    assert cancelled.phase(200.0).status == "deleted"  # never 'completed' after a cancel


def test_a_task_that_ended_before_its_cancel_keeps_its_end():
    late = timeline().cancelled(150.0, "too late")
    assert late.phase(160.0).status == "completed"


def test_zero_duration_completes_at_once():
    instant = TaskTimeline(started_at=5.0, duration=0.0, steps=EXPORT_STEPS, deleting_seconds=0)
    assert instant.phase(5.0).status == "completed"


def test_tokens_round_trip_and_bind_to_their_query():
    token = encode_token("ami-0123", "q1")
    assert decode_token(token, "q1") == "ami-0123"
    for bad_query, bad_token in (("q2", token), ("q1", token[:-3]), ("q1", "")):
        with pytest.raises(EC2ClientError) as info:
            decode_token(bad_token, bad_query)
        assert info.value.code == "InvalidParameterValue"


def test_paginate_walks_a_cursor_in_key_order():
    items = [f"id-{n:02d}" for n in (5, 1, 9, 3, 7)]
    page, token = paginate(
        items, key=str, max_results=2, next_token=None, query="q", default_page=100
    )
    assert page == ["id-01", "id-03"]
    items.append("id-02")  # lands before the cursor: not repeated, not shifting pages
    page, token = paginate(
        items, key=str, max_results=2, next_token=token, query="q", default_page=100
    )
    assert page == ["id-05", "id-07"]
    page, token = paginate(
        items, key=str, max_results=2, next_token=token, query="q", default_page=100
    )
    assert (page, token) == (["id-09"], None)


def test_client_error_is_what_boto3_raises_for_these(ec2):
    # The same refusal over HTTP arrives as botocore's ClientError with that code.
    with pytest.raises(ClientError) as info:
        ec2().describe_images(Owners=["self"], MaxResults=5, NextToken=encode_token("x", "y"))
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"
