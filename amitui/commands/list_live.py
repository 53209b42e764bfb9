"""``amitui list``'s live listing: every place of a place source, printed as it arrives.

A place source says which places there are and how each is reached: ``OwnPlaces``, the
regions of the one account the settings' credentials are in; with ``--accounts``,
``amitui.commands.list_accounts.AccountPlaces``, every ``account/region``. Whatever the
source, the places are listed through one pool (the same listing as the UI's,
``settings.listing``), each page printed (and flushed) as it arrives (``--sort``: at the
end), each failed place said on stderr once the listing is over (an account that failed
everywhere, one line) with exit 1, and each place listed whole saved to the inventory
cache the UI starts from (unless ``--no-cache``).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from amitui.aws.images import Image
from amitui.aws.partitions import LISTINGS
from amitui.commands.list_output import ListJob, TableRows
from amitui.settings import Settings
from amitui.ui.failures import failure_lines

if TYPE_CHECKING:
    from amitui.aws.clients import AwsClients

#: Regions of the one account listed at once.
REGION_WORKERS = 8


class PlaceSource(Protocol):
    """Where a listing's rows come from: its places (a region, or ``account/region``) and,
    for each, the clients, the account its rows are tagged with and why it failed."""

    places: tuple[str, ...]
    #: the pool's threads
    workers: int

    def start(self, pool: ThreadPoolExecutor) -> None:
        """Work to begin alongside the listing (in ``pool``)."""

    def clients(self, place: str) -> AwsClients: ...

    def tag(self, place: str, page: list[Image]) -> None:
        """Mark ``page``'s images with the account they were listed in."""

    def failure(self, place: str, exc: Exception) -> str:
        """Why ``place`` could not be listed, in one line."""
        ...

    def record(self, image: Image) -> dict[str, Any]:
        """What ``--format json`` adds to an image's DescribeImages object."""
        ...

    def label_of(self, account: str) -> str:
        """An account as failure lines name it."""
        ...

    def account_of(self, place: str) -> str | None:
        """The account a place is cached under (None: unknown, not cached)."""
        ...

    def widths(self) -> dict[str, int]:
        """Column key -> cells the table needs whatever its first rows hold."""
        ...


class OwnPlaces:
    """The settings' regions, in the one account of the settings' credentials (which STS
    tells, alongside the listing: json's ``Account`` and the cache key need it)."""

    def __init__(self, settings: Settings, say: Callable[[str], None]) -> None:
        from amitui.commands.common import clients_of

        self.settings = settings
        self.places = settings.regions
        self.workers = min(REGION_WORKERS, len(self.places)) + 1  # and the identity
        self._say = say
        self._clients = clients_of(settings, read_only=True)  # listing reads; nothing else
        self._identity: Future | None = None
        self._account: list[str | None] = []  # json's Account, asked once

    def start(self, pool: ThreadPoolExecutor) -> None:
        self._identity = pool.submit(self._clients.identity)

    def clients(self, place: str) -> AwsClients:
        return self._clients

    def tag(self, place: str, page: list[Image]) -> None:
        pass  # the one account: rows carry no account

    def failure(self, place: str, exc: Exception) -> str:
        from amitui.aws.errors import describe_error

        return describe_error(exc, self.settings.profile)

    def record(self, image: Image) -> dict[str, Any]:
        if not self._account:
            self._account.append(self._identity_account(say=True))
        return {"Region": image.region, "Account": self._account[0]}

    def label_of(self, account: str) -> str:
        return account

    def account_of(self, place: str) -> str | None:
        return self._identity_account(say=False)

    def widths(self) -> dict[str, int]:
        return {}

    def _identity_account(self, *, say: bool) -> str | None:
        from amitui.aws.errors import describe_error

        assert self._identity is not None
        try:
            return str(self._identity.result().account)
        except Exception as exc:
            if say:
                reason = describe_error(exc, self.settings.profile)
                self._say(f"account unknown ({reason}): Account is null")
            return None


def list_live(job: ListJob, source: PlaceSource, width: int | None) -> int:
    """List every place of ``source``; print the rows, the failures, save the cache."""
    settings, rows, query = job.settings, job.rows, job.query
    places = source.places
    stop = threading.Event()
    # JSON prints each image as DescribeImages returned it: botocore's dicts.
    raws: dict[tuple[str, str], dict[str, Any]] | None = {} if job.args.format == "json" else None
    pages: queue.Queue[tuple[str, list[Image] | None, str | None]] = queue.Queue()
    lister = LISTINGS[settings.listing]

    def list_place(place: str) -> None:
        region = place.rpartition("/")[2]
        try:
            clients = source.clients(place)
            if raws is not None:
                ec2: Any = Recording(clients.ec2(region), place, raws)
            else:
                ec2 = clients.listing_ec2(region)  # answers carry Image rows
            for page in lister(ec2, region, query, settings.page_size, stop.is_set):
                source.tag(place, page)
                pages.put((place, page, None))
            pages.put((place, None, None))
        except Exception as exc:
            pages.put((place, None, source.failure(place, exc)))

    def record(image: Image) -> dict[str, Any]:
        assert raws is not None
        return {**raws.get((image.place, image.image_id), {}), **source.record(image)}

    printer = job.printer(record, width)
    if isinstance(printer, TableRows):
        printer.at_least.update(source.widths())
    pool = ThreadPoolExecutor(source.workers, thread_name_prefix="list-place")
    printed = 0
    errors: dict[str, str] = {}
    waiting = set(places)
    try:
        source.start(pool)
        for place in places:
            pool.submit(list_place, place)
        while waiting:
            place, page, error = pages.get()
            if page is not None:
                rows.extend(page)
                if not job.args.sort:
                    printed += job.print_shown(printer, printed)
                continue
            waiting.discard(place)
            if error is not None:
                errors[place] = error
        if job.args.sort or not printed:
            job.print_shown(printer, printed)
        else:
            job.out.flush()  # what the last page printed
    finally:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
    for line in failure_lines(errors, places, source.label_of):
        job.say(line)
    if settings.cache:
        save_cache(job, source, errors)
    return 1 if errors else 0


class Recording:
    """An EC2 client that keeps each image DescribeImages returned, as it returned it
    (``--format json``): the listing itself keeps only the slim Image rows."""

    def __init__(self, ec2: Any, place: str, raws: dict[tuple[str, str], dict[str, Any]]):
        self._ec2, self._place, self._raws = ec2, place, raws

    def describe_images(self, **params: Any) -> dict[str, Any]:
        answer = self._ec2.describe_images(**params)
        for raw in answer.get("Images", ()):
            self._raws[(self._place, raw.get("ImageId", ""))] = raw
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ec2, name)


def save_cache(job: ListJob, source: PlaceSource, errors: dict[str, str]) -> None:
    """Each place listed whole, to the cache the UI starts from (keyed as the UI keys it:
    endpoint, account, region, owners)."""
    from amitui.inventory_cache import InventoryCache

    keys = {}
    for place in source.places:
        account = None if place in errors else source.account_of(place)
        if account is not None:  # no account, no key: the listing was printed anyway
            region = place.rpartition("/")[2]
            keys[place] = (job.settings.endpoint_url, account, region, job.query.label())
    if not keys:
        return
    cache = InventoryCache()
    for warning in cache.warnings:
        job.say(warning)
    by_place: dict[str, list[Image]] = {place: [] for place in keys}
    for image in job.rows.images:
        if image.place in by_place:
            by_place[image.place].append(image)
    try:
        for place, key in keys.items():
            cache.save(key, by_place[place])
    except Exception as exc:  # disposable: a listing that was printed did not fail
        job.say(f"the inventory cache was not saved: {exc}")
    finally:
        cache.close()
