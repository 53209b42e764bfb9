"""The sandbox's organization (issue 18) as the app suite uses it: what was seeded, the
app listing it (``--accounts org``) and an account's own EC2 client. The ``organization``
fixture (tests/app/conftest.py) gives one."""

from __future__ import annotations

from typing import Any

import boto3

from amitui.sandbox.catalogue_org import OrgSummary
from amitui.ui.app import AmiTui
from tests.app.helpers import make_app

#: The regions the org tests list (the organization's images are seeded in both).
REGIONS = ("us-east-1", "eu-west-1")
ROLE = "OrganizationAccountAccessRole"


class Organization:
    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.url: str = sandbox.url
        #: the seeded accounts: management, members and their images, no_role, suspended
        self.summary: OrgSummary = sandbox.summary.org

    def app(self, **overrides: Any) -> AmiTui:
        """The app as ``amitui --accounts org`` over REGIONS builds it (no inventory cache
        unless ``default_cache=True``); ``overrides`` go to make_app."""
        options: dict[str, Any] = {
            "accounts": "org",
            "regions": REGIONS,
            "default_cache": False,
            **overrides,
        }
        return make_app(self.url, **options)

    def ec2(self, region: str, account: str | None = None) -> Any:
        """A boto3 EC2 client with ``account``'s own credentials (AssumeRole of the org's
        role); without one, the base (management) credentials."""
        if account is None:
            return boto3.client("ec2", endpoint_url=self.url, region_name=region)
        sts = boto3.client("sts", endpoint_url=self.url, region_name="us-east-1")
        arn = f"arn:aws:iam::{account}:role/{ROLE}"
        creds = sts.assume_role(RoleArn=arn, RoleSessionName="amitui-test")["Credentials"]
        return boto3.client(
            "ec2",
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )

    def own_images(self, account: str, region: str) -> set[str]:
        """The ids of the images ``account`` owns in ``region``, asked with its credentials."""
        pages = self.ec2(region, account).get_paginator("describe_images").paginate(Owners=["self"])
        return {i["ImageId"] for page in pages for i in page["Images"]}
