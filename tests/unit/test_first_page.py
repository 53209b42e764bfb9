"""The first page asked for at startup (amitui.aws.first_page): the listing's first
identical call takes its answer or its error, once; anything else is asked as usual."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from amitui.aws.first_page import PrefetchedEc2
from amitui.aws.images import ListQuery, first_request, iter_image_pages
from amitui.aws.partitions import iter_auto_pages
from tests.support.canned_http import REGION, Answers, canned_clients
from tests.support.ec2_xml import document

ERROR = (
    b"<Response><Errors><Error><Code>AuthFailure</Code><Message>no</Message>"
    b"</Error></Errors><RequestID>r-1</RequestID></Response>"
)


def page(*ids: str, token: str | None = None) -> tuple[int, bytes]:
    return 200, document([{"ImageId": i} for i in ids], next_token=token)


def test_the_listing_takes_the_prefetched_first_page_and_asks_the_rest() -> None:
    answers = Answers(page("ami-1", "ami-2", token="t"), page("ami-3"))
    aws = canned_clients(answers)
    aws.prefetch([REGION], first_request(ListQuery(), 1000))
    ec2 = aws.listing_ec2(REGION)
    assert isinstance(ec2, PrefetchedEc2)
    pages = list(iter_image_pages(ec2, REGION, ListQuery(), 1000))
    assert [[i.image_id for i in p] for p in pages] == [["ami-1", "ami-2"], ["ami-3"]]
    assert answers.threads == ["first-page", "MainThread"]  # each page asked once
    assert not isinstance(aws.listing_ec2(REGION), PrefetchedEc2)  # taken: the bare client


def test_the_auto_listing_takes_it_too() -> None:
    answers = Answers(page("ami-1"))
    aws = canned_clients(answers)
    aws.prefetch([REGION], first_request(ListQuery(), 1000))
    listed = list(iter_auto_pages(aws.listing_ec2(REGION), REGION, ListQuery()))
    assert [[i.image_id for i in p] for p in listed] == [["ami-1"]]
    assert answers.threads == ["first-page"]


def test_another_query_is_asked_and_the_prefetch_left() -> None:
    answers = Answers(page("ami-1"), page("ami-9"))
    aws = canned_clients(answers)
    aws.prefetch([REGION], first_request(ListQuery(), 1000))
    answers.wait_sent(1)  # the prefetch's answer is the first page served
    amazon = ListQuery(owners=("amazon",))
    listed = list(iter_image_pages(aws.listing_ec2(REGION), REGION, amazon, 1000))
    assert [i.image_id for p in listed for i in p] == ["ami-9"]
    assert answers.threads == ["first-page", "MainThread"]
    assert isinstance(aws.listing_ec2(REGION), PrefetchedEc2)  # still there for its query


def test_an_error_is_raised_to_the_listing_once() -> None:
    answers = Answers((400, ERROR), page("ami-1"))
    aws = canned_clients(answers)
    aws.prefetch([REGION], first_request(ListQuery(), 1000))
    with pytest.raises(ClientError) as err:
        list(iter_image_pages(aws.listing_ec2(REGION), REGION, ListQuery(), 1000))
    assert err.value.response["Error"]["Code"] == "AuthFailure"
    again = list(iter_image_pages(aws.listing_ec2(REGION), REGION, ListQuery(), 1000))
    assert [i.image_id for p in again for i in p] == ["ami-1"]  # a refresh asks anew
    assert answers.threads == ["first-page", "MainThread"]


def test_other_regions_and_calls_are_untouched() -> None:
    answers = Answers(page("ami-1"), page("ami-2"))
    aws = canned_clients(answers)
    aws.prefetch([REGION], first_request(ListQuery(), 1000))
    answers.wait_sent(1)
    other = aws.listing_ec2("us-west-2")
    assert not isinstance(other, PrefetchedEc2)
    listed = list(iter_image_pages(other, "us-west-2", ListQuery(), 1000))
    assert [i.region for p in listed for i in p] == ["us-west-2"]
    wrapped = aws.listing_ec2(REGION)
    assert wrapped.meta.region_name == REGION  # the client's own attributes
