"""The calls that answer "is this image still used?" (see usage.py for the answer's shape).

Three checks, each failing on its own (a failure is the check's "not verified" reason):

* DescribeImageReferences, paginated to the end, over every resource type it knows
  (instances in any state, launch templates to ``version_depth`` versions, SSM
  parameters, Image Builder image and container recipes), each reference then named:
  instances with their state and Name tag, launch templates with the versions that
  name the image;
* the region's Auto Scaling groups whose launch template (``$Default``, ``$Latest`` or a
  number, mixed-instances overrides too) or launch configuration resolves to the image:
  DescribeImageReferences does not see launch configurations;
* the launch permissions: accounts, organizations and OUs the image is shared with.

Only the open detail screen or form asks (never the table), and the answer is cached
for the session with its time (usage.UsageCache).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from amitui.aws.errors import describe_error
from amitui.aws.images import describe_image, launch_permissions
from amitui.aws.usage import Check, Reference, Usage, shares_reference

REFERENCE_TYPES = (
    "ec2:Instance",
    "ec2:LaunchTemplate",
    "ssm:Parameter",
    "imagebuilder:ImageRecipe",
    "imagebuilder:ContainerRecipe",
)
#: The deepest launch-template check AWS allows (DescribeImageReferences version-depth,
#: 1..10000, default 10): a template has at most 10,000 versions, so this is all of them.
MAX_VERSION_DEPTH = 10000
INSTANCE_STATES = ("pending", "running", "shutting-down", "stopping", "stopped")
_KIND = {
    "ec2:Instance": "instance",
    "ec2:LaunchTemplate": "launch template",
    "ssm:Parameter": "SSM parameter",
    "imagebuilder:ImageRecipe": "image recipe",
    "imagebuilder:ContainerRecipe": "container recipe",
}


def check_usage(
    clients: Any, region: str, image_id: str, *, version_depth: int = MAX_VERSION_DEPTH
) -> Usage:
    """Ask every question about ``image_id`` in ``region``; never raises."""
    started = time.time()
    ec2 = clients.ec2(region)
    protection = ""
    try:
        raw = describe_image(ec2, image_id) or {}
        protection = str(raw.get("DeregistrationProtection") or "")
    except Exception:  # the form and the detail screen say what describing found
        pass
    checks = (
        image_references(ec2, image_id, region, version_depth),
        auto_scaling_groups(clients.client("autoscaling", region), ec2, image_id, region),
        shares(ec2, image_id),
    )
    return Usage(image_id, region, checks, protection=protection, checked_at=started)


def _arn_parts(arn: str) -> tuple[str, str]:
    """(region, resource) of an ARN: ``arn:aws:ec2:us-east-1:123:instance/i-1`` ->
    ("us-east-1", "instance/i-1")."""
    parts = arn.split(":", 5)
    return (parts[3], parts[5]) if len(parts) == 6 else ("", arn)


def image_references(ec2: Any, image_id: str, region: str, version_depth: int) -> Check:
    title = "Image references"
    every = "every version" if version_depth >= MAX_VERSION_DEPTH else f"newest {version_depth}"
    scope = f"instances, launch templates ({every}), SSM parameters, Image Builder recipes"
    options = {
        "ec2:LaunchTemplate": [
            {"OptionName": "version-depth", "OptionValues": [str(version_depth)]}
        ],
        "ec2:Instance": [{"OptionName": "state-name", "OptionValues": list(INSTANCE_STATES)}],
    }
    types = [
        {"ResourceType": t, **({"ResourceTypeOptions": options[t]} if t in options else {})}
        for t in REFERENCE_TYPES
    ]
    try:
        found: list[dict[str, Any]] = []
        pages = ec2.get_paginator("describe_image_references").paginate(
            ImageIds=[image_id], ResourceTypes=types
        )
        for page in pages:
            found.extend(page.get("ImageReferences") or [])
    except Exception as exc:
        return Check(title, error=describe_error(exc), scope=scope)
    by_type: dict[str, list[str]] = {}
    for ref in found:
        by_type.setdefault(ref.get("ResourceType", ""), []).append(ref.get("Arn", ""))
    references: list[Reference] = []
    references += _instances(ec2, by_type.pop("ec2:Instance", []))
    templates = by_type.pop("ec2:LaunchTemplate", [])
    references += _launch_templates(ec2, image_id, templates)
    for kind, arns in by_type.items():
        for arn in arns:
            where, resource = _arn_parts(arn)
            name = resource.partition("/")[2] if kind != "ssm:Parameter" else _ssm_name(resource)
            references.append(Reference(_KIND.get(kind, kind), name or arn, region=where))
    return Check(title, tuple(references), scope=scope)


def _ssm_name(resource: str) -> str:
    """``parameter/golden/ami`` -> ``/golden/ami``; ``parameter/ami`` -> ``ami``."""
    name = resource.removeprefix("parameter")
    return name.lstrip("/") if name.count("/") == 1 else name


def _instances(ec2: Any, arns: list[str]) -> list[Reference]:
    ids = {_arn_parts(a)[1].rpartition("/")[2]: _arn_parts(a)[0] for a in arns}
    if not ids:
        return []
    known: dict[str, tuple[str, str]] = {}
    note = ""
    try:
        pages = ec2.get_paginator("describe_instances").paginate(InstanceIds=list(ids))
        for page in pages:
            for reservation in page.get("Reservations") or []:
                for inst in reservation.get("Instances") or []:
                    name = _tag(inst.get("Tags"), "Name")
                    known[inst["InstanceId"]] = ((inst.get("State") or {}).get("Name", ""), name)
    except Exception as exc:
        note = f"state not read: {describe_error(exc)}"
    return [
        Reference(
            "instance", i, known.get(i, ("", ""))[1], ids[i], known.get(i, ("", ""))[0] or note
        )
        for i in ids
    ]


def _tag(tags: Iterable[dict[str, str]] | None, key: str) -> str:
    return next((t.get("Value", "") for t in tags or () if t.get("Key") == key), "")


def _launch_templates(ec2: Any, image_id: str, arns: list[str]) -> list[Reference]:
    """Each referencing launch template with the versions that name the image."""
    references = []
    for arn in dict.fromkeys(arns):
        where, resource = _arn_parts(arn)
        template_id = resource.rpartition("/")[2]
        name, detail = "", ""
        try:
            versions = _template_versions(ec2, template_id)
            name = versions[0].get("LaunchTemplateName", "") if versions else ""
            detail = _versions_using(versions, image_id)
        except Exception as exc:
            detail = f"versions not read: {describe_error(exc)}"
        references.append(Reference("launch template", template_id, name, where, detail))
    return references


def _template_versions(ec2: Any, template_id: str, versions: list[str] | None = None) -> list:
    params: dict[str, Any] = {"LaunchTemplateId": template_id}
    if versions:
        params["Versions"] = versions
    out: list[dict[str, Any]] = []
    for page in ec2.get_paginator("describe_launch_template_versions").paginate(**params):
        out.extend(page.get("LaunchTemplateVersions") or [])
    return out


def _versions_using(
    versions: list[dict[str, Any]], image_id: str, latest: int | None = None
) -> str:
    """'version 3 of 5' / 'versions 2, 3 of 5 (default)': which versions launch the image
    (``latest``: the template's newest version, when ``versions`` are not all of them)."""
    if latest is None:
        latest = max((v.get("VersionNumber", 0) for v in versions), default=0)
    using = sorted(
        v.get("VersionNumber", 0)
        for v in versions
        if (v.get("LaunchTemplateData") or {}).get("ImageId") == image_id
    )
    default = next((v.get("VersionNumber") for v in versions if v.get("DefaultVersion")), None)
    if not using:
        return f"{latest} versions"
    marks = [m for m, n in (("default", default), ("latest", latest)) if n in using]
    word = "version" if len(using) == 1 else "versions"
    text = f"{word} {', '.join(map(str, using))} of {latest}"
    return text + (f" ({', '.join(marks)})" if marks else "")


def auto_scaling_groups(autoscaling: Any, ec2: Any, image_id: str, region: str) -> Check:
    """Groups whose launch template version or launch configuration is the image."""
    return auto_scaling_checks(autoscaling, ec2, region)(image_id)


def auto_scaling_checks(autoscaling: Any, ec2: Any, region: str) -> Callable[[str], Check]:
    """The region's Auto Scaling groups read once, each launch template version they name
    resolved once: a function image id -> its Check (the batched check asks it for many)."""
    title = "Auto Scaling groups"
    scope = "launch templates ($Default, $Latest, numbered) and launch configurations"
    try:
        groups = [
            g
            for page in autoscaling.get_paginator("describe_auto_scaling_groups").paginate()
            for g in page.get("AutoScalingGroups") or []
        ]
        configs = _launch_configuration_images(autoscaling, groups)
    except Exception as exc:
        failed = Check(title, error=describe_error(exc), scope=scope)
        return lambda _image_id: failed
    uses: dict[str, list[Reference]] = {}
    failures: list[str] = []
    resolved: dict[tuple[str, str], tuple[str, int]] = {}
    for group in groups:
        name = group.get("AutoScalingGroupName", "")
        config = group.get("LaunchConfigurationName")
        if config and configs.get(config):
            detail = f"launch configuration {config}"
            uses.setdefault(configs[config], []).append(
                Reference("Auto Scaling group", name, region=region, detail=detail)
            )
        named: set[str] = set()  # the images this group's templates named already
        for spec in _template_specs(group):
            template = spec.get("LaunchTemplateId") or spec.get("LaunchTemplateName") or ""
            version = str(spec.get("Version") or "$Default")
            try:
                if (template, version) not in resolved:
                    resolved[(template, version)] = _resolve(ec2, spec, version)
            except Exception as exc:
                failures.append(f"{name}: {describe_error(exc)}")
                continue
            found, number = resolved[(template, version)]
            if found and found not in named:
                named.add(found)
                label = spec.get("LaunchTemplateName") or template
                shown = version if version.isdigit() else f"{version} (version {number})"
                detail = f"launch template {label} {shown}"
                uses.setdefault(found, []).append(
                    Reference("Auto Scaling group", name, region=region, detail=detail)
                )
    error = None
    if failures:
        error = f"could not resolve {len(failures)} group(s): " + "; ".join(failures[:3])
    return lambda image_id: Check(title, tuple(uses.get(image_id, ())), error=error, scope=scope)


def _template_specs(group: dict[str, Any]) -> list[dict[str, Any]]:
    specs = [group["LaunchTemplate"]] if group.get("LaunchTemplate") else []
    mixed = (group.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}
    if mixed.get("LaunchTemplateSpecification"):
        specs.append(mixed["LaunchTemplateSpecification"])
    for override in mixed.get("Overrides") or []:
        if override.get("LaunchTemplateSpecification"):
            specs.append(override["LaunchTemplateSpecification"])
    return specs


def _resolve(ec2: Any, spec: dict[str, Any], version: str) -> tuple[str, int]:
    """(image id, version number) a launch template version resolves to."""
    params: dict[str, Any] = {"Versions": [version]}
    if spec.get("LaunchTemplateId"):
        params["LaunchTemplateId"] = spec["LaunchTemplateId"]
    else:
        params["LaunchTemplateName"] = spec.get("LaunchTemplateName", "")
    versions = ec2.describe_launch_template_versions(**params).get("LaunchTemplateVersions") or []
    if not versions:
        return "", 0
    first = versions[0]
    return (first.get("LaunchTemplateData") or {}).get("ImageId", ""), first.get("VersionNumber", 0)


def _launch_configuration_images(autoscaling: Any, groups: list[dict[str, Any]]) -> dict:
    names = sorted(
        {g["LaunchConfigurationName"] for g in groups if g.get("LaunchConfigurationName")}
    )
    images: dict[str, str] = {}
    for start in range(0, len(names), 50):  # the call takes at most 50 names
        pages = autoscaling.get_paginator("describe_launch_configurations").paginate(
            LaunchConfigurationNames=names[start : start + 50]
        )
        for page in pages:
            for config in page.get("LaunchConfigurations") or []:
                images[config.get("LaunchConfigurationName", "")] = config.get("ImageId", "")
    return images


def shares(ec2: Any, image_id: str) -> Check:
    """Who besides the owner can launch the image (DescribeImageAttribute launchPermission)."""
    title = "Launch permissions"
    try:
        permissions = launch_permissions(ec2, image_id)
    except Exception as exc:
        return Check(title, error=describe_error(exc), scope="accounts, organizations, public")
    references = tuple(r for p in permissions if (r := shares_reference(p)) is not None)
    return Check(title, references, scope="accounts, organizations, public")


def ancestry(ec2: Any, image_id: str) -> list[dict[str, Any]]:
    """GetImageAncestry: the chain from the image to its root (raises on failure)."""
    answer = ec2.get_image_ancestry(ImageId=image_id)
    return list(answer.get("ImageAncestryEntries") or [])


def unexpired_usage_report(ec2: Any, values: Any) -> str | None:
    """The id of a pending or available, unexpired usage report on ``values["ImageId"]`` for
    the same resource types and accounts (values: the usage-report form's cleaned values)."""
    image_id = values.get("ImageId")
    wanted_types = set(values.get("ReportResourceTypes") or ())
    wanted_accounts = set(values.get("AccountIds") or ())
    now = datetime.now(UTC)
    reports = ec2.describe_image_usage_reports(ImageIds=[image_id]).get("ImageUsageReports")
    fresh = [
        r
        for r in reports or []
        if r.get("State") in ("pending", "available")
        and (r.get("ExpirationTime") is None or r["ExpirationTime"] > now)
        and {t.get("ResourceType") for t in r.get("ResourceTypes") or []} == wanted_types
        and set(r.get("AccountIds") or ()) == wanted_accounts
    ]
    fresh.sort(key=lambda r: r.get("CreationTime") or now, reverse=True)
    return fresh[0].get("ReportId") if fresh else None


def usage_reports(ec2: Any, image_id: str) -> list[dict[str, Any]]:
    """The image's usage reports, newest first (raises on failure)."""
    answer = ec2.describe_image_usage_reports(ImageIds=[image_id])
    reports = list(answer.get("ImageUsageReports") or [])
    reports.sort(key=lambda r: str(r.get("CreationTime") or ""), reverse=True)
    return reports


def usage_report_entries(ec2: Any, report_id: str) -> list[dict[str, Any]]:
    """Per account and resource type, how many use the image (paginated to the end)."""
    pages = ec2.get_paginator("describe_image_usage_report_entries").paginate(ReportIds=[report_id])
    return [e for page in pages for e in page.get("ImageUsageReportEntries") or []]
