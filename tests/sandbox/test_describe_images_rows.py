"""amitui's DescribeImages parser on the sandbox's real XML: every page of every listing
scope parsed by it (no fallback), each row equal to botocore's parse + Image.from_api."""

from __future__ import annotations

import logging
from typing import Any

import boto3
import pytest

from amitui.aws.clients import AwsClients
from amitui.aws.describe_images_xml import Vocabulary, parse_page
from amitui.aws.images import IMAGE_ROWS, Image, ListQuery, iter_image_pages
from tests.support.ec2_xml import OUTPUT, botocore_answer
from tests.support.sandbox_time import finish_now

QUERIES = [
    ListQuery(),
    ListQuery(owners=("amazon",), include_deprecated=True, include_disabled=True),
    ListQuery(owners=(), executable_by_me=True),
]


def aws(sandbox: Any) -> AwsClients:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    return AwsClients(session=session, endpoint_url=sandbox.url)


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.label())
def test_every_page_parsed_and_equal_to_botocore_s(
    sandbox: Any, query: ListQuery, caplog: pytest.LogCaptureFixture
) -> None:
    # The catalogue is listed twice below: an image another test left pending must not turn
    # available between the two listings (the sandbox's states follow the clock).
    finish_now(sandbox)
    clients = aws(sandbox)
    bodies: list[bytes] = []

    def keep(response_dict: dict[str, Any] | None = None, **_: Any) -> None:
        if response_dict is not None:
            bodies.append(response_dict["body"])

    plain = clients.ec2("us-east-1")
    plain.meta.events.register("before-parse.ec2.DescribeImages", keep)
    listing = clients.listing_ec2("us-east-1")
    carried: list[bool] = []

    def rows_carried(parsed: dict[str, Any] | None = None, **_: Any) -> None:
        carried.append(IMAGE_ROWS in (parsed or {}))

    listing.meta.events.register("after-call.ec2.DescribeImages", rows_carried)
    with caplog.at_level(logging.INFO, logger="amitui.aws"):
        expected = [i for page in iter_image_pages(plain, "us-east-1", query, 50) for i in page]
        listed = [i for page in iter_image_pages(listing, "us-east-1", query, 50) for i in page]
    assert "does not recognise" not in caplog.text
    assert carried and all(carried)  # every page parsed by amitui's parser
    assert listed and listed == expected
    vocabulary = Vocabulary.of(OUTPUT)
    for body in bodies:  # the same, page by page, on the sandbox's own bytes
        answer = botocore_answer(body)
        page = parse_page(body, "us-east-1", vocabulary)
        assert page.images == [Image.from_api(raw, "us-east-1") for raw in answer["Images"]]
        assert page.next_token == answer.get("NextToken")
