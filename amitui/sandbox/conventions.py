"""The sandbox's failure conventions: one exact marker, so real data never fails.

AWS cannot be told to fail; the sandbox can, so that an app can be tried on the
paths where AWS's work goes wrong. A request fails on purpose only when a value
*starts with* the marker ``sandbox-fail`` (lower-case, hyphen, exactly): a name
like "fail-safe build", a prefix like "failover/" or "sandbox-failover" with
anything but the marker at its start works normally.
"""

from __future__ import annotations

from collections.abc import Iterable
from posixpath import basename

FAIL_MARKER = "sandbox-fail"

HELP = f"""\
failure conventions (a value that starts with the exact marker "{FAIL_MARKER}"):
  CreateImage, CopyImage, RegisterImage  Name "{FAIL_MARKER}..."  -> the image is
      pending, then "failed" with a StateReason (Server.InternalError)
  ExportImage  S3Prefix or Description "{FAIL_MARKER}..."  -> the task ends
      "deleted" half-way with a StatusMessage "ClientError: ..."
  ImportImage  Description "{FAIL_MARKER}...", or a disk file whose name starts
      with it (seeded: s3://amitui-imports/vms/{FAIL_MARKER}-corrupt.vmdk)  -> the
      task ends "deleted" while validating, "ClientError: Disk validation failed ..."
"""


def marked(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FAIL_MARKER)


def image_fails(name: str | None) -> bool:
    return marked(name)


def export_fails(prefix: str | None, description: str | None) -> bool:
    return marked(prefix) or marked(description)


def import_fails(description: str | None, locations: Iterable[str | None]) -> bool:
    """``locations``: each disk's S3 key or URL; the file name is what counts."""
    return marked(description) or any(
        marked(basename(location.rstrip("/"))) for location in locations if location
    )
