"""Task kinds: what amitui knows about following one kind of long-running job.

An action that starts something long-running declares a :class:`TaskKind` in its
:class:`~amitui.actions.spec.ActionSpec` (see :mod:`amitui.actions`); registering the
action registers its kind here, and the store, the poller and the UI ask this registry
about a stored task by its kind's name. Nothing here names a particular action.

Poll groups: the describe call that follows a task. ``"images"`` (DescribeImages, the
task's target is an image id), ``"export"`` (DescribeExportImageTasks), ``"import"``
(DescribeImportImageTasks) and ``"usage-report"`` (DescribeImageUsageReports); see
:mod:`amitui.tasks.calls`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

API_IMAGES = "images"
API_EXPORT = "export"
API_IMPORT = "import"
API_USAGE_REPORTS = "usage-report"
POLL_GROUPS = (API_IMAGES, API_EXPORT, API_IMPORT, API_USAGE_REPORTS)

Request = Mapping[str, Any]
Response = Mapping[str, Any]

SourceOf = Callable[[Request, Response, str], str]
"""What a task's record says it came from: ``(request, response, new id)`` -> text."""


@dataclass(frozen=True, slots=True)
class Cancel:
    """How a running task of a kind is stopped.

    ``call(ec2, target_id, reason)`` asks AWS; ``states`` are the AWS states in which
    it can be asked (``None``: any while running; ``""`` is "not seen yet");
    ``deregisters``: the cancel DEREGISTERS the pending image, so the UI has the user
    type the id back first."""

    call: Callable[[Any, str, str], None]
    states: tuple[str, ...] | None = None
    deregisters: bool = False


def _name(request: Request) -> str:
    return str(request.get("Name") or request.get("Description") or "")


def _no_image(request: Request) -> str:
    return ""


@dataclass(frozen=True, slots=True)
class TaskKind:
    """One kind of followed job.

    ``poll``: its poll group (one of :data:`POLL_GROUPS`). ``source``/``name``/``image``:
    what its record stores as source, name and the image it is about (an export's
    image). ``snapshot_progress``: its pending image makes new snapshots whose Progress
    is the task's. ``refresh``: which image row changes when it ends — ``"target"`` (the
    task's target is the image: when it ends either way), ``"result"`` (the image it
    made, once done) or None."""

    name: str
    poll: str
    source: SourceOf
    name_of: Callable[[Request], str] = _name
    image_of: Callable[[Request], str] = _no_image
    cancel: Cancel | None = None
    snapshot_progress: bool = False
    refresh: Literal["target", "result"] | None = None

    def __post_init__(self) -> None:
        if self.poll not in POLL_GROUPS:
            raise ValueError(f"unknown poll group {self.poll!r} (one of {', '.join(POLL_GROUPS)})")

    def record(self, region: str, request: Request, response: Response, target: str) -> dict:
        """The store's fields for a task this kind's call started (``store.add_task``)."""
        return {
            "kind": self.name,
            "region": region,
            "target_id": target,
            "source": self.source(request, response, target),
            "name": self.name_of(request),
            "image_id": self.image_of(request),
        }

    def image_to_refresh(self, target_id: str, image_id: str, done: bool) -> str | None:
        """The image row to show again when a task of this kind ends."""
        if self.refresh == "target":
            return target_id or None
        if self.refresh == "result" and done:
            return image_id or None
        return None


class TaskKinds:
    """The registry of kinds by name (one instance: :data:`KINDS`)."""

    def __init__(self) -> None:
        self._kinds: dict[str, TaskKind] = {}

    def register(self, kind: TaskKind) -> TaskKind:
        known = self._kinds.get(kind.name)
        if known is not None and known != kind:
            raise ValueError(f"task kind {kind.name!r} is already registered")
        self._kinds[kind.name] = kind
        return kind

    def unregister(self, name: str) -> None:
        self._kinds.pop(name, None)

    def get(self, name: str) -> TaskKind:
        try:
            return self._kinds[name]
        except KeyError:
            known = ", ".join(self._kinds) or "none registered"
            raise ValueError(f"unknown task kind {name!r} (known: {known})") from None

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def names(self) -> tuple[str, ...]:
        return tuple(self._kinds)


KINDS = TaskKinds()
"""Every kind an action registered (see :func:`amitui.actions.register`)."""


def kind_of(name: str) -> TaskKind:
    """The registered kind; ValueError for an unknown name."""
    return KINDS.get(name)
