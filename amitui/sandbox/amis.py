"""SandboxAmi: moto's Ami model plus what a real image carries and moto's lacks.

moto 5.2.5's ``Ami`` is serialized attribute by attribute against botocore's ``Image``
shape (``DeprecationTime`` <- ``deprecation_time``, ``StateReason`` <- ``state_reason``,
``Tags`` <- ``tag_set`` ...). This subclass keeps per-image block device mappings,
a time-driven ``state`` (``pending`` until ``ready_at``), a StateReason for failed
images and the extra fields (deprecation, source image, platform details ...).
moto's names come through ``moto_compat``, which checks the pinned version.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from . import errors
from .lifecycle import image_state
from .moto_compat import Ami, random_ami_id

EBS_FIELDS = (
    "DeleteOnTermination",
    "Iops",
    "SnapshotId",
    "VolumeSize",
    "VolumeType",
    "KmsKeyId",
    "Throughput",
    "Encrypted",
)
IOPS_VOLUME_TYPES = {"io1", "io2", "gp3"}
FAILED_REASON = {
    "Code": "Server.InternalError",
    "Message": "Internal error while creating the image "
    "(sandbox convention: the image name starts with 'sandbox-fail').",
}


def protection_value(protected: bool, cooldown: bool, until: float | None) -> str:
    """DescribeImages' DeregistrationProtection: ``enabled-without-cooldown`` or
    ``enabled-with-cooldown`` (AWS's values: the CLI's examples and Terraform's
    acceptance tests), ``disabled``; while a cooldown runs after disabling,
    ``disabled-until <ISO time>`` (our form: AWS's exact wording was not found)."""
    if protected:
        return "enabled-with-cooldown" if cooldown else "enabled-without-cooldown"
    if until is not None and time.time() < until:
        return f"disabled-until {iso_z(datetime.fromtimestamp(until, UTC))}"
    return "disabled"


def default_kms_key_arn(account_id: str, region: str) -> str:
    """A stable, made-up KMS key ARN for the account's default EBS key in a region."""
    key_id = uuid.uuid5(uuid.NAMESPACE_URL, f"amitui-sandbox/{account_id}/{region}/ebs")
    return f"arn:aws:kms:{region}:{account_id}:key/{key_id}"


def iso_z(moment: datetime) -> str:
    """AWS's ISO 8601 form for string timestamps, e.g. 2024-05-01T12:00:00.000Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class SandboxAmi(Ami):
    """An AMI whose state, mappings and extra fields the sandbox controls."""

    def __init__(self, ec2_backend: Any, ami_id: str, **kwargs: Any) -> None:
        self._state = "available"
        self._ready_at: float | None = None
        self._fail_reason: dict[str, str] | None = None
        self._bdms: list[dict[str, Any]] | None = None
        self.deprecation_time: str | None = None
        self.source_image_id: str | None = None
        self.source_image_region: str | None = None
        self.platform_details: str | None = None
        self.usage_operation: str | None = None
        self.ena_support: bool | None = None
        self.sriov_net_support: str | None = None
        self.tpm_support: str | None = None
        self.imds_support: str | None = None
        self.ramdisk_id: str | None = None
        # issue 15: last launch, deregistration protection (see usage fields below)
        self.last_launched: str | None = None
        self._protected = False
        self._cooldown = False
        self._protected_until: float | None = None
        self._usage_hidden = False
        super().__init__(ec2_backend, ami_id, **kwargs)

    # -- state: pending until ready_at, then the final state ------------------------
    @property  # type: ignore[override]
    def state(self) -> str:
        return image_state(time.time(), self._ready_at, self._state)

    @state.setter
    def state(self, value: str) -> None:
        # moto's enable_image/disable_image and Ami.__init__ land here.
        self._state = value
        self._ready_at = None

    def start_pending(self, seconds: float, final_state: str = "available") -> None:
        self._state = final_state
        self._ready_at = time.time() + seconds
        self._fail_reason = dict(FAILED_REASON) if final_state == "failed" else None

    def mark_failed(self, reason: Mapping[str, str]) -> None:
        self._state = "failed"
        self._ready_at = None
        self._fail_reason = dict(reason)

    @property
    def state_reason(self) -> dict[str, str] | None:
        return self._fail_reason if self.state == "failed" else None

    # -- usage fields (issue 15): hidden in a plain-moto view ----------------------
    @property
    def last_launched_time(self) -> str | None:
        return None if self._usage_hidden else self.last_launched

    @property
    def image_allowed(self) -> bool | None:
        return None if self._usage_hidden else True

    @property
    def deregistration_protection(self) -> str | None:
        if self._usage_hidden:
            return None
        return protection_value(self._protected, self._cooldown, self._protected_until)

    def protect(self, with_cooldown: bool) -> None:
        self._protected, self._cooldown, self._protected_until = True, with_cooldown, None

    def unprotect(self, cooldown_seconds: float) -> None:
        if self._protected and self._cooldown:
            self._protected_until = time.time() + cooldown_seconds
        self._protected = self._cooldown = False

    def is_protected(self) -> bool:
        """Protection on, or off for less than its cooldown: DeregisterImage refuses."""
        until = self._protected_until
        return self._protected or (until is not None and time.time() < until)

    def plain_view(self) -> SandboxAmi:
        """A copy that answers DescribeImages as plain moto does (no issue-15 fields)."""
        view = copy.copy(self)
        view._usage_hidden = True
        return view

    # -- block device mappings ------------------------------------------------------
    @property
    def block_device_mappings(self) -> list[dict[str, Any]]:
        if self._bdms is None:
            return super().block_device_mappings
        return [dict(m, Ebs=dict(m["Ebs"])) if "Ebs" in m else dict(m) for m in self._bdms]

    def snapshot_ids(self) -> list[str]:
        return [m["Ebs"]["SnapshotId"] for m in self.block_device_mappings if "Ebs" in m]

    # -- tags: a direct lookup instead of moto's scan of every tag in the region ----
    def get_tags(self) -> list[dict[str, str]]:
        tags = self.ec2_backend.tags.get(self.id) or {}
        return [
            {"resource_id": self.id, "key": k, "value": v, "resource_type": "image"}
            for k, v in tags.items()
        ]


def _zone(backend: Any) -> str:
    return f"{backend.region_name}a"


def make_snapshot(
    backend: Any,
    *,
    size: int,
    description: str,
    encrypted: bool = False,
    kms_key_id: str | None = None,
    from_ami: str | None = None,
) -> Any:
    """A completed snapshot of a volume that no longer exists, as AMIs have."""
    volume = backend.create_volume(size=size, zone_name=_zone(backend))
    snapshot = backend.create_snapshot(volume.id, description, None, from_ami=from_ami)
    backend.delete_volume(volume.id)
    if encrypted:
        snapshot.encrypted = True
        snapshot.kms_key_id = kms_key_id or default_kms_key_arn(
            backend.account_id, backend.region_name
        )
    return snapshot


def _materialize_mapping(
    backend: Any, ami_id: str, mapping: Mapping[str, Any], description: str
) -> dict[str, Any]:
    """Turn a request-shaped mapping into the response shape, creating its snapshot."""
    device = mapping["DeviceName"]
    if "Ebs" not in mapping:
        return {k: v for k, v in mapping.items() if k in ("DeviceName", "VirtualName", "NoDevice")}
    ebs = dict(mapping["Ebs"])
    snapshot_id = ebs.get("SnapshotId")
    if snapshot_id:
        if not snapshot_id.startswith("snap-"):
            raise errors.malformed_snapshot_id(snapshot_id)
        snapshot = backend.snapshots.get(snapshot_id)
        if snapshot is None:
            raise errors.snapshot_not_found(snapshot_id)
        size = int(ebs.get("VolumeSize") or snapshot.volume.size)
        encrypted = bool(ebs.get("Encrypted", snapshot.encrypted))
        if snapshot.from_ami is None:
            snapshot.from_ami = ami_id  # AWS: a snapshot an AMI uses can't be deleted
    else:
        size = int(ebs.get("VolumeSize") or 8)
        encrypted = bool(ebs.get("Encrypted", False))
        snapshot = make_snapshot(
            backend,
            size=size,
            description=f"{description} ({device})",
            encrypted=encrypted,
            kms_key_id=ebs.get("KmsKeyId"),
            from_ami=ami_id,
        )
    volume_type = ebs.get("VolumeType") or "gp2"
    out: dict[str, Any] = {
        "DeleteOnTermination": bool(ebs.get("DeleteOnTermination", True)),
        "SnapshotId": snapshot.id,
        "VolumeSize": size,
        "VolumeType": volume_type,
        "Encrypted": encrypted,
    }
    if encrypted:
        out["KmsKeyId"] = ebs.get("KmsKeyId") or snapshot.kms_key_id
    if volume_type in IOPS_VOLUME_TYPES:
        out["Iops"] = int(ebs.get("Iops") or (3000 if volume_type == "gp3" else 100 * size))
    if volume_type == "gp3":
        out["Throughput"] = int(ebs.get("Throughput") or 125)
    return {"DeviceName": device, "Ebs": out}


def build_ami(
    backend: Any,
    *,
    name: str,
    mappings: Iterable[Mapping[str, Any]],
    root_device_name: str,
    architecture: str = "x86_64",
    virtualization_type: str = "hvm",
    description: str | None = None,
    ami_id: str | None = None,
    platform: str | None = None,
    owner_id: str | None = None,
    public: bool = False,
    creation_date: datetime | None = None,
    boot_mode: str | None = None,
    image_location: str | None = None,
    extra: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
) -> SandboxAmi:
    """Create a SandboxAmi, give every EBS mapping its snapshot, add it to the backend."""
    ami_id = ami_id or random_ami_id()
    account = owner_id or backend.account_id
    ami = SandboxAmi(
        backend,
        ami_id,
        name=name,
        description=description,
        owner_id=account,
        public=public,
        virtualization_type=virtualization_type,
        architecture=architecture,
        creation_date=creation_date,
        platform=platform,
        image_location=image_location or f"{account}/{name}",
        hypervisor="xen",
        root_device_type="ebs",
        root_device_name=root_device_name,
        region_name=_zone(backend),
        boot_mode=boot_mode,
    )
    # moto auto-creates one 15 GiB root snapshot per AMI; ours come from the mappings.
    backend.snapshots.pop(ami.ebs_snapshot.id, None)
    snap_description = f"Created by amitui sandbox for {ami_id}"
    ami._bdms = [_materialize_mapping(backend, ami_id, m, snap_description) for m in mappings]
    roots = [m for m in ami._bdms if m["DeviceName"] == root_device_name and "Ebs" in m]
    if roots:
        ami.ebs_snapshot = backend.snapshots[roots[0]["Ebs"]["SnapshotId"]]
    is_windows = platform == "windows"
    ami.platform_details = "Windows" if is_windows else "Linux/UNIX"
    ami.usage_operation = "RunInstances:0002" if is_windows else "RunInstances"
    ami.ena_support = True
    ami.sriov_net_support = "simple"
    for key, value in (extra or {}).items():
        setattr(ami, key, value)
    if tags:
        backend.create_tags([ami_id], dict(tags))
    backend.amis[ami_id] = ami
    return ami


def check_name_free(backend: Any, name: str) -> None:
    """AWS: an AMI name is unique among the account's images in a region."""
    for ami in list(backend.amis.values()):  # other request threads may add images
        if ami.name == name and ami.owner_id == backend.account_id:
            raise errors.ami_name_in_use(name, ami.id)
