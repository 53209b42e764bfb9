"""amitui.aws.usage_checks against the sandbox: each seeded role is found by the check
that can see it and named as the user needs it; a template longer than the API's version
depth is still covered to its first version; a failing check is "not verified"."""

from __future__ import annotations

import pytest

from amitui.aws.clients import AwsClients
from amitui.aws.usage_checks import check_usage


@pytest.fixture(scope="module")
def usage(sandbox) -> dict[str, str]:
    return sandbox.summary.usage


@pytest.fixture
def clients(sandbox) -> AwsClients:
    return AwsClients(endpoint_url=sandbox.url)


def lines(answer) -> list[str]:
    return [r.line() for r in answer.references]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("instance_only", "instance i-"),
        ("launch_template_v3", "(app-fleet) — version 3 of 5"),
        ("ssm_only", "SSM parameter /golden/payments/ami"),
        ("image_recipe_only", "image recipe "),
        ("container_recipe_only", "container recipe "),
        ("asg_latest", "Auto Scaling group web-asg — launch template web-asg-template $Latest"),
        ("asg_default", "Auto Scaling group batch-asg — launch template web-asg-template $Default"),
        ("asg_explicit", "Auto Scaling group api-asg — launch template api-template 1"),
        ("asg_launch_configuration", "Auto Scaling group legacy-asg — launch configuration"),
    ],
)
def test_each_role_is_found_and_named(clients, usage, role, expected):
    answer = check_usage(clients, "us-east-1", usage[role])
    assert answer.unverified == ()
    assert any(expected in line for line in lines(answer)), lines(answer)
    assert not answer.clear


def test_an_unused_image_is_clear_and_a_protected_or_shared_one_is_not(clients, usage):
    assert check_usage(clients, "us-east-1", usage["unused"]).clear
    protected = check_usage(clients, "us-east-1", usage["protected"])
    assert protected.protected and protected.protection == "enabled-without-cooldown"
    shared = check_usage(clients, "us-east-1", usage["shared"])
    assert {"account 210987654321", "account 456789012345"} <= {
        f"{r.kind} {r.id}" for r in shared.references
    }


def test_every_launch_template_version_is_asked_for(clients, usage):
    """The check asks for the deepest version depth AWS allows (10000: a template's every
    version), not AWS's default of 10."""
    sent: list[dict] = []
    clients.add_hook(
        "provide-client-params.ec2.DescribeImageReferences",
        lambda params, **_: sent.append(params),
    )
    check_usage(clients, "us-east-1", usage["unused"])
    (params,) = sent
    options = {t["ResourceType"]: t.get("ResourceTypeOptions") for t in params["ResourceTypes"]}
    assert options["ec2:LaunchTemplate"] == [
        {"OptionName": "version-depth", "OptionValues": ["10000"]}
    ]


def test_without_the_api_the_reference_check_is_not_verified(sandbox, clients, usage):
    sandbox.usage_api = False
    try:
        answer = check_usage(clients, "us-east-1", usage["unused"])
    finally:
        sandbox.usage_api = True
    (failed,) = answer.unverified
    assert failed.title == "Image references" and failed.error
    assert not answer.clear
