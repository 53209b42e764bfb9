"""STS GetCallerIdentity, the probe of paused polling (amitui/tasks/credential_pause.py):
the sandbox answers it as botocore's model of STS says AWS does."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import boto3
import botocore.session


def test_get_caller_identity_takes_nothing_and_answers_the_models_members(sandbox):
    operation = (
        botocore.session.get_session().get_service_model("sts").operation_model("GetCallerIdentity")
    )
    assert not operation.input_shape.members  # the probe needs no parameter nor permission
    members = operation.output_shape.members
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=sandbox.url)
    bodies: list[bytes] = []
    sts.meta.events.register(
        "after-call.sts.GetCallerIdentity",
        lambda http_response, **_: bodies.append(http_response.content),
    )
    answer = sts.get_caller_identity()
    root = ET.fromstring(bodies[0])
    assert root.tag.rsplit("}", 1)[-1] == "GetCallerIdentityResponse"
    result = root.find("./{*}GetCallerIdentityResult")
    assert result is not None
    found = {child.tag.rsplit("}", 1)[-1]: child.text for child in result}
    assert set(found) <= set(members) and {"Account", "Arn", "UserId"} <= set(found)
    assert all(members[name].type_name == "string" for name in found)
    assert re.fullmatch(r"[0-9]{12}", answer["Account"])
    assert answer["Arn"].startswith("arn:aws:") and answer["Account"] in answer["Arn"]
