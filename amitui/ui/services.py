"""What the screens use, typed: the app builds one ``Services`` and hands it to each screen.

``Services`` holds the long-lived objects (settings, AWS clients, the task tracker, the
inventory cache, the session's usage answers). ``Session`` is the app's session state
that several screens watch and set (the regions listed, the list query, the account:
reactives on the app), the two things a screen may ask of the app and its garbage
collector; the app passes itself, seen only through this shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from amitui.aws.usage import UsageCache

if TYPE_CHECKING:
    from amitui.aws.accounts import AccountDirectory
    from amitui.aws.clients import AwsClients
    from amitui.aws.images import ListQuery
    from amitui.cached_start import CachedStart
    from amitui.inventory_cache import InventoryCache
    from amitui.settings import Settings
    from amitui.ui.collector import Collector
    from amitui.ui.task_tracker import TaskTracker


class Session(Protocol):
    """The app's session state (reactive on the app: ``self.watch(self.app, name, ...)``
    follows it) and what a screen may ask of the app."""

    regions: tuple[str, ...]
    list_query: ListQuery
    account: str | None
    #: each listed region's image block public access, once read (None: not verified)
    public_sharing_states: dict[str, str | None]
    #: garbage collection's schedule (listing threads tell it of each page they post)
    collector: Collector

    def ensure_identity(self) -> None: ...  # ask for the account again while unknown

    def available_regions(self) -> list[str]: ...  # a fallback list if AWS cannot say


@dataclass(frozen=True)
class Services:
    settings: Settings
    clients: AwsClients
    tasks: TaskTracker
    cache: InventoryCache | None
    session: Session
    #: what uses each image, as the detail screens and destructive forms asked it
    usage: UsageCache = field(default_factory=UsageCache)
    #: --accounts: the accounts listed and each one's clients (None: the one account)
    accounts: AccountDirectory | None = None
    #: the cached listing read before the UI loaded, shown first (amitui.cached_start)
    start: CachedStart | None = None

    def clients_for(self, account: str) -> AwsClients:
        """The clients of an image's account (``Image.account``; "" is the one account).
        Raises AccountUnavailable when that account cannot be reached."""
        if not account or self.accounts is None:
            return self.clients
        return self.accounts.clients(account)
