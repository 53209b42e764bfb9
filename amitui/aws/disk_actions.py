"""The disk-shaped actions: export to S3, import from S3, register from a snapshot."""

from __future__ import annotations

from collections.abc import Mapping

from amitui.aws import storage_validators as sv
from amitui.aws import validators as v
from amitui.aws.action_fields import (
    BOOT_MODES,
    DISK_FORMATS,
    EXPORT_FORMATS,
    IMPORT_ARCHITECTURES,
    IMPORT_BOOT_MODES,
    REGISTER_ARCHITECTURES,
    ROOT_VOLUME_TYPES,
    description_field,
    encrypted_field,
    image_field,
    kms_key_field,
    kms_needs_encrypted,
    name_field,
    role_field,
    tags_field,
)
from amitui.aws.fields import ActionSpec, Field

# -- export --------------------------------------------------------------------------

EXPORT = ActionSpec(
    name="export",
    operation="ExportImage",
    title="Export image to S3",
    key="e",
    summary="Export the image to a VM disk file in an S3 bucket (VM Import/Export).",
    client_token=True,
    fields=(
        image_field("The AMI to export."),
        Field(
            "DiskImageFormat",
            "Disk format",
            kind="choice",
            required=True,
            default="VMDK",
            choices=EXPORT_FORMATS,
            help="VMDK (VMware), RAW or VHD (Hyper-V, Xen).",
        ),
        Field(
            "S3ExportLocation.S3Bucket",
            "S3 bucket",
            required=True,
            validators=(sv.s3_bucket,),
            placeholder="e.g. my-exports",
            picker="buckets",
            help="An existing bucket in this region that the role can write to.",
        ),
        Field(
            "S3ExportLocation.S3Prefix",
            "S3 prefix",
            validators=(sv.s3_prefix,),
            placeholder="e.g. exports/",
            help="Optional key prefix for the exported file.",
        ),
        role_field("The VM Import/Export service role (AWS's default: vmimport)."),
        description_field(),
    ),
)

# -- import --------------------------------------------------------------------------


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
    extra = values.get("AdditionalDisks") or []
    if extra:
        request.setdefault("DiskContainers", []).extend(
            disk_container(item)
            for item in extra  # type: ignore[attr-defined, union-attr]
        )


IMPORT = ActionSpec(
    name="import",
    operation="ImportImage",
    title="Import image from S3",
    key="i",
    summary="Import a VM disk image (OVA, VMDK, VHD, VHDX, RAW) from S3 as an AMI.",
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

# -- register ------------------------------------------------------------------------

_SNAPSHOT = "BlockDeviceMappings.0.Ebs.SnapshotId"
_VOLUME_TYPE = "BlockDeviceMappings.0.Ebs.VolumeType"
_IOPS = "BlockDeviceMappings.0.Ebs.Iops"


def _register_rules(values: Mapping[str, object]) -> dict[str, str]:
    errors: dict[str, str] = {}
    arch, boot = values.get("Architecture"), values.get("BootMode")
    virt = values.get("VirtualizationType")
    volume_type, iops = values.get(_VOLUME_TYPE), values.get(_IOPS)
    if volume_type in ("io1", "io2") and not iops:
        errors[_IOPS] = f"Required for {volume_type} volumes."
    elif iops and volume_type not in ("io1", "io2", "gp3"):
        errors[_IOPS] = "IOPS can only be set for io1, io2 and gp3 volumes."
    if arch in ("arm64", "arm64_mac") and boot == "legacy-bios":
        errors["BootMode"] = "arm64 images boot with UEFI only."
    if values.get("TpmSupport") and boot not in ("uefi", "uefi-preferred"):
        errors["TpmSupport"] = "NitroTPM needs boot mode uefi (or uefi-preferred)."
    if virt == "paravirtual":
        if arch not in ("i386", "x86_64"):
            errors["VirtualizationType"] = "paravirtual is for i386 and x86_64 only."
        elif values.get("EnaSupport"):
            errors["EnaSupport"] = "ENA needs hvm: a paravirtual AMI with ENA is unreachable."
    return errors


def _root_device_mapping(request: dict, values: Mapping[str, object]) -> None:
    mappings = request.get("BlockDeviceMappings")
    if mappings:
        mappings[0]["DeviceName"] = values["RootDeviceName"]


REGISTER = ActionSpec(
    name="register",
    operation="RegisterImage",
    title="Register image from snapshot",
    key="r",
    summary="Register a new AMI whose root volume is made from an EBS snapshot.",
    request_hook=_root_device_mapping,
    cross_validators=(_register_rules,),
    fields=(
        name_field(),
        Field(
            _SNAPSHOT,
            "Root snapshot",
            required=True,
            validators=(v.snapshot_id,),
            prefill="snapshot_id",
            picker="snapshots",
            help="The EBS snapshot for the root volume.",
        ),
        Field(
            "RootDeviceName",
            "Root device",
            required=True,
            default="/dev/xvda",
            validators=(v.device_name,),
            help="Where the root volume attaches: /dev/xvda (most Linux), /dev/sda1.",
        ),
        Field(
            "Architecture",
            "Architecture",
            kind="choice",
            required=True,
            default="x86_64",
            choices=REGISTER_ARCHITECTURES,
            help="Required here: the API would default to i386.",
        ),
        Field(
            "VirtualizationType",
            "Virtualization",
            kind="choice",
            required=True,
            default="hvm",
            choices=("hvm", "paravirtual"),
            help="Required here: the API would default to paravirtual.",
        ),
        Field(
            "BootMode",
            "Boot mode",
            kind="choice",
            choices=BOOT_MODES,
            help="Empty: the instance type's default (uefi on Graviton, else legacy-bios).",
        ),
        Field(
            "BlockDeviceMappings.0.Ebs.VolumeSize",
            "Root volume size (GiB)",
            kind="int",
            validators=(v.integer(1, 65536),),
            help="Empty: the snapshot's size.",
        ),
        Field(
            _VOLUME_TYPE,
            "Root volume type",
            kind="choice",
            choices=ROOT_VOLUME_TYPES,
            help="Empty: the account default (gp2 or gp3).",
        ),
        Field(
            _IOPS,
            "Root volume IOPS",
            kind="int",
            validators=(v.integer(100, 256000),),
            help="Required for io1/io2; optional for gp3.",
        ),
        Field(
            "EnaSupport",
            "ENA support",
            kind="bool",
            default=True,
            help="Enhanced networking: current instance types need it (the OS needs the driver).",
        ),
        Field(
            "TpmSupport",
            "NitroTPM",
            kind="choice",
            choices=("v2.0",),
            help="v2.0 enables NitroTPM (needs UEFI boot).",
        ),
        Field(
            "ImdsSupport",
            "IMDS",
            kind="choice",
            choices=("v2.0",),
            help="v2.0: instances from this AMI require IMDSv2 (tokens).",
        ),
        description_field(),
        tags_field(("image",), "Tags for the new AMI."),
    ),
)
