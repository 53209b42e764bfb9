"""amitui/aws/accounts.py against the sandbox's organization (issue 18)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.credentials import RefreshableCredentials
from dateutil.tz import tzlocal

from amitui.aws.accounts import (
    AccountDirectory,
    AccountsSpec,
    AccountUnavailable,
    parse_accounts,
)
from amitui.aws.clients import AwsClients
from amitui.settings import SettingsError, build_settings


def _base(sandbox: Any) -> AwsClients:
    return AwsClients(endpoint_url=sandbox.url, default_region="us-east-1")


def test_parse_accounts_forms() -> None:
    assert parse_accounts("org") == AccountsSpec("org")
    assert parse_accounts("111111111111, 222222222222").values == ("111111111111", "222222222222")
    assert parse_accounts("profiles:dev,prod") == AccountsSpec("profiles", ("dev", "prod"))
    for bad in ("1234", "org,111111111111", "profiles:", ""):
        with pytest.raises(ValueError):
            parse_accounts(bad)


def test_settings_take_accounts_role_name_from_flag_env_and_config(tmp_path: Any) -> None:
    config = tmp_path / "config.toml"
    config.write_text('role_name = "FromConfig"\naccounts = "org"\nmax_concurrency = 4\n')
    settings = build_settings({}, env={}, config_path=config)
    assert (settings.accounts, settings.role_name, settings.max_concurrency) == (
        "org",
        "FromConfig",
        4,
    )
    settings = build_settings({}, env={"AMITUI_ROLE_NAME": "FromEnv"}, config_path=config)
    assert settings.role_name == "FromEnv"
    settings = build_settings({"role_name": "FromFlag"}, env={"AMITUI_ROLE_NAME": "FromEnv"})
    assert settings.role_name == "FromFlag"
    assert build_settings({}, env={}).role_name == "OrganizationAccountAccessRole"
    with pytest.raises(SettingsError, match="12-digit"):
        build_settings({"accounts": "12345"}, env={})
    with pytest.raises(SettingsError, match="role name"):
        build_settings({"role_name": "no spaces allowed"}, env={})


def test_org_lists_the_active_accounts_with_their_names(sandbox: Any) -> None:
    org = sandbox.summary.org
    directory = AccountDirectory(_base(sandbox), parse_accounts("org"))
    accounts = directory.accounts()
    assert [a.id for a in accounts] == [i for i in org.names if i != org.suspended]
    assert directory.name_of(org.no_role) == org.names[org.no_role]


def test_each_account_gets_its_own_clients_and_own_images(sandbox: Any) -> None:
    org = sandbox.summary.org
    base = _base(sandbox)
    directory = AccountDirectory(base, parse_accounts("org"))
    assert directory.clients(org.management) is base  # no role in one's own account
    for account, by_region in org.images.items():
        clients = directory.clients(account)
        assert clients.identity().account == account
        owned = clients.ec2("eu-west-1").describe_images(Owners=["self"])["Images"]
        assert sorted(i["ImageId"] for i in owned) == sorted(by_region["eu-west-1"])


def test_an_account_without_the_role_is_a_failure_with_its_reason(sandbox: Any) -> None:
    org = sandbox.summary.org
    base = _base(sandbox)
    calls: list[str] = []
    base.add_hook("before-call.sts.AssumeRole", lambda **_: calls.append("assume"))
    directory = AccountDirectory(base, parse_accounts("org"))
    with pytest.raises(AccountUnavailable, match="AccessDenied") as raised:
        directory.clients(org.no_role)
    assert "OrganizationAccountAccessRole" in str(raised.value)
    with pytest.raises(AccountUnavailable):
        directory.clients(org.no_role)
    assert calls == ["assume"]  # remembered: asked once
    assert set(directory.failures()) == {org.no_role}
    member = next(iter(org.images))
    assert directory.clients(member).identity().account == member  # the others go on


def test_ids_and_a_wrong_role_name(sandbox: Any) -> None:
    member = next(iter(sandbox.summary.org.images))
    directory = AccountDirectory(_base(sandbox), parse_accounts(member), role_name="NoSuchRole")
    assert [a.id for a in directory.accounts()] == [member]
    with pytest.raises(AccountUnavailable, match="NoSuchRole"):
        directory.clients(member)


def test_assumed_credentials_refresh_before_they_expire(sandbox: Any) -> None:
    member = next(iter(sandbox.summary.org.images))
    clients = AccountDirectory(_base(sandbox), parse_accounts("org")).clients(member)
    credentials = clients.session.get_credentials()
    assert isinstance(credentials, RefreshableCredentials)
    first = credentials.get_frozen_credentials().access_key
    # Five minutes left: inside botocore's mandatory refresh window (10 minutes).
    credentials._expiry_time = credentials._expiry_time.astimezone(tzlocal()) - timedelta(
        minutes=55
    )
    assert credentials.refresh_needed()
    assert credentials.get_frozen_credentials().access_key != first
    assert not credentials.refresh_needed()
    assert clients.identity().account == member


def test_profiles_each_sign_in_to_their_account(sandbox: Any, tmp_path: Any, monkeypatch) -> None:
    import boto3

    member = next(iter(sandbox.summary.org.images))
    sts = boto3.client("sts", endpoint_url=sandbox.url, region_name="us-east-1")
    arn = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    creds = sts.assume_role(RoleArn=arn, RoleSessionName="amitui-test")["Credentials"]
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[dev]\n"
        f"aws_access_key_id = {creds['AccessKeyId']}\n"
        f"aws_secret_access_key = {creds['SecretAccessKey']}\n"
        f"aws_session_token = {creds['SessionToken']}\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    directory = AccountDirectory(_base(sandbox), parse_accounts("profiles:dev,gone"))
    accounts = directory.accounts()
    assert [a.key for a in accounts] == ["profile:dev", "profile:gone"]
    clients = directory.clients("profile:dev")
    assert clients.identity().account == member
    assert directory.name_of(member) == "dev"
    owned = clients.ec2("us-east-1").describe_images(Owners=["self"])["Images"]
    assert {i["OwnerId"] for i in owned} == {member}
    with pytest.raises(AccountUnavailable, match="gone"):
        directory.clients("profile:gone")
