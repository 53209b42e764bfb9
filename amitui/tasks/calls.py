"""The AWS calls behind tasks: batched describes, cancel, and adoption of foreign tasks.

One call per (region, api) group: DescribeImages with ImageIds for create/copy/register,
DescribeExportImageTasks with ExportImageTaskIds, DescribeImportImageTasks with
ImportTaskIds (following NextToken when AWS pages). DescribeImages fails the WHOLE call
with InvalidAMIID.NotFound when one id is unknown: :func:`describe_batched` then drops the
ids the error names (bisecting when it names none) and asks again, so the missing ones
come back as ``None`` (their tasks fail) and the others are still answered.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from amitui.aws.errors import error_code
from amitui.tasks.kinds import (
    API_EXPORT,
    API_IMAGES,
    API_IMPORT,
    API_USAGE_REPORTS,
    KINDS,
    kind_of,
)
from amitui.tasks.model import (
    INTERPRETERS,
    NOT_FOUND_GRACE,
    Observation,
    Task,
    progress_of,
    s3_location,
)

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

log = logging.getLogger("amitui.poller")
log.addHandler(logging.NullHandler())

# Batched describe calls -------------------------------------------------------------------

#: Error codes that mean "one of the ids you asked about does not exist": the batch is
#: split to find which, and those come back as ``None``.
MISSING_CODES = (
    "InvalidAMIID.NotFound",
    "InvalidAMIID.Unavailable",
    "InvalidAMIID.Malformed",
    "InvalidExportImageTaskId.NotFound",
    "InvalidExportTaskID.NotFound",
    "InvalidExportTaskId.NotFound",
    "InvalidConversionTaskId",
    "InvalidConversionTaskId.Malformed",
    "InvalidConversionTaskId.NotFound",
    "InvalidImportTaskId.NotFound",
)


def is_missing_error(exc: BaseException) -> bool:
    code = error_code(exc) or ""
    return code in MISSING_CODES or code.endswith(".NotFound")


_ID_RE = re.compile(r"\b(?:ami|export-ami|import-ami|export-i|snap)-[0-9a-zA-Z]+\b")


def _named_ids(exc: ClientError, asked: Iterable[str]) -> list[str]:
    """The ids an error message names (AWS lists the unknown ones), limited to ``asked``."""
    message = exc.response.get("Error", {}).get("Message") or ""
    wanted = set(asked)
    return [i for i in dict.fromkeys(_ID_RE.findall(message)) if i in wanted]


def describe_batched(
    fetch: Callable[[list[str]], dict[str, dict[str, Any]]],
    ids: Iterable[str],
) -> dict[str, dict[str, Any] | None]:
    """Call ``fetch(ids)`` once; when AWS refuses the batch because some id is unknown,
    drop the ids the error names (or bisect when it names none) and ask again.

    Returns every asked id: its record, or ``None`` when AWS says it does not exist (or
    leaves it out of a successful answer). Any other error propagates.
    """
    ids = list(dict.fromkeys(ids))
    out: dict[str, dict[str, Any] | None] = {}

    def run(batch: list[str]) -> None:
        from botocore.exceptions import ClientError  # (loaded with the clients by now)

        if not batch:
            return
        try:
            found = fetch(batch)
        except ClientError as exc:
            if not is_missing_error(exc):
                raise
            if len(batch) == 1:
                out[batch[0]] = None
                return
            named = _named_ids(exc, batch)
            if named:
                for i in named:
                    out[i] = None
                run([i for i in batch if i not in named])
                return
            mid = len(batch) // 2
            run(batch[:mid])
            run(batch[mid:])
            return
        for i in batch:
            out[i] = found.get(i)

    run(ids)
    return out


def _paged(call: Callable[..., dict[str, Any]], key: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        answer = call(**params)
        items.extend(answer.get(key) or ())
        token = answer.get("NextToken")
        if not token:
            return items
        params["NextToken"] = token


def describe_images_by_id(ec2: Any, image_ids: Iterable[str]) -> dict[str, dict[str, Any] | None]:
    """One DescribeImages call for all ids (more only when AWS reports unknown ids)."""

    def fetch(batch: list[str]) -> dict[str, dict[str, Any]]:
        images = _paged(
            ec2.describe_images,
            "Images",
            ImageIds=batch,
            IncludeDeprecated=True,
            IncludeDisabled=True,
        )
        return {img["ImageId"]: img for img in images if img.get("ImageId")}

    return describe_batched(fetch, image_ids)


def describe_exports_by_id(ec2: Any, task_ids: Iterable[str]) -> dict[str, dict[str, Any] | None]:
    def fetch(batch: list[str]) -> dict[str, dict[str, Any]]:
        items = _paged(
            ec2.describe_export_image_tasks, "ExportImageTasks", ExportImageTaskIds=batch
        )
        return {t["ExportImageTaskId"]: t for t in items if t.get("ExportImageTaskId")}

    return describe_batched(fetch, task_ids)


def describe_imports_by_id(ec2: Any, task_ids: Iterable[str]) -> dict[str, dict[str, Any] | None]:
    def fetch(batch: list[str]) -> dict[str, dict[str, Any]]:
        items = _paged(ec2.describe_import_image_tasks, "ImportImageTasks", ImportTaskIds=batch)
        return {t["ImportTaskId"]: t for t in items if t.get("ImportTaskId")}

    return describe_batched(fetch, task_ids)


def describe_usage_reports_by_id(
    ec2: Any, report_ids: Iterable[str]
) -> dict[str, dict[str, Any] | None]:
    def fetch(batch: list[str]) -> dict[str, dict[str, Any]]:
        items = _paged(ec2.describe_image_usage_reports, "ImageUsageReports", ReportIds=batch)
        return {r["ReportId"]: r for r in items if r.get("ReportId")}

    return describe_batched(fetch, report_ids)


def describe_snapshots_by_id(
    ec2: Any, snapshot_ids: Iterable[str]
) -> dict[str, dict[str, Any] | None]:
    """One DescribeSnapshots call for all ids (more only when AWS reports unknown ids)."""

    def fetch(batch: list[str]) -> dict[str, dict[str, Any]]:
        items = _paged(ec2.describe_snapshots, "Snapshots", SnapshotIds=batch)
        return {s["SnapshotId"]: s for s in items if s.get("SnapshotId")}

    return describe_batched(fetch, snapshot_ids)


def snapshot_ids_of(image: dict[str, Any]) -> list[str]:
    return [
        sid
        for m in image.get("BlockDeviceMappings") or ()
        if (sid := (m.get("Ebs") or {}).get("SnapshotId"))
    ]


def weighted_progress(snapshots: list[dict[str, Any] | None]) -> int | None:
    """An image's progress from its snapshots' Progress, weighted by VolumeSize (a
    snapshot AWS did not describe, or one without Progress, leaves it unknown)."""
    total = done = 0.0
    for snap in snapshots:
        value = progress_of((snap or {}).get("Progress"))
        if value is None:
            return None
        weight = float((snap or {}).get("VolumeSize") or 1)
        total += weight
        done += weight * value
    return round(done / total) if total else None


def _snapshot_progress(task: Task) -> bool:
    """Whether the task's pending image gets NEW snapshots, whose Progress is the image's
    (a registered image reuses finished snapshots: 100% would say nothing of its state)."""
    return task.kind in KINDS and kind_of(task.kind).snapshot_progress


def pending_image_progress(
    ec2: Any, images: dict[str, dict[str, Any] | None], only: Iterable[str] | None = None
) -> dict[str, int | None]:
    """Image id -> percent for the pending images (of ``only``, if given), from ONE
    DescribeSnapshots call for all their snapshots (the images group's second call per
    cycle, only while some image is pending with snapshots). A failed call leaves the
    percentages unknown: the task goes on and shows "no percentage from AWS"."""
    allowed = None if only is None else set(only)
    wanted = {
        image_id: snapshot_ids_of(raw)
        for image_id, raw in images.items()
        if raw is not None
        and raw.get("State") == "pending"
        and (allowed is None or image_id in allowed)
    }
    ids = [sid for sids in wanted.values() for sid in sids]
    if not ids:
        return {}
    try:
        snapshots = describe_snapshots_by_id(ec2, ids)
    except Exception as exc:  # progress is a bonus: never fail the group for it
        log.warning("DescribeSnapshots for progress failed: %s", exc)
        return {}
    return {
        image_id: weighted_progress([snapshots.get(s) for s in sids]) if sids else None
        for image_id, sids in wanted.items()
    }


DESCRIBERS: dict[str, Callable[[Any, Iterable[str]], dict[str, dict[str, Any] | None]]] = {
    API_IMAGES: describe_images_by_id,
    API_EXPORT: describe_exports_by_id,
    API_IMPORT: describe_imports_by_id,
    API_USAGE_REPORTS: describe_usage_reports_by_id,
}


def observe_group(
    ec2: Any,
    api: str,
    tasks: list[Task],
    now: float | None = None,
    grace: float = NOT_FOUND_GRACE,
    refresh: Callable[[Task], Task | None] | None = None,
) -> dict[int, Observation]:
    """Describe every task of one (region, api) group in one call; task id -> Observation.

    ``refresh`` re-reads a task AFTER the answer arrived, so a cancel recorded while the
    call was in flight is taken into account (a deregistered pending copy then reads as
    cancelled, not as "image no longer exists")."""
    if not tasks:
        return {}
    answers = DESCRIBERS[api](ec2, [t.target_id for t in tasks])
    progress = {}
    if api == API_IMAGES:
        making = [t.target_id for t in tasks if _snapshot_progress(t)]
        progress = pending_image_progress(ec2, answers, making)
    now = time.time() if now is None else now
    interpret = INTERPRETERS[api]
    out = {}
    for task in tasks:
        current = refresh(task) if refresh is not None else task
        if current is None or not current.is_running:
            continue
        answer = answers.get(task.target_id)
        if api == API_IMAGES:
            percent = progress.get(task.target_id)
            out[task.id] = interpret(answer, current, now, grace, progress=percent)
        else:
            out[task.id] = interpret(answer, current, now, grace)
    return out


# Cancel -----------------------------------------------------------------------------------


def cancel_export(ec2: Any, target_id: str, reason: str) -> None:
    ec2.cancel_export_task(ExportTaskId=target_id)


def cancel_import(ec2: Any, target_id: str, reason: str) -> None:
    ec2.cancel_import_task(ImportTaskId=target_id, CancelReason=reason)


def deregister_pending(ec2: Any, target_id: str, reason: str) -> None:
    """Cancel a pending image's copy or creation: DEREGISTERS the image."""
    ec2.deregister_image(ImageId=target_id)


def cancel_remote(ec2: Any, task: Task, reason: str = "cancelled from amitui") -> None:
    """Ask AWS to stop a task, as its kind says (see :class:`~amitui.tasks.kinds.Cancel`).
    A cancel that ``deregisters`` removes the pending image: the caller must have had the
    user type the image id back first."""
    cancel = kind_of(task.kind).cancel if task.kind in KINDS else None
    if cancel is None:
        raise ValueError(f"a {task.kind} task cannot be cancelled")
    cancel.call(ec2, task.target_id, reason)


# Adoption ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Foreign:
    """An active export or import task found in AWS (maybe not started by amitui)."""

    kind: str
    region: str
    target_id: str
    source: str
    name: str
    aws_state: str
    progress: int | None
    message: str
    image_id: str = ""


def _import_source(raw: dict[str, Any]) -> str:
    for snap in raw.get("SnapshotDetails") or ():
        where = s3_location(snap.get("UserBucket")) or snap.get("Url") or ""
        if where:
            return where
    return ""


def list_active_transfers(ec2: Any, region: str) -> list[Foreign]:
    """The region's active export and import tasks, whoever started them (two paged calls)."""
    found: list[Foreign] = []
    for raw in _paged(ec2.describe_export_image_tasks, "ExportImageTasks", MaxResults=500):
        if raw.get("Status") == "active" and raw.get("ExportImageTaskId"):
            image_id = raw.get("ImageId") or ""
            where = s3_location(raw.get("S3ExportLocation"))
            found.append(
                Foreign(
                    kind="export",
                    region=region,
                    target_id=raw["ExportImageTaskId"],
                    source=f"{image_id} -> {where}" if where else image_id,
                    name=raw.get("Description") or "",
                    aws_state="active",
                    progress=progress_of(raw.get("Progress")),
                    message=raw.get("StatusMessage") or "",
                    image_id=image_id,
                )
            )
    for raw in _paged(ec2.describe_import_image_tasks, "ImportImageTasks", MaxResults=500):
        if raw.get("Status") == "active" and raw.get("ImportTaskId"):
            found.append(
                Foreign(
                    kind="import",
                    region=region,
                    target_id=raw["ImportTaskId"],
                    source=_import_source(raw),
                    name=raw.get("Description") or "",
                    aws_state="active",
                    progress=progress_of(raw.get("Progress")),
                    message=raw.get("StatusMessage") or "",
                    image_id=raw.get("ImageId") or "",
                )
            )
    return found
