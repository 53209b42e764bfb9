"""ImportImage, DescribeImportImageTasks, CancelImportTask.

An import is ``active`` for 4 x pending_seconds, its StatusMessage walking AWS's
steps (pending, validating, validated, converting, updating, booting, booted,
preparing ami) with an uneven Progress, then ``completed`` with an ImageId that
DescribeImages knows (named after the task, as AWS names imported images). As on
AWS, the record fills in as the work goes: each disk's Format as given (lower-case),
its DiskImageSize 0 until validated, Architecture/Platform/LicenseType/Hypervisor
once the OS is detected (from ``updating``). Each disk must be an existing object
in a bucket of the request's region (InvalidParameter otherwise). With the failure
marker (conventions.py) it ends ``deleted`` while validating, with a
``ClientError: ...`` StatusMessage. A cancelled import is ``deleting``, then
``deleted``.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from . import errors
from .conventions import import_fails
from .image_actions import BOOT_MODES, check_choice, request_fingerprint
from .lifecycle import IMPORT_STEPS, step_start
from .moto_compat import ActionResult, EC2BaseResponse
from .state import SandboxState
from .tagging import tags_by_type
from .task_common import (
    cancel_active,
    check_object,
    describe_tasks,
    new_timeline,
    split_s3_url,
)
from .tasks import (
    CANCEL_MESSAGE,
    IMPORT_FAIL_MESSAGE,
    IMPORT_FORMATS,
    ImportDisk,
    ImportTask,
    new_task_id,
)

IMPORT_PREFIX = "import-ami-"
IMPORT_ARCHITECTURES = ("i386", "x86_64", "arm64")
IMPORT_PLATFORMS = ("Windows", "Linux")
LICENSE_TYPES = ("AWS", "BYOL")
DEVICE_NAMES = ("/dev/sda1", *(f"/dev/sd{letter}" for letter in "bcdefghijklmnop"))
# A failing import fails half-way through validating its disks.
IMPORT_FAIL_FRACTION = (
    step_start(IMPORT_STEPS, "validating") + step_start(IMPORT_STEPS, "validated")
) / 2


class ImportActionsMixin(EC2BaseResponse):
    sandbox_state: ClassVar[SandboxState]

    def _disks(self, containers: list[dict[str, Any]]) -> list[ImportDisk]:
        if not containers:
            raise errors.missing_parameter("DiskContainers")
        if len(containers) > len(DEVICE_NAMES):
            raise errors.invalid_parameter_value("Too many disk containers.")
        disks = []
        for index, container in enumerate(containers):
            given = container.get("Format") or ""
            if not given:
                raise errors.missing_parameter(f"DiskContainer.{index + 1}.Format")
            check_choice("Format", given.upper(), IMPORT_FORMATS)
            if container.get("SnapshotId"):
                raise errors.invalid_parameter_value(
                    "The sandbox imports from S3 only (Url or UserBucket), not from SnapshotId."
                )
            user_bucket = container.get("UserBucket") or {}
            url = container.get("Url")
            if user_bucket:
                bucket, key = user_bucket.get("S3Bucket"), user_bucket.get("S3Key")
                if not bucket or not key:
                    raise errors.invalid_parameter("UserBucket needs both S3Bucket and S3Key.")
            elif url:
                bucket, key = split_s3_url(url)
            else:
                raise errors.invalid_parameter(
                    "Each DiskContainer needs either a Url or a UserBucket."
                )
            if bucket is not None:
                check_object(self.current_account, self.partition, bucket, key or "", self.region)
            disks.append(
                ImportDisk(
                    format=given.lower(),  # AWS echoes the format as given, lower-case
                    bucket=user_bucket.get("S3Bucket") if user_bucket else None,
                    key=user_bucket.get("S3Key") if user_bucket else None,
                    url=None if user_bucket else url,
                    device_name=DEVICE_NAMES[index],
                    description=container.get("Description"),
                )
            )
        return disks

    def import_image(self) -> ActionResult:
        description = self._get_param("Description")
        architecture = self._get_param("Architecture") or "x86_64"
        platform = self._get_param("Platform") or "Linux"
        license_type = self._get_param("LicenseType")
        boot_mode = self._get_param("BootMode")
        encrypted = bool(self._get_param("Encrypted", False))
        kms_key_id = self._get_param("KmsKeyId")
        token = self._get_param("ClientToken")
        tags = tags_by_type(self._get_param("TagSpecifications", []), ("import-image-task",))
        check_choice("Architecture", architecture, IMPORT_ARCHITECTURES)
        check_choice("Platform", platform, IMPORT_PLATFORMS)
        check_choice("LicenseType", license_type, LICENSE_TYPES)
        check_choice("BootMode", boot_mode, BOOT_MODES)
        if kms_key_id and not encrypted:
            raise errors.kms_requires_encrypted()
        disks = self._disks(self._get_param("DiskContainers", []))
        self.error_on_dryrun()
        if license_type is None:
            license_type = "AWS" if platform == "Windows" else "BYOL"
        failing = import_fails(description, [d.key or d.url for d in disks])
        state = self.sandbox_state
        book = state.book(self.current_account, self.region)
        now = time.time()

        def create() -> ImportTask:
            task = ImportTask(
                task_id=new_task_id("import-ami"),
                description=description,
                architecture=architecture,
                platform=platform,
                license_type=license_type,
                boot_mode=boot_mode,
                encrypted=encrypted,
                kms_key_id=kms_key_id,
                disks=disks,
                tags=tags.get("import-image-task", {}),
                timeline=new_timeline(
                    state,
                    now,
                    IMPORT_STEPS,
                    IMPORT_FAIL_MESSAGE if failing else None,
                    fail_fraction=IMPORT_FAIL_FRACTION,
                ),
            )
            book.imports[task.task_id] = task
            return task

        request = request_fingerprint(self, "ImportImage")
        created, earlier = state.idempotent(
            book, "ImportImage", token, request, create, lambda task: task.task_id
        )
        task = created or book.imports[earlier]  # type: ignore[index]  # set when not created
        with state.lock:
            return ActionResult(task.observe(time.time(), self.ec2_backend))

    def describe_import_image_tasks(self) -> ActionResult:
        book = self.sandbox_state.book(self.current_account, self.region)
        return ActionResult(
            describe_tasks(
                self,
                ids_param="ImportTaskIds",
                book=book.imports,
                prefix=IMPORT_PREFIX,
                malformed=errors.import_task_malformed,
                not_found=errors.import_task_not_found,
                result_key="ImportImageTasks",
                observe=lambda task, now: task.observe(now, self.ec2_backend),
            )
        )

    def cancel_import_task(self) -> ActionResult:
        task_id = self._get_param("ImportTaskId") or ""
        reason = self._get_param("CancelReason")
        self.error_on_dryrun()
        state = self.sandbox_state
        book = state.book(self.current_account, self.region)
        now = time.time()
        with state.lock:
            previous = cancel_active(
                book.imports,
                task_id,
                IMPORT_PREFIX,
                errors.import_task_malformed,
                errors.import_task_not_found,
                "Import",
                f"{CANCEL_MESSAGE}: {reason}" if reason else CANCEL_MESSAGE,
                now,
            )
            current = book.imports[task_id].timeline.phase(now).status
        return ActionResult({"ImportTaskId": task_id, "PreviousState": previous, "State": current})
