"""Run an action's calls: validated spec values in, one CallResult per API call out.

Never raises for AWS trouble: each call's failure becomes one readable line with its
error code, so the form can stay open and show it. Dry runs report "allowed"
(DryRunOperation) or the denial (UnauthorizedOperation).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore import xform_name
from botocore.exceptions import ClientError

from amitui.aws.clients import AwsClients
from amitui.aws.errors import describe_error, error_code
from amitui.aws.fields import ActionSpec
from amitui.aws.tasks import export_object_url

#: Where each operation's answer names the thing it started or changed.
RESULT_ID_KEYS = {
    "CopyImage": "ImageId",
    "CreateImage": "ImageId",
    "RegisterImage": "ImageId",
    "ExportImage": "ExportImageTaskId",
    "ImportImage": "ImportTaskId",
    "DeregisterImage": None,
}


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

    @property
    def ok(self) -> bool:
        """The call did what was asked (for a dry run: the call would be allowed)."""
        if self.dry_run:
            return self.code == "DryRunOperation"
        return self.error is None

    @property
    def result_id(self) -> str | None:
        key = RESULT_ID_KEYS.get(self.operation)
        return (self.response or {}).get(key) if key else None

    def summary(self) -> str:
        where = f"{self.region}: "
        if self.dry_run:
            return where + ("allowed (DryRunOperation)" if self.ok else f"denied — {self.error}")
        if self.error:
            return where + self.error
        return where + (self.result_id or "done")


def run_action(
    clients: AwsClients,
    spec: ActionSpec,
    values: Mapping[str, object],
    region: str,
    *,
    dry_run: bool = False,
    token_seed: str | None = None,
    regions: Collection[str] | None = None,
    image_snapshots: Sequence[str] = (),
) -> list[CallResult]:
    """Make the spec's call(s). Raises InvalidForm (before any call) for invalid values.
    The same ``token_seed`` and values give the same ClientTokens (see
    :func:`amitui.aws.request_parts.idempotency_token`): sending again repeats no work.
    ``regions``: the regions that exist (see ``ActionSpec.validate``). ``image_snapshots``:
    the snapshots of the image the form showed, checked after a deregister that asked
    for them to be deleted and got no DeleteSnapshotResults."""
    calls = spec.build_requests(
        values, region=region, dry_run=dry_run, token_seed=token_seed, regions=regions
    )
    results = []
    for call_region, request in calls:
        target = call_region or region
        try:
            method = getattr(clients.ec2(target), xform_name(spec.operation))
            response = method(**request)
            response.pop("ResponseMetadata", None)
            notes: tuple[str, ...] = ()
            if not dry_run and _snapshots_unanswered(request, response):
                notes = tuple(snapshots_left(clients, target, image_snapshots))
            results.append(
                CallResult(target, spec.operation, request, response, dry_run=dry_run, notes=notes)
            )
        except Exception as exc:  # every failure becomes one line; the app keeps running
            found = None if dry_run else _lost_answer(clients, target, spec.operation, request, exc)
            if found is not None:
                results.append(CallResult(target, spec.operation, request, found))
                continue
            results.append(
                CallResult(
                    target,
                    spec.operation,
                    request,
                    error=describe_error(exc, clients.profile),
                    code=error_code(exc) or type(exc).__name__,
                    dry_run=dry_run,
                )
            )
    return results


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


def task_fields(spec: ActionSpec, values: Mapping[str, object], result: CallResult) -> dict | None:
    """What to store for a call that started a long-running job (None for the others)."""
    if spec.name not in ("copy", "create", "register", "export", "import") or not result.ok:
        return None
    target = result.result_id
    if not target:
        return None
    request = result.request
    if spec.name == "copy":
        source = f"{request.get('SourceImageId')} ({request.get('SourceRegion')})"
    elif spec.name == "create":
        source = str(request.get("InstanceId", ""))
    elif spec.name == "register":
        mappings = request.get("BlockDeviceMappings") or [{}]
        source = str((mappings[0].get("Ebs") or {}).get("SnapshotId", "")) or "register"
    elif spec.name == "export":
        loc = request.get("S3ExportLocation") or {}
        where = export_object_url(
            str(loc.get("S3Bucket")),
            str(loc.get("S3Prefix") or ""),
            target,
            str((result.response or {}).get("DiskImageFormat") or request.get("DiskImageFormat")),
        )
        source = f"{request.get('ImageId')} → {where}"
    else:
        disks = request.get("DiskContainers") or [{}]
        bucket = disks[0].get("UserBucket") or {}
        source = disks[0].get("Url") or f"s3://{bucket.get('S3Bucket')}/{bucket.get('S3Key')}"
    return {
        "kind": spec.name,
        "region": result.region,
        "target_id": target,
        "source": source,
        "name": str(request.get("Name") or request.get("Description") or ""),
        "image_id": str(request.get("ImageId", "")) if spec.name == "export" else "",
    }
