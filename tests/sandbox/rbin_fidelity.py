"""Raw rbin (rest-json) calls to the sandbox, judged against botocore's model.

``RawRbin.call`` serializes a request exactly as boto3 would (botocore's own rest-json
serializer, no client-side validation), signs it for ``rbin`` as far as the sandbox's
dispatcher reads (the credential scope), posts it and returns the HTTP status, headers
and parsed JSON. ``check_json`` walks an answer against the operation's output shape:
every member must be one the model knows, of the member's type and enum, and every
required member present.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.serialize import create_serializer

MODEL = botocore.session.get_session().get_service_model("rbin")
_SERIALIZER = create_serializer("rest-json", include_validation=False)


@dataclass
class JsonAnswer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class RawRbin:
    url: str
    region: str = "us-east-1"

    def call(self, operation: str, **params: Any) -> JsonAnswer:
        model = MODEL.operation_model(operation)
        request = _SERIALIZER.serialize_to_request(params, model)
        url = self.url + request["url_path"]
        if request["query_string"]:
            from urllib.parse import urlencode

            url += "?" + urlencode(request["query_string"], doseq=True)
        body = request["body"]
        data = body.encode() if isinstance(body, str) else (body or None)
        headers = {k: v for k, v in request["headers"].items()}
        headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential=testing/20250101/{self.region}/rbin/aws4_request, "
            "SignedHeaders=host, Signature=0"
        )
        req = urllib.request.Request(url, data=data, headers=headers, method=request["method"])
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=30) as response:
                return JsonAnswer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as failed:
            return JsonAnswer(failed.code, dict(failed.headers), failed.read())


def ok(answer: JsonAnswer, operation: str) -> Any:
    """Assert the model's success status and a body that fits its output shape."""
    model = MODEL.operation_model(operation)
    expected = model.http.get("responseCode", 200)
    assert answer.status == expected, (answer.status, answer.body[:300])
    shape = model.output_shape
    if shape is None or not shape.members:
        assert not answer.body.strip(), answer.body[:300]
        return None
    assert answer.headers.get("Content-Type", "").startswith("application/json")
    body = answer.json
    check_json(shape, body, operation)
    return body


def refused(answer: JsonAnswer, code: str) -> dict[str, Any]:
    """Assert an rbin error with this code, the model's HTTP status, and a body that fits
    the error shape; return the body."""
    shape = MODEL.shape_for(code)
    assert answer.status == shape.metadata["error"]["httpStatusCode"], (answer.status, code)
    headers = {k.lower(): v for k, v in answer.headers.items()}
    assert headers.get("x-amzn-errortype") == code, headers
    body = answer.json
    assert isinstance(body, dict) and body.get("message"), body
    check_json(shape, {k: v for k, v in body.items() if k != "message"}, code)
    return body


def check_json(shape: Any, value: Any, path: str) -> None:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), f"{path}: {value!r} is not an object"
        for name in shape.required_members:
            assert name in value, f"{path}: required {name} missing"
        for name, item in value.items():
            assert name in shape.members, f"{path}/{name} is not in botocore's {shape.name}"
            check_json(shape.members[name], item, f"{path}/{name}")
    elif kind == "list":
        assert isinstance(value, list), f"{path}: {value!r} is not a list"
        for item in value:
            check_json(shape.member, item, f"{path}/item")
    elif kind in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), f"{path}: {value!r}"
    elif kind == "timestamp":
        assert isinstance(value, int | float), f"{path}: {value!r} is not epoch seconds"
    elif kind == "boolean":
        assert isinstance(value, bool), f"{path}: {value!r}"
    elif kind == "string":
        assert isinstance(value, str), f"{path}: {value!r} is not a string"
        if shape.enum:
            assert value in shape.enum, f"{path}: {value!r} not in {shape.enum}"
