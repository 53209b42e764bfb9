"""amitui's DescribeImages parser against botocore's: every field of every row equal, on
documents made from botocore's model (every member of Image, recursively), generated ones
(missing optionals, empty lists, unicode, markup, entities, CDATA), and refusals for
anything it was not written for."""

from __future__ import annotations

import dataclasses
import gc
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amitui.aws import describe_images_xml
from amitui.aws.describe_images_hook import stub
from amitui.aws.describe_images_xml import Unrecognised, Vocabulary, parse_page
from amitui.aws.images import Image
from tests.support.ec2_xml import (
    IMAGE,
    NS,
    OUTPUT,
    botocore_answer,
    document,
    element_name,
    full_value,
    values,
    xml_text,
)

REGION = "eu-west-1"
VOCABULARY = Vocabulary.of(OUTPUT)


def fields(image: Image) -> list[tuple[str, str, Any]]:
    """Every field with its type: ``True == 1`` must not pass for equal."""
    return [
        (f.name, type(getattr(image, f.name)).__name__, getattr(image, f.name))
        for f in dataclasses.fields(image)
    ]


def assert_same_as_botocore(body: bytes) -> list[Image]:
    """Our rows, NextToken and request id are botocore's parse + ``Image.from_api``."""
    page = parse_page(body, REGION, VOCABULARY)
    answer = botocore_answer(body)
    expected = [Image.from_api(raw, REGION) for raw in answer.get("Images", ())]
    assert [fields(i) for i in page.images] == [fields(i) for i in expected]
    assert page.next_token == answer.get("NextToken")
    # What the hook hands botocore instead of the body parses to the same answer, bar Images.
    stubbed = botocore_answer(stub(page.request_id, page.next_token))
    assert stubbed.get("NextToken") == answer.get("NextToken")
    assert stubbed["ResponseMetadata"] == answer["ResponseMetadata"]
    assert "Images" not in stubbed
    return page.images


def _element_names(shape: Any, seen: tuple[str, ...] = ()) -> set[str]:
    names: set[str] = set()
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            names.add(element_name(name, member))
            if member.name not in seen:
                names |= _element_names(member, (*seen, member.name))
    elif shape.type_name == "list":
        names |= _element_names(shape.member, seen)
    return names


def test_every_member_of_the_model_s_image_is_in_the_full_document() -> None:
    body = document([full_value(IMAGE)]).decode()
    names = _element_names(IMAGE)
    assert len(names) > 60  # the walk reached the nested shapes
    assert all(f"<{n}>" in body for n in names), names - {n for n in names if f"<{n}>" in body}


@pytest.mark.parametrize("style", ["escape", "refs", "cdata"])
@pytest.mark.parametrize("pretty", [True, False])
def test_every_member_of_image_present(style: str, pretty: bool) -> None:
    full = full_value(IMAGE)
    rows = assert_same_as_botocore(document([full, full], "token==", style=style, pretty=pretty))
    assert len(rows) == 2 and rows[0].tags and rows[0].snapshot_ids and rows[0].allowed is True


def test_each_member_of_image_missing_in_turn() -> None:
    full = full_value(IMAGE)
    images = [{k: v for k, v in full.items() if k != name} for name in IMAGE.members]
    assert len(assert_same_as_botocore(document(images))) == len(IMAGE.members)


def _bdm(device: str | None = None, **parts: Any) -> dict[str, Any]:
    return {**({"DeviceName": device} if device is not None else {}), **parts}


@pytest.mark.parametrize(
    "image",
    [
        {},  # an empty <item/>
        {"ImageId": "ami-1", "BlockDeviceMappings": [], "Tags": []},  # empty lists
        {"ImageId": "ami-2", "Name": "", "Description": "", "ImageAllowed": False},
        {  # root by name, an ephemeral disk, a no-device entry, an empty ebs
            "ImageId": "ami-3",
            "RootDeviceName": "/dev/sda1",
            "BlockDeviceMappings": [
                _bdm("/dev/sdb", VirtualName="ephemeral0"),
                _bdm("/dev/sdc", NoDevice=""),
                _bdm("/dev/sdd", Ebs={}),
                _bdm("/dev/sda1", Ebs={"VolumeSize": 30, "SnapshotId": "snap-1"}),
                _bdm("/dev/sde", Ebs={"VolumeSize": 100, "Encrypted": True}),
            ],
        },
        {  # no root device name: the first mapping's size, every size summed
            "ImageId": "ami-4",
            "BlockDeviceMappings": [
                _bdm("/dev/xvda", Ebs={"VolumeSize": 8, "Encrypted": False}),
                _bdm(Ebs={"VolumeSize": 2, "SnapshotId": ""}),
            ],
        },
        {  # a root device no mapping names: no root size
            "ImageId": "ami-4b",
            "RootDeviceName": "/dev/sda1",
            "BlockDeviceMappings": [_bdm("/dev/sdb", Ebs={"VolumeSize": 100})],
        },
        {  # an ebs without a size; a mapping without a device name
            "ImageId": "ami-5",
            "RootDeviceName": "",
            "BlockDeviceMappings": [_bdm(Ebs={"SnapshotId": "snap-2"})],
        },
        {  # tags without key or value, unicode, markup
            "ImageId": "ami-6",
            "Name": "[web] <b>build</b> & co ✓ 😀",
            "Tags": [{"Key": "Team"}, {"Value": "x"}, {"Key": "名前", "Value": "a&amp;b"}],
        },
        {"ImageId": "ami-7", "Platform": "windows", "PlatformDetails": ""},
        {"ImageId": "ami-8", "Platform": "windows"},
        {"ImageId": "ami-9", "Description": "line one\r\nline two\ttab  "},
    ],
)
def test_hand_picked_images(image: dict[str, Any]) -> None:
    for style in ("escape", "refs", "cdata"):
        assert_same_as_botocore(document([image], style=style))


def test_no_images_set_and_empty_answers() -> None:
    assert_same_as_botocore(document([]))
    assert_same_as_botocore(document([], next_token="", request_id=None, pretty=False))
    bare = f'<DescribeImagesResponse xmlns="{NS}"><requestId/></DescribeImagesResponse>'
    assert assert_same_as_botocore(bare.encode()) == []


def test_no_namespace_and_other_declared_encodings() -> None:
    body = document([full_value(IMAGE)]).replace(f' xmlns="{NS}"'.encode(), b"")
    assert len(assert_same_as_botocore(body)) == 1
    latin = document([{"ImageId": "ami-1", "Name": "é"}]).replace(b"UTF-8", b"ISO-8859-1")
    assert_same_as_botocore(latin)  # both read UTF-8 whatever the declaration says


def test_a_page_many_pieces_long_is_read_the_same() -> None:
    """Images across the pieces the body is read in (``CHUNK``): multibyte text, entities
    and CDATA fall on the pieces' edges somewhere among 200 images."""
    images = [
        {**full_value(IMAGE), "ImageId": f"ami-{i:08x}", "Name": f"名前 {i} &amp; <b>"}
        for i in range(200)
    ]
    for style in ("escape", "cdata"):
        body = document(images, "token==", style=style)
        assert len(body) > 20 * describe_images_xml.CHUNK
        assert len(assert_same_as_botocore(body)) == 200


def test_the_tree_holds_a_piece_of_the_page_not_the_page(monkeypatch) -> None:
    """Python's live memory blocks as each row is made, above those before the parse and
    those the rows made so far hold: the whole tree of this page was 868,000 (the parser
    before it read a piece at a time), and every listing thread's set a peak Python's
    allocator kept mapped."""
    body = document([{**full_value(IMAGE), "ImageId": f"ami-{i:08x}"} for i in range(1000)])
    seen: list[int] = []

    def row(**fields: Any) -> Image:
        seen.append(sys.getallocatedblocks())
        return Image(**fields)

    monkeypatch.setattr(describe_images_xml, "Image", row)
    gc.collect()
    start = sys.getallocatedblocks()
    page = parse_page(body, REGION, VOCABULARY)
    per_row = (sys.getallocatedblocks() - start) / len(page.images)  # the tree is gone
    assert len(page.images) == 1000 and per_row < 100
    above = [blocks - start - made * per_row for made, blocks in enumerate(seen)]
    assert max(above) < 30_000, max(above)


documents = st.builds(
    document,
    st.lists(values(IMAGE), max_size=4),
    st.none() | xml_text,
    st.none() | xml_text,
    st.sampled_from(["escape", "refs", "cdata"]),
    st.booleans(),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_generated_documents(body: bytes) -> None:
    assert_same_as_botocore(body)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<DescribeImagesResponse><imagesSet>", "not well-formed"),
        (b"", "not well-formed"),
        (b"<DescribeImagesResponse>\xff</DescribeImagesResponse>", "not well-formed"),
        (
            b"<Response><Errors><Error><Code>Boom</Code></Error></Errors></Response>",
            "root element is Response",
        ),
        (
            b"<DescribeImagesResponse><somethingNew>1</somethingNew></DescribeImagesResponse>",
            "unknown element(s) in the response: somethingNew",
        ),
        (
            b"<DescribeImagesResponse><imagesSet/><imagesSet/></DescribeImagesResponse>",
            "a repeated element in the response",
        ),
        (
            b"<DescribeImagesResponse><imagesSet><image/></imagesSet></DescribeImagesResponse>",
            "<image> in imagesSet",
        ),
    ],
)
def test_what_it_does_not_recognise(body: bytes, reason: str) -> None:
    with pytest.raises(Unrecognised, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_page(body, REGION, VOCABULARY)


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ("<imageId>ami-1</imageId><fancyNewField>x</fancyNewField>", "fancyNewField"),
        ("<name>a</name><name>b</name>", "a repeated element in an image"),
        ("<tagSet><tag><key>k</key></tag></tagSet>", "<tag> in tagSet"),
        ("<tagSet><item><key>k</key><colour>red</colour></item></tagSet>", "colour"),
        (
            "<blockDeviceMapping><item><ebs><volumeSize>big</volumeSize></ebs></item>"
            "</blockDeviceMapping>",
            "<volumeSize> is not an integer",
        ),
        (
            "<blockDeviceMapping><item><ebs><volumeSize/></ebs></item></blockDeviceMapping>",
            "<volumeSize> is not an integer",
        ),
        (
            "<blockDeviceMapping><item><ebs><gigabytes>1</gigabytes></ebs></item>"
            "</blockDeviceMapping>",
            "unknown element(s) in ebs: gigabytes",
        ),
        ("<blockDeviceMapping><item><slot>1</slot></item></blockDeviceMapping>", "slot"),
        ('<x:name xmlns:x="urn:other">a</x:name>', "name"),  # another namespace
    ],
)
def test_what_it_does_not_recognise_in_an_image(item: str, reason: str) -> None:
    body = f'<DescribeImagesResponse xmlns="{NS}"><imagesSet><item>{item}</item></imagesSet>'
    with pytest.raises(Unrecognised) as refused:
        parse_page(f"{body}</DescribeImagesResponse>".encode(), REGION, VOCABULARY)
    assert reason in str(refused.value)


def test_the_vocabulary_is_the_model_s() -> None:
    assert {"imageId", "blockDeviceMapping", "tagSet", "imageAllowed"} <= VOCABULARY.image
    assert "VolumeInitializationRate" in VOCABULARY.ebs  # a member without a locationName
    assert VOCABULARY.response == {"imagesSet", "nextToken", "requestId"}
    assert VOCABULARY.tag == {"key", "value"}
