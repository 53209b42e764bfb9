"""Field builders and rules shared by several action specs."""

from __future__ import annotations

import re
from collections.abc import Mapping

from amitui.actions.spec import Field
from amitui.aws import storage_validators as sv
from amitui.aws import validators as v
from amitui.aws.usage import Usage

DISK_FORMATS = ("OVA", "VHD", "VHDX", "VMDK", "RAW")
EXPORT_FORMATS = ("VMDK", "RAW", "VHD")
BOOT_MODES = ("uefi", "legacy-bios", "uefi-preferred")
IMPORT_BOOT_MODES = ("uefi", "legacy-bios")  # VM Import does not take uefi-preferred
REGISTER_ARCHITECTURES = ("x86_64", "arm64", "i386", "x86_64_mac", "arm64_mac")
IMPORT_ARCHITECTURES = ("x86_64", "i386")  # botocore documents only these two
ROOT_VOLUME_TYPES = ("gp3", "gp2", "io2", "io1", "standard")  # st1/sc1 cannot boot

NAME_HELP = "3 to 128 characters: letters, digits, spaces and ( ) [ ] . / - ' @ _"


def name_field(prefill: str | None = None) -> Field:
    return Field(
        "Name", "Name", required=True, validators=(v.ami_name,), help=NAME_HELP, prefill=prefill
    )


def image_field(help: str) -> Field:
    """The selected image (prefilled from the inventory's cursor)."""
    return Field(
        "ImageId", "Image", required=True, validators=(v.image_id,), prefill="image_id", help=help
    )


def description_field(help: str = "Optional, at most 255 characters.") -> Field:
    return Field("Description", "Description", validators=(v.description,), help=help)


def tags_field(resource_types: tuple[str, ...], help: str) -> Field:
    return Field(
        "TagSpecifications",
        "Tags",
        kind="tags",
        resource_types=resource_types,
        help=help,
        placeholder="e.g. Name=web, team=platform",
    )


def encrypted_field(help: str) -> Field:
    return Field("Encrypted", "Encrypted", kind="bool", default=False, help=help)


def kms_key_field(help: str) -> Field:
    return Field(
        "KmsKeyId",
        "KMS key",
        validators=(sv.kms_key,),
        help=help,
        placeholder="e.g. alias/my-key, key id or ARN",
    )


def role_field(help: str) -> Field:
    return Field(
        "RoleName", "IAM role", default="vmimport", validators=(v.iam_role_name,), help=help
    )


def kms_needs_encrypted(values: Mapping[str, object]) -> dict[str, str]:
    if values.get("KmsKeyId") and not values.get("Encrypted"):
        return {"KmsKeyId": "A KMS key needs Encrypted: turn Encrypted on."}
    return {}


ACCOUNT_ID = re.compile(r"\d{12}")
"""An AWS account id: 12 digits."""


def typed_back(values: Mapping[str, object]) -> dict[str, str]:
    """A destructive form's rule: ``ConfirmImageId`` is exactly the form's ``ImageId``."""
    image, typed = values.get("ImageId"), values.get("ConfirmImageId")
    if image and typed and typed != image:
        return {"ConfirmImageId": f"Does not match: type {image} to confirm."}
    return {}


def usage_shown_only(values: Mapping[str, object], usage: Usage | None) -> dict[str, str]:
    """A usage guard that refuses nothing: the form asks what uses and shares the image
    only to show it (disable lists the shares it drops, sharing the current ones)."""
    return {}
