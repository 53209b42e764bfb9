"""What the export and import actions share: timelines, buckets, filters, paging."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlparse

from . import errors
from .lifecycle import TASK_DURATION_FACTOR, TASK_FAIL_FRACTION, Step, TaskTimeline
from .moto_compat import bucket_region, s3_object_exists
from .pagination import check_max_results, fingerprint, paginate
from .state import SandboxState

T = TypeVar("T")

TASK_STATES = ("active", "completed", "deleting", "deleted")
MIN_TASK_RESULTS = 1
MAX_TASK_RESULTS = 500


def new_timeline(
    state: SandboxState,
    now: float,
    steps: tuple[Step, ...],
    fail_message: str | None,
    fail_fraction: float = TASK_FAIL_FRACTION,
) -> TaskTimeline:
    return TaskTimeline(
        started_at=now,
        duration=TASK_DURATION_FACTOR * state.pending_seconds,
        steps=steps,
        deleting_seconds=state.pending_seconds,
        fail_message=fail_message,
        fail_fraction=fail_fraction,
    )


def check_bucket(account_id: str, partition: str, bucket: str, region: str, what: str) -> None:
    """The bucket must exist in the sandbox's S3 and be in ``region`` (VM Import/Export
    works with buckets of its own region only). ``what``: "bucket" or "object"."""
    where = bucket_region(account_id, partition, bucket)
    if where is None:
        raise errors.bucket_not_found(bucket)
    if where != region:
        raise (errors.s3_object_not_local if what == "object" else errors.s3_bucket_not_local)(
            region
        )


def check_object(account_id: str, partition: str, bucket: str, key: str, region: str) -> None:
    """An import's disk file: in a bucket of ``region``, and there."""
    check_bucket(account_id, partition, bucket, region, "object")
    if not s3_object_exists(account_id, partition, bucket, key):
        raise errors.s3_object_not_found(bucket, key)


def split_s3_url(url: str) -> tuple[str | None, str | None]:
    """(bucket, key) of an s3:// or S3 https:// URL; (None, None) for other URLs."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        return parsed.netloc, parsed.path.lstrip("/")
    host = parsed.netloc
    if parsed.scheme == "https" and ".s3." in f".{host}" and host.endswith("amazonaws.com"):
        if host.startswith("s3.") or host.startswith("s3-"):
            bucket, _, key = parsed.path.lstrip("/").partition("/")
            return bucket, key
        return host.split(".s3", 1)[0], parsed.path.lstrip("/")
    return None, None


def check_task_ids(
    ids: Sequence[str],
    known: Mapping[str, Any],
    prefix: str,
    malformed: Callable[[str], Exception],
    not_found: Callable[[str], Exception],
) -> None:
    for task_id in ids:
        if not task_id.startswith(prefix) or len(task_id) <= len(prefix):
            raise malformed(task_id)
        if task_id not in known:
            raise not_found(task_id)


def cancel_active(
    tasks: Mapping[str, Any],
    task_id: str,
    prefix: str,
    malformed: Callable[[str], Exception],
    not_found: Callable[[str], Exception],
    noun: str,
    message: str,
    now: float,
) -> str:
    """Cancel an export or import task as AWS does: only an active one (else
    IncorrectState); its timeline ends with ``message``. Returns its state before.
    The caller holds the sandbox's lock."""
    check_task_ids([task_id], tasks, prefix, malformed, not_found)
    task = tasks[task_id]
    previous: str = task.timeline.phase(now).status
    if previous != "active":
        raise errors.incorrect_state(
            f"{noun} task {task_id} is {previous}; only an active task can be cancelled."
        )
    task.timeline = task.timeline.cancelled(now, message)
    return previous


def task_state_filter(filters: Sequence[Mapping[str, Any]]) -> set[str] | None:
    """The task-state values asked for, or None when there is no such filter."""
    wanted: set[str] | None = None
    for item in filters:
        name = item.get("Name")
        if name != "task-state":
            raise errors.invalid_parameter_value(
                f"The filter '{name}' is invalid. Valid filters: task-state."
            )
        values = set(item.get("Values") or [])
        unknown = values - set(TASK_STATES)
        if unknown:
            raise errors.invalid_parameter_value(
                f"Invalid task-state value(s): {sorted(unknown)}. "
                f"Expecting one of {list(TASK_STATES)}."
            )
        wanted = values if wanted is None else wanted & values
    return wanted


def describe_page(
    tasks: Sequence[T],
    *,
    key: Callable[[T], str],
    status: Callable[[T], str],
    filters: Sequence[Mapping[str, Any]],
    max_results: int | None,
    next_token: str | None,
    query_parts: Sequence[Any],
) -> tuple[list[T], str | None]:
    """Filter by task-state, then page (all at once without MaxResults/NextToken)."""
    check_max_results(max_results, MIN_TASK_RESULTS, MAX_TASK_RESULTS)
    wanted = task_state_filter(filters)
    if wanted is not None:
        tasks = [task for task in tasks if status(task) in wanted]
    if max_results is None and not next_token:
        return sorted(tasks, key=key), None
    return paginate(
        tasks,
        key=key,
        max_results=max_results,
        next_token=next_token,
        query=fingerprint(*query_parts, sorted(wanted or [])),
        default_page=MAX_TASK_RESULTS,
    )


def describe_tasks(
    response: Any,
    *,
    ids_param: str,
    book: Mapping[str, Any],
    prefix: str,
    malformed: Callable[[str], Exception],
    not_found: Callable[[str], Exception],
    result_key: str,
    observe: Callable[[Any, float], dict],
) -> dict[str, Any]:
    """DescribeExportImageTasks / DescribeImportImageTasks: ids, task-state filter, paging.

    ``response`` is the EC2 response object (for its parameters, region and lock);
    ``observe(task, now)`` renders one task as AWS shows it at ``now``."""
    ids = response._get_param(ids_param, [])
    filters = response._get_param("Filters", [])
    max_results = response._get_param("MaxResults")
    next_token = response._get_param("NextToken")
    response.error_on_dryrun()
    now = time.time()
    with response.sandbox_state.lock:
        check_task_ids(ids, book, prefix, malformed, not_found)
        tasks = [book[i] for i in ids] if ids else list(book.values())
        page, token = describe_page(
            tasks,
            key=lambda task: task.task_id,
            status=lambda task: task.timeline.phase(now).status,
            filters=filters,
            max_results=max_results,
            next_token=next_token,
            query_parts=(response.region, result_key, sorted(ids)),
        )
        result: dict[str, Any] = {result_key: [observe(task, now) for task in page]}
    if token:
        result["NextToken"] = token
    return result
