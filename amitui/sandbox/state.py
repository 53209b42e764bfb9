"""What the sandbox keeps beside moto's backends: settings, tasks, client tokens.

One ``SandboxState`` belongs to one ``Sandbox``; its ``RegionBook`` per (account,
region) holds the export and import tasks, the ClientTokens seen there, the
images deregistered a moment ago (still described by id for a while) and the
issue-15 records (usage reports, Image Builder recipes, consumers) and the
Recycle Bin (its rules and the images in it), as moto
keeps its own models per account and region. The server handles requests on
several threads, so every read-modify-write goes through ``lock``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import errors
from .describe_images_xml import ImageXmlCache

if TYPE_CHECKING:
    from .rbin_rules import RetentionRule
    from .recycle_bin import BinEntry
    from .tasks import ExportTask, ImportTask
    from .usage_state import Recipe, UsageReport

# AWS: protection enabled WithCooldown stays 24 h after it is disabled.
PROTECTION_COOLDOWN_SECONDS = 24 * 3600.0


@dataclass
class RegionBook:
    exports: dict[str, ExportTask] = field(default_factory=dict)
    imports: dict[str, ImportTask] = field(default_factory=dict)
    # (action, ClientToken) -> (fingerprint of the request, id it produced)
    tokens: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # image id -> (until when DescribeImages still answers it, the deregistered image)
    deregistered: dict[str, tuple[float, Any]] = field(default_factory=dict)
    # issue 15 (usage_state.py): usage reports by id, Image Builder recipes, and per
    # shared image the other accounts using it: {image: {account: {type: count}}}
    reports: dict[str, UsageReport] = field(default_factory=dict)
    recipes: list[Recipe] = field(default_factory=list)
    consumers: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    # issue 16: the account's image block public access in this region (sharing.py)
    image_block_public_access: str = "unblocked"
    # issue 17: Recycle Bin retention rules by identifier (rbin_server.py) and the images
    # in the bin by id (recycle_bin.py)
    rbin_rules: dict[str, RetentionRule] = field(default_factory=dict)
    recycle_bin: dict[str, BinEntry] = field(default_factory=dict)

    def recently_deregistered(self, ami_id: str, now: float) -> Any | None:
        """The deregistered image if AWS would still describe it at ``now``, else None."""
        until, ami = self.deregistered.get(ami_id, (0.0, None))
        return ami if now < until else None


@dataclass
class SandboxState:
    pending_seconds: float
    # False: the issue-15 actions answer as plain moto 5.2.5 does (server.py)
    usage_api: bool = True
    cooldown_seconds: float = PROTECTION_COOLDOWN_SECONDS
    books: dict[tuple[str, str], RegionBook] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    # DescribeImages' XML per image, reused while the image reads the same
    image_xml: ImageXmlCache = field(default_factory=ImageXmlCache)

    def book(self, account_id: str, region: str) -> RegionBook:
        with self.lock:
            return self.books.setdefault((account_id, region), RegionBook())

    def clear(self) -> None:
        with self.lock:
            self.books.clear()
            self.image_xml.clear()

    def idempotent(
        self,
        book: RegionBook,
        action: str,
        token: str | None,
        request_fingerprint: str,
        create: Callable[[], Any],
        result_id: Callable[[Any], str],
    ) -> tuple[Any, str | None]:
        """Run ``create`` once per ClientToken; return (new result or None, earlier id).

        A repeated token with the same request returns the earlier id instead of
        creating again; with a different request it is IdempotentParameterMismatch.
        """
        with self.lock:
            if token:
                seen = book.tokens.get((action, token))
                if seen is not None:
                    if seen[0] != request_fingerprint:
                        raise errors.idempotent_parameter_mismatch(token)
                    return None, seen[1]
            created = create()
            if token:
                book.tokens[(action, token)] = (request_fingerprint, result_id(created))
            return created, None
