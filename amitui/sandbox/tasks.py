"""Export and import image tasks: their records, AWS views and side effects.

A task's status is its ``TaskTimeline`` read at "now" (see lifecycle.py). What a
finished task leaves behind happens in ``settle``, called before each sandbox
request: a completed export writes its file into the S3 bucket; a completed import
registers its image in moto's EC2 backend, so the ImageId it reports is real.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from typing import Any

from .amis import SandboxAmi, build_ami
from .lifecycle import TaskTimeline
from .moto_compat import random_hex
from .tagging import tag_list

EXPORT_FORMATS = ("VMDK", "RAW", "VHD")
IMPORT_FORMATS = ("OVA", "VHD", "VHDX", "VMDK", "RAW")
EXPORT_FAIL_MESSAGE = (
    "ClientError: Unable to write to the S3 bucket: the role does not have "
    "s3:PutObject permission on the export location."
)
IMPORT_FAIL_MESSAGE = "ClientError: Disk validation failed [Unsupported specified file format]"
CANCEL_MESSAGE = "User initiated task cancelation"
GIB = 1024**3
# AWS knows a disk's size once it has validated it, and the OS (Architecture,
# Platform, LicenseType) once it has looked inside, while converting.
SIZE_KNOWN_AT = "validated"
OS_KNOWN_AT = "updating"


def new_task_id(prefix: str) -> str:
    return f"{prefix}-{random_hex(17)}"


@dataclass
class ExportTask:
    task_id: str
    image_id: str
    disk_image_format: str
    bucket: str
    prefix: str
    role_name: str
    description: str | None
    tags: dict[str, str]
    timeline: TaskTimeline
    delivered: bool = False

    @property
    def object_key(self) -> str:
        return f"{self.prefix}{self.task_id}.{self.disk_image_format.lower()}"

    def view(self, now: float) -> dict[str, Any]:
        phase = self.timeline.phase(now)
        out: dict[str, Any] = {
            "ExportImageTaskId": self.task_id,
            "ImageId": self.image_id,
            "DiskImageFormat": self.disk_image_format.lower(),  # AWS echoes it lower-case
            "RoleName": self.role_name,
            "S3ExportLocation": {"S3Bucket": self.bucket, "S3Prefix": self.prefix},
            "Status": phase.status,
            "Tags": tag_list(self.tags),
        }
        if self.description is not None:
            out["Description"] = self.description
        if phase.message:
            out["StatusMessage"] = phase.message
        if phase.progress is not None:
            out["Progress"] = str(phase.progress)
        return out

    def observe(self, now: float, s3_backend: Any) -> dict[str, Any]:
        """The view at ``now``, with a completion's side effect done first."""
        self.settle(now, s3_backend)
        return self.view(now)

    def settle(self, now: float, s3_backend: Any) -> None:
        if self.delivered or self.timeline.phase(now).status != "completed":
            return
        self.delivered = True
        body = f"amitui sandbox export of {self.image_id} ({self.disk_image_format})\n"
        # If the bucket went away meanwhile there is nowhere to write: nothing to do.
        with contextlib.suppress(Exception):
            s3_backend.put_object(self.bucket, self.object_key, body.encode())


@dataclass
class ImportDisk:
    format: str
    bucket: str | None
    key: str | None
    url: str | None
    device_name: str
    description: str | None

    @property
    def size_gib(self) -> int:
        digest = hashlib.sha256(f"{self.bucket}/{self.key}/{self.url}".encode()).digest()
        return 8 + digest[0] % 33

    def view(
        self, status: str | None, size_known: bool, progress: int | None, snapshot_id: str | None
    ) -> dict:
        """One SnapshotDetails entry: size 0 until validated, the device once converted."""
        out: dict[str, Any] = {
            "DiskImageSize": float(round(self.size_gib * GIB * 0.37)) if size_known else 0.0,
            "Format": self.format,
        }
        if status is not None:
            out["Status"] = status
        if snapshot_id is not None:
            out["DeviceName"] = self.device_name
            out["SnapshotId"] = snapshot_id
        if self.description is not None:
            out["Description"] = self.description
        if self.bucket is not None:
            out["UserBucket"] = {"S3Bucket": self.bucket, "S3Key": self.key or ""}
        if self.url is not None:
            out["Url"] = self.url
        if progress is not None:
            out["Progress"] = str(progress)
        return out


@dataclass
class ImportTask:
    task_id: str
    description: str | None
    architecture: str
    platform: str
    license_type: str
    boot_mode: str | None
    encrypted: bool
    kms_key_id: str | None
    disks: list[ImportDisk]
    tags: dict[str, str]
    timeline: TaskTimeline
    image_id: str | None = None
    snapshot_ids: list[str] = field(default_factory=list)

    def view(self, now: float) -> dict[str, Any]:
        phase = self.timeline.phase(now)
        done = phase.status == "completed"
        size_known = self.timeline.reached(now, SIZE_KNOWN_AT)
        os_known = self.timeline.reached(now, OS_KNOWN_AT)
        out: dict[str, Any] = {
            "ImportTaskId": self.task_id,
            "Encrypted": self.encrypted,
            "Status": phase.status,
            "Tags": tag_list(self.tags),
        }
        for key, value in (
            ("Architecture", self.architecture if os_known else None),
            ("Platform", self.platform if os_known else None),
            ("LicenseType", self.license_type if os_known else None),
            ("Hypervisor", "xen" if os_known else None),
            ("Description", self.description),
            ("BootMode", self.boot_mode),
            ("KmsKeyId", self.kms_key_id if self.encrypted else None),
            ("StatusMessage", phase.message),
            ("Progress", None if phase.progress is None else str(phase.progress)),
            ("ImageId", self.image_id if done else None),
        ):
            if value is not None:
                out[key] = value
        if done:
            disk_status: str | None = "completed"
        elif phase.is_active:
            disk_status = "active" if size_known else "pending"
        else:
            disk_status = phase.status
        snapshot_ids = self.snapshot_ids if done else [None] * len(self.disks)
        out["SnapshotDetails"] = [
            disk.view(disk_status, size_known, phase.progress, snap)
            for disk, snap in zip(self.disks, snapshot_ids, strict=False)
        ]
        return out

    def observe(self, now: float, ec2_backend: Any) -> dict[str, Any]:
        """The view at ``now``; a completed import has its image registered first."""
        self.settle(now, ec2_backend)
        return self.view(now)

    def settle(self, now: float, ec2_backend: Any) -> None:
        if self.image_id is not None or self.timeline.phase(now).status != "completed":
            return
        ami = self._register(ec2_backend)
        self.image_id = ami.id
        self.snapshot_ids = [m["Ebs"]["SnapshotId"] for m in ami.block_device_mappings]

    def _register(self, backend: Any) -> SandboxAmi:
        windows = self.platform == "Windows"
        mappings = [
            {
                "DeviceName": disk.device_name,
                "Ebs": {
                    "VolumeSize": disk.size_gib,
                    "VolumeType": "gp2",
                    "DeleteOnTermination": True,
                    "Encrypted": self.encrypted,
                    "KmsKeyId": self.kms_key_id,
                },
            }
            for disk in self.disks
        ]
        return build_ami(
            backend,
            name=self.task_id,  # AWS names an imported image after its task
            description=self.description or f"AMI imported by {self.task_id}",
            mappings=mappings,
            root_device_name=self.disks[0].device_name,
            architecture=self.architecture,
            platform="windows" if windows else None,
            boot_mode=self.boot_mode,
            tags=None,
        )
