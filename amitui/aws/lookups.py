"""Lookups that fill a form field from a list: instances, snapshots, S3 buckets, regions.

Each lookup is ``fn(clients, region) -> Lookup`` and runs in a worker thread. AWS trouble
raises (the picker shows it as one line), except where a fallback is honest:
DescribeRegions falls back to botocore's partition data, and a bucket whose
GetBucketLocation is refused is listed with its region "not verified".
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from amitui.aws.clients import AwsClients
from amitui.aws.errors import describe_error, error_code

#: At most this many GetBucketLocation calls at once.
BUCKET_LOCATION_WORKERS = 8
#: Live instances worth imaging.
INSTANCE_STATES = ("pending", "running", "stopping", "stopped")


@dataclass(frozen=True, slots=True)
class Choice:
    """One entry of a picker. ``value`` is what fills the field; ``warning`` (one line)
    says why this choice may not do what the form needs."""

    value: str
    name: str = ""
    description: str = ""
    size: str = ""
    date: str = ""
    warning: str = ""


@dataclass(frozen=True, slots=True)
class Lookup:
    """What a lookup found: the choices, their column titles (id, name, description, size,
    date), what they are (``noun``, plural), where they were looked for (``scope``: "in
    eu-west-1") and where the list came from (``source``)."""

    choices: tuple[Choice, ...]
    noun: str
    titles: tuple[str, str, str, str, str] = ("Id", "Name", "Description", "Size", "Date")
    source: str = ""
    scope: str = ""
    #: The list is a fallback, not the account's own answer (botocore's regions).
    fallback: bool = False


def _day(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return str(value or "")[:10]


def _name_tag(resource: dict[str, Any]) -> str:
    return next(
        (t.get("Value", "") for t in resource.get("Tags") or [] if t.get("Key") == "Name"), ""
    )


# -- EC2 ---------------------------------------------------------------------------------


def list_instances(clients: AwsClients, region: str) -> Lookup:
    """The region's live instances (the create form's Instance)."""
    ec2 = clients.ec2(region)
    choices = []
    filters = [{"Name": "instance-state-name", "Values": list(INSTANCE_STATES)}]
    for page in ec2.get_paginator("describe_instances").paginate(Filters=filters):
        for reservation in page.get("Reservations", []):
            for inst in reservation.get("Instances", []):
                details = [inst.get("State", {}).get("Name", ""), inst.get("PlatformDetails", "")]
                choices.append(
                    Choice(
                        value=inst["InstanceId"],
                        name=_name_tag(inst),
                        description=" · ".join(d for d in details if d),
                        size=inst.get("InstanceType", ""),
                        date=_day(inst.get("LaunchTime")),
                    )
                )
    return Lookup(
        tuple(choices),
        "instances",
        ("Instance", "Name", "State", "Type", "Launched"),
        f"DescribeInstances in {region} (pending, running, stopping, stopped)",
        f"in {region}",
    )


def list_snapshots(clients: AwsClients, region: str) -> Lookup:
    """The account's own snapshots in the region (the register form's root snapshot)."""
    ec2 = clients.ec2(region)
    choices = []
    for page in ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"]):
        for snap in page.get("Snapshots", []):
            description = snap.get("Description", "")
            if snap.get("State") not in (None, "completed"):
                description = f"({snap['State']}) {description}"
            choices.append(
                Choice(
                    value=snap["SnapshotId"],
                    name=_name_tag(snap),
                    description=description,
                    size=f"{snap.get('VolumeSize', '?')} GiB",
                    date=_day(snap.get("StartTime")),
                )
            )
    choices.sort(key=lambda c: c.date, reverse=True)  # newest first
    return Lookup(
        tuple(choices),
        "snapshots",
        ("Snapshot", "Name", "Description", "Size", "Started"),
        f"DescribeSnapshots in {region} (owner: self), newest first",
        f"in {region}",
    )


# -- regions -----------------------------------------------------------------------------


def region_names() -> dict[str, str]:
    """botocore's human names of the regions it knows ("Europe (Frankfurt)")."""
    from amitui.aws.region_data import region_data

    return region_data().names


def list_regions(clients: AwsClients, region: str) -> Lookup:
    """The regions enabled for the account (DescribeRegions); when that call fails, the
    regions botocore knows for the session's partition, saying so."""
    names = region_names()
    titles = ("Region", "Name", "Opt-in", "", "")
    try:
        answer = clients.ec2(region).describe_regions()
    except Exception as exc:
        fallback = _partition_regions(clients)
        reason = describe_error(exc, clients.profile)
        return Lookup(
            tuple(Choice(r, names.get(r, "")) for r in fallback),
            "regions",
            titles,
            f"botocore's region list, not checked against the account (DescribeRegions "
            f"failed: {reason})",
            fallback=True,
        )
    choices = []
    for item in answer.get("Regions", []):
        status = item.get("OptInStatus", "")
        if status == "not-opted-in":  # not enabled: a call there would fail
            continue
        name = item["RegionName"]
        opt_in = "" if status == "opt-in-not-required" else status
        choices.append(Choice(name, names.get(name, ""), opt_in))
    choices.sort(key=lambda c: c.value)
    return Lookup(
        tuple(choices), "regions", titles, "the regions enabled for this account (DescribeRegions)"
    )


def _partition_regions(clients: AwsClients) -> list[str]:
    try:
        return clients.available_regions()
    except Exception:  # no session (a missing profile): every region botocore knows
        from amitui.aws.validators import known_regions

        return list(known_regions())


# -- S3 ----------------------------------------------------------------------------------


def bucket_region(location: dict[str, Any]) -> str:
    """GetBucketLocation's answer as a region name (None means us-east-1, EU eu-west-1)."""
    constraint = location.get("LocationConstraint") or ""
    return {"": "us-east-1", "EU": "eu-west-1"}.get(constraint, constraint)


def bucket_warning(bucket: str, where: str | None, wanted: str, reason: str = "") -> str:
    """Why ExportImage may refuse ``bucket`` for an image in ``wanted`` ('' when fine)."""
    if where is None:
        because = f" ({reason})" if reason else ""
        return f"{bucket}: region not verified{because}; ExportImage needs a bucket in {wanted}"
    if where != wanted:
        return f"{bucket} is in {where}: ExportImage needs a bucket in {wanted}"
    return ""


def list_buckets(clients: AwsClients, region: str) -> Lookup:
    """The account's S3 buckets with each one's region (GetBucketLocation, concurrently);
    a bucket in another region than ``region`` (the image's) carries a warning."""
    s3 = clients.client("s3", region)
    buckets: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_buckets").paginate():
        buckets.extend(page.get("Buckets", []))

    def locate(name: str) -> tuple[str | None, str]:
        try:
            return bucket_region(s3.get_bucket_location(Bucket=name)), ""
        except Exception as exc:  # AccessDenied on one bucket must not hide the others
            return None, error_code(exc) or type(exc).__name__

    names = [b["Name"] for b in buckets]
    with ThreadPoolExecutor(max_workers=max(1, min(BUCKET_LOCATION_WORKERS, len(names)))) as pool:
        locations = list(pool.map(locate, names))
    choices = []
    for bucket, (where, reason) in zip(buckets, locations, strict=True):
        choices.append(
            Choice(
                value=bucket["Name"],
                description=where or "region not verified",
                date=_day(bucket.get("CreationDate")),
                warning=bucket_warning(bucket["Name"], where, region, reason),
            )
        )
    choices.sort(key=lambda c: (bool(c.warning), c.value))  # usable ones first
    return Lookup(
        tuple(choices),
        "buckets",
        ("Bucket", "", "Region", "", "Created"),
        f"ListBuckets, regions from GetBucketLocation; the image is in {region}",
        "in this account",
    )


#: Field.lookup name -> lookup.
LOOKUPS: dict[str, Callable[[AwsClients, str], Lookup]] = {
    "instances": list_instances,
    "snapshots": list_snapshots,
    "regions": list_regions,
    "buckets": list_buckets,
}
