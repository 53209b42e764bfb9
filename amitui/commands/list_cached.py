"""``amitui list --cached``: the inventory cache's last listing, without calling AWS.

The cache is keyed by (endpoint, account, region, owners label), as the UI saves it. The
endpoint, regions and owners come from the settings; the account would need STS (a call,
and credentials that work), so it is read from the cache instead: the one account with a
listing of that endpoint, region and owners, or ``--account`` when there are several.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from typing import IO, Any

from amitui.aws.images import Image, ListQuery
from amitui.commands.list_output import cached_record, colours_wanted, make_printer
from amitui.inventory_cache import InventoryCache
from amitui.settings import Settings
from amitui.ui.columns import Column, duration
from amitui.ui.rows import ImageRows


def _scope_text(settings: Settings, query: ListQuery) -> str:
    return f"endpoint {settings.endpoint_url or 'aws'}, owners {query.label()}"


def read_cached(
    args: argparse.Namespace,
    settings: Settings,
    query: ListQuery,
    rows: ImageRows,
    columns: tuple[Column, ...],
    out: IO[str],
    err: IO[str],
) -> int:
    """Print the cached listing of every region (rows filtered and sorted by ``rows``).
    A region without one: a line on stderr, the others printed, exit 1."""
    cache = InventoryCache()
    try:
        for warning in cache.warnings:
            print(f"amitui list: {warning}", file=err)
        label = query.label()
        missing: list[str] = []
        account_of: dict[str, str] = {}
        oldest: float | None = None
        for region in settings.regions:
            account = args.account
            if account is None:
                accounts = cache.accounts(settings.endpoint_url, region, label)
                if len(accounts) > 1:
                    print(
                        f"amitui list: {region}: cached listings of several accounts "
                        f"({', '.join(accounts)}): choose one with --account",
                        file=err,
                    )
                    missing.append(region)
                    continue
                account = accounts[0] if accounts else ""
            hit = cache.load((settings.endpoint_url, account, region, label)) if account else None
            if hit is None:
                missing.append(region)
                print(
                    f"amitui list: {region}: no cached listing ({_scope_text(settings, query)}"
                    f"{', account ' + account if account else ''}): run amitui or amitui list "
                    "once without --cached",
                    file=err,
                )
                continue
            account_of[region] = account
            rows.extend(hit[0])
            oldest = hit[1] if oldest is None else min(oldest, hit[1])
    finally:
        cache.close()
    if oldest is None:
        return 1  # nothing cached: nothing printed (each region said why)
    if oldest is not None:
        saved = datetime.fromtimestamp(oldest, UTC).strftime("%Y-%m-%d %H:%M UTC")
        age = duration(time.time() - oldest)
        print(
            f"amitui list: cached listing from {age} ago ({saved}); nothing asked of AWS", file=err
        )

    def record(image: Image) -> dict[str, Any]:
        return {**cached_record(image), "Region": image.region, "Account": account_of[image.region]}

    printer = make_printer(
        args.format, out, columns, record, colour=colours_wanted(out), width=None
    )
    printer.add(map(rows.images.__getitem__, rows.visible))
    out.flush()
    return 1 if missing else 0
