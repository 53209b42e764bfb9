"""``amitui list --accounts …``: every account x region, as the UI lists them.

The accounts are the UI's (``amitui.aws.accounts.AccountDirectory``: ``org``, ids or
``profiles:``, the role ``--role-name``); every ``account/region`` place is listed through
one pool of ``max_concurrency`` threads, each page printed as it arrives (``--sort``: at
the end), each row tagged with its account. The Account column (the account's name) comes
first after Name in ``table``; ``csv`` has it and ``account_id`` (the 12 digits); ``json``
objects carry ``Account`` (the id) and ``AccountName``.

An account that cannot be reached (AssumeRole refused, a profile signed out) is one line
on stderr with its reason, a place that failed on its own (a region not enabled in that
account) one line naming both; the other accounts' rows are printed and the exit code is
1. The organization's account list itself refused (ListAccounts) is one line and exit 1.
"""

from __future__ import annotations

import argparse
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import IO, Any

from amitui.aws.images import Image, ListQuery
from amitui.aws.partitions import LISTINGS
from amitui.commands.list_output import TableRows, colours_wanted, make_printer
from amitui.settings import Settings
from amitui.ui.columns import COLUMN_BY_KEY, Column, columns_for
from amitui.ui.failures import failure_lines
from amitui.ui.rows import ImageRows

#: The csv column with the account's id (Account shows its name, as the UI does).
ACCOUNT_ID = replace(
    COLUMN_BY_KEY["account"],
    key="account_id",
    title="Account ID",
    width=12,
    cell=lambda i: i.account,
    sort_key=lambda i: i.account,
)


def account_columns(given: str | None, picked: tuple[Column, ...], settings: Settings, fmt: str):
    """The columns with --accounts: the UI's (Account first after Name) unless --columns
    named some; csv adds the account's id after Account."""
    columns = (
        columns_for(len(settings.regions) > 1, settings.columns, True) if not given else picked
    )
    if fmt == "csv" and any(c.key == "account" for c in columns):
        at = [c.key for c in columns].index("account") + 1
        columns = (*columns[:at], ACCOUNT_ID, *columns[at:])
    return columns


def list_accounts(
    args: argparse.Namespace,
    settings: Settings,
    query: ListQuery,
    rows: ImageRows,
    columns: tuple[Column, ...],
    out: IO[str],
    err: IO[str],
    width: int | None,
) -> int:
    from amitui.aws.accounts import AccountDirectory, AccountUnavailable, parse_accounts
    from amitui.aws.errors import describe_error
    from amitui.commands.common import clients_of
    from amitui.commands.list_images import Recording

    assert settings.accounts
    base = clients_of(settings, read_only=True)  # listing reads; nothing else may be sent
    directory = AccountDirectory(base, parse_accounts(settings.accounts), settings.role_name)
    try:
        accounts = directory.accounts()
    except AccountUnavailable as exc:
        print(f"amitui list: {exc}", file=err)
        return 1
    columns = account_columns(args.columns, columns, settings, args.format)
    places = tuple(f"{a.key}/{r}" for a in accounts for r in settings.regions)
    stop = threading.Event()
    raws: dict[tuple[str, str], dict[str, Any]] | None = {} if args.format == "json" else None
    pages: queue.Queue[tuple[str, list[Image] | None, str | None]] = queue.Queue()
    lister = LISTINGS[settings.listing]

    def list_place(place: str) -> None:
        account, _, region = place.rpartition("/")
        try:
            clients = directory.clients(account)
            name = directory.name_of(account)
            if raws is not None:  # JSON: each image as DescribeImages returned it
                ec2: Any = Recording(clients.ec2(region), place, raws)
            else:
                ec2 = clients.listing_ec2(region)
            for page in lister(ec2, region, query, settings.page_size, stop.is_set):
                for image in page:
                    image.account, image.account_name = account, name
                pages.put((place, page, None))
            pages.put((place, None, None))
        except AccountUnavailable as exc:
            pages.put((place, None, str(exc)))
        except Exception as exc:
            profile = account.removeprefix("profile:") if account.startswith("profile:") else None
            pages.put((place, None, describe_error(exc, profile)))

    def record(image: Image) -> dict[str, Any]:
        assert raws is not None
        raw = raws.get((image.place, image.image_id), {})
        return {
            **raw,
            "Region": image.region,
            "Account": image.account,
            "AccountName": image.account_name,
        }

    printer = make_printer(
        args.format, out, columns, record, colour=colours_wanted(out), width=width
    )
    if isinstance(printer, TableRows):
        names = [directory.name_of(a.key) or a.key for a in accounts]
        printer.at_least["account"] = max(map(len, names), default=0)
    pool = ThreadPoolExecutor(
        max(1, min(settings.max_concurrency, len(places))), thread_name_prefix="list-place"
    )
    printed = 0
    errors: dict[str, str] = {}
    waiting = set(places)
    try:
        for place in places:
            pool.submit(list_place, place)
        while waiting:
            place, page, error = pages.get()
            if page is not None:
                rows.extend(page)
                if not args.sort:
                    printed += printer.add(map(rows.images.__getitem__, rows.visible[printed:]))
                    out.flush()
                continue
            waiting.discard(place)
            if error is not None:
                errors[place] = error
        if args.sort or not printed:
            printer.add(map(rows.images.__getitem__, rows.visible[printed:]))
        out.flush()
    finally:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
    for line in failure_lines(errors, places, directory.label_of):
        print(f"amitui list: {line}", file=err)
    if settings.cache:
        _save_cache(settings, query, rows, places, errors, err)
    return 1 if errors else 0


def _save_cache(
    settings: Settings,
    query: ListQuery,
    rows: ImageRows,
    places: tuple[str, ...],
    errors: dict[str, str],
    err: IO[str],
) -> None:
    """Each place listed whole, to the cache the UI starts from (keyed as the UI keys it)."""
    from amitui.inventory_cache import InventoryCache

    cache = InventoryCache()
    for warning in cache.warnings:
        print(f"amitui list: {warning}", file=err)
    by_place: dict[str, list[Image]] = {}
    for image in rows.images:
        by_place.setdefault(image.place, []).append(image)
    try:
        for place in places:
            if place not in errors:
                account, _, region = place.rpartition("/")
                key = (settings.endpoint_url, account, region, query.label())
                cache.save(key, by_place.get(place, []))
    except Exception as exc:  # disposable: a listing that was printed did not fail
        print(f"amitui list: the inventory cache was not saved: {exc}", file=err)
    finally:
        cache.close()
