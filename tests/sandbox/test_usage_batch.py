"""amitui.aws.usage_batch against the sandbox: ``check_usage_many`` answers each image as
``check_usage`` does, with DescribeImageReferences asked once per 10 images; an unknown
image in a chunk does not make its neighbours "not verified"; a failed check does."""

from __future__ import annotations

import math

import pytest

from amitui.aws.clients import AwsClients
from amitui.aws.usage_batch import check_usage_many
from amitui.aws.usage_checks import check_usage
from tests.app.helpers import available_images

REGION = "us-east-1"


@pytest.fixture
def clients(sandbox) -> AwsClients:
    return AwsClients(endpoint_url=sandbox.url)


@pytest.fixture(scope="module")
def image_ids(sandbox, ec2) -> list[str]:
    """Every seeded role of us-east-1, then other images up to 45 (five chunks)."""
    roles = [i for role, i in sandbox.summary.usage.items() if not role.startswith("lineage_")]
    others = [i["ImageId"] for i in available_images(ec2, REGION) if i["ImageId"] not in roles]
    return list(dict.fromkeys(roles + others))[:45]


def shape(usage):
    """A usage answer without its time: each check's result, references in any order."""
    return (
        usage.protection,
        [(c.title, sorted(r.line() for r in c.references), c.error, c.scope) for c in usage.checks],
    )


def count(clients, operation) -> list[dict]:
    sent: list[dict] = []
    clients.add_hook(
        f"provide-client-params.ec2.{operation}", lambda params, **_: sent.append(params)
    )
    return sent


def test_each_answer_is_check_usages_and_references_are_asked_per_ten(clients, image_ids):
    sent = count(clients, "DescribeImageReferences")
    many = check_usage_many(clients, REGION, image_ids)
    assert len(sent) == math.ceil(len(image_ids) / 10)
    assert all(len(params["ImageIds"]) <= 10 for params in sent)
    assert list(many) == image_ids
    for image_id in image_ids:
        assert shape(many[image_id]) == shape(check_usage(clients, REGION, image_id)), image_id


def test_the_seeded_roles_read_as_they_should(clients, sandbox, image_ids):
    usage = sandbox.summary.usage
    many = check_usage_many(clients, REGION, image_ids)
    assert many[usage["unused"]].clear
    assert many[usage["protected"]].protected
    for role in ("instance_only", "launch_template_v3", "asg_launch_configuration", "shared"):
        assert not many[usage[role]].clear and not many[usage[role]].unverified, role


def test_an_unknown_image_does_not_leave_its_chunk_unverified(clients, sandbox):
    unused = sandbox.summary.usage["unused"]
    gone = "ami-0123456789abcdef0"
    many = check_usage_many(clients, REGION, [unused, gone])
    assert many[unused].clear
    (failed,) = [c for c in many[gone].unverified if c.title == "Image references"]
    assert "InvalidAMIID" in (failed.error or "")


def test_without_the_api_every_image_is_not_verified(sandbox, clients, image_ids):
    sandbox.usage_api = False
    try:
        many = check_usage_many(clients, REGION, image_ids[:12])
    finally:
        sandbox.usage_api = True
    for answer in many.values():
        assert [c.title for c in answer.unverified] == ["Image references"]
        assert not answer.clear


def test_nothing_asked_nothing_answered(clients):
    assert check_usage_many(clients, REGION, []) == {}
