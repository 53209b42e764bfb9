"""ExportImage, DescribeExportImageTasks, CancelExportTask.

An export is ``active`` (StatusMessage validating -> validated -> converting ->
updating, with an uneven Progress) for 4 x pending_seconds, then ``completed``, and
its file appears in the bucket at ``<S3Prefix><task id>.<format>``; the task echoes
its DiskImageFormat lower-case, as AWS does. With the failure marker at the start of
its S3Prefix or Description (conventions.py) it ends ``deleted`` with a
``ClientError: ...`` StatusMessage instead. A cancelled export is ``deleting``, then
``deleted``. As AWS, it refuses an image with encrypted snapshots, an image of
another account, and a bucket in another region.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from . import errors
from .conventions import export_fails
from .describe_images import visible_to
from .image_actions import check_ami_id, check_choice, request_fingerprint
from .lifecycle import EXPORT_STEPS
from .moto_compat import ActionResult, EC2BaseResponse, EmptyResult, s3_backend
from .state import SandboxState
from .tagging import tags_by_type
from .task_common import (
    cancel_active,
    check_bucket,
    describe_tasks,
    new_timeline,
)
from .tasks import (
    CANCEL_MESSAGE,
    EXPORT_FAIL_MESSAGE,
    EXPORT_FORMATS,
    ExportTask,
    new_task_id,
)

EXPORT_PREFIX = "export-ami-"


class ExportActionsMixin(EC2BaseResponse):
    sandbox_state: ClassVar[SandboxState]

    def _s3(self) -> Any:
        return s3_backend(self.current_account, self.partition)

    def export_image(self) -> ActionResult:
        image_id = check_ami_id(self._get_param("ImageId"))
        disk_format = self._get_param("DiskImageFormat")
        location = self._get_param("S3ExportLocation") or {}
        bucket = location.get("S3Bucket")
        prefix = location.get("S3Prefix") or ""
        description = self._get_param("Description")
        role_name = self._get_param("RoleName") or "vmimport"
        token = self._get_param("ClientToken")
        tags = tags_by_type(self._get_param("TagSpecifications", []), ("export-image-task",))
        if not disk_format:
            raise errors.missing_parameter("DiskImageFormat")
        check_choice("DiskImageFormat", disk_format, EXPORT_FORMATS)
        if not bucket:
            raise errors.missing_parameter("S3ExportLocation.S3Bucket")
        self.error_on_dryrun()
        image = self.ec2_backend.amis.get(image_id)
        if image is None or not visible_to(image, self.current_account):
            raise errors.ami_not_found([image_id])
        if image.owner_id != self.current_account:
            raise errors.export_not_owned(image_id)
        if image.state != "available":
            raise errors.incorrect_state(
                f"Image {image_id} is not in a valid state for export ({image.state})."
            )
        if any((m.get("Ebs") or {}).get("Encrypted") for m in image.block_device_mappings):
            raise errors.export_encrypted(image_id)
        check_bucket(self.current_account, self.partition, bucket, self.region, "bucket")
        failing = export_fails(prefix, description)
        state = self.sandbox_state
        book = state.book(self.current_account, self.region)
        now = time.time()

        def create() -> ExportTask:
            task = ExportTask(
                task_id=new_task_id("export-ami"),
                image_id=image_id,
                disk_image_format=disk_format,
                bucket=bucket,
                prefix=prefix,
                role_name=role_name,
                description=description,
                tags=tags.get("export-image-task", {}),
                timeline=new_timeline(
                    state, now, EXPORT_STEPS, EXPORT_FAIL_MESSAGE if failing else None
                ),
            )
            book.exports[task.task_id] = task
            return task

        request = request_fingerprint(self, "ExportImage")
        created, earlier = state.idempotent(
            book, "ExportImage", token, request, create, lambda task: task.task_id
        )
        task = created or book.exports[earlier]  # type: ignore[index]  # set when not created
        with state.lock:
            return ActionResult(task.observe(time.time(), self._s3()))

    def describe_export_image_tasks(self) -> ActionResult:
        book = self.sandbox_state.book(self.current_account, self.region)
        s3 = self._s3()
        return ActionResult(
            describe_tasks(
                self,
                ids_param="ExportImageTaskIds",
                book=book.exports,
                prefix=EXPORT_PREFIX,
                malformed=errors.export_task_malformed,
                not_found=errors.export_task_not_found,
                result_key="ExportImageTasks",
                observe=lambda task, now: task.observe(now, s3),
            )
        )

    def cancel_export_task(self) -> EmptyResult:
        task_id = self._get_param("ExportTaskId") or ""
        state = self.sandbox_state
        book = state.book(self.current_account, self.region)
        now = time.time()
        with state.lock:
            cancel_active(
                book.exports,
                task_id,
                EXPORT_PREFIX,
                errors.export_task_malformed,
                errors.export_task_not_found,
                "Export",
                CANCEL_MESSAGE,
                now,
            )
        return EmptyResult()
