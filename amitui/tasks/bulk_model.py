"""Bulk runs: one action applied to many images (or snapshots), one item each (pure data).

A run is made of items; an item is one target's calls (most actions make one; a planned
action such as tags may make two). Item states:

``queued``   not sent yet, or to be sent again (after a throttle or a lost connection)
``sending``  its calls are being made now (a worker claimed it)
``done``     every call succeeded (or a check found it already done: see ``uncertain``)
``failed``   AWS refused a call: the item carries AWS's error code and message

``uncertain``: a call of the item may have reached AWS without its answer reaching us (the
process died while sending, or the connection dropped). Before such an item is sent again
its effect is looked for (see :mod:`amitui.tasks.bulk_effects`), so nothing is done twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

QUEUED = "queued"
SENDING = "sending"
DONE = "done"
FAILED = "failed"
ITEM_STATUSES = (QUEUED, SENDING, DONE, FAILED)

Call = tuple[str, dict[str, Any]]
"""One AWS call: (operation, request)."""


@dataclass(frozen=True, slots=True)
class BulkItem:
    id: int
    run_id: int
    region: str
    #: what the calls act on: an image id (a snapshot id for a snapshot's deletion)
    target_id: str
    name: str
    calls: tuple[Call, ...]
    #: the image's snapshots (a deregister that deletes them checks they went)
    snapshots: tuple[str, ...]
    status: str
    next_call: int = 0
    uncertain: bool = False
    code: str = ""
    message: str = ""
    attempts: int = 0
    not_before: float = 0.0
    updated_at: float = 0.0
    #: the account its calls are sent in (--accounts: its image's; "" the scope's own)
    account: str = ""

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)

    def line(self) -> str:
        """``ami-… done`` / ``ami-… failed — InvalidAMIID.NotFound: …``."""
        text = f"{self.target_id} {self.status}"
        if self.status == FAILED and self.code:
            text += f" — {self.code}"
        if self.message:
            text += f": {self.message}" if self.status == FAILED else f" ({self.message})"
        return text


@dataclass(frozen=True, slots=True)
class NewItem:
    """What a bulk form hands over for one image (see ``TaskService.start_bulk``)."""

    region: str
    target_id: str
    calls: Sequence[Call]
    name: str = ""
    snapshots: Sequence[str] = ()
    #: the image's account (--accounts: Image.account; "" the scope's own)
    account: str = ""


@dataclass(frozen=True, slots=True)
class BulkRun:
    id: int
    scope: str
    action: str
    title: str
    created_at: float
    finished_at: float | None = None
    #: items by status: {"queued": 3, "done": 40, ...}
    counts: dict[str, int] = field(default_factory=dict)
    #: why it waits (the endpoint is unreachable, throttled), while it does
    note: str = ""
    cleared: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts.get(DONE, 0)

    @property
    def failed(self) -> int:
        return self.counts.get(FAILED, 0)

    @property
    def finished(self) -> bool:
        return self.done + self.failed == self.total

    def progress(self) -> str:
        """``37/50`` (items finished, either way, of all)."""
        return f"{self.done + self.failed}/{self.total}"

    def state(self) -> str:
        if not self.finished:
            return "running"
        return "failed" if self.failed else "done"

    def summary(self) -> str:
        text = f"{self.title}: {self.progress()}"
        if self.failed:
            text += f", {self.failed} failed"
        if self.note and not self.finished:
            text += f" · {self.note}"
        return text
