"""Many accounts' clients share one class per service (amitui/aws/client_classes.py)."""

from __future__ import annotations

import boto3
import botocore.session
import pytest

from amitui.aws.accounts import copied_handlers
from amitui.aws.client_classes import share_client_classes


def _session(loader: object | None = None, base: botocore.session.Session | None = None):
    core = botocore.session.Session(**(copied_handlers(base) if base else {}))
    if loader is not None:
        core.register_component("data_loader", loader)
    return boto3.Session(
        botocore_session=core,
        region_name="us-east-1",
        aws_access_key_id="a",
        aws_secret_access_key="b",
    )


def _ec2(session: boto3.Session, region: str = "us-east-1"):
    return session.client("ec2", region_name=region, endpoint_url="http://127.0.0.1:9")


def test_sessions_sharing_a_marked_loader_share_the_client_class() -> None:
    loader = botocore.session.Session().get_component("data_loader")
    share_client_classes(loader)
    one, other = _ec2(_session(loader)), _ec2(_session(loader), "eu-west-1")
    assert type(one) is type(other)
    assert one.meta.region_name == "us-east-1" and other.meta.region_name == "eu-west-1"
    assert type(_ec2(_session(loader))).__name__ == "EC2"
    assert type(_session(loader).client("sts")) is not type(one)  # one class per service


def test_a_loader_not_marked_keeps_a_class_per_client() -> None:
    loader = botocore.session.Session().get_component("data_loader")
    assert type(_ec2(_session(loader))) is not type(_ec2(_session(loader)))


class _Stop(Exception):
    """Raised by a before-send handler: the request is captured, sent nowhere."""


def _request_of(client) -> tuple[str, str]:
    captured: dict[str, str] = {}

    def stop(request, **_: object) -> None:
        auth = request.headers["Authorization"]
        captured["auth"] = auth.decode() if isinstance(auth, bytes) else auth
        body = request.body
        captured["body"] = body.decode() if isinstance(body, bytes) else body
        raise _Stop

    client.meta.events.register("before-send.ec2.DescribeImages", stop)
    with pytest.raises(_Stop):
        client.describe_images(Owners=["self"], MaxResults=5)
    return captured["auth"], captured["body"]


def test_a_session_with_copied_handlers_builds_requests_like_a_fresh_one() -> None:
    base = botocore.session.Session()
    fresh_auth, fresh_body = _request_of(_ec2(_session()))
    copied_auth, copied_body = _request_of(_ec2(_session(base=base)))
    assert copied_body == fresh_body and "Action=DescribeImages" in copied_body
    assert copied_auth.startswith("AWS4-HMAC-SHA256 Credential=a/")
    assert fresh_auth.startswith("AWS4-HMAC-SHA256 Credential=a/")
