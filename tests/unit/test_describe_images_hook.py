"""The listing client's DescribeImages hook inside botocore's own call path: rows where it
parsed the page, botocore's answer untouched where it did not (said on the debug log),
errors raised as ever, and no other call nor client affected. Answers come from a
``before-send`` handler (botocore's own way to answer without a network)."""

from __future__ import annotations

import logging
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from amitui.aws.accounts import derived_clients
from amitui.aws.debug_log import DebugLog
from amitui.aws.describe_images_xml import Vocabulary
from amitui.aws.images import IMAGE_ROWS, Image, ListQuery, iter_image_pages, page_images
from amitui.aws.partitions import iter_partitioned_pages
from tests.support.canned_http import Answers, canned_clients
from tests.support.ec2_xml import IMAGE, document, full_value

REGION = "eu-west-1"
FULL = full_value(IMAGE)
UNKNOWN = document([FULL]).replace(b"<imageId>", b"<shinyNewThing/><imageId>", 1)
ERROR = (
    b"<Response><Errors><Error><Code>InvalidAMIID.Malformed</Code><Message>no</Message>"
    b"</Error></Errors><RequestID>r-1</RequestID></Response>"
)


def test_the_listing_client_s_answer_carries_the_rows_botocore_s_does_not() -> None:
    body = document([FULL, {"ImageId": "ami-2"}], next_token="next+/=", request_id="req-9")
    aws = canned_clients(Answers((200, body), (200, body)))
    plain = aws.ec2(REGION).describe_images(MaxResults=5)
    listed = aws.listing_ec2(REGION).describe_images(MaxResults=5)
    assert IMAGE_ROWS not in plain and len(plain["Images"]) == 2
    assert "Images" not in listed
    assert listed[IMAGE_ROWS] == [Image.from_api(raw, REGION) for raw in plain["Images"]]
    assert listed["NextToken"] == plain["NextToken"] == "next+/="
    assert listed["ResponseMetadata"]["RequestId"] == "req-9"
    assert listed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert page_images(listed, REGION) == page_images(plain, REGION)


def test_a_page_it_does_not_recognise_is_botocore_s_and_the_debug_log_says_so(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    log = DebugLog(tmp_path / "debug.log")
    answers = Answers((200, document([{"ImageId": "ami-1"}], "t1")), (200, UNKNOWN))
    aws = canned_clients(answers, log)
    pages = list(iter_image_pages(aws.listing_ec2(REGION), REGION, ListQuery(), 5))
    log.close()
    assert [[i.image_id for i in page] for page in pages] == [["ami-1"], [FULL["ImageId"]]]
    assert pages[1] == [Image.from_api(FULL, REGION)]  # botocore's parse, then from_api
    text = (tmp_path / "debug.log").read_text()
    assert text.count("ec2.DescribeImages region=eu-west-1") == 2
    assert "note eu-west-1: a DescribeImages answer amitui's parser does not recognise" in text
    assert "unknown element(s) in an image: shinyNewThing" in text
    assert text.count(" note ") == 1  # the recognised page said nothing


def test_errors_are_botocore_s_and_raised_as_ever(caplog: pytest.LogCaptureFixture) -> None:
    aws = canned_clients(Answers((400, ERROR)))
    with caplog.at_level(logging.INFO, logger="amitui.aws"), pytest.raises(ClientError) as err:
        aws.listing_ec2(REGION).describe_images(MaxResults=5)
    assert err.value.response["Error"]["Code"] == "InvalidAMIID.Malformed"
    assert "does not recognise" not in caplog.text


def test_other_calls_on_the_listing_client_are_untouched() -> None:
    body = (
        b'<DescribeSnapshotsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
        b"<snapshotSet><item><snapshotId>snap-1</snapshotId></item></snapshotSet>"
        b"</DescribeSnapshotsResponse>"
    )
    aws = canned_clients(Answers((200, body)))
    answer = aws.listing_ec2(REGION).describe_snapshots(OwnerIds=["self"])
    assert answer["Snapshots"] == [{"SnapshotId": "snap-1"}]


def test_a_listing_client_per_region_apart_from_the_plain_one() -> None:
    body = document([{"ImageId": "ami-1"}])
    aws = canned_clients(Answers((200, body), (200, body)))
    listing = aws.listing_ec2(REGION)
    assert listing is aws.listing_ec2(REGION) and listing is not aws.ec2(REGION)
    assert aws.listing_ec2("us-east-1").meta.region_name == "us-east-1"
    assert listing.describe_images()[IMAGE_ROWS][0].image_id == "ami-1"
    assert aws.ec2(REGION).describe_images()["Images"][0]["ImageId"] == "ami-1"


def test_the_partitioned_listing_takes_the_rows_too() -> None:
    first = document([{"ImageId": "ami-1", "CreationDate": "2024-01-01"}], next_token="t")
    empty = document([])
    year = document([{"ImageId": "ami-2", "CreationDate": "2024-02-01"}, {"ImageId": "ami-1"}])
    answers = Answers((200, first), *[(200, year)] + [(200, empty)] * 40)
    aws = canned_clients(answers)
    listed = iter_partitioned_pages(aws.listing_ec2(REGION), REGION, ListQuery(), workers=1)
    assert [i.image_id for page in listed for i in page] == ["ami-1", "ami-2"]


def test_one_vocabulary_read_for_every_account_s_listing_clients(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[object] = []
    real = Vocabulary.of

    def counted(output_shape: object) -> Vocabulary:
        reads.append(output_shape)
        return real(output_shape)

    monkeypatch.setattr(Vocabulary, "of", counted)
    body = document([{"ImageId": "ami-1"}])
    base = canned_clients(Answers(*[(200, body)] * 6))
    other = derived_clients(
        base, boto3.Session(aws_access_key_id="ASIAOTHER", aws_secret_access_key="x")
    )
    assert other.vocabularies is base.vocabularies
    for aws in (base, other):
        for region in (REGION, "us-east-1", "ap-southeast-2"):
            answer = aws.listing_ec2(region).describe_images()
            assert answer[IMAGE_ROWS][0].image_id == "ami-1"
            assert answer[IMAGE_ROWS][0].region == region
    assert len(reads) == 1
