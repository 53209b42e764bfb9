"""CreateImage, CopyImage, RegisterImage, DeregisterImage as AWS answers them.

New images are ``pending`` for ``pending_seconds`` and then ``available`` -- or
``failed`` with a StateReason when their Name starts with the failure marker
(conventions.py). RegisterImage
keeps what it is given (Architecture, VirtualizationType, BootMode, RootDeviceName,
BlockDeviceMappings ...). CopyImage honours Encrypted/KmsKeyId, CopyImageTags,
TagSpecifications and ClientToken (the same token with any other parameter is
IdempotentParameterMismatch). DeregisterImage honours DeleteAssociatedSnapshots; the
image is still described by id, ``deregistered``, for a while; a protected image
(protection.py) is refused with OperationNotPermitted; an image a Recycle Bin rule
retains goes to the bin (recycle_bin.py). CreateImage sets
SourceInstanceId and SourceImageId/Region (the instance's image), as AWS does. The
snapshots CreateImage and CopyImage make are described in AWS's words ("Created by
CreateImage(i-...) for ami-... from vol-...", "Copied for DestinationAmi ami-... from
SourceAmi ami-... for SourceSnapshot snap-... Task created on ...").
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from . import errors
from .amis import SandboxAmi, build_ami, check_name_free
from .conventions import image_fails
from .describe_images import check_image_id, visible_to
from .lifecycle import DEREGISTERED_VISIBLE_FACTOR
from .moto_compat import (
    ActionResult,
    EC2BaseResponse,
    EC2ClientError,
    InvalidSnapshotIdError,
    ec2_backends,
    ec2_regions,
)
from .pagination import fingerprint
from .recycle_bin import retain, snapshot_user
from .state import SandboxState
from .tagging import tags_by_type, user_tags

ARCHITECTURES = ("i386", "x86_64", "arm64", "x86_64_mac", "arm64_mac")
VIRTUALIZATION_TYPES = ("hvm", "paravirtual")
BOOT_MODES = ("legacy-bios", "uefi", "uefi-preferred")
COPIED_ATTRIBUTES = (
    "platform_details",
    "usage_operation",
    "ena_support",
    "sriov_net_support",
    "tpm_support",
    "imds_support",
    "kernel_id",
    "ramdisk_id",
)


def check_ami_id(ami_id: str | None) -> str:
    return check_image_id(ami_id)


def request_fingerprint(response: Any, action: str) -> str:
    """Everything a request asks for except its ClientToken and DryRun."""
    params = {k: v for k, v in response.params.items() if k not in ("ClientToken", "DryRun")}
    return fingerprint(action, params)


def check_choice(name: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise errors.invalid_parameter_value(
            f"Value ({value}) for parameter {name} is invalid. Expecting one of {list(choices)}."
        )


def final_state_for(name: str) -> str:
    return "failed" if image_fails(name) else "available"


def snapshot_ids_of(ami: Any) -> list[str]:
    return [m["Ebs"]["SnapshotId"] for m in ami.block_device_mappings if m.get("Ebs")]


def _copied_mapping(
    mapping: dict[str, Any], encrypted: bool, kms_key_id: str | None, same_region: bool
) -> dict:
    """A source mapping for the copy: new snapshot, and the copy's encryption.

    KMS keys are regional: a copy to another region, or one encrypted on request
    without a KmsKeyId, uses the destination's default EBS key.
    """
    if "Ebs" not in mapping:
        return dict(mapping)
    ebs = {k: v for k, v in mapping["Ebs"].items() if k != "SnapshotId"}
    if encrypted or not same_region:
        ebs.pop("KmsKeyId", None)
    if encrypted:
        ebs["Encrypted"] = True
        if kms_key_id:
            ebs["KmsKeyId"] = kms_key_id
    return {"DeviceName": mapping["DeviceName"], "Ebs": ebs}


def _kernel_of(instance: Any) -> str | None:
    kernel = getattr(instance, "kernel_id", None)
    return kernel if kernel and kernel != "None" else None  # moto's "None" string


def _merged_override(current: dict[str, Any] | None, override: dict[str, Any]) -> dict:
    """CreateImage's BlockDeviceMappings change the instance's volume they name."""
    if current is None or "Ebs" not in override or "Ebs" not in current:
        return override
    given = {k: v for k, v in override["Ebs"].items() if v is not None}
    return {"DeviceName": current["DeviceName"], "Ebs": {**current["Ebs"], **given}}


class ImageActionsMixin(EC2BaseResponse):
    sandbox_state: ClassVar[SandboxState]

    def _start_pending(self, ami: SandboxAmi) -> None:
        ami.start_pending(self.sandbox_state.pending_seconds, final_state_for(ami.name or ""))

    # -- CreateImage ----------------------------------------------------------------
    def create_image(self) -> ActionResult:
        instance_id = self._get_param("InstanceId")
        name = self._get_param("Name")
        description = self._get_param("Description")
        overrides = self._get_param("BlockDeviceMappings", [])
        tags = tags_by_type(self._get_param("TagSpecifications", []), ("image", "snapshot"))
        if not instance_id or not instance_id.startswith("i-"):
            raise errors.malformed_instance_id(instance_id or "")
        self.error_on_dryrun()
        backend = self.ec2_backend
        instance = backend.get_instance(instance_id)
        check_name_free(backend, name)
        mappings: dict[str, dict[str, Any]] = {}
        volumes: dict[str, str] = {}
        for device, block in instance.get_block_device_mapping:
            volume = backend.volumes.get(block.volume_id)
            if volume is None:
                continue
            volumes[device] = volume.id
            mappings[device] = {
                "DeviceName": device,
                "Ebs": {
                    "VolumeSize": volume.size,
                    "VolumeType": volume.volume_type,
                    "Encrypted": bool(volume.encrypted),
                    "KmsKeyId": volume.kms_key_id,
                    "Iops": volume.iops,
                    "DeleteOnTermination": bool(block.delete_on_termination),
                },
            }
        for override in overrides:
            device = override.get("DeviceName")
            if not device:
                raise errors.missing_parameter("BlockDeviceMapping.DeviceName")
            if override.get("NoDevice") is not None:
                mappings.pop(device, None)
            else:
                mappings[device] = _merged_override(mappings.get(device), override)
        root = instance.root_device_name
        if root not in mappings and mappings:
            root = next(iter(mappings))
        ami = build_ami(
            backend,
            name=name,
            description=description,
            mappings=list(mappings.values()),
            root_device_name=root,
            architecture=instance.architecture,
            virtualization_type=instance.virtualization_type or "hvm",
            platform=instance.platform,
            extra={
                "instance_id": instance.id,
                "kernel_id": _kernel_of(instance),
                # AWS: an image made from an instance names the instance (SourceInstanceId,
                # moto's instance_id) and the instance's image
                "source_image_id": instance.image_id,
                "source_image_region": self.region,
            },
            tags=tags.get("image"),
        )
        for mapping in ami.block_device_mappings:  # AWS's words: the orphan finder reads them
            if mapping.get("Ebs"):
                volume = volumes.get(mapping["DeviceName"], "vol-ffffffff")
                backend.snapshots[
                    mapping["Ebs"]["SnapshotId"]
                ].description = f"Created by CreateImage({instance.id}) for {ami.id} from {volume}"
        if tags.get("snapshot"):
            backend.create_tags(snapshot_ids_of(ami), tags["snapshot"])
        self._start_pending(ami)
        return ActionResult({"ImageId": ami.id})

    # -- CopyImage ------------------------------------------------------------------
    def copy_image(self) -> ActionResult:
        source_id = check_ami_id(self._get_param("SourceImageId"))
        source_region = self._get_param("SourceRegion")
        name = self._get_param("Name")
        description = self._get_param("Description")
        encrypted = bool(self._get_param("Encrypted", False))
        kms_key_id = self._get_param("KmsKeyId")
        copy_tags = bool(self._get_param("CopyImageTags", False))
        token = self._get_param("ClientToken")
        tags = tags_by_type(self._get_param("TagSpecifications", []), ("image", "snapshot"))
        if kms_key_id and not encrypted:
            raise errors.kms_requires_encrypted()
        if source_region not in ec2_regions(self.current_account):
            raise errors.invalid_region(source_region)
        self.error_on_dryrun()
        source_backend = ec2_backends[self.current_account][source_region]
        source = source_backend.amis.get(source_id)
        if source is None or not visible_to(source, self.current_account):
            raise errors.ami_not_found([source_id])
        if source.state != "available":
            raise errors.incorrect_state(
                f"Image {source_id} is not in a valid state for copying ({source.state})."
            )
        backend = self.ec2_backend
        request = request_fingerprint(self, "CopyImage")

        def create() -> SandboxAmi:
            check_name_free(backend, name)
            image_tags = user_tags(source_backend, source_id) if copy_tags else {}
            image_tags.update(tags.get("image", {}))
            extra = {key: getattr(source, key, None) for key in COPIED_ATTRIBUTES}
            extra.update(source_image_id=source_id, source_image_region=source_region)
            ami = build_ami(
                backend,
                name=name,
                description=description if description is not None else source.description,
                mappings=[
                    _copied_mapping(m, encrypted, kms_key_id, source_region == self.region)
                    for m in source.block_device_mappings
                ],
                root_device_name=source.root_device_name,
                architecture=source.architecture or "x86_64",  # moto types these Optional
                virtualization_type=source.virtualization_type or "hvm",
                platform=source.platform,
                boot_mode=source.boot_mode,
                extra=extra,
                tags=image_tags,
            )
            sources = snapshot_ids_of(source)
            for index, snapshot_id in enumerate(snapshot_ids_of(ami)):
                source_snapshot = sources[index] if index < len(sources) else "snap-ffffffff"
                backend.snapshots[snapshot_id].description = (
                    f"Copied for DestinationAmi {ami.id} from SourceAmi {source_id} "
                    f"for SourceSnapshot {source_snapshot}. Task created on "
                    f"{int(time.time() * 1000):,}."
                )
            if tags.get("snapshot"):
                backend.create_tags(snapshot_ids_of(ami), tags["snapshot"])
            self._start_pending(ami)
            return ami

        book = self.sandbox_state.book(self.current_account, self.region)
        created, earlier = self.sandbox_state.idempotent(
            book, "CopyImage", token, request, create, lambda ami: ami.id
        )
        return ActionResult({"ImageId": earlier or created.id})

    # -- RegisterImage --------------------------------------------------------------
    def register_image(self) -> ActionResult:
        name = self._get_param("Name")
        architecture = self._get_param("Architecture") or "i386"
        virtualization_type = self._get_param("VirtualizationType") or "paravirtual"
        boot_mode = self._get_param("BootMode")
        image_location = self._get_param("ImageLocation")
        mappings = self._get_param("BlockDeviceMappings", [])
        root = self._get_param("RootDeviceName") or (
            mappings[0]["DeviceName"] if mappings else "/dev/sda1"
        )
        tags = tags_by_type(self._get_param("TagSpecifications", []), ("image",))
        check_choice("Architecture", architecture, ARCHITECTURES)
        check_choice("VirtualizationType", virtualization_type, VIRTUALIZATION_TYPES)
        check_choice("BootMode", boot_mode, BOOT_MODES)
        root_has_snapshot = any(
            m.get("DeviceName") == root and (m.get("Ebs") or {}).get("SnapshotId") for m in mappings
        )
        if not image_location and not root_has_snapshot:
            raise errors.invalid_parameter_combination(
                "RegisterImage needs an ImageLocation, or a BlockDeviceMapping with an EBS "
                f"SnapshotId for the root device ({root})."
            )
        self.error_on_dryrun()
        backend = self.ec2_backend
        check_name_free(backend, name)
        extra: dict[str, Any] = {
            "kernel_id": self._get_param("KernelId"),
            "ramdisk_id": self._get_param("RamdiskId"),
            "tpm_support": self._get_param("TpmSupport"),
            "imds_support": self._get_param("ImdsSupport"),
        }
        if self._get_param("EnaSupport") is not None:
            extra["ena_support"] = bool(self._get_param("EnaSupport"))
        if self._get_param("SriovNetSupport"):
            extra["sriov_net_support"] = self._get_param("SriovNetSupport")
        if not root_has_snapshot:
            extra["root_device_type"] = "instance-store"
        ami = build_ami(
            backend,
            name=name,
            description=self._get_param("Description"),
            mappings=mappings,
            root_device_name=root,
            architecture=architecture,
            virtualization_type=virtualization_type,
            boot_mode=boot_mode,
            image_location=image_location,
            extra=extra,
            tags=tags.get("image"),
        )
        self._start_pending(ami)
        return ActionResult({"ImageId": ami.id})

    # -- DeregisterImage ------------------------------------------------------------
    def deregister_image(self) -> ActionResult:
        ami_id = check_ami_id(self._get_param("ImageId"))
        delete_snapshots = bool(self._get_param("DeleteAssociatedSnapshots", False))
        self.error_on_dryrun()
        backend = self.ec2_backend
        ami = backend.amis.get(ami_id)
        if ami is not None and not visible_to(ami, backend.account_id):
            raise errors.ami_not_found([ami_id])
        if ami is not None and ami.owner_id != backend.account_id:
            raise EC2ClientError("AuthFailure", f"Not authorized for image:{ami_id}")
        if isinstance(ami, SandboxAmi) and ami.is_protected():
            raise errors.image_protected(ami_id)
        snapshot_ids = snapshot_ids_of(ami) if ami is not None else []
        tags = dict(backend.tags.get(ami_id) or {})
        backend.deregister_image(ami_id)  # moto's NotFound / Unavailable errors
        if ami is not None:
            self._remember_deregistered(ami, tags)
        result: dict[str, Any] = {"Return": True}
        if delete_snapshots:
            result["DeleteSnapshotResults"] = [
                {"SnapshotId": sid, "ReturnCode": self._delete_snapshot(sid, ami_id)}
                for sid in snapshot_ids
            ]
        return ActionResult(result)

    def _remember_deregistered(self, ami: SandboxAmi, tags: dict[str, str]) -> None:
        """AWS still describes a deregistered image by id for a while; a Recycle Bin
        rule of the region may keep it for restoring (recycle_bin.py)."""
        state = self.sandbox_state
        ami.state = "deregistered"
        until = time.time() + DEREGISTERED_VISIBLE_FACTOR * state.pending_seconds
        with state.lock:
            book = state.book(self.current_account, self.region)
            book.deregistered[ami.id] = (until, ami)
            retain(book, ami, tags)

    def _delete_snapshot(self, snapshot_id: str, deregistered: str) -> str:
        backend = self.ec2_backend
        with self.sandbox_state.lock:
            book = self.sandbox_state.book(self.current_account, self.region)
            user = snapshot_user(backend, book, snapshot_id, skip=deregistered)
        if user is not None:
            return "skipped"  # another image (registered, or in the bin) still uses it
        try:
            backend.delete_snapshot(snapshot_id)
        except InvalidSnapshotIdError:
            return "skipped"
        except EC2ClientError:
            return "client-error"
        return "success"
