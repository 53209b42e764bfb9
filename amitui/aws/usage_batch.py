"""The usage of many images of one region at once: the same checks as ``check_usage``
(usage_checks.py) with the calls shared between the images.

* DescribeImageReferences takes up to 10 ImageIds a call: one paginated query per 10
  images; the instances found are described in one call per chunk and each launch
  template's versions are read once for every image that names it. A chunk refused
  for an unknown image (InvalidAMIID.*, e.g. deregistered since it was listed) is
  asked again image by image, so its neighbours are still answered; any other failure
  makes the chunk's images "not verified" for that check.
* The region's Auto Scaling groups are read once (``auto_scaling_checks``).
* Deregistration protection: DescribeImages with up to 100 ImageIds a call.
* Launch permissions: DescribeImageAttribute has no batched form, so this check is
  one call per image, at most ``SHARE_WORKERS`` in flight.

So n images cost about n/10 reference queries + n/100 describes + one Auto Scaling
listing (+ one call per launch template or template version involved) + n launch
permission reads, against about 5n calls for n ``check_usage``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from amitui.aws.errors import describe_error, error_code
from amitui.aws.usage import Check, Reference, Usage
from amitui.aws.usage_checks import (
    _KIND,
    INSTANCE_STATES,
    MAX_VERSION_DEPTH,
    REFERENCE_TYPES,
    _arn_parts,
    _instances,
    _ssm_name,
    _template_versions,
    _versions_using,
    auto_scaling_checks,
    shares,
)

#: DescribeImageReferences: ImageIds, 1 to 10 items (AWS's API reference).
REFERENCE_CHUNK = 10
#: DescribeImages ImageIds per call for the protection reads.
DESCRIBE_CHUNK = 100
#: Launch permission reads in flight at once (one call per image).
SHARE_WORKERS = 4


def check_usage_many(
    clients: Any,
    region: str,
    image_ids: Iterable[str],
    *,
    version_depth: int = MAX_VERSION_DEPTH,
    cancelled: Callable[[], bool] = lambda: False,
) -> dict[str, Usage]:
    """A ``Usage`` per image of ``region`` (by image id); never raises. A check that
    failed marks each image it covered "not verified". Cancelled: an empty answer."""
    started = time.time()
    ids = list(dict.fromkeys(image_ids))
    if not ids:
        return {}
    ec2 = clients.ec2(region)
    protection = _protections(ec2, ids)
    references = reference_checks(ec2, ids, region, version_depth, cancelled)
    if cancelled():
        return {}
    groups = auto_scaling_checks(clients.client("autoscaling", region), ec2, region)
    with ThreadPoolExecutor(SHARE_WORKERS, thread_name_prefix="usage-shares") as pool:
        permissions = dict(zip(ids, pool.map(lambda i: shares(ec2, i), ids), strict=True))
    if cancelled():
        return {}
    return {
        i: Usage(
            i,
            region,
            (references[i], groups(i), permissions[i]),
            protection=protection.get(i, ""),
            checked_at=started,
        )
        for i in ids
    }


def _protections(ec2: Any, ids: list[str]) -> dict[str, str]:
    """DeregistrationProtection by image ("" where unread: as check_usage, the forms and the
    table say what describing found)."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), DESCRIBE_CHUNK):
        chunk = ids[start : start + DESCRIBE_CHUNK]
        try:
            answer = ec2.describe_images(
                ImageIds=chunk, IncludeDeprecated=True, IncludeDisabled=True
            )
        except Exception:
            if len(chunk) > 1:  # an unknown id refuses the whole call: ask one by one
                for one in chunk:
                    found.update(_protections(ec2, [one]))
            continue
        for raw in answer.get("Images") or []:
            found[raw.get("ImageId", "")] = str(raw.get("DeregistrationProtection") or "")
    return found


def _types(version_depth: int) -> list[dict[str, Any]]:
    options = {
        "ec2:LaunchTemplate": [
            {"OptionName": "version-depth", "OptionValues": [str(version_depth)]}
        ],
        "ec2:Instance": [{"OptionName": "state-name", "OptionValues": list(INSTANCE_STATES)}],
    }
    return [
        {"ResourceType": t, **({"ResourceTypeOptions": options[t]} if t in options else {})}
        for t in REFERENCE_TYPES
    ]


def reference_checks(
    ec2: Any,
    image_ids: list[str],
    region: str,
    version_depth: int = MAX_VERSION_DEPTH,
    cancelled: Callable[[], bool] = lambda: False,
) -> dict[str, Check]:
    """The "Image references" check of each image, 10 images a query."""
    title = "Image references"
    every = "every version" if version_depth >= MAX_VERSION_DEPTH else f"newest {version_depth}"
    scope = f"instances, launch templates ({every}), SSM parameters, Image Builder recipes"
    types = _types(version_depth)
    versions: dict[str, list[dict[str, Any]] | str] = {}  # template -> versions, or the error
    out: dict[str, Check] = {}
    pending = [
        image_ids[i : i + REFERENCE_CHUNK] for i in range(0, len(image_ids), REFERENCE_CHUNK)
    ]
    while pending:
        if cancelled():
            break
        chunk = pending.pop(0)
        try:
            found: list[dict[str, Any]] = []
            pages = ec2.get_paginator("describe_image_references").paginate(
                ImageIds=chunk, ResourceTypes=types
            )
            for page in pages:
                found.extend(page.get("ImageReferences") or [])
        except Exception as exc:
            if len(chunk) > 1 and (error_code(exc) or "").startswith("InvalidAMIID"):
                pending[:0] = [[one] for one in chunk]
                continue
            failed = Check(title, error=describe_error(exc), scope=scope)
            out.update(dict.fromkeys(chunk, failed))
            continue
        named = _named(ec2, found, versions)
        for image_id in chunk:
            mine = [r for r in found if r.get("ImageId") == image_id]
            refs = tuple(named(image_id, r) for r in _in_check_order(mine))
            out[image_id] = Check(title, refs, scope=scope)
    return out


def _in_check_order(refs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Instances, then launch templates (each once), then the other types in the order
    they first came: check_usage's order."""
    first: dict[str, int] = {"ec2:Instance": 0, "ec2:LaunchTemplate": 1}
    seen: set[tuple[str, str]] = set()
    unique = []
    for ref in refs:
        key = (ref.get("ResourceType", ""), ref.get("Arn", ""))
        if key[0] in ("ec2:Instance", "ec2:LaunchTemplate") and key in seen:
            continue
        seen.add(key)
        first.setdefault(key[0], len(first))
        unique.append(ref)
    return sorted(unique, key=lambda r: first[r.get("ResourceType", "")])


def _named(
    ec2: Any, found: list[dict[str, Any]], versions: dict[str, list[dict[str, Any]] | str]
) -> Callable[[str, dict[str, Any]], Reference]:
    """A function (image id, reference) -> the Reference as check_usage names it: the
    chunk's instances described in one call, each template's versions read once."""
    instance_arns = [r.get("Arn", "") for r in found if r.get("ResourceType") == "ec2:Instance"]
    instances = {ref.id: ref for ref in _instances(ec2, list(dict.fromkeys(instance_arns)))}

    def name(image_id: str, ref: dict[str, Any]) -> Reference:
        kind, arn = ref.get("ResourceType", ""), ref.get("Arn", "")
        where, resource = _arn_parts(arn)
        if kind == "ec2:Instance":
            return instances[resource.rpartition("/")[2]]
        if kind == "ec2:LaunchTemplate":
            template_id = resource.rpartition("/")[2]
            if template_id not in versions:
                try:
                    versions[template_id] = _template_versions(ec2, template_id)
                except Exception as exc:
                    versions[template_id] = f"versions not read: {describe_error(exc)}"
            read = versions[template_id]
            if isinstance(read, str):
                return Reference("launch template", template_id, "", where, read)
            template_name = read[0].get("LaunchTemplateName", "") if read else ""
            detail = _versions_using(read, image_id)
            return Reference("launch template", template_id, template_name, where, detail)
        label = resource.partition("/")[2] if kind != "ssm:Parameter" else _ssm_name(resource)
        return Reference(_KIND.get(kind, kind), label or arn, region=where)

    return name
