"""Credentials refreshed while amitui runs (issue 20): after the endpoint refuses the
profile's key as expired, the next call reads the profile again, so a key rewritten in the
credentials file meanwhile (what `aws sso login` or a credential helper does) is used
without a restart. The proxy refuses the old key by the key the request was signed with."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from amitui.aws.clients import AwsClients, default_config

OLD, NEW = "AKIAOLDOLDOLDOLDOLD1", "AKIANEWNEWNEWNEWNEW2"


def write_profile(path, key: str) -> None:
    path.write_text(f"[work]\naws_access_key_id = {key}\naws_secret_access_key = secret-{key}\n")


def test_a_refused_expired_key_is_read_again_from_the_profile(
    sandbox, proxy, tmp_path, monkeypatch
) -> None:
    credentials = tmp_path / "credentials"
    write_profile(credentials, OLD)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    proxy.fault_by_key = lambda action, key: "expired" if key == OLD else None
    config = default_config(retries={"mode": "standard", "max_attempts": 1})
    clients = AwsClients(profile="work", endpoint_url=proxy.url, config=config)

    with pytest.raises(ClientError) as refused:
        clients.ec2().describe_regions()
    assert refused.value.response["Error"]["Code"] == "ExpiredToken"
    write_profile(credentials, NEW)  # the user logs in again in another terminal
    answer = clients.ec2().describe_regions()  # no restart, no new AwsClients
    assert answer["Regions"]
    assert proxy.outcomes("DescribeRegions") == {"expired": 1, "200": 1}
