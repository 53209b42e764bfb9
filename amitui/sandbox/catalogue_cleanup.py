"""The seeded catalogue's nightly builds, orphaned snapshots and Recycle Bin (issue 17).

Seeded last (after the usage and lifecycle roles), so every id and count seeded before
stays what it was. Deterministic for a seed: content from ``Random(f"cleanup/{seed}")``,
ids from moto's seeded generator, dates over the six weeks up to ``AS_OF`` (the
catalogue's fixed day, 2025-12-15 12:00 UTC: evaluate "launched in the last D days" and
"younger than A days" against it in tests).

* Families of nightly builds in the sandbox account (``NIGHTLY``): ``web-api``
  (``web-api-2025.12.14-nightly.412``, 36 builds, two snapshots each), ``base-al2023``
  (``base-al2023-20251214``, 30 builds, one), ``payments-worker``
  (``payments-worker-3.14.2-b218``, 24 builds, two) in us-east-1, and ``etl-runner``
  (``etl-runner-2025-12-14-build77``, 22 builds, one) in eu-west-1. Every snapshot is
  described as AWS describes it: ``Created by CreateImage(i-...) for ami-... from vol-...``
  (``etl-runner``'s are copies: ``Copied for DestinationAmi ami-... from SourceAmi ami-...
  for SourceSnapshot snap-...``). About 70% carry FullSnapshotSizeInBytes (a share of the
  volume's size), the rest none, as on AWS.
* Roles, all among the older builds (never the newest five of a family): in use
  (``web-api`` by the running instance ``web-api-canary``, ``web-api`` and ``base-al2023``
  by launch template ``nightly-fleet`` versions 1 and 2), deregistration protection
  (one ``web-api``, one ``payments-worker``), shared with account 210987654321 (one
  ``base-al2023``, one ``payments-worker``), launched recently (one ``base-al2023``,
  LastLaunchedTime two days before ``AS_OF``, nothing uses it now), and one ``web-api``
  build already in the Recycle Bin (deregistered at seeding; its snapshots stay).
* Orphaned snapshots of the account: made for AMIs that no longer exist, by CreateImage
  and CopyImage descriptions, in both regions (``ORPHANS``).
* Recycle Bin: a Region-level ``EC2_IMAGE`` retention rule of ``RBIN_DAYS`` (7) days in
  us-east-1; none in eu-west-1 or elsewhere.

``SeedSummary.cleanup`` says where each of these is (see ``seed_cleanup``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random
from typing import Any

from .amis import SandboxAmi, build_ami, make_snapshot
from .catalogue_others import CATALOGUE_DAY, PARTNER_ACCOUNT
from .catalogue_usage import endpoint_client
from .moto_compat import ec2_backends
from .protection import iso_seconds
from .rbin_server import create_rule
from .recycle_bin import BinEntry
from .state import SandboxState

AS_OF = CATALOGUE_DAY
RBIN_REGION = "us-east-1"
NO_RBIN_REGION = "eu-west-1"
RBIN_DAYS = 7
GIB = 1024**3
FULL_SIZE_SHARE = 0.7  # of the snapshots carry FullSnapshotSizeInBytes


@dataclass(frozen=True)
class Nightly:
    family: str
    region: str
    builds: int
    first_build: int  # the newest build's number
    sizes: tuple[int, ...]  # GiB of each snapshot, root first
    team: str
    copied: bool = False  # snapshots described as CopyImage's

    def name(self, day: datetime, index: int, build: int) -> str:
        if self.family == "web-api":
            return f"web-api-{day:%Y.%m.%d}-nightly.{build}"
        if self.family == "base-al2023":
            return f"base-al2023-{day:%Y%m%d}"
        if self.family == "payments-worker":
            minor, patch = 14 - index // 6, 5 - index % 6
            return f"payments-worker-3.{minor}.{patch}-b{build}"
        return f"etl-runner-{day:%Y-%m-%d}-build{build}"


NIGHTLY = (
    Nightly("web-api", "us-east-1", 36, 412, (30, 50), "web"),
    Nightly("base-al2023", "us-east-1", 30, 0, (8,), "platform"),
    Nightly("payments-worker", "us-east-1", 24, 218, (20, 100), "payments"),
    Nightly("etl-runner", "eu-west-1", 22, 77, (16,), "data", copied=True),
)
# (region, how the description names the gone AMI, GiB) of the orphaned snapshots
ORPHANS = (
    ("us-east-1", "create", 30),
    ("us-east-1", "create", 50),
    ("us-east-1", "create", 30),
    ("us-east-1", "create", 8),
    ("us-east-1", "create", 100),
    ("us-east-1", "copy", 20),
    ("us-east-1", "copy", 8),
    ("eu-west-1", "create", 16),
    ("eu-west-1", "copy", 16),
)


def _hex(rng: Random, digits: int = 17) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


def _created_for(instance: str, ami: str, volume: str) -> str:
    return f"Created by CreateImage({instance}) for {ami} from {volume}"


def _copied_for(ami: str, source_ami: str, source_snapshot: str) -> str:
    return (
        f"Copied for DestinationAmi {ami} from SourceAmi {source_ami} for SourceSnapshot "
        f"{source_snapshot}. Task created on 1,765,700,000,000."
    )


def _sized(snapshot: Any, size: int, rng: Random, bare: list[str]) -> None:
    """FullSnapshotSizeInBytes for most snapshots (a share of the volume), none for some."""
    if rng.random() < FULL_SIZE_SHARE:
        snapshot.full_snapshot_size_in_bytes = int(size * GIB * rng.uniform(0.15, 0.9))
    else:
        bare.append(snapshot.id)


def _family(backend: Any, spec: Nightly, rng: Random, bare: list[str]) -> list[SandboxAmi]:
    """The family's builds, newest first."""
    images = []
    day = AS_OF - timedelta(days=1)
    for index in range(spec.builds):
        build = spec.first_build - index
        name = spec.name(day, index, build)
        built = day.replace(hour=2, minute=rng.randint(0, 59), second=rng.randint(0, 59))
        devices = ("/dev/xvda", "/dev/sdf")
        ami = build_ami(
            backend,
            name=name,
            description=f"{spec.family} nightly build {build} ({built:%Y-%m-%d})",
            mappings=[
                {"DeviceName": devices[i], "Ebs": {"VolumeSize": size, "VolumeType": "gp3"}}
                for i, size in enumerate(spec.sizes)
            ],
            root_device_name="/dev/xvda",
            architecture="arm64" if spec.family == "base-al2023" else "x86_64",
            creation_date=built.replace(tzinfo=None),
            extra={"boot_mode": "uefi-preferred", "imds_support": "v2.0"},
            tags={
                "Name": name,
                "Team": spec.team,
                "Application": spec.family,
                "Pipeline": "nightly",
                "BuiltBy": "packer",
            },
        )
        instance = f"i-{_hex(rng)}"
        source_ami = f"ami-{_hex(rng)}"
        ami.instance_id = None if spec.copied else instance
        if spec.copied:
            ami.source_image_id, ami.source_image_region = source_ami, "us-east-1"
        for size, snapshot_id in zip(spec.sizes, ami.snapshot_ids(), strict=True):
            snapshot = backend.snapshots[snapshot_id]
            snapshot.description = (
                _copied_for(ami.id, source_ami, f"snap-{_hex(rng)}")
                if spec.copied
                else _created_for(instance, ami.id, snapshot.volume.id)
            )
            _sized(snapshot, size, rng, bare)
        images.append(ami)
        day -= timedelta(days=1 if spec.builds > 30 else rng.choice((1, 1, 2, 2)))
    return images


def _orphans(account: str, rng: Random, bare: list[str]) -> dict[str, list[str]]:
    made: dict[str, list[str]] = {}
    for region, how, size in ORPHANS:
        backend = ec2_backends[account][region]
        gone = f"ami-{_hex(rng)}"
        volume = f"vol-{_hex(rng)}"
        description = (
            _created_for(f"i-{_hex(rng)}", gone, volume)
            if how == "create"
            else _copied_for(gone, f"ami-{_hex(rng)}", f"snap-{_hex(rng)}")
        )
        snapshot = make_snapshot(backend, size=size, description=description)
        backend.create_tags([snapshot.id], {"Team": "web", "Pipeline": "nightly"})
        _sized(snapshot, size, rng, bare)
        made.setdefault(region, []).append(snapshot.id)
    return made


def seed_cleanup(url: str, state: SandboxState, seed: int, account: str) -> dict[str, Any]:
    """Seed the families, roles, orphans and Recycle Bin above; return what is where:

    ``as_of`` (ISO time the dates are relative to), ``families`` ({family: {"region",
    "images": ids newest first}}), ``in_use`` ({image id: what uses it}), ``protected``,
    ``shared``, ``recently_launched``, ``in_bin`` (lists of image ids), ``orphans``
    ({region: snapshot ids}), ``family_snapshots`` ({image id: its snapshot ids}),
    ``no_full_size`` (snapshot ids without FullSnapshotSizeInBytes), ``rbin_region``,
    ``rbin_rule`` (its identifier), ``rbin_days``, ``no_rbin_region``.
    """
    rng = Random(f"cleanup/{seed}")
    bare: list[str] = []
    with state.lock:
        families = {
            spec.family: _family(ec2_backends[account][spec.region], spec, rng, bare)
            for spec in NIGHTLY
        }
        orphans = _orphans(account, rng, bare)
    web, base, payments = families["web-api"], families["base-al2023"], families["payments-worker"]
    ec2 = endpoint_client("ec2", url, RBIN_REGION)
    template = ec2.create_launch_template(
        LaunchTemplateName="nightly-fleet",
        LaunchTemplateData={"ImageId": web[9].id, "InstanceType": "t3.small"},
    )["LaunchTemplate"]["LaunchTemplateId"]
    ec2.create_launch_template_version(
        LaunchTemplateId=template,
        LaunchTemplateData={"ImageId": base[12].id, "InstanceType": "t3.small"},
    )
    canary = ec2.run_instances(
        ImageId=web[6].id,
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.small",
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web-api-canary"}]}
        ],
    )["Instances"][0]["InstanceId"]
    with state.lock:
        web[6].last_launched = iso_seconds(AS_OF - timedelta(days=20))
        base[15].last_launched = iso_seconds(AS_OF - timedelta(days=2))
        for ami in (web[11], payments[8]):
            ami.protect(with_cooldown=False)
        for ami in (base[18], payments[14]):
            ami.launch_permissions.append({"UserId": PARTNER_ACCOUNT})
        book = state.book(account, RBIN_REGION)
        rule = create_rule(
            state,
            RBIN_REGION,
            {
                "ResourceType": "EC2_IMAGE",
                "RetentionPeriod": {
                    "RetentionPeriodValue": RBIN_DAYS,
                    "RetentionPeriodUnit": "DAYS",
                },
                "Description": "Keep deregistered AMIs for a week",
            },
            account,
        )
        binned = web[20]
        _to_bin(ec2_backends[account][RBIN_REGION], book, binned, rule.identifier)
    return {
        "as_of": iso_seconds(AS_OF),
        "families": {
            spec.family: {"region": spec.region, "images": [a.id for a in families[spec.family]]}
            for spec in NIGHTLY
        },
        "in_use": {
            web[6].id: f"instance {canary} (web-api-canary)",
            web[9].id: f"launch template {template} (nightly-fleet) version 1",
            base[12].id: f"launch template {template} (nightly-fleet) version 2",
        },
        "protected": [web[11].id, payments[8].id],
        "shared": [base[18].id, payments[14].id],
        "recently_launched": [base[15].id],
        "in_bin": [binned.id],
        "orphans": orphans,
        "family_snapshots": {
            a.id: a.snapshot_ids() for images in families.values() for a in images
        },
        "no_full_size": bare,
        "rbin_region": RBIN_REGION,
        "rbin_rule": rule.identifier,
        "rbin_days": RBIN_DAYS,
        "no_rbin_region": NO_RBIN_REGION,
    }


def _to_bin(backend: Any, book: Any, ami: SandboxAmi, rule_id: str) -> None:
    """As DeregisterImage does under a retention rule, at seeding time."""
    backend.amis.pop(ami.id)
    backend.deleted_amis.append(ami.id)
    ami.state = "deregistered"
    entered = time.time()  # the bin's clock is the real one, as every sandbox timer's
    book.recycle_bin[ami.id] = BinEntry(ami, entered, entered + RBIN_DAYS * 86400.0, rule_id)
