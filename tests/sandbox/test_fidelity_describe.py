"""Fidelity, DescribeImages: issue 13 points 1, 3, 4, 8 and 10 against AWS's documentation.

Each check names the point it holds the sandbox to. Answers are read raw (HTTP status,
EC2 error code, XML checked against botocore's output shape) where the shape matters,
and through boto3 where the content does.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from amitui.sandbox.catalogue_others import PARTNER_ACCOUNT, VENDOR_ACCOUNT
from amitui.sandbox.responses import SandboxEC2Response
from tests.support.sandbox_time import forget_deregistered

from .ec2_helpers import error_code, own_available, pending_for, unique
from .fidelity import Raw, filter_names, ok, refused

ACCOUNT = "123456789012"


def ids(images: list[dict]) -> set[str]:
    return {image["ImageId"] for image in images}


def names(client, *filters: tuple[str, list[str]], **kwargs) -> list[str]:
    query = [{"Name": name, "Values": values} for name, values in filters]
    return [i["Name"] for i in client.describe_images(Filters=query, **kwargs)["Images"]]


# 1. Every documented filter works; an unknown one is refused; never a 500 with HTML -------


@pytest.mark.parametrize("name", filter_names())
def test_1_every_documented_filter_answers_200_xml_that_fits_the_model(sandbox, name):
    answer = Raw(sandbox.url).call(
        "DescribeImages", Owners=["self"], Filters=[{"Name": name, "Values": ["*"]}]
    )
    ok(answer, "DescribeImages")


def test_1_the_new_filters_select_what_they_name(ec2):
    client = ec2()
    own = client.describe_images(Owners=["self"])["Images"]
    uefi = client.describe_images(
        Owners=["self"], Filters=[{"Name": "boot-mode", "Values": ["uefi"]}]
    )
    assert ids(uefi["Images"]) == {i["ImageId"] for i in own if i.get("BootMode") == "uefi"}
    big = client.describe_images(
        Owners=["self"], Filters=[{"Name": "block-device-mapping.volume-size", "Values": ["500"]}]
    )["Images"]
    assert big and all(
        any(m.get("Ebs", {}).get("VolumeSize") == 500 for m in i["BlockDeviceMappings"])
        for i in big
    )
    one = own[0]
    assert ids(
        client.describe_images(
            Owners=["self"], Filters=[{"Name": "description", "Values": [one["Description"]]}]
        )["Images"]
    ) == {i["ImageId"] for i in own if i.get("Description") == one["Description"]}
    location = client.describe_images(
        Filters=[{"Name": "manifest-location", "Values": [one["ImageLocation"]]}]
    )["Images"]
    assert one["ImageId"] in ids(location)
    failed = client.describe_images(
        Owners=["self"],
        Filters=[{"Name": "state-reason-code", "Values": ["Server.InternalError"]}],
    )["Images"]
    seeded = [i for i in own if i["State"] == "failed"]
    assert {i["State"] for i in failed} == {"failed"} and ids(seeded) <= ids(failed)
    by_message = client.describe_images(
        Owners=["self"], Filters=[{"Name": "state-reason-message", "Values": ["*sandbox-fail*"]}]
    )["Images"]
    assert ids(by_message) == ids(failed)
    free = client.describe_images(
        Owners=["amazon"], Filters=[{"Name": "free-tier-eligible", "Values": ["true"]}]
    )["Images"]
    assert free and all(i["Name"].startswith(("amzn", "al2023")) for i in free)
    assert not client.describe_images(
        Owners=["self"], Filters=[{"Name": "ramdisk-id", "Values": ["*"]}]
    )["Images"]


def test_1_source_image_filters_find_a_copy(ec2):
    client = ec2("eu-west-1")
    source = own_available(client)
    copy_id = client.copy_image(
        Name=unique("fidelity-source"), SourceImageId=source["ImageId"], SourceRegion="eu-west-1"
    )["ImageId"]
    found = client.describe_images(
        Filters=[
            {"Name": "source-image-id", "Values": [source["ImageId"]]},
            {"Name": "source-image-region", "Values": ["eu-west-1"]},
        ]
    )["Images"]
    assert copy_id in ids(found)


@pytest.mark.parametrize("name", ["bogus", "Name", "tag", "image_id", "block-device-mapping"])
def test_1_an_unknown_filter_is_invalid_parameter_value_400(sandbox, name):
    answer = Raw(sandbox.url).call("DescribeImages", Filters=[{"Name": name, "Values": ["x"]}])
    assert refused(answer, "InvalidParameterValue") == f"The filter '{name}' is invalid"


def test_1_a_failure_inside_the_sandbox_is_a_500_xml_internal_error(sandbox, monkeypatch):
    def boom(self):
        raise KeyError("a bug in the sandbox")

    monkeypatch.setattr(SandboxEC2Response, "describe_images", boom)
    answer = Raw(sandbox.url).call("DescribeImages", Owners=["self"])
    assert answer.status == 500 and "xml" in answer.content_type
    assert answer.error[0] == "InternalError"
    client = boto3.client(
        "ec2",
        region_name="us-east-1",
        endpoint_url=sandbox.url,
        config=Config(retries={"total_max_attempts": 1}),
    )
    with pytest.raises(ClientError) as info:  # not botocore's ResponseParserError
        client.describe_images(Owners=["self"])
    assert error_code(info) == "InternalError"


# 3. ExecutableUsers: explicit launch permissions only; public images only for `all` ----


def test_3_executable_users_self_is_images_shared_with_the_caller(ec2):
    found = ec2().describe_images(ExecutableUsers=["self"])["Images"]
    assert found
    assert {i["OwnerId"] for i in found} == {PARTNER_ACCOUNT}
    assert not any(i["Public"] for i in found)
    same = ec2().describe_images(ExecutableUsers=[ACCOUNT])["Images"]
    assert ids(same) == ids(found)


def test_3_executable_users_all_is_public_images_only(ec2):
    found = ec2().describe_images(ExecutableUsers=["all"], Owners=["self", VENDOR_ACCOUNT])[
        "Images"
    ]
    assert found and all(i["Public"] for i in found)
    assert {i["OwnerId"] for i in found} == {ACCOUNT, VENDOR_ACCOUNT}


def test_3_executable_users_another_account_is_what_is_shared_with_it(ec2):
    found = ec2().describe_images(ExecutableUsers=[PARTNER_ACCOUNT])["Images"]
    assert found and {i["OwnerId"] for i in found} == {ACCOUNT}
    assert not any(i["Public"] for i in found)


# 4. Wildcards: only * and ?; [ and ] are literal; creation-date=<day>T* -----------------


def test_4_brackets_are_literal_and_only_star_and_question_mark_are_wildcards(ec2):
    client = ec2()
    bracketed = names(client, ("name", ["[bold]*"]), Owners=["self"])
    assert bracketed and all(n.startswith("[bold]release[/bold]") for n in bracketed)
    exact = bracketed[0]
    assert names(client, ("name", [exact])) == [exact]
    assert names(client, ("name", [exact.replace("[", "?", 1)])) == [exact]
    assert names(client, ("name", ["[b]*"])) == []  # not a character class
    assert names(client, ("name", ["\\[bold\\]*"])) == []  # a backslash only escapes * ? \\


def test_4_creation_date_day_wildcard_is_the_documented_example(ec2):
    client = ec2()
    own = client.describe_images(Owners=["self"])["Images"]
    day = own[0]["CreationDate"][:10]
    found = client.describe_images(
        Owners=["self"], Filters=[{"Name": "creation-date", "Values": [f"{day}T*"]}]
    )["Images"]
    assert ids(found) == {i["ImageId"] for i in own if i["CreationDate"].startswith(day)}
    assert own[0]["ImageId"] in ids(found)


# 8. A deregistered image is described by id, State deregistered, for a while; then nothing


def test_8_a_deregistered_image_is_listed_briefly_by_id_then_not(ec2, sandbox):
    client = ec2("ap-southeast-2")
    source = own_available(client)
    with pending_for(sandbox, 600.0):  # "a while": however loaded, it is still described
        copy_id = client.copy_image(
            Name=unique("fidelity-deregister"),
            SourceImageId=source["ImageId"],
            SourceRegion="ap-southeast-2",
        )["ImageId"]
        client.deregister_image(ImageId=copy_id)
    first = client.describe_images(ImageIds=[copy_id])["Images"]
    assert [i["State"] for i in first] == ["deregistered"]
    assert copy_id not in ids(client.describe_images(Owners=["self"])["Images"])
    assert forget_deregistered(sandbox) >= 1  # the while ends now, not when a clock says
    assert client.describe_images(ImageIds=[copy_id])["Images"] == []


# 10. Malformed ids, other accounts' deprecated and shared images ------------------------


@pytest.mark.parametrize("bad", ["ami-zzzz", "ami-1234", "ami-0123456789abcdefg", "AMI-12345678"])
def test_10_a_malformed_image_id_is_invalid_ami_id_malformed(sandbox, bad):
    refused(Raw(sandbox.url).call("DescribeImages", ImageIds=[bad]), "InvalidAMIID.Malformed")


def test_10_include_deprecated_shows_other_accounts_deprecated_images(ec2):
    client = ec2()
    others = [PARTNER_ACCOUNT, VENDOR_ACCOUNT]
    plain = client.describe_images(Owners=others)["Images"]
    everything = client.describe_images(Owners=others, IncludeDeprecated=True)["Images"]
    deprecated = ids(everything) - ids(plain)
    assert len(deprecated) == 3  # one shared by the partner, two public of the vendor
    assert all("DeprecationTime" in i for i in everything if i["ImageId"] in deprecated)
    by_id = client.describe_images(ImageIds=sorted(deprecated))["Images"]
    assert ids(by_id) == deprecated


def test_10_another_accounts_unshared_image_is_invisible(ec2, sandbox):
    secret = sandbox.summary.others["us-east-1"][-1]
    client = ec2()
    assert secret not in ids(client.describe_images(IncludeDeprecated=True)["Images"])
    with pytest.raises(ClientError) as info:
        client.describe_images(ImageIds=[secret])
    assert error_code(info) == "InvalidAMIID.NotFound"
