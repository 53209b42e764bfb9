"""Export: ExportImage to a disk file in S3, a task followed to completed."""

from __future__ import annotations

from collections.abc import Mapping

from amitui.actions.common import EXPORT_FORMATS, description_field, image_field, role_field
from amitui.actions.registry import register_action
from amitui.actions.spec import ActionSpec, Field
from amitui.aws import storage_validators as sv
from amitui.tasks.calls import cancel_export
from amitui.tasks.kinds import API_EXPORT, Cancel, TaskKind
from amitui.tasks.model import export_object_url


def _source(request: Mapping, response: Mapping, target: str) -> str:
    """The image and the object AWS writes (DescribeExportImageTasks does not repeat
    the disk format: the record keeps the URL)."""
    loc = request.get("S3ExportLocation") or {}
    where = export_object_url(
        str(loc.get("S3Bucket")),
        str(loc.get("S3Prefix") or ""),
        target,
        str(response.get("DiskImageFormat") or request.get("DiskImageFormat")),
    )
    return f"{request.get('ImageId')} → {where}"


EXPORT = register_action(
    ActionSpec(
        name="export",
        operation="ExportImage",
        title="Export image to S3",
        summary="Export the image to a VM disk file in an S3 bucket (VM Import/Export).",
        needs_image=True,
        result_key="ExportImageTaskId",
        task=TaskKind(
            "export",
            poll=API_EXPORT,
            source=_source,
            image_of=lambda request: str(request.get("ImageId", "")),
            cancel=Cancel(cancel_export),
        ),
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
                lookup="buckets",
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
)
