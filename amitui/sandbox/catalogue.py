"""The seeded catalogue: what the sandbox account owns when the sandbox starts.

Deterministic for a seed: content comes from ``random.Random(seed)`` and moto's
own id generator (``mock_random``) is seeded with the same number first, so ids,
names, dates, disks and tags are the same on every start with that seed.

Per region (us-east-1, eu-west-1, ap-southeast-2): own images of the families in
catalogue_families.py with creation dates over the three years up to
CATALOGUE_END, x86_64 and arm64, Windows, several EBS mappings, volume types and
encryption, tags; a few deprecated, disabled, public, shared and failed images;
three running instances to create images from; two snapshots to register from.
In S3: the buckets ``amitui-exports`` (empty) and ``amitui-imports`` (disk files).
moto's public Amazon catalogue stays, its creation dates spread out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

from .amis import FAILED_REASON, SandboxAmi, build_ami, iso_z, make_snapshot
from .catalogue_families import COST_CENTERS, FAMILIES, TEAMS_ENVS, Family
from .catalogue_others import seed_other_accounts
from .conventions import FAIL_MARKER
from .describe_images import AMI_ID
from .moto_compat import DEFAULT_ACCOUNT_ID, ec2_backends, mock_random, s3_backend

CATALOGUE_END = datetime(2025, 12, 15, 12, 0, tzinfo=UTC)
CATALOGUE_START = CATALOGUE_END - timedelta(days=3 * 365)
REGION_IMAGE_COUNTS = {"us-east-1": 180, "eu-west-1": 110, "ap-southeast-2": 70}
SEEDED_REGIONS = tuple(REGION_IMAGE_COUNTS)
EXPORT_BUCKET = "amitui-exports"
IMPORT_BUCKET = "amitui-imports"
IMPORT_OBJECTS = (
    "vms/web-frontend-2025.03.1.vmdk",
    "vms/legacy-centos7.ova",
    "vms/win2019-base.vhd",
    "vms/appliance-raw.raw",
    f"vms/{FAIL_MARKER}-corrupt.vmdk",  # the failure convention's import
)
SHARED_WITH_ACCOUNT = "210987654321"
SCHEDULED_DEPRECATION = datetime(2030, 6, 30, tzinfo=UTC)
_DATE_IN_NAME = re.compile(r"(20\d\d)[.\-]?(0[1-9]|1[0-2])[.\-]?(0[1-9]|[12]\d|3[01])")


@dataclass
class SeedSummary:
    images: dict[str, list[str]] = field(default_factory=dict)
    instances: dict[str, list[str]] = field(default_factory=dict)
    snapshots: dict[str, list[str]] = field(default_factory=dict)
    buckets: dict[str, tuple[str, str]] = field(default_factory=dict)  # region -> buckets
    others: dict[str, list[str]] = field(default_factory=dict)  # other accounts' images
    # issue 15: role -> image id of the images in use and not (catalogue_usage.py);
    # filled once the endpoint answers (Sandbox.start/reset)
    usage: dict[str, str] = field(default_factory=dict)
    # issue 16: role -> image id for lifecycle and sharing (catalogue_lifecycle.py);
    # filled with ``usage``
    lifecycle: dict[str, str] = field(default_factory=dict)
    # issue 17: nightly-build families, their roles, orphaned snapshots and the Recycle
    # Bin (catalogue_cleanup.seed_cleanup says each key); filled after ``lifecycle``
    cleanup: dict[str, Any] = field(default_factory=dict)
    # issue 18: the organization and its member accounts (catalogue_org.OrgSummary);
    # filled last, after ``cleanup``
    org: Any = None


def seed_catalogue(seed: int, account_id: str = DEFAULT_ACCOUNT_ID) -> SeedSummary:
    """Fill moto's (freshly reset) backends with the catalogue for ``seed``."""
    mock_random.seed(seed)
    rng = Random(seed)
    summary = SeedSummary()
    for region, count in REGION_IMAGE_COUNTS.items():
        backend = ec2_backends[account_id][region]  # loads moto's public catalogue
        _spread_public_dates(backend, rng)
        for ami_id in [i for i in backend.amis if not AMI_ID.fullmatch(i)]:
            backend.amis.pop(ami_id)
        images = _seed_images(backend, rng, count)
        summary.images[region] = [ami.id for ami in images]
        summary.instances[region] = _seed_instances(backend, images)
        summary.snapshots[region] = _seed_snapshots(backend)
    summary.buckets = _seed_buckets(account_id)
    # Last, so that the ids and names above stay what they were before these existed.
    for region in SEEDED_REGIONS:
        summary.others[region] = seed_other_accounts(ec2_backends[account_id][region], seed)
    return summary


def buckets_for(region: str) -> tuple[str, str]:
    """(export bucket, import bucket) in ``region``: VM Import/Export stays in-region."""
    if region == "us-east-1":
        return EXPORT_BUCKET, IMPORT_BUCKET
    return f"{EXPORT_BUCKET}-{region}", f"{IMPORT_BUCKET}-{region}"


def _random_moment(rng: Random) -> datetime:
    span = (CATALOGUE_END - CATALOGUE_START).total_seconds()
    return CATALOGUE_START + timedelta(seconds=int(rng.random() * span))


def _spread_public_dates(backend: Any, rng: Random) -> None:
    """moto gives every public image 'now' as its creation date; use its name's date.
    Its few ids that no AWS image could have (``ami-ekswin``) go; Amazon Linux images
    are free-tier eligible, as on AWS."""
    for ami in backend.amis.values():
        ami.free_tier_eligible = (ami.name or "").startswith(("amzn", "al2023"))
        match = _DATE_IN_NAME.search(ami.name or "")
        if match:
            y, m, d = (int(g) for g in match.groups())
            try:
                ami.creation_date = datetime(y, m, d, rng.randint(0, 23), rng.randint(0, 59), 0)
                continue
            except ValueError:
                pass
        ami.creation_date = _random_moment(rng).replace(tzinfo=None)


def _pick(rng: Random, names: set[str]) -> tuple[Family, datetime, str, str]:
    weights = [family.weight for family in FAMILIES]
    while True:
        family = rng.choices(FAMILIES, weights)[0]
        when = _random_moment(rng)
        if not family.since <= when.date() <= family.until:
            continue
        arch = rng.choice(family.arches)
        name = family.name(when.date(), arch, rng)
        if name not in names:
            names.add(name)
            return family, when, arch, name


def _mappings(family: Family, rng: Random, encrypted: bool) -> list[dict[str, Any]]:
    root = {
        "DeviceName": family.root_device,
        "Ebs": {
            "VolumeSize": rng.choice(family.root_sizes),
            "VolumeType": rng.choice(family.volume_types),
            "Encrypted": encrypted,
            "DeleteOnTermination": True,
        },
    }
    mappings = [root]
    for index in range(rng.randint(1, 2) if family.data_sizes else 0):
        mappings.append(
            {
                "DeviceName": f"/dev/sd{'fg'[index]}",
                "Ebs": {
                    "VolumeSize": rng.choice(family.data_sizes),
                    "VolumeType": rng.choice(("gp3", "io1", "gp2")),
                    "Encrypted": encrypted,
                    "DeleteOnTermination": rng.random() < 0.5,
                },
            }
        )
    if family.platform is None and rng.random() < 0.1:
        mappings.append({"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"})
    return mappings


def _extra(family: Family, arch: str, rng: Random) -> dict[str, Any]:
    boot_mode = None
    if arch == "arm64":
        boot_mode = "uefi"
    elif family.slug == "al2023":
        boot_mode = "uefi-preferred"
    elif family.slug == "windows-2022":
        boot_mode = rng.choice(("uefi", None))
    return {
        "boot_mode": boot_mode,
        "tpm_support": "v2.0" if family.platform and boot_mode == "uefi" else None,
        "imds_support": "v2.0" if family.slug == "al2023" or rng.random() < 0.3 else None,
    }


def _tags(family: Family, name: str, rng: Random) -> dict[str, str]:
    if rng.random() < 0.1:
        return {}
    tags = {
        "Team": rng.choice(family.teams),
        "Env": rng.choice(TEAMS_ENVS),
        "CostCenter": rng.choice(COST_CENTERS),
        "BuiltBy": "packer",
        "OS": "windows" if family.platform else family.slug.split("-")[0],
    }
    if family.application:
        tags["Application"] = family.application
    if rng.random() < 0.5:
        tags["Name"] = name
    return tags


def _seed_images(backend: Any, rng: Random, count: int) -> list[SandboxAmi]:
    names: set[str] = set()
    images: list[SandboxAmi] = []
    for index in range(count):
        family, when, arch, name = _pick(rng, names)
        if index == count - 1:  # one failed build per region, per the failure convention
            name = f"{FAIL_MARKER}-{name}"
        encrypted = rng.random() < (0.5 if family.application else 0.15)
        ami = build_ami(
            backend,
            name=name,
            description=family.description(when.date(), arch, rng),
            mappings=_mappings(family, rng, encrypted),
            root_device_name=family.root_device,
            architecture=arch,
            platform=family.platform,
            creation_date=when.replace(tzinfo=None),
            extra=_extra(family, arch, rng),
            tags=_tags(family, name, rng),
        )
        _special_states(ami, when, rng)
        if index == count - 1:
            ami.mark_failed(FAILED_REASON)
        images.append(ami)
    return images


def _special_states(ami: SandboxAmi, when: datetime, rng: Random) -> None:
    roll = rng.random()
    if roll < 0.06:  # deprecated: its deprecation time has passed
        gone = min(when + timedelta(days=rng.randint(180, 720)), CATALOGUE_END)
        ami.deprecation_time = iso_z(gone)
    elif roll < 0.09:  # deprecation scheduled
        ami.deprecation_time = iso_z(SCHEDULED_DEPRECATION)
    roll = rng.random()
    if roll < 0.025:
        ami.state = "disabled"
    elif roll < 0.065:
        ami.launch_permissions.append({"Group": "all"})
    elif roll < 0.115:
        ami.launch_permissions.append({"UserId": SHARED_WITH_ACCOUNT})


def _seed_instances(backend: Any, images: list[SandboxAmi]) -> list[str]:
    """Three running instances: web (Linux), payments (app image), a Windows box."""
    wanted = (
        ("web-1", "t3.small", lambda a: a.name.startswith("al2023")),
        ("payments-api-1", "m6i.large", lambda a: a.name.startswith("payments-api")),
        ("win-build-agent", "m5.xlarge", lambda a: a.platform == "windows"),
    )
    ids: list[str] = []
    for label, instance_type, match in wanted:
        source = next((a for a in images if match(a) and a.state == "available"), images[0])
        mappings = [_instance_volume(m) for m in source.block_device_mappings if "Ebs" in m]
        reservation = backend.run_instances(
            source.id,
            1,
            None,
            [],
            instance_type=instance_type,
            is_instance_type_default=False,
            region_name=backend.region_name,
            tags={"instance": {"Name": label}},
            block_device_mappings=mappings,
        )
        ids.extend(instance.id for instance in reservation.instances)
    return ids


def _instance_volume(mapping: dict[str, Any]) -> dict[str, Any]:
    ebs = mapping["Ebs"]
    volume_type = "gp3" if ebs["VolumeType"] in ("io1", "io2") else ebs["VolumeType"]
    return {
        "DeviceName": mapping["DeviceName"],
        "Ebs": {
            "VolumeSize": ebs["VolumeSize"],
            "VolumeType": volume_type,
            "Encrypted": ebs["Encrypted"],
            "KmsKeyId": ebs.get("KmsKeyId"),
            "DeleteOnTermination": True,
        },
    }


def _seed_snapshots(backend: Any) -> list[str]:
    made = []
    for size, encrypted, label in (
        (8, False, "legacy-app root volume (register an image from me)"),
        (30, True, "windows-builder root volume backup"),
    ):
        snapshot = make_snapshot(backend, size=size, description=label, encrypted=encrypted)
        backend.create_tags([snapshot.id], {"Name": label.split(" (")[0], "Team": "platform"})
        made.append(snapshot.id)
    return made


def _seed_buckets(account_id: str) -> dict[str, tuple[str, str]]:
    s3 = s3_backend(account_id)
    made = {}
    for region in SEEDED_REGIONS:
        exports, imports = buckets_for(region)
        for bucket in (exports, imports):
            if bucket not in s3.buckets:
                s3.create_bucket(bucket, region)
        for key in IMPORT_OBJECTS:
            s3.put_object(imports, key, f"amitui sandbox disk image {key}\n".encode())
        made[region] = (exports, imports)
    return made
