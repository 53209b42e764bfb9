"""Run an action's calls: validated spec values in, one CallResult per API call out.

Never raises for AWS trouble: each call's failure becomes one readable line with its
error code, so the form can stay open and show it. Dry runs report "allowed"
(DryRunOperation) or the denial (UnauthorizedOperation).
"""

from __future__ import annotations

from collections.abc import Mapping
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
) -> list[CallResult]:
    """Make the spec's call(s). Raises InvalidForm (before any call) for invalid values.
    The same ``token_seed`` and values give the same ClientTokens (see
    :func:`amitui.aws.request_parts.idempotency_token`): sending again repeats no work."""
    calls = spec.build_requests(values, region=region, dry_run=dry_run, token_seed=token_seed)
    results = []
    for call_region, request in calls:
        target = call_region or region
        try:
            method = getattr(clients.ec2(target), xform_name(spec.operation))
            response = method(**request)
            response.pop("ResponseMetadata", None)
            results.append(CallResult(target, spec.operation, request, response, dry_run=dry_run))
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


def list_instances(clients: AwsClients, region: str) -> list[tuple[str, str]]:
    """(instance id, label) for the create form's picker: the region's live instances."""
    ec2 = clients.ec2(region)
    out = []
    for page in ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "instance-state-name", "Values": ["pending", "running", "stopped"]}]
    ):
        for reservation in page.get("Reservations", []):
            for inst in reservation.get("Instances", []):
                name = next(
                    (t["Value"] for t in inst.get("Tags", []) if t.get("Key") == "Name"), ""
                )
                state = inst.get("State", {}).get("Name", "")
                label = " · ".join(
                    p for p in (inst["InstanceId"], name, inst.get("InstanceType", ""), state) if p
                )
                out.append((inst["InstanceId"], label))
    return out


def list_snapshots(clients: AwsClients, region: str) -> list[tuple[str, str]]:
    """(snapshot id, label) for the register form's picker: the account's own snapshots."""
    ec2 = clients.ec2(region)
    out = []
    for page in ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"]):
        for snap in page.get("Snapshots", []):
            size = f"{snap.get('VolumeSize', '?')} GiB"
            label = " · ".join(
                p for p in (snap["SnapshotId"], size, snap.get("Description", "")[:40]) if p
            )
            out.append((snap["SnapshotId"], label))
    return out


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
