"""``amitui list --accounts …``: every account x region, as the UI lists them.

The accounts are the UI's (``amitui.aws.accounts.AccountDirectory``: ``org``, ids or
``profiles:``, the role ``--role-name``); ``AccountPlaces`` is the place source that feeds
``amitui list``'s one live listing (``amitui.commands.list_live``) every ``account/region``,
through one pool of ``max_concurrency`` threads, each row tagged with its account. The
Account column (the account's name) comes first after Name in ``table``; ``csv`` has it
and ``account_id`` (the 12 digits); ``json`` objects carry ``Account`` (the id) and
``AccountName``.

An account that cannot be reached (AssumeRole refused, a profile signed out) is one line
on stderr with its reason, a place that failed on its own (a region not enabled in that
account) one line naming both; the other accounts' rows are printed and the exit code is
1. The organization's account list itself refused (ListAccounts) is one line and exit 1.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from amitui.aws.images import Image
from amitui.commands.list_live import list_live
from amitui.commands.list_output import ListJob
from amitui.settings import Settings
from amitui.ui.columns import COLUMN_BY_KEY, Column, columns_for

if TYPE_CHECKING:
    from amitui.aws.clients import AwsClients

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


class AccountPlaces:
    """Every ``account/region`` of --accounts' accounts, each account's with its own
    credentials (an assumed role, or its profile), tagged with the account and its name.
    Made once the accounts are read (``AccountUnavailable``: they could not be)."""

    def __init__(self, settings: Settings) -> None:
        from amitui.aws.accounts import AccountDirectory, parse_accounts
        from amitui.commands.common import clients_of

        assert settings.accounts
        base = clients_of(settings, read_only=True)  # listing reads; nothing else may be sent
        self.directory = AccountDirectory(
            base, parse_accounts(settings.accounts), settings.role_name
        )
        self.accounts = self.directory.accounts()
        self.places = tuple(f"{a.key}/{r}" for a in self.accounts for r in settings.regions)
        self.workers = max(1, min(settings.max_concurrency, len(self.places)))

    def start(self, pool: ThreadPoolExecutor) -> None:
        pass

    def clients(self, place: str) -> AwsClients:
        return self.directory.clients(place.rpartition("/")[0])

    def tag(self, place: str, page: list[Image]) -> None:
        account = place.rpartition("/")[0]
        name = self.directory.name_of(account)
        for image in page:
            image.account, image.account_name = account, name

    def failure(self, place: str, exc: Exception) -> str:
        from amitui.aws.accounts import AccountUnavailable
        from amitui.aws.errors import describe_error

        if isinstance(exc, AccountUnavailable):
            return str(exc)
        account = place.rpartition("/")[0]
        profile = account.removeprefix("profile:") if account.startswith("profile:") else None
        return describe_error(exc, profile)

    def record(self, image: Image) -> dict[str, Any]:
        return {
            "Region": image.region,
            "Account": image.account,
            "AccountName": image.account_name,
        }

    def label_of(self, account: str) -> str:
        return self.directory.label_of(account)

    def account_of(self, place: str) -> str | None:
        return place.rpartition("/")[0]

    def widths(self) -> dict[str, int]:
        """The Account column fits every account's name (known before any row)."""
        names = [self.directory.name_of(a.key) or a.key for a in self.accounts]
        return {"account": max(map(len, names), default=0)}


def list_accounts(job: ListJob, width: int | None) -> int:
    """``amitui list --accounts …``: the accounts read, then every place listed."""
    from amitui.aws.accounts import AccountUnavailable

    try:
        source = AccountPlaces(job.settings)
    except AccountUnavailable as exc:
        job.say(str(exc))
        return 1
    columns = account_columns(job.args.columns, job.columns, job.settings, job.args.format)
    return list_live(replace(job, columns=columns), source, width)
