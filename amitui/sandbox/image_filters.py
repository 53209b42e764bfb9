"""DescribeImages Filters, as EC2 documents them (botocore's model lists every name).

* Every filter name in the documentation of DescribeImages is known here
  (``FILTERS``, plus ``tag:<key>``); any other name is InvalidParameterValue
  "The filter '<name>' is invalid", as AWS answers.
* Values match whole strings, case-sensitively. Only ``*`` (any run of
  characters) and ``?`` (one character) are wildcards; ``\\*``, ``\\?`` and ``\\\\``
  are literal. ``[`` and ``]`` are ordinary characters (no glob classes).
* Several values of one filter are ORed; several filters are ANDed.
* Booleans are the strings ``true``/``false``; dates are AWS's ISO form
  (``2024-02-01T10:11:12.000Z``), so ``creation-date=2024-02-01T*`` is one day.
* Filters about things the sandbox does not model (Inspector scan results,
  watermarks, instance-type specifications, SSM parameters) are accepted and
  match images that have such a value: none, as for images that never had one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from . import errors

Values = list[str]


def _text(value: Any) -> Values:
    if value is None or value == "":
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


def _iso(value: Any) -> Values:
    if isinstance(value, datetime):
        return [value.strftime("%Y-%m-%dT%H:%M:%S.000Z")]
    return _text(value)


def _ebs(key: str) -> Callable[[Any], Values]:
    def read(ami: Any) -> Values:
        out: Values = []
        for mapping in ami.block_device_mappings:
            out += _text((mapping.get("Ebs") or {}).get(key))
        return out

    return read


def _devices(ami: Any) -> Values:
    return [m["DeviceName"] for m in ami.block_device_mappings if m.get("DeviceName")]


def _reason(key: str) -> Callable[[Any], Values]:
    def read(ami: Any) -> Values:
        return _text((getattr(ami, "state_reason", None) or {}).get(key))

    return read


def _attr(name: str) -> Callable[[Any], Values]:
    return lambda ami: _text(getattr(ami, name, None))


def _none(ami: Any) -> Values:
    return []


FILTERS: dict[str, Callable[[Any], Values]] = {
    "architecture": _attr("architecture"),
    "block-device-mapping.delete-on-termination": _ebs("DeleteOnTermination"),
    "block-device-mapping.device-name": _devices,
    "block-device-mapping.snapshot-id": _ebs("SnapshotId"),
    "block-device-mapping.volume-size": _ebs("VolumeSize"),
    "block-device-mapping.volume-type": _ebs("VolumeType"),
    "block-device-mapping.encrypted": _ebs("Encrypted"),
    "boot-mode": _attr("boot_mode"),
    "creation-date": lambda ami: _iso(ami.creation_date),
    "description": _attr("description"),
    "ena-support": _attr("ena_support"),
    "free-tier-eligible": lambda ami: _text(bool(getattr(ami, "free_tier_eligible", False))),
    "hypervisor": _attr("hypervisor"),
    # No Allowed AMIs settings in the sandbox: every image is allowed.
    "image-allowed": lambda ami: ["true"],
    "image-id": _attr("id"),
    "image-watermark.source-image-creation-time": _none,
    "image-watermark.source-image-id": _none,
    "image-watermark.source-image-region": _none,
    "image-watermark.watermark-creation-time": _none,
    "image-watermark.watermark-key": _none,
    "image-type": _attr("image_type"),
    "instance-type-specification.supported-instance-type": _none,
    "instance-type-specification.unsupported-instance-type": _none,
    "is-public": lambda ami: _text(bool(ami.is_public)),
    "kernel-id": _attr("kernel_id"),
    "manifest-location": _attr("image_location"),
    "name": _attr("name"),
    "owner-alias": _attr("owner_alias"),
    "owner-id": _attr("owner_id"),
    "platform": _attr("platform"),
    "product-code": lambda ami: sorted(str(c) for c in (ami.product_codes or ())),
    "product-code.type": lambda ami: ["marketplace"] if ami.product_codes else [],
    "public-ssm-parameter-name": _none,
    "ramdisk-id": _attr("ramdisk_id"),
    "root-device-name": _attr("root_device_name"),
    "root-device-type": _attr("root_device_type"),
    "scan-result.critical-fix-available-since": _none,
    "scan-result.finding-scan-date": _none,
    "scan-result.high-fix-available-since": _none,
    "scan-result.highest-finding-severity-label": _none,
    "scan-result.informational-fix-available-since": _none,
    "scan-result.low-fix-available-since": _none,
    "scan-result.medium-fix-available-since": _none,
    "source-image-id": _attr("source_image_id"),
    "source-image-region": _attr("source_image_region"),
    "source-instance-id": _attr("source_instance_id"),
    "state": _attr("state"),
    "state-reason-code": _reason("Code"),
    "state-reason-message": _reason("Message"),
    "sriov-net-support": _attr("sriov_net_support"),
    "tag-key": lambda ami: [tag["key"] for tag in ami.get_tags()],
    "virtualization-type": _attr("virtualization_type"),
}
TAG_PREFIX = "tag:"


@lru_cache(maxsize=512)
def _pattern(value: str) -> re.Pattern[str]:
    """AWS filter wildcards: ``*`` and ``?``; a backslash makes the next one literal."""
    out, index = [], 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value) and value[index + 1] in "*?\\":
            out.append(re.escape(value[index + 1]))
            index += 2
            continue
        out.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
        index += 1
    return re.compile("".join(out), re.DOTALL)


def matches(pattern: str, candidates: Iterable[str]) -> bool:
    compiled = _pattern(pattern)
    return any(compiled.fullmatch(candidate) for candidate in candidates)


def _reader(name: str) -> Callable[[Any], Values]:
    if name.startswith(TAG_PREFIX) and len(name) > len(TAG_PREFIX):
        key = name[len(TAG_PREFIX) :]
        return lambda ami: [t["value"] for t in ami.get_tags() if t["key"] == key]
    reader = FILTERS.get(name)
    if reader is None:
        raise errors.invalid_filter(name)
    return reader


def compile_filters(
    filters: Sequence[Mapping[str, Any]],
) -> list[tuple[Callable[[Any], Values], list[str]]]:
    """Check the filters (unknown name: InvalidParameterValue) and prepare them."""
    compiled = []
    for item in filters:
        name = item.get("Name")
        if not name:
            raise errors.invalid_filter("null")
        values = [str(v) for v in item.get("Values") or []]
        compiled.append((_reader(str(name)), values))
    return compiled


def apply_filters(images: Iterable[Any], filters: Sequence[Mapping[str, Any]]) -> list[Any]:
    compiled = compile_filters(filters)
    return [
        ami
        for ami in images
        if all(any(matches(v, read(ami)) for v in values) for read, values in compiled)
    ]
