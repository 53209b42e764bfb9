"""``amitui list --cached``: the inventory cache's last listing, without calling AWS.

The cache is keyed by (endpoint, account, region, owners label), as the UI saves it. The
endpoint, regions and owners come from the settings; the account would need STS (a call,
and credentials that work), so it is read from the cache instead: the one account with a
listing of that endpoint, region and owners, or ``--account`` when there are several.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from amitui.aws.images import Image, ListQuery
from amitui.commands.list_output import ListJob, cached_record
from amitui.inventory_cache import InventoryCache
from amitui.settings import Settings
from amitui.ui.columns import duration


def _scope_text(settings: Settings, query: ListQuery) -> str:
    return f"endpoint {settings.endpoint_url or 'aws'}, owners {query.label()}"


def read_cached(job: ListJob) -> int:
    """Print the cached listing of every region (rows filtered and sorted by ``rows``).
    A region without one: a line on stderr, the others printed, exit 1."""
    args, settings, query, rows = job.args, job.settings, job.query, job.rows
    cache = InventoryCache()
    try:
        for warning in cache.warnings:
            job.say(warning)
        label = query.label()
        missing: list[str] = []
        account_of: dict[str, str] = {}
        oldest: float | None = None
        for region in settings.regions:
            account = args.account
            if account is None:
                accounts = cache.accounts(settings.endpoint_url, region, label)
                if len(accounts) > 1:
                    job.say(
                        f"{region}: cached listings of several accounts "
                        f"({', '.join(accounts)}): choose one with --account"
                    )
                    missing.append(region)
                    continue
                account = accounts[0] if accounts else ""
            hit = cache.load((settings.endpoint_url, account, region, label)) if account else None
            if hit is None:
                missing.append(region)
                job.say(
                    f"{region}: no cached listing ({_scope_text(settings, query)}"
                    f"{', account ' + account if account else ''}): run amitui or amitui list "
                    "once without --cached"
                )
                continue
            account_of[region] = account
            rows.extend(hit[0])
            oldest = hit[1] if oldest is None else min(oldest, hit[1])
    finally:
        cache.close()
    if oldest is None:
        return 1  # nothing cached: nothing printed (each region said why)
    saved = datetime.fromtimestamp(oldest, UTC).strftime("%Y-%m-%d %H:%M UTC")
    age = duration(time.time() - oldest)
    job.say(f"cached listing from {age} ago ({saved}); nothing asked of AWS")

    def record(image: Image) -> dict[str, Any]:
        return {**cached_record(image), "Region": image.region, "Account": account_of[image.region]}

    job.print_shown(job.printer(record, width=None))
    return 1 if missing else 0
