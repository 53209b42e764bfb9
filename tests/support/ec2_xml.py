"""DescribeImages answers as EC2 serialises them, made from botocore's model of the API.

``full_value`` walks a shape recursively and fills every member (every list with two
entries); ``values`` is a hypothesis strategy for any value of a shape (each member
optional, lists from empty to three, text with unicode and XML markup); ``document``
serialises images into a DescribeImagesResponse the way EC2 does (lists as ``<item>``s,
booleans as ``true``/``false``, each text escaped, as character references or as CDATA).
``botocore_answer`` is botocore's own parse of a body, the reference.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

import botocore.session
from botocore import parsers
from hypothesis import strategies as st

NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
EC2_MODEL = botocore.session.get_session().get_service_model("ec2")
OPERATION = EC2_MODEL.operation_model("DescribeImages")
OUTPUT = OPERATION.output_shape
IMAGE = OUTPUT.members["Images"].member
#: A timestamp as EC2 writes one (botocore parses these; a row never reads them)
TIMESTAMP = "2024-05-06T07:08:09.000Z"
#: Device names drawn from a few, so a mapping's often names the root device
DEVICES = ("/dev/xvda", "/dev/sda1", "/dev/sdb", "")
#: Members whose values a row compares with each other
_DEVICE_MEMBERS = ("RootDeviceName", "DeviceName")


def element_name(name: str, member: Any) -> str:
    return member.serialization.get("name") or name


def full_value(shape: Any, path: str = "") -> Any:
    """A value of ``shape`` with every member present, recursively (lists of two)."""
    kind = shape.type_name
    if kind == "structure":
        return {n: full_value(m, f"{path}.{n}") for n, m in shape.members.items()}
    if kind == "list":
        return [full_value(shape.member, f"{path}[{i}]") for i in range(2)]
    if kind == "boolean":
        return True
    if kind in ("integer", "long"):
        return 8
    if kind == "timestamp":
        return TIMESTAMP
    if kind in ("float", "double"):
        return 1.5
    if path.endswith("DeviceName"):
        return "/dev/xvda"
    return f"{path.lstrip('.')} <&> é 🚀"


#: Text an XML 1.0 document can carry (no C0 controls but tab, LF, CR; no surrogates).
xml_text = st.text(
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="\x00\ufffe\uffff",
    ).filter(lambda c: c in "\t\n\r" or c >= " "),
    max_size=12,
) | st.sampled_from(["", " ", "[web] <b>x</b>", "a & b", "]]>", "ami-0123456789abcdef0"])


def values(shape: Any, name: str = "") -> st.SearchStrategy[Any]:
    """Any value of ``shape``: every structure member optional, lists of 0 to 3."""
    kind = shape.type_name
    if kind == "structure":
        return st.fixed_dictionaries(
            {}, optional={n: values(m, n) for n, m in shape.members.items()}
        )
    if kind == "list":
        return st.lists(values(shape.member), max_size=3)
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "long"):
        return st.integers(-(2**31), 2**31 - 1)
    if kind == "timestamp":
        return st.just(TIMESTAMP)
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if name in _DEVICE_MEMBERS:
        return st.sampled_from(DEVICES) | xml_text
    return xml_text


def _text(value: str, style: str) -> str:
    if style == "cdata" and "]]>" not in value:
        return f"<![CDATA[{value}]]>"
    if style == "refs":
        return "".join(c if c.isascii() and c.isalnum() else f"&#x{ord(c):x};" for c in value)
    return escape(value)


def serialise(shape: Any, value: Any, style: str = "escape", indent: str = "") -> str:
    """The inside of ``shape``'s element for ``value``, as EC2 writes it."""
    kind = shape.type_name
    inner = indent + "  " if indent else ""
    if kind == "structure":
        parts = []
        for name, member in shape.members.items():
            if name in value:
                tag = element_name(name, member)
                body = serialise(member, value[name], style, inner)
                parts.append(f"{inner}<{tag}>{body}</{tag}>")
        return _block(parts, indent)
    if kind == "list":
        tag = shape.member.serialization.get("name", "member")
        parts = [f"{inner}<{tag}>{serialise(shape.member, v, style, inner)}</{tag}>" for v in value]
        return _block(parts, indent)
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("integer", "long", "float", "double"):
        return str(value)
    return _text(str(value), style)


def _block(parts: list[str], indent: str) -> str:
    if not indent:
        return "".join(parts)
    return "\n" + "\n".join(parts) + "\n" + indent[:-2] if parts else ""


def document(
    images: list[dict[str, Any]],
    next_token: str | None = None,
    request_id: str | None = "59dbff89-35bd-4eac-99ed-be587EXAMPLE",
    style: str = "escape",
    pretty: bool = True,
) -> bytes:
    """A DescribeImagesResponse holding ``images`` (botocore-shaped dicts)."""
    indent = "  " if pretty else ""
    images_xml = serialise(OUTPUT.members["Images"], images, style, indent + "  ")
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', f'<DescribeImagesResponse xmlns="{NS}">']
    if request_id is not None:
        parts.append(f"{indent}<requestId>{escape(request_id)}</requestId>")
    parts.append(f"{indent}<imagesSet>{images_xml}</imagesSet>")
    if next_token is not None:
        parts.append(f"{indent}<nextToken>{escape(next_token)}</nextToken>")
    parts.append("</DescribeImagesResponse>")
    return ("\n" if pretty else "").join(parts).encode()


def botocore_answer(body: bytes, status: int = 200) -> dict[str, Any]:
    """What botocore's EC2 parser makes of ``body`` (the reference)."""
    parser = parsers.create_parser("ec2")
    return parser.parse({"body": body, "headers": {}, "status_code": status}, OUTPUT)
