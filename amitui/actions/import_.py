"""Import: ImportImage from disk images in S3 (or URLs), a task followed to its AMI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from amitui.actions.common import (
    DISK_FORMATS,
    IMPORT_ARCHITECTURES,
    IMPORT_BOOT_MODES,
    description_field,
    encrypted_field,
    kms_key_field,
    kms_needs_encrypted,
    role_field,
)
from amitui.actions.registry import register_action
from amitui.actions.spec import ActionSpec, Field
from amitui.aws import storage_validators as sv
from amitui.aws import validators as v
from amitui.tasks.calls import cancel_import
from amitui.tasks.kinds import API_IMPORT, Cancel, TaskKind


def parse_disk_item(item: str) -> tuple[str, str] | None:
    """``"VMDK s3://bucket/disk2.vmdk"`` -> ("VMDK", "s3://bucket/disk2.vmdk")."""
    parts = item.split(None, 1)
    if len(parts) != 2 or parts[0].upper() not in DISK_FORMATS:
        return None
    return parts[0].upper(), parts[1].strip()


def disk_item(value: str) -> str | None:
    """One extra disk: a format, a space, then an s3:// or https:// URL."""
    if value == "":
        return None
    if message := v.guard(value):
        return message
    parsed = parse_disk_item(value)
    if parsed is None:
        return f"Expected FORMAT URL, e.g. VMDK s3://bucket/disk2.vmdk ({'/'.join(DISK_FORMATS)})."
    return sv.disk_image_url(parsed[1])


def disk_container(item: str) -> dict[str, object]:
    disk_format, location = parse_disk_item(item) or ("", item)
    s3 = sv.parse_s3_url(location)
    if s3:
        return {"Format": disk_format, "UserBucket": {"S3Bucket": s3[0], "S3Key": s3[1]}}
    return {"Format": disk_format, "Url": location}


_FORMAT = "DiskContainers.0.Format"
_BUCKET, _KEY, _URL = (
    "DiskContainers.0.UserBucket.S3Bucket",
    "DiskContainers.0.UserBucket.S3Key",
    "DiskContainers.0.Url",
)


def _one_disk_source(values: Mapping[str, object]) -> dict[str, str]:
    bucket, key, url = values.get(_BUCKET), values.get(_KEY), values.get(_URL)
    if url and (bucket or key):
        return {_URL: "Give a URL or an S3 bucket and key, not both."}
    if bucket and not key:
        return {_KEY: "Required with a bucket."}
    if key and not bucket:
        return {_BUCKET: "Required with a key."}
    if not (url or bucket):
        return {_BUCKET: "Give the disk image: an S3 bucket and key, or a URL."}
    return {}


#: Disk image formats by file extension (VM Import's formats; .img is a raw image).
FORMAT_BY_EXTENSION = {
    "ova": "OVA",
    "vhd": "VHD",
    "vhdx": "VHDX",
    "vmdk": "VMDK",
    "raw": "RAW",
    "img": "RAW",
}


def format_of(location: object) -> str | None:
    """The disk format an S3 key or URL names by its extension (``disk.ova`` -> OVA)."""
    if not isinstance(location, str):
        return None
    path = location.split("?", 1)[0].rstrip("/")
    name = path.rsplit("/", 1)[-1]
    _, dot, extension = name.rpartition(".")
    return FORMAT_BY_EXTENSION.get(extension.lower()) if dot else None


def _first_disk(values: Mapping[str, object]) -> object:
    return values.get(_KEY) or values.get(_URL)


def _suggest_format(values: Mapping[str, object]) -> dict[str, object]:
    inferred = format_of(_first_disk(values))
    return {_FORMAT: inferred} if inferred else {}


def _format_matches_file(values: Mapping[str, object]) -> dict[str, str]:
    location, chosen = _first_disk(values), values.get(_FORMAT)
    inferred = format_of(location)
    if inferred and chosen and inferred != chosen:
        name = str(location).split("?", 1)[0].rsplit("/", 1)[-1]
        return {_FORMAT: f"{name} is {inferred} by its extension, not {chosen}: choose {inferred}."}
    return {}


def _append_extra_disks(request: dict, values: Mapping[str, object]) -> None:
    extra = cast("list[str]", values.get("AdditionalDisks") or [])
    if extra:
        request.setdefault("DiskContainers", []).extend(disk_container(item) for item in extra)


def _source(request: Mapping, response: Mapping, target: str) -> str:
    disks = request.get("DiskContainers") or [{}]
    bucket = disks[0].get("UserBucket") or {}
    return disks[0].get("Url") or f"s3://{bucket.get('S3Bucket')}/{bucket.get('S3Key')}"


IMPORT = register_action(
    ActionSpec(
        name="import",
        operation="ImportImage",
        title="Import image from S3",
        summary="Import a VM disk image (OVA, VMDK, VHD, VHDX, RAW) from S3 as an AMI.",
        result_key="ImportTaskId",
        task=TaskKind(
            "import",
            poll=API_IMPORT,
            source=_source,
            cancel=Cancel(cancel_import),
            refresh="result",
        ),
        client_token=True,
        request_hook=_append_extra_disks,
        suggest=_suggest_format,
        fields=(
            Field(
                _FORMAT,
                "Disk format",
                kind="choice",
                required=True,
                default="VMDK",
                choices=DISK_FORMATS,
                help="Format of the (first) disk image; read from the file's extension.",
            ),
            Field(
                _BUCKET,
                "S3 bucket",
                validators=(sv.s3_bucket,),
                placeholder="e.g. my-vm-images",
                help="Bucket holding the disk image (or give a URL instead).",
            ),
            Field(
                _KEY,
                "S3 key",
                validators=(sv.s3_key,),
                placeholder="e.g. disks/server.ova",
                help="Object key of the disk image.",
            ),
            Field(
                _URL,
                "URL",
                validators=(sv.disk_image_url,),
                placeholder="e.g. https://… (presigned) or s3://bucket/key",
                help="Instead of bucket and key: an https:// or s3:// URL.",
            ),
            Field(
                "AdditionalDisks",
                "More disks",
                kind="list",
                api=False,
                validators=(disk_item,),
                placeholder="e.g. VMDK s3://bucket/disk2.vmdk, VHD https://…",
                help="Further disks of a multi-disk VM, one FORMAT URL each, comma-separated.",
            ),
            Field(
                "Architecture",
                "Architecture",
                kind="choice",
                choices=IMPORT_ARCHITECTURES,
                help="Empty: detected from the image.",
            ),
            Field(
                "BootMode",
                "Boot mode",
                kind="choice",
                choices=IMPORT_BOOT_MODES,
                help="Empty: detected from the image.",
            ),
            Field(
                "LicenseType",
                "License type",
                kind="choice",
                choices=("AWS", "BYOL"),
                help="AWS: use an AWS license; BYOL: keep your own. Empty: AWS decides by OS.",
            ),
            Field(
                "Platform",
                "Platform",
                kind="choice",
                choices=("Linux", "Windows"),
                help="The guest OS. Needed for UEFI images imported from a snapshot.",
            ),
            description_field(),
            encrypted_field("Encrypt the imported AMI's snapshots."),
            kms_key_field("Key for the snapshots (default: the EBS default key); needs Encrypted."),
            role_field("The VM Import/Export service role (AWS's default: vmimport)."),
        ),
        cross_validators=(kms_needs_encrypted, _one_disk_source, _format_matches_file),
    )
)
