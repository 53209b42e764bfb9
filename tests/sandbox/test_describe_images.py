"""DescribeImages over HTTP: MaxResults/NextToken paging and visibility rules."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from .ec2_helpers import error_code


def all_pages(client, page_size: int, **kwargs) -> list[list[dict]]:
    pages, token = [], None
    while True:
        extra = {"NextToken": token} if token else {}
        answer = client.describe_images(MaxResults=page_size, **kwargs, **extra)
        pages.append(answer["Images"])
        token = answer.get("NextToken")
        if not token:
            return pages


def ids(images: list[dict]) -> list[str]:
    return [image["ImageId"] for image in images]


def test_pages_cover_the_unpaged_answer_once_each_in_a_stable_order(ec2):
    client = ec2("us-east-1")
    everything = ids(client.describe_images(Owners=["self"])["Images"])
    pages = all_pages(client, 50, Owners=["self"])
    paged = [image_id for page in pages for image_id in ids(page)]
    assert all(len(page) <= 50 for page in pages)
    assert len(pages) >= 4  # 180 seeded own images in us-east-1
    assert len(paged) == len(set(paged)) == len(everything)
    assert set(paged) == set(everything)
    assert paged == sorted(paged)
    again = client.describe_images(Owners=["self"], MaxResults=50)
    assert ids(again["Images"]) == ids(pages[0])


def test_unpaged_answer_has_no_token(ec2):
    answer = ec2("eu-west-1").describe_images(Owners=["self"])
    assert "NextToken" not in answer
    assert len(answer["Images"]) >= 100


def test_the_token_is_opaque_and_the_last_page_has_none(ec2):
    client = ec2("ap-southeast-2")
    first = client.describe_images(Owners=["self"], MaxResults=5)
    token = first["NextToken"]
    assert "ami-" not in token and len(first["Images"]) == 5
    pages = all_pages(client, 1000, Owners=["self"])
    assert len(pages) == 1


def test_paging_the_public_amazon_catalogue(ec2):
    client = ec2("us-east-1")
    first = client.describe_images(Owners=["amazon"], MaxResults=5)
    second = client.describe_images(Owners=["amazon"], MaxResults=5, NextToken=first["NextToken"])
    assert {i["ImageOwnerAlias"] for i in first["Images"] + second["Images"]} == {"amazon"}
    assert len(set(ids(first["Images"] + second["Images"]))) == 10
    assert max(ids(first["Images"])) < min(ids(second["Images"]))


@pytest.mark.parametrize("bad", [0, 4, 1001, 5000])
def test_max_results_out_of_range_is_invalid_parameter_value(ec2, bad):
    with pytest.raises(ClientError) as info:
        ec2().describe_images(Owners=["self"], MaxResults=bad)
    assert error_code(info) == "InvalidParameterValue"
    assert str(bad) in info.value.response["Error"]["Message"]


@pytest.mark.parametrize("edge", [5, 1000])
def test_max_results_edges_are_accepted(ec2, edge):
    client = ec2()
    total = len(client.describe_images(Owners=["self"])["Images"])
    answer = client.describe_images(Owners=["self"], MaxResults=edge)
    assert len(answer["Images"]) == min(edge, total)
    assert ("NextToken" in answer) == (total > edge)


def test_max_results_with_image_ids_is_refused_like_aws(ec2):
    client = ec2()
    some_id = client.describe_images(Owners=["self"], MaxResults=5)["Images"][0]["ImageId"]
    with pytest.raises(ClientError) as info:
        client.describe_images(ImageIds=[some_id], MaxResults=5)
    assert error_code(info) == "InvalidParameterCombination"


@pytest.mark.parametrize("token", ["garbage", "eyJ2IjoxfQ", "!!!", "e30"])
def test_a_bad_token_is_invalid_parameter_value(ec2, token):
    with pytest.raises(ClientError) as info:
        ec2().describe_images(Owners=["self"], MaxResults=5, NextToken=token)
    assert error_code(info) == "InvalidParameterValue"


def test_a_token_from_another_query_is_refused(ec2):
    client = ec2()
    token = client.describe_images(Owners=["self"], MaxResults=5)["NextToken"]
    with pytest.raises(ClientError) as info:
        client.describe_images(Owners=["amazon"], MaxResults=5, NextToken=token)
    assert error_code(info) == "InvalidParameterValue"
    with pytest.raises(ClientError):
        ec2("eu-west-1").describe_images(Owners=["self"], MaxResults=5, NextToken=token)


def test_filters_apply_before_paging(ec2):
    client = ec2()
    query = {"Owners": ["self"], "Filters": [{"Name": "architecture", "Values": ["arm64"]}]}
    unpaged = ids(client.describe_images(**query)["Images"])
    pages = all_pages(client, 5, **query)
    paged = [image for page in pages for image in page]
    assert {image["Architecture"] for image in paged} == {"arm64"}
    assert sorted(ids(paged)) == sorted(unpaged)
    assert len(pages) > 1


def test_image_ids_that_never_existed_fail_the_call_as_on_aws(ec2):
    client = ec2()
    with pytest.raises(ClientError) as info:
        client.describe_images(ImageIds=["ami-00000000000000000"])
    assert error_code(info) == "InvalidAMIID.NotFound"
    known = client.describe_images(Owners=["self"], MaxResults=5)["Images"][0]["ImageId"]
    with pytest.raises(ClientError) as info:  # one unknown id fails the whole call
        client.describe_images(ImageIds=[known, "ami-00000000000000000"])
    assert error_code(info) == "InvalidAMIID.NotFound"
    assert "ami-00000000000000000" in str(info.value) and known not in str(info.value)
    with pytest.raises(ClientError) as info:
        client.describe_images(ImageIds=["image-1"])
    assert error_code(info) == "InvalidAMIID.Malformed"


def test_pages_stay_free_of_duplicates_while_images_are_added(ec2):
    client = ec2("eu-west-1")
    first = client.describe_images(Owners=["self"], MaxResults=50)
    source = first["Images"][0]
    for index in range(3):
        client.copy_image(
            Name=f"paging-insert-{index}",
            SourceImageId=source["ImageId"],
            SourceRegion="eu-west-1",
        )
    seen = ids(first["Images"])
    token = first["NextToken"]
    while token:
        answer = client.describe_images(Owners=["self"], MaxResults=50, NextToken=token)
        seen += ids(answer["Images"])
        token = answer.get("NextToken")
    assert len(seen) == len(set(seen))


def test_disabled_images_need_include_disabled_but_ids_always_find_them(ec2):
    client = ec2()
    default = ids(client.describe_images(Owners=["self"])["Images"])
    everything = client.describe_images(Owners=["self"], IncludeDisabled=True)["Images"]
    disabled = [image["ImageId"] for image in everything if image["State"] == "disabled"]
    assert disabled, "the catalogue seeds some disabled images"
    assert not set(disabled) & set(default)
    assert len(everything) == len(default) + len(disabled)
    by_id = client.describe_images(ImageIds=disabled[:1])["Images"]
    assert by_id[0]["State"] == "disabled"


def test_own_deprecated_images_are_listed_with_their_deprecation_time(ec2):
    images = ec2().describe_images(Owners=["self"])["Images"]
    deprecated = [image for image in images if "DeprecationTime" in image]
    assert deprecated
    assert all(image["DeprecationTime"].endswith("Z") for image in deprecated)
