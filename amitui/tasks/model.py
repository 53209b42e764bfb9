"""Tasks: the record, and the pure reading of AWS answers into task states.

A :class:`Task` is one long-running AWS job that amitui follows: an image being created,
copied or registered (followed through DescribeImages), an export (DescribeExportImageTasks)
or an import (DescribeImportImageTasks). The functions here are pure: they turn one AWS
record into an :class:`Observation`. The batched calls live in :mod:`amitui.tasks.calls`;
the poller (:mod:`amitui.tasks.poller`) ties them to the store. What a task's kind means
(its poll group, how it is cancelled) is its :class:`~amitui.tasks.kinds.TaskKind`.

Tasks are grouped for polling by ``(region, api)`` where ``api`` is the kind's poll group
(``"images"``, ``"export"`` or ``"import"``): one call per group per cycle whatever its
size, so N tasks over R regions cost at most 3 x R describe calls per cycle.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from amitui.tasks.kinds import (
    API_EXPORT,
    API_IMAGES,
    API_IMPORT,
    API_USAGE_REPORTS,
    KINDS,
    kind_of,
)

# Statuses ---------------------------------------------------------------------------------

RUNNING = "running"
DONE = "done"
FAILED = "failed"
CANCELLED = "cancelled"
STATUSES = (RUNNING, DONE, FAILED, CANCELLED)
TERMINAL = (DONE, FAILED, CANCELLED)

#: Image states that end a create/copy/register task as failed.
IMAGE_FAILED_STATES = ("failed", "error", "invalid", "deregistered", "disabled")

#: After a task's API call succeeded, AWS may answer NotFound for a short while (EC2's
#: eventual consistency). A NotFound within this many seconds of the task's creation keeps
#: it running; after it, the task fails. NotFound never leaves a task running forever.
NOT_FOUND_GRACE = 60.0


def api_for(kind: str) -> str:
    """Which describe call (poll group) follows a task of this kind."""
    return kind_of(kind).poll


#: The scope name of the sandbox that ``amitui --demo`` starts. Each demo serves on a new
#: port, so its URL would give every run a scope of its own: a task running at quit would
#: stay ``running`` forever under a scope nobody follows. This name stays the same.
DEMO_ENDPOINT = "demo-sandbox"


def make_scope(endpoint_url: str | None, account: str, endpoint_name: str | None = None) -> str:
    """The scope tasks belong to: ``"<endpoint or aws>|<account id>"``.

    ``endpoint_name`` replaces the URL for an endpoint whose URL changes from run to run
    (the demo's sandbox: :data:`DEMO_ENDPOINT`); a real endpoint's scope is its URL."""
    endpoint = endpoint_name or (endpoint_url or "aws").rstrip("/")
    return f"{endpoint}|{account}"


def scope_parts(scope: str) -> tuple[str, str]:
    """``(endpoint, account)`` of a scope made by :func:`make_scope`."""
    endpoint, _, account = scope.rpartition("|")
    return endpoint, account


def scope_for(clients: Any) -> str:
    """The scope of an :class:`~amitui.aws.clients.AwsClients` (one STS call, cached there)."""
    return make_scope(clients.endpoint_url, clients.identity().account)


# Records ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Task:
    """One followed AWS job, as stored. Timestamps are Unix epoch seconds (UTC)."""

    id: int
    scope: str
    kind: str
    region: str
    target_id: str
    source: str = ""
    name: str = ""
    image_id: str = ""
    status: str = RUNNING
    aws_state: str = ""
    progress: int | None = None
    message: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0
    finished_at: float | None = None
    cleared: bool = False
    adopted: bool = False
    cancel_requested: bool = False
    #: the account it runs in when not the scope's (--accounts); "" is the scope's account
    account: str = ""

    @property
    def api(self) -> str:
        return api_for(self.kind)

    @property
    def is_running(self) -> bool:
        return self.status == RUNNING

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    def elapsed(self, now: float | None = None) -> float:
        """Seconds from start to finish (or to now while running). A finished task's
        elapsed never grows; for one that :attr:`ended_unseen` it is a lower bound."""
        if self.finished_at is not None:
            end = self.finished_at
        else:
            end = time.time() if now is None else now
        return max(0.0, end - self.created_at)

    @property
    def ended_unseen(self) -> bool:
        """It ended while nobody watched (amitui was closed): AWS gives no end time, so
        ``finished_at`` is the last change amitui saw while it ran, before ``updated_at``
        (when the end was seen). A task seen to end has ``finished_at == updated_at``."""
        return self.finished_at is not None and self.finished_at < self.updated_at

    @property
    def cancellable(self) -> bool:
        """Whether amitui knows how to cancel it (its kind's ``Cancel``, now)."""
        if not self.is_running or self.cancel_requested or self.kind not in KINDS:
            return False
        cancel = kind_of(self.kind).cancel
        return cancel is not None and (cancel.states is None or self.aws_state in cancel.states)


@dataclass(frozen=True, slots=True)
class TaskEvent:
    """One row of a task's history: a change of status, AWS state, progress or message."""

    task_id: int
    at: float
    status: str
    aws_state: str
    progress: int | None
    message: str


@dataclass(frozen=True, slots=True)
class Observation:
    """What one AWS answer says about one task."""

    status: str
    aws_state: str = ""
    progress: int | None = None
    message: str = ""
    image_id: str | None = None


# Pure interpretation ----------------------------------------------------------------------


def progress_of(value: Any) -> int | None:
    """A percentage as AWS writes it: ``"35"`` (exports, imports) or ``"35%"`` (snapshots)."""
    if isinstance(value, str):
        value = value.strip().removesuffix("%")
    if value is None or value == "":
        return None
    try:
        return max(0, min(100, round(float(value))))
    except (TypeError, ValueError):
        return None


def _not_found(task: Task | None, now: float | None, what: str, grace: float) -> Observation:
    if task is not None and task.cancel_requested:
        return Observation(CANCELLED, "not-found", task.progress, "cancelled")
    young = task is not None and now is not None and now - task.created_at < grace
    if task is not None and young and not task.adopted:
        return Observation(
            RUNNING, task.aws_state, task.progress, f"waiting for AWS to show {what}"
        )
    return Observation(
        FAILED, "not-found", task.progress if task else None, f"{what} no longer exists"
    )


def interpret_image(
    raw: dict[str, Any] | None,
    task: Task | None = None,
    now: float | None = None,
    grace: float = NOT_FOUND_GRACE,
    progress: int | None = None,
) -> Observation:
    """Read a DescribeImages record (``None`` = absent or NotFound) for an image task.
    ``progress``: what DescribeSnapshots says of a pending image's snapshots, if asked."""
    if raw is None:
        return _not_found(task, now, "image", grace)
    state = raw.get("State") or ""
    reason = ((raw.get("StateReason") or {}).get("Message") or "").strip()
    if state == "available":
        return Observation(DONE, state, None, "", raw.get("ImageId"))
    if state in IMAGE_FAILED_STATES:
        if task is not None and task.cancel_requested and state == "deregistered":
            return Observation(CANCELLED, state, None, reason or "cancelled")
        return Observation(FAILED, state, None, reason or f"image is {state}")
    # pending, transient, or a state AWS adds later: still running.
    return Observation(RUNNING, state, progress, reason)


def _looks_like_error(message: str) -> bool:
    return bool(re.match(r"^\s*\w*Error\b", message))


def _looks_like_cancel(message: str) -> bool:
    return "cancel" in message.lower()


def s3_location(loc: dict[str, Any] | None) -> str:
    if not loc:
        return ""
    bucket = loc.get("S3Bucket") or ""
    if not bucket:
        return ""
    return f"s3://{bucket}/{loc.get('S3Prefix') or loc.get('S3Key') or ''}"


EXPORT_EXTENSIONS = {"VMDK": "vmdk", "RAW": "raw", "VHD": "vhd"}


def export_object_url(bucket: str, prefix: str, task_id: str, disk_format: str) -> str:
    """Where AWS writes an export: ``s3://<bucket>/<prefix><task id>.<format>`` (the VM
    Import/Export guide: the S3 key is ``prefix`` + ``export-ami-….`` + format)."""
    ext = EXPORT_EXTENSIONS.get(disk_format.upper(), disk_format.lower())
    return f"s3://{bucket}/{prefix}{task_id}.{ext}"


def _exported_object(raw: dict[str, Any], task: Task | None) -> str:
    """The exported file's URL. DescribeExportImageTasks does not repeat the disk format:
    a task amitui started carries the URL in its source (see the export action's task kind); for one
    it adopted the format is not known and the URL says so."""
    task_id = raw.get("ExportImageTaskId") or (task.target_id if task else "")
    if task is not None and task_id:
        for word in task.source.split():
            if word.startswith("s3://") and f"/{task_id}." in word:
                return word
    where = s3_location(raw.get("S3ExportLocation"))
    if where and task_id:
        return f"{where}{task_id}.<format>"
    return where


def interpret_export(
    raw: dict[str, Any] | None,
    task: Task | None = None,
    now: float | None = None,
    grace: float = NOT_FOUND_GRACE,
) -> Observation:
    """Read a DescribeExportImageTasks record (``None`` = absent or NotFound)."""
    if raw is None:
        return _not_found(task, now, "export task", grace)
    state = raw.get("Status") or ""
    message = (raw.get("StatusMessage") or "").strip()
    progress = progress_of(raw.get("Progress"))
    cancel = bool(task and task.cancel_requested)
    if state == "completed":
        where = _exported_object(raw, task)
        return Observation(DONE, state, 100, message or (f"exported to {where}" if where else ""))
    if state == "deleted":
        if cancel or _looks_like_cancel(message):
            return Observation(CANCELLED, state, progress, message or "cancelled")
        return Observation(FAILED, state, progress, message or "export task was deleted")
    # active, deleting (a cancel in progress), or a state AWS adds later.
    if state == "deleting" and not message:
        message = "cancelling" if cancel else "being deleted"
    return Observation(RUNNING, state, progress, message)


def interpret_import(
    raw: dict[str, Any] | None,
    task: Task | None = None,
    now: float | None = None,
    grace: float = NOT_FOUND_GRACE,
) -> Observation:
    """Read a DescribeImportImageTasks record (``None`` = absent or NotFound)."""
    if raw is None:
        return _not_found(task, now, "import task", grace)
    state = raw.get("Status") or ""
    message = (raw.get("StatusMessage") or "").strip()
    progress = progress_of(raw.get("Progress"))
    image_id = raw.get("ImageId") or None
    cancel = bool(task and task.cancel_requested)
    if state == "completed":
        if image_id:
            return Observation(DONE, state, 100, message or f"imported as {image_id}", image_id)
        # Completed without an ImageId: give AWS a moment (measured from when we first
        # saw `completed`, our last update) before calling it a failure.
        first_seen = task.updated_at if task is not None and task.aws_state == state else now
        if now is not None and first_seen is not None and now - first_seen < grace:
            return Observation(RUNNING, state, 100, "completed; waiting for the image id")
        return Observation(FAILED, state, progress, message or "import completed without an image")
    if state == "deleted":
        # AWS ends a failed import as `deleted` with "ClientError: ..." in StatusMessage.
        if _looks_like_error(message) and not _looks_like_cancel(message):
            return Observation(FAILED, state, progress, message)
        if cancel or _looks_like_cancel(message):
            return Observation(CANCELLED, state, progress, message or "cancelled")
        return Observation(FAILED, state, progress, message or "import task was deleted")
    if state == "deleting" and not message:
        message = "cancelling" if cancel else "being deleted"
    return Observation(RUNNING, state, progress, message, image_id)


def interpret_usage_report(
    raw: dict[str, Any] | None,
    task: Task | None = None,
    now: float | None = None,
    grace: float = NOT_FOUND_GRACE,
) -> Observation:
    """Read a DescribeImageUsageReports record (``None`` = absent or NotFound): ``pending``
    runs, ``available`` is done (the entries are read by whoever shows them), ``error``
    (or any failed state) fails with its reason."""
    if raw is None:
        return _not_found(task, now, "usage report", grace)
    state = raw.get("State") or ""
    reason = (raw.get("StateReason") or "").strip()
    if state == "available":
        expires = str(raw.get("ExpirationTime") or "")[:10]
        return Observation(DONE, state, 100, f"ready (expires {expires})" if expires else "ready")
    if state in ("error", "failed"):
        return Observation(FAILED, state, None, reason or f"usage report is {state}")
    return Observation(RUNNING, state, None, reason)


INTERPRETERS: dict[str, Callable[..., Observation]] = {
    API_IMAGES: interpret_image,
    API_EXPORT: interpret_export,
    API_IMPORT: interpret_import,
    API_USAGE_REPORTS: interpret_usage_report,
}
