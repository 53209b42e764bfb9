"""Whether a bulk item's call already happened: its effect, looked for before it is sent
again (an ``uncertain`` item: its answer was lost) or when AWS says the thing is gone.

A deregistered image is gone, a deleted snapshot too. Operations not named in
:data:`ALREADY_DONE` are idempotent (protection, deprecation, tags, description...):
sending them again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from amitui.aws.errors import error_code

GONE_IMAGE = ("InvalidAMIID.NotFound", "InvalidAMIID.Unavailable")
GONE_SNAPSHOT = ("InvalidSnapshot.NotFound",)
#: The codes after which a call may have been done already (by us, its answer lost).
GONE_CODES = GONE_IMAGE + GONE_SNAPSHOT


def image_gone(ec2: Any, request: dict[str, Any]) -> bool:
    """A DeregisterImage's effect: the image is no longer there (or deregistered)."""
    from botocore.exceptions import ClientError  # (loaded with ``ec2``)

    try:
        answer = ec2.describe_images(
            ImageIds=[request["ImageId"]], IncludeDeprecated=True, IncludeDisabled=True
        )
    except ClientError as exc:
        if error_code(exc) in GONE_IMAGE:
            return True
        raise
    images = answer.get("Images") or []
    return not images or images[0].get("State") == "deregistered"


def snapshot_gone(ec2: Any, request: dict[str, Any]) -> bool:
    """A DeleteSnapshot's effect: the snapshot is no longer there."""
    from botocore.exceptions import ClientError  # (loaded with ``ec2``)

    try:
        answer = ec2.describe_snapshots(SnapshotIds=[request["SnapshotId"]])
    except ClientError as exc:
        if error_code(exc) in GONE_SNAPSHOT:
            return True
        raise
    return not answer.get("Snapshots")


#: Operation -> "did this call already happen?" (ec2 client, request) -> bool. Operations
#: not named here are idempotent: an uncertain one is sent again.
ALREADY_DONE: dict[str, Callable[[Any, dict[str, Any]], bool]] = {
    "DeregisterImage": image_gone,
    "DeleteSnapshot": snapshot_gone,
}


def already_done(ec2: Any, operation: str, request: dict[str, Any]) -> bool | None:
    """Whether ``operation``'s effect is there: False when it has no check or the check
    says not; None when the check itself failed (not verified: the endpoint went away
    while asked, so whether the earlier attempt took effect is unknown)."""
    check = ALREADY_DONE.get(operation)
    if check is None:
        return False
    try:
        return check(ec2, request)
    except Exception:
        return None
