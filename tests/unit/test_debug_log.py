"""--debug-log records each call (operation, region, duration, status, error code), no secrets."""

import os
import stat

import pytest
from botocore.exceptions import ClientError

from amitui.aws.clients import AwsClients
from amitui.aws.debug_log import DebugLog

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"


def test_calls_are_recorded_without_parameters(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEJr-session-token-value")
    path = tmp_path / "logs" / "debug.log"
    clients = AwsClients(endpoint_url=sandbox.url, default_region="eu-west-1")
    log = DebugLog(path)
    log.attach(clients)
    ec2 = clients.ec2("eu-west-1")
    ec2.describe_images(Owners=["self"], MaxResults=5)
    with pytest.raises(ClientError):
        ec2.describe_images(ImageIds=["ami-0000000000000dead"])
    log.close()
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    assert "ec2.DescribeImages region=eu-west-1" in lines[0] and "http=200" in lines[0]
    assert "duration=" in lines[0] and "ms" in lines[0]
    assert "error=InvalidAMIID.NotFound" in lines[1]
    text = path.read_text()
    for secret in (SECRET, "session-token-value", "ami-0000000000000dead", "self"):
        assert secret not in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
