"""Organizations ListAccounts and STS AssumeRole / GetCallerIdentity on the sandbox's URL,
judged against botocore's model (issue 18), and the seeded organization they answer."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from amitui.sandbox.catalogue_org import MEMBERS, ORG_REGIONS, ROLE_NAME
from tests.sandbox.fidelity import check_xml

SESSION = botocore.session.get_session()
STS = SESSION.get_service_model("sts")
ORGS = SESSION.get_service_model("organizations")


def _post(url: str, service: str, body: str, headers: dict[str, str]) -> tuple[int, bytes]:
    credential = f"testing/20250101/us-east-1/{service}/aws4_request"
    request = urllib.request.Request(
        url + "/",
        data=body.encode(),
        headers={
            **headers,
            "Authorization": f"AWS4-HMAC-SHA256 Credential={credential}, "
            "SignedHeaders=host, Signature=0",
        },
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as failed:
        return failed.code, failed.read()


def _sts(url: str, action: str, **params: str) -> tuple[int, ET.Element]:
    body = urllib.parse.urlencode({"Action": action, "Version": "2011-06-15", **params})
    status, raw = _post(
        url, "sts", body, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    )
    return status, ET.fromstring(raw)


def _sts_result(url: str, action: str, **params: str) -> ET.Element:
    status, root = _sts(url, action, **params)
    assert status == 200, ET.tostring(root)[:300]
    assert root.tag.rsplit("}", 1)[-1] == f"{action}Response"
    result = root.find(f"./{{*}}{action}Result")
    assert result is not None, ET.tostring(root)[:300]
    check_xml(STS.operation_model(action).output_shape, result, action)
    return result


def check_json(shape: Any, value: Any, path: str) -> None:
    """Every key is a member of ``shape``, every value of the member's type (and enum)."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), path
        for key, item in value.items():
            assert key in shape.members, f"{path}/{key} is not in botocore's {shape.name}"
            check_json(shape.members[key], item, f"{path}/{key}")
    elif kind == "list":
        assert isinstance(value, list), path
        for item in value:
            check_json(shape.member, item, f"{path}/item")
    elif kind == "timestamp":
        assert isinstance(value, int | float), f"{path}: {value!r}"
    elif kind == "string":
        assert isinstance(value, str), f"{path}: {value!r}"
        if shape.enum:
            assert value in shape.enum, f"{path}: {value!r} not in {shape.enum}"


def _orgs(url: str, action: str, payload: dict[str, Any]) -> tuple[int, Any]:
    status, raw = _post(
        url,
        "organizations",
        json.dumps(payload),
        {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSOrganizationsV20161128.{action}",
        },
    )
    return status, json.loads(raw)


def test_list_accounts_fits_the_model_and_pages(sandbox: Any) -> None:
    status, answer = _orgs(sandbox.url, "ListAccounts", {"MaxResults": 2})
    assert status == 200, answer
    check_json(ORGS.operation_model("ListAccounts").output_shape, answer, "ListAccounts")
    seen = [a["Id"] for a in answer["Accounts"]]
    assert len(seen) == 2 and answer.get("NextToken")
    while answer.get("NextToken"):
        status, answer = _orgs(
            sandbox.url, "ListAccounts", {"MaxResults": 2, "NextToken": answer["NextToken"]}
        )
        assert status == 200
        seen += [a["Id"] for a in answer["Accounts"]]
    org = sandbox.summary.org
    assert seen == list(org.names)  # management, members, the suspended one: once each


def test_the_organization_as_boto3_reads_it(sandbox: Any) -> None:
    orgs = boto3.client("organizations", endpoint_url=sandbox.url, region_name="us-east-1")
    accounts = {
        a["Id"]: a
        for page in orgs.get_paginator("list_accounts").paginate()
        for a in page["Accounts"]
    }
    org = sandbox.summary.org
    assert {i: a["Name"] for i, a in accounts.items()} == org.names
    assert accounts[org.suspended]["Status"] == "SUSPENDED"
    assert {a["Status"] for i, a in accounts.items() if i != org.suspended} == {"ACTIVE"}
    assert set(MEMBERS) < set(accounts)


def test_assume_role_and_caller_identity_fit_the_model(sandbox: Any) -> None:
    member = next(iter(sandbox.summary.org.images))
    arn = f"arn:aws:iam::{member}:role/{ROLE_NAME}"
    result = _sts_result(sandbox.url, "AssumeRole", RoleArn=arn, RoleSessionName="amitui-test")
    assert result.findtext("./{*}AssumedRoleUser/{*}Arn") == (
        f"arn:aws:sts::{member}:assumed-role/{ROLE_NAME}/amitui-test"
    )
    identity = _sts_result(sandbox.url, "GetCallerIdentity")
    assert identity.findtext("./{*}Account") == sandbox.summary.org.management


def test_assume_role_without_the_role_is_access_denied_as_on_aws(sandbox: Any) -> None:
    no_role = sandbox.summary.org.no_role
    arn = f"arn:aws:iam::{no_role}:role/{ROLE_NAME}"
    status, root = _sts(sandbox.url, "AssumeRole", RoleArn=arn, RoleSessionName="amitui-test")
    assert status == 403
    assert root.tag.rsplit("}", 1)[-1] == "ErrorResponse"
    error = root.find("./{*}Error")
    assert error is not None
    assert error.findtext("{*}Type") == "Sender"
    assert error.findtext("{*}Code") == "AccessDenied"
    message = error.findtext("{*}Message") or ""
    assert message.startswith("User: arn:aws:") and message.endswith(
        f"is not authorized to perform: sts:AssumeRole on resource: {arn}"
    )
    sts = boto3.client("sts", endpoint_url=sandbox.url, region_name="us-east-1")
    with pytest.raises(ClientError) as raised:
        sts.assume_role(RoleArn=arn, RoleSessionName="amitui-test")
    assert raised.value.response["Error"]["Code"] == "AccessDenied"


def _as(sandbox: Any, account: str, service: str, region: str = "us-east-1") -> Any:
    sts = boto3.client("sts", endpoint_url=sandbox.url, region_name="us-east-1")
    arn = f"arn:aws:iam::{account}:role/{ROLE_NAME}"
    creds = sts.assume_role(RoleArn=arn, RoleSessionName="amitui-test")["Credentials"]
    return boto3.client(
        service,
        endpoint_url=sandbox.url,
        region_name=region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def test_each_member_account_owns_its_images_in_two_regions(sandbox: Any) -> None:
    org = sandbox.reset().org  # the seeded organization, whatever earlier tests made there
    assert len(org.images) >= 3
    for account, by_region in org.images.items():
        assert _as(sandbox, account, "sts").get_caller_identity()["Account"] == account
        for region in ORG_REGIONS:
            ec2 = _as(sandbox, account, "ec2", region)
            owned = ec2.describe_images(Owners=["self"])["Images"]
            assert sorted(i["ImageId"] for i in owned) == sorted(by_region[region])
            assert {i["OwnerId"] for i in owned} == {account}


def test_the_shared_image_is_seen_by_the_other_account_not_owned(sandbox: Any) -> None:
    owner, region, image_id, other = sandbox.reset().org.shared  # (as seeded: see above)
    ec2 = _as(sandbox, other, "ec2", region)
    shared = ec2.describe_images(ExecutableUsers=["self"])["Images"]
    assert [(i["ImageId"], i["OwnerId"]) for i in shared] == [(image_id, owner)]
    assert image_id not in [i["ImageId"] for i in ec2.describe_images(Owners=["self"])["Images"]]
    attribute = _as(sandbox, owner, "ec2", region).describe_image_attribute(
        ImageId=image_id, Attribute="launchPermission"
    )
    assert attribute["LaunchPermissions"] == [{"UserId": other}]
