"""Register: RegisterImage with a root volume made from an EBS snapshot."""

from __future__ import annotations

from collections.abc import Mapping

from amitui.actions.common import (
    BOOT_MODES,
    REGISTER_ARCHITECTURES,
    ROOT_VOLUME_TYPES,
    description_field,
    name_field,
    tags_field,
)
from amitui.actions.registry import register_action
from amitui.actions.spec import ActionSpec, Field
from amitui.aws import validators as v
from amitui.tasks.kinds import API_IMAGES, TaskKind

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


def _source(request: Mapping, response: Mapping, target: str) -> str:
    mappings = request.get("BlockDeviceMappings") or [{}]
    return str((mappings[0].get("Ebs") or {}).get("SnapshotId", "")) or "register"


REGISTER = register_action(
    ActionSpec(
        name="register",
        operation="RegisterImage",
        title="Register image from snapshot",
        summary="Register a new AMI whose root volume is made from an EBS snapshot.",
        result_key="ImageId",
        task=TaskKind("register", poll=API_IMAGES, source=_source, refresh="target"),
        image_row="adds",
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
                lookup="snapshots",
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
                help="Enhanced networking: current instance types need it "
                "(the OS needs the driver).",
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
)
