"""What EC2 checks before an action runs, read off botocore's model of the API.

* No Action: ``MissingAction``; an action EC2 does not have: ``InvalidAction``.
* A parameter the action does not take: ``UnknownParameter`` ("The parameter X is
  not recognized"), judged on its top-level wire name (``Filter`` of ``Filter.1.Name``).
* A required parameter absent or empty -- at the top level, or inside a structure
  that is given (``S3ExportLocation.S3Bucket``): ``MissingParameter``.
* A character XML 1.0 cannot carry (most control characters), in a name or a value:
  ``InvalidParameterValue`` -- an EC2 answer could not echo it back.

All of this is in HTTP 400 EC2 errors; ``error_body`` writes the XML for answers
the sandbox has to make without moto's serializer.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from . import errors
from .moto_compat import service_model

# Query parameters every EC2 request may carry besides the action's own.
COMMON_PARAMETERS = frozenset(
    {
        "Action",
        "Version",
        "AWSAccessKeyId",
        "Signature",
        "SignatureMethod",
        "SignatureVersion",
        "Timestamp",
        "Expires",
        "SecurityToken",
    }
)


# What XML 1.0 cannot carry: C0 controls but tab/newline/return, surrogates, U+FFFE/F.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML cannot carry shown as an escape (``\\x08``)."""
    return NOT_XML.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def _wire_names(action: str) -> set[str]:
    """The top-level query names of the action's parameters (EC2 protocol rules)."""
    shape = service_model("ec2").operation_model(action).input_shape
    if shape is None:
        return set()
    names = set()
    for member_name, member in shape.members.items():
        serialization = member.serialization
        if "queryName" in serialization:
            names.add(serialization["queryName"])
        elif "name" in serialization:
            name = serialization["name"]
            names.add(name[0].upper() + name[1:])
        else:
            names.add(member_name)
    return names


def check_request(action: str | None, values: Mapping[str, str]) -> None:
    if not action:
        raise errors.missing_action()
    if action not in service_model("ec2").operation_names:
        raise errors.invalid_action(xml_safe(action))
    known = _wire_names(action)
    for key in values:
        top = key.split(".", 1)[0]
        if not (top in COMMON_PARAMETERS or top.startswith("X-Amz-") or top in known):
            raise errors.unknown_parameter(xml_safe(top))
        for value in values.getlist(key) if hasattr(values, "getlist") else [values[key]]:
            if NOT_XML.search(value):
                raise errors.malformed_parameter(key, xml_safe(value))


def missing_required(action: str, params: Mapping[str, Any]) -> str | None:
    """The first required parameter the request lacks (dotted path), or None."""
    shape = service_model("ec2").operation_model(action).input_shape
    return None if shape is None else _missing(shape, params, "")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _missing(shape: Any, value: Any, path: str) -> str | None:
    if shape.type_name == "structure" and isinstance(value, Mapping):
        for name in shape.required_members:
            if _empty(value.get(name)):
                return f"{path}{name}"
        for name, member in shape.members.items():
            if name in value:
                found = _missing(member, value[name], f"{path}{name}.")
                if found:
                    return found
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value, start=1):
            found = _missing(shape.member, item, f"{path[:-1]}.{index}.")
            if found:
                return found
    return None


def error_body(code: str, message: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Response><Errors><Error><Code>{escape(code)}</Code>"
        f"<Message>{escape(message)}</Message></Error></Errors>"
        f"<RequestID>{uuid.uuid4()}</RequestID></Response>"
    )
