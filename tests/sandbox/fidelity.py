"""Raw EC2 calls to the sandbox, judged against botocore's model of the API.

``Raw.call`` serializes a request exactly as boto3 would (botocore's own EC2
serializer, no client-side validation, so incomplete requests go out too), posts it
and returns the HTTP status and the parsed XML. ``check_xml`` walks an answer against
the operation's output shape in botocore's model: every element must be a member
the model knows, and every value must read as the member's type (and enum). That is
a stronger check than reading boto3's parsed dicts, which silently drop whatever
the model does not know.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import botocore.session
from botocore.serialize import create_serializer

MODEL = botocore.session.get_session().get_service_model("ec2")
_SERIALIZER = create_serializer("ec2", include_validation=False)


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes

    @property
    def xml(self) -> ET.Element:
        return ET.fromstring(self.body)

    @property
    def error(self) -> tuple[str, str]:
        """(Code, Message) of an EC2 error answer."""
        root = self.xml
        assert _tag(root) == "Response", self.body[:300]
        error = root.find("./{*}Errors/{*}Error")
        assert error is not None, self.body[:300]
        return error.findtext("{*}Code") or "", error.findtext("{*}Message") or ""


@dataclass
class Raw:
    url: str
    region: str = "us-east-1"

    def post(self, body: bytes | str) -> Answer:
        data = body.encode() if isinstance(body, str) else body
        credential = f"testing/20250101/{self.region}/ec2/aws4_request"
        request = urllib.request.Request(
            self.url + "/",
            data=data,
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Authorization": f"AWS4-HMAC-SHA256 Credential={credential}, "
                "SignedHeaders=host, Signature=0",
            },
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=30) as response:
                return Answer(
                    response.status, response.headers.get("Content-Type", ""), response.read()
                )
        except urllib.error.HTTPError as failed:
            return Answer(failed.code, failed.headers.get("Content-Type", ""), failed.read())

    def call(self, action: str, **params: Any) -> Answer:
        operation = MODEL.operation_model(action)
        request = _SERIALIZER.serialize_to_request(params, operation)
        return self.post(urllib.parse.urlencode(request["body"]))


def refused(answer: Answer, code: str, status: int = 400) -> str:
    """Assert an EC2 error with this code and HTTP status; return its message."""
    got_code, message = answer.error
    assert (answer.status, got_code) == (status, code), (answer.status, got_code, message)
    return message


def ok(answer: Answer, action: str) -> ET.Element:
    """Assert a 200 answer whose XML fits the action's output shape; return the root."""
    assert answer.status == 200, (answer.status, answer.body[:300])
    root = answer.xml
    assert _tag(root) == f"{action}Response", _tag(root)
    shape = MODEL.operation_model(action).output_shape
    if shape is None:  # the model has no output; EC2 answers requestId and return true
        extra = [_tag(child) for child in root if _tag(child) not in ("requestId", "return")]
        assert not extra, f"{action}: {extra} is not in botocore's model (no output shape)"
        assert root.findtext("{*}return") in (None, "true"), root.findtext("{*}return")
        return root
    check_xml(shape, root, action)
    return root


def _member_for(shape: Any, tag: str) -> Any:
    for name, member in shape.members.items():
        if member.serialization.get("name", name) == tag or name == tag:
            return member
    return None


def check_xml(shape: Any, element: ET.Element, path: str) -> None:
    """Every element is a member of ``shape`` and every value reads as its type."""
    kind = shape.type_name
    if kind == "structure":
        for child in element:
            tag = _tag(child)
            if tag in ("requestId", "nextToken") and path.count("/") == 0:
                if tag == "nextToken":
                    assert _member_for(shape, tag) is not None, f"{path}/{tag}"
                continue
            member = _member_for(shape, tag)
            assert member is not None, f"{path}/{tag} is not in botocore's {shape.name}"
            check_xml(member, child, f"{path}/{tag}")
    elif kind == "list":
        for child in element:
            item_name = shape.member.serialization.get("name", "item")
            assert _tag(child) == item_name, f"{path}/{_tag(child)}: list items are <{item_name}>"
            check_xml(shape.member, child, f"{path}/item")
    else:
        _check_scalar(shape, (element.text or "").strip(), path)


def _check_scalar(shape: Any, text: str, path: str) -> None:
    kind = shape.type_name
    if kind in ("integer", "long"):
        int(text)
    elif kind in ("double", "float"):
        float(text)
    elif kind == "boolean":
        assert text in ("true", "false"), f"{path}: {text!r} is not a boolean"
    elif kind == "timestamp":
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    elif kind == "string" and shape.enum:
        # AWS itself echoes some enums lower-case (ExportImage's DiskImageFormat "vmdk").
        allowed = {value.lower() for value in shape.enum}
        assert text.lower() in allowed, f"{path}: {text!r} not in {shape.enum}"


def filter_names() -> list[str]:
    """Every DescribeImages filter name botocore's documentation lists (``tag:<key>`` aside)."""
    import re

    doc = MODEL.operation_model("DescribeImages").input_shape.members["Filters"].documentation
    outer = doc[doc.index("<ul>") + 4 : doc.rindex("</ul>")]
    outer = re.sub(r"<ul>.*?</ul>", "", outer, flags=re.S)  # value lists nested in an item
    names = re.findall(r"<li>\s*<p>\s*<code>([a-z][a-z0-9.\-:]*)</code>", outer)
    return sorted({name for name in names if not name.startswith("tag:")})
