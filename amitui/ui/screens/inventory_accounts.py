"""The inventory's listing workers. One account: a worker per region. Many accounts
(--accounts): every account x region place listed through one bounded pool, each page
tagged with its account, each failure kept to its account or place (failures.py) while
the other accounts' rows stay.

The pool has ``max_concurrency`` threads (a setting). Each (account, region) place lists
with that account's EC2 client of that region: botocore's adaptive retry mode keeps its
throttling backoff (a token bucket) in the client, so every call to one account and
region, partitions included, shares one backoff and no other place is slowed by it.
Those clients are made ahead of each place's turn, and closed after it, by a thread of
their own (amitui/aws/place_clients.py): the pool's slots only list.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait
from sys import intern
from typing import TYPE_CHECKING

from textual.worker import get_current_worker

from amitui.aws.images import ListQuery
from amitui.ui.messages import AccountsResolved, ImagesPageLoaded, ListingFinished

if TYPE_CHECKING:
    from amitui.aws.place_clients import PlaceClients
    from amitui.ui.screens.inventory import InventoryScreen


class AccountListing:
    def __init__(self, screen: InventoryScreen) -> None:
        self.screen = screen

    @property
    def active(self) -> bool:
        return self.screen.services.accounts is not None

    @property
    def resolved(self) -> bool:
        accounts = self.screen.services.accounts
        return accounts is not None and accounts.resolved

    def resolve(self) -> None:
        """Read the account set (ListAccounts for ``org``) in a worker; AccountsResolved."""
        self.screen.run_worker(
            self._resolve, thread=True, exit_on_error=False, group="accounts", exclusive=True
        )

    def _resolve(self) -> None:
        from amitui.aws.accounts import AccountUnavailable

        accounts = self.screen.services.accounts
        assert accounts is not None
        try:
            accounts.accounts()
        except AccountUnavailable as exc:
            self.screen.post_message(AccountsResolved(str(exc)))
            return
        self.screen.post_message(AccountsResolved(None))

    def places(self, regions: tuple[str, ...]) -> tuple[str, ...]:
        accounts = self.screen.services.accounts
        assert accounts is not None
        return tuple(f"{a.key}/{r}" for a in accounts.accounts() for r in regions)

    def label_of(self, account: str) -> str:
        accounts = self.screen.services.accounts
        return accounts.label_of(account) if accounts is not None else account

    def fan_out(self, generation: int, places: tuple[str, ...], query: ListQuery) -> None:
        self.screen.run_worker(
            lambda: self._fan_out(generation, places, query),
            thread=True,
            exit_on_error=False,
            group="listing",
            description="list accounts x regions",
        )

    def _fan_out(self, generation: int, places: tuple[str, ...], query: ListQuery) -> None:
        from amitui.aws.place_clients import PlaceClients

        worker = get_current_worker()
        size = max(1, min(self.screen.settings.max_concurrency, len(places)))
        places = self._own_account_first(places)
        accounts = self.screen.services.accounts
        assert accounts is not None
        made = PlaceClients(places, accounts.clients, ahead=size).start()
        try:
            with ThreadPoolExecutor(size, thread_name_prefix="amitui-place") as pool:
                futures = [
                    pool.submit(self._list_place, generation, place, query, worker, made)
                    for place in places
                ]
                while futures:
                    _, pending = wait(futures, timeout=0.2)
                    futures = list(pending)
                    if worker.is_cancelled:
                        for future in futures:
                            future.cancel()
                        return
        finally:
            made.stop()

    def _own_account_first(self, places: tuple[str, ...]) -> tuple[str, ...]:
        """The base credentials' own account lists first: it needs no AssumeRole and its
        first pages were asked for at startup (cli.prefetching_clients), so its rows show
        at once wherever ListAccounts put it. Unknown (no identity): the order as given."""
        accounts = self.screen.services.accounts
        try:
            own = accounts.base.identity().account if accounts is not None else ""
        except Exception:
            return places
        return tuple(sorted(places, key=lambda place: place.rpartition("/")[0] != own))

    def list_region(self, generation: int, region: str, query: ListQuery) -> None:
        """One account: each region lists in a worker of its own."""
        self.screen.run_worker(
            lambda: self._list_place(generation, region, query, get_current_worker()),
            thread=True,
            exit_on_error=False,
            group="listing",
            description=f"list {region}",
        )

    def _list_place(
        self,
        generation: int,
        place: str,
        query: ListQuery,
        worker: object,
        made: PlaceClients | None = None,
    ) -> None:
        """List one region, or one "account/region" place, posting its pages as they come
        (partitioned: in any order, each image once; the Listing numbers them). ``made``:
        where a place of --accounts takes its clients (and gives them back)."""
        # (imported here, in the worker: a cached start paints before they load)
        from amitui.aws.accounts import AccountUnavailable
        from amitui.aws.errors import describe_error
        from amitui.aws.partitions import LISTINGS

        screen = self.screen
        cancelled = lambda: bool(getattr(worker, "is_cancelled", False))  # noqa: E731
        if cancelled():
            return
        account, _, region = place.rpartition("/")
        accounts = screen.services.accounts
        try:
            if account:
                assert accounts is not None
                assert made is not None  # (places of accounts list through _fan_out)
                clients, ec2 = made.take(place)  # made ahead of this turn
                name = intern(accounts.name_of(account))
                account = intern(account)
            else:
                clients = screen.services.clients
                ec2 = clients.listing_ec2(region)  # its answers carry Image rows
            lister = LISTINGS[screen.settings.listing]
            pages = lister(ec2, region, query, screen.settings.page_size, cancelled)
            for number, page in enumerate(pages, 1):
                if cancelled():
                    return
                if account:
                    for image in page:
                        image.account = account
                        image.account_name = name
                screen.post_message(ImagesPageLoaded(generation, place, page, number))
                screen.session.collector.page_done(len(page))  # (its parse is over)
            if account:
                assert made is not None
                made.done(clients, region)  # one place of many: its socket closes
        except AccountUnavailable as exc:
            screen.post_message(ListingFinished(generation, place, str(exc)))
            return
        except Exception as exc:  # every failure becomes one readable line
            error = describe_error(exc, None if account else screen.settings.profile)
            screen.post_message(ListingFinished(generation, place, error))
            return
        screen.post_message(ListingFinished(generation, place))
