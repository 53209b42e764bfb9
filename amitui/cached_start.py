"""The cached start: the inventory's last listing, read before the UI is even imported.

``amitui`` with a filled cache shows the cached rows first. Waiting for AWS to say whose
credentials these are (sts:GetCallerIdentity, with boto3 imported and a client built:
~0.4 s of CPU) before reading the cache kept them off screen for over a second. So the
cache also remembers the account each (endpoint, profile) last signed in to, and
``read_cached_start`` reads that account's cached listing of every listed region right
away, decoding only its first chunk (250 rows, a few screenfuls): the app paints it,
then reads the rest a chunk at a time while boto3 loads and the live listing starts.
The rows stay marked cached until live ones replace them; once AWS names the account,
rows of another one are dropped (InventoryScreen).

No start (the app reads the cache the usual way, after the identity): --accounts, no
account remembered yet, or a listed region without a cached listing. Never imports
textual or boto3.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from amitui.aws.images import Image, ListQuery
from amitui.inventory_cache import CachedEntry, InventoryCache, UnreadableEntry
from amitui.settings import Settings

#: Seconds from the refresh that shows the cached rows to the work that holds the GIL for
#: long (importing boto3, decoding the rest): the terminal's writer thread needs the GIL to
#: send the frame (~60 KB, a piece at a time), and got it late enough to show the status
#: line ~70 ms after the rows when that work started at once.
AFTER_PAINT = 0.1


@dataclass
class CachedStart:
    """The cached listing of ``account`` for ``regions`` and the query labelled
    ``query_label``: one entry per region, and the first entry's first chunk decoded."""

    account: str
    regions: tuple[str, ...]
    query_label: str
    entries: tuple[CachedEntry, ...]
    first: list[Image]
    #: when the oldest of the entries was saved
    saved_at: float = field(init=False)
    #: how many images the entries hold
    count: int = field(init=False)

    def __post_init__(self) -> None:
        self.saved_at = min(entry.saved_at for entry in self.entries)
        self.count = sum(entry.count for entry in self.entries)

    def release(self) -> None:
        """Forget the rows and the compressed chunks (the screen took what it shows; the
        rest streams from its own reference): held for the session, the chunks and the
        texts their decoding shared were ~15 MB at 100k images."""
        self.entries = ()
        self.first = []

    def fits(self, regions: tuple[str, ...], query_label: str, account: str | None) -> bool:
        """Whether this is the listing of these regions and query, for ``account`` (None:
        not known yet)."""
        return (
            regions == self.regions
            and query_label == self.query_label
            and account in (None, self.account)
        )


def start_query(settings: Settings) -> ListQuery:
    """The query the app lists first."""
    return ListQuery(
        owners=settings.owners,
        include_deprecated=settings.include_deprecated,
        include_disabled=settings.include_disabled,
    )


def read_cached_start(cache: InventoryCache, settings: Settings) -> CachedStart | None:
    """The cached start of ``settings``' first listing, or None (see the module's doc)."""
    if settings.accounts or not settings.regions:
        return None
    account = cache.last_account(settings.endpoint_url, settings.profile)
    if not account:
        return None
    label = start_query(settings).label()
    entries = []
    for region in settings.regions:
        entry = cache.entry((settings.endpoint_url, account, region, label))
        if entry is None:
            return None  # a cache shows only when it covers every region listed
        entries.append(entry)
    if not any(entry.count for entry in entries):
        return None  # nothing to show (the usual read shows no empty cache either)
    try:
        first = entries[0].chunk(0)
    except UnreadableEntry as exc:
        cache.forget_unreadable(entries[0].key, exc)
        return None
    return CachedStart(account, tuple(settings.regions), label, tuple(entries), first)
