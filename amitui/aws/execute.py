"""Make one EC2 call for an action: a built request in, one CallResult out.

:func:`amitui.actions.run.run_action` builds the requests from a spec's values and makes
them here (this module knows no spec: it is the adapter).

Never raises for AWS trouble: each call's failure becomes one readable line with its
error code, so the form can stay open and show it. Dry runs report "allowed"
(DryRunOperation) or the denial (UnauthorizedOperation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from amitui.aws.clients import AwsClients
from amitui.aws.errors import describe_error, error_code


@dataclass(frozen=True, slots=True)
class CallResult:
    region: str
    operation: str
    request: dict[str, Any]
    response: dict[str, Any] | None = None
    error: str | None = None
    code: str | None = None
    dry_run: bool = False
    #: What a check after the call found (e.g. snapshots that were to be deleted and remain).
    notes: tuple[str, ...] = ()
    #: Where the answer names what the call started (the spec's ``result_key``).
    result_key: str | None = None

    @property
    def ok(self) -> bool:
        """The call did what was asked (for a dry run: the call would be allowed)."""
        if self.dry_run:
            return self.code == "DryRunOperation"
        return self.error is None

    @property
    def result_id(self) -> str | None:
        key = self.result_key
        return (self.response or {}).get(key) if key else None

    def summary(self) -> str:
        where = f"{self.region}: "
        if self.dry_run:
            return where + ("allowed (DryRunOperation)" if self.ok else f"denied — {self.error}")
        if self.error:
            return where + self.error
        return where + (self.result_id or "done")


def call(
    clients: AwsClients,
    region: str,
    operation: str,
    request: dict[str, Any],
    *,
    dry_run: bool = False,
    result_key: str | None = None,
    image_snapshots: Sequence[str] = (),
) -> CallResult:
    """Make one call; never raises (a failure is the result's one-line ``error``).
    ``image_snapshots``: the snapshots of the image the form showed, checked after a
    deregister that asked for them to be deleted and got no DeleteSnapshotResults."""
    from botocore import xform_name  # (here: the UI's start shows rows before botocore loads)

    try:
        method = getattr(clients.ec2(region), xform_name(operation))
        response = method(**request)
        response.pop("ResponseMetadata", None)
        notes: tuple[str, ...] = ()
        if not dry_run and _snapshots_unanswered(request, response):
            notes = tuple(snapshots_left(clients, region, image_snapshots))
        return CallResult(
            region,
            operation,
            request,
            response,
            dry_run=dry_run,
            notes=notes,
            result_key=result_key,
        )
    except Exception as exc:  # every failure becomes one line; the app keeps running
        found = None if dry_run else _lost_answer(clients, region, operation, request, exc)
        if found is not None:
            return CallResult(region, operation, request, found, result_key=result_key)
        return CallResult(
            region,
            operation,
            request,
            error=describe_error(exc, clients.profile),
            code=error_code(exc) or type(exc).__name__,
            dry_run=dry_run,
            result_key=result_key,
        )


#: Operations without a ClientToken whose image Name is unique per account and region.
NAME_KEYED = ("CreateImage", "RegisterImage")
#: How recent an image must be to be the one a lost answer was about.
LOST_ANSWER_WINDOW = timedelta(minutes=10)


def _lost_answer(
    clients: AwsClients, region: str, operation: str, request: Mapping[str, Any], exc: Exception
) -> dict[str, Any] | None:
    """A retried CreateImage/RegisterImage refused as a duplicate name: when the first
    attempt made the image but its answer was lost (a dropped connection, a timeout),
    botocore's retry is refused with InvalidAMIName.Duplicate. Then the image named so,
    pending or just made, is the one this call started: answer with it, so its task is
    recorded and followed. None for a genuine duplicate (no retry, or an older image)."""
    from botocore.exceptions import ClientError

    retried = isinstance(exc, ClientError) and exc.response.get("ResponseMetadata", {}).get(
        "RetryAttempts"
    )
    if operation not in NAME_KEYED or not retried or not request.get("Name"):
        return None
    if error_code(exc) != "InvalidAMIName.Duplicate":
        return None
    try:
        answer = clients.ec2(region).describe_images(
            Owners=["self"], Filters=[{"Name": "name", "Values": [str(request["Name"])]}]
        )
    except Exception:
        return None
    since = datetime.now(UTC) - LOST_ANSWER_WINDOW
    found = [
        image
        for image in answer.get("Images") or []
        if image.get("State") == "pending" or _created_after(image, since)
    ]
    return {"ImageId": found[0]["ImageId"]} if len(found) == 1 else None


def _created_after(image: Mapping[str, Any], since: datetime) -> bool:
    try:
        created = datetime.fromisoformat(str(image.get("CreationDate", "")).replace("Z", "+00:00"))
    except ValueError:
        return False
    return created.tzinfo is not None and created >= since


def _snapshots_unanswered(request: Mapping[str, Any], response: Mapping[str, Any]) -> bool:
    """A deregister asked to delete the snapshots, and the answer says nothing of them."""
    return bool(request.get("DeleteAssociatedSnapshots")) and not response.get(
        "DeleteSnapshotResults"
    )


def snapshots_left(clients: AwsClients, region: str, snapshot_ids: Sequence[str]) -> list[str]:
    """Lines for the snapshots a deregister was asked to delete, checked with
    DescribeSnapshots: which still exist, which are gone, or "not verified" with the
    reason when the check itself fails (never "deleted" on a guess)."""
    if not snapshot_ids:
        return []
    try:
        answer = clients.ec2(region).describe_snapshots(
            Filters=[{"Name": "snapshot-id", "Values": list(snapshot_ids)}]
        )
    except Exception as exc:
        reason = describe_error(exc, clients.profile)
        return [f"{s}: not verified ({reason})" for s in snapshot_ids]
    present = {s.get("SnapshotId") for s in answer.get("Snapshots") or []}
    return [
        f"{s}: STILL EXISTS (the endpoint did not delete it)" if s in present else f"{s}: gone"
        for s in snapshot_ids
    ]


def snapshot_results(response: Mapping[str, Any] | None) -> list[str]:
    """DeregisterImage's DeleteSnapshotResults as lines ('snap-…: deleted' or the error)."""
    lines = []
    for item in (response or {}).get("DeleteSnapshotResults", []) or []:
        code = item.get("ReturnCode") or ""
        lines.append(f"{item.get('SnapshotId', '?')}: {code.replace('-', ' ') or 'unknown'}")
    return lines
