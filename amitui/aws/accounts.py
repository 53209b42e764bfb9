"""Many accounts: which accounts ``--accounts`` names, and AWS clients for each.

``--accounts`` takes three forms (``parse_accounts``):

* ``org``: the organization's ACTIVE accounts (organizations:ListAccounts, every page, from
  the management or a delegated administrator account), each reached by assuming
  ``role_name`` in it (default ``OrganizationAccountAccessRole``);
* ``111111111111,222222222222``: those account ids, assuming ``role_name`` in each;
* ``profiles:dev,prod``: those named profiles, each account being whatever the profile
  signs in to (its id from sts:GetCallerIdentity).

The account the base credentials belong to is used with them as they are (no role is
assumed in one's own account: the management account seldom has the role).

An account that cannot be reached (AssumeRole refused, a profile missing) is a *failure*
with its reason (``AccountUnavailable``), remembered, never an exception that stops the
other accounts. Assumed-role credentials are botocore ``RefreshableCredentials``: the
first AssumeRole runs when the account's clients are first asked for (so a refusal shows
then), and botocore assumes the role again before they expire (15 minutes ahead, and
never later than 10); they live in memory only, nothing about them is written or logged.
"""

from __future__ import annotations

import copy
import re
import threading
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from amitui.aws.clients import AwsClients
from amitui.aws.errors import describe_error, error_code

if TYPE_CHECKING:  # imported where used: the UI imports this module before boto3 is needed
    import boto3
    import botocore.session

DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole"
SESSION_NAME = "amitui"
ACCOUNT_ID = re.compile(r"^\d{12}$")
ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


class AccountUnavailable(RuntimeError):
    """The account's clients cannot be had; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class AccountsSpec:
    """What ``--accounts`` said: ``kind`` is "org", "ids" or "profiles"."""

    kind: str
    values: tuple[str, ...] = ()

    def label(self) -> str:
        if self.kind == "org":
            return "org"
        prefix = "profiles:" if self.kind == "profiles" else ""
        return prefix + ",".join(self.values)


@dataclass(frozen=True, slots=True)
class Account:
    """One account of the set: ``key`` is what rows and tasks record (the account id; for
    a profile whose id is not known yet, ``profile:NAME``)."""

    id: str
    name: str = ""
    profile: str | None = None

    @property
    def key(self) -> str:
        return self.id or f"profile:{self.profile}"

    def label(self) -> str:
        name = self.name or self.profile or ""
        return f"{self.id} ({name})" if name and self.id else (self.id or name)


def parse_accounts(text: str) -> AccountsSpec:
    """Read ``--accounts``; raises ValueError with what is wrong."""
    text = text.strip()
    if text == "org":
        return AccountsSpec("org")
    if text.startswith("profiles:"):
        names = tuple(dict.fromkeys(n.strip() for n in text[len("profiles:") :].split(",")))
        if not names or not all(names):
            raise ValueError("--accounts profiles: needs profile names, e.g. profiles:dev,prod")
        return AccountsSpec("profiles", names)
    ids = tuple(dict.fromkeys(i.strip() for i in text.split(",")))
    bad = [i for i in ids if not ACCOUNT_ID.match(i)]
    if bad or not ids:
        raise ValueError(
            f"--accounts: {', '.join(bad) or 'nothing'} is not a 12-digit account id "
            "(the forms: org, 111111111111,222222222222, profiles:dev,prod)"
        )
    return AccountsSpec("ids", ids)


def check_role_name(name: str) -> str:
    if not ROLE_NAME.match(name):
        raise ValueError(
            f"role name {name!r} is not an IAM role name (1-64 of A-Z a-z 0-9 +=,.@_-)"
        )
    return name


def list_org_accounts(clients: AwsClients) -> list[Account]:
    """The organization's ACTIVE accounts, every page of ListAccounts."""
    orgs = clients.client("organizations")
    found: list[Account] = []
    for page in orgs.get_paginator("list_accounts").paginate():
        for raw in page.get("Accounts", ()):
            if raw.get("Status") == "ACTIVE":
                found.append(Account(id=raw["Id"], name=raw.get("Name") or ""))
    return found


def assume_role_fetcher(base: AwsClients, role_arn: str) -> Any:
    """A botocore refresher: AssumeRole with the base credentials, in botocore's shape."""

    def fetch() -> dict[str, str]:
        answer = base.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=SESSION_NAME)
        creds = answer["Credentials"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": creds["Expiration"].isoformat(),
        }

    return fetch


class AccountDirectory:
    """The accounts ``spec`` names and their clients (made once, kept, thread-safe)."""

    def __init__(
        self, base: AwsClients, spec: AccountsSpec, role_name: str = DEFAULT_ROLE_NAME
    ) -> None:
        self.base = base
        self.spec = spec
        self.role_name = role_name
        self._accounts: list[Account] | None = None
        self._clients: dict[str, AwsClients] = {}
        self._failures: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._lock = threading.Lock()
        self._account_locks: dict[str, threading.Lock] = {}
        self._reading = threading.Lock()  # one reading of the set at a time

    def prefetch(self) -> None:
        """Read the set (and whose the base credentials are) now, in a thread of its own,
        while the UI loads: the listing starts at once instead of after them. A failure
        is met again, and said, by the next ``accounts()``."""
        threading.Thread(target=self._prefetch, name="amitui-accounts", daemon=True).start()

    def _prefetch(self) -> None:
        with suppress(Exception):
            self.base.identity()
        with suppress(Exception):
            self.accounts()

    # -- the set ---------------------------------------------------------------------

    @property
    def resolved(self) -> bool:
        return self._accounts is not None

    def accounts(self) -> list[Account]:
        """The accounts of the set (ListAccounts once for ``org``); raises AccountUnavailable
        when the set itself cannot be read (ListAccounts refused, say)."""
        if self._accounts is not None:
            return list(self._accounts)
        with self._reading:  # a prefetch under way: its answer, not a second reading
            if self._accounts is None:
                self._read_accounts()
        return list(self._accounts or ())

    def _read_accounts(self) -> None:
        try:
            if self.spec.kind == "org":
                found = list_org_accounts(self.base)
            elif self.spec.kind == "ids":
                found = [Account(id=i) for i in self.spec.values]
            else:
                found = [Account(id="", profile=p) for p in self.spec.values]
        except Exception as exc:
            raise AccountUnavailable(f"the organization's accounts: {describe_error(exc)}") from exc
        with self._lock:
            self._accounts = found
            self._names.update({a.key: a.name or a.profile or "" for a in found})

    def name_of(self, key: str) -> str:
        return self._names.get(key, "")

    def label_of(self, key: str) -> str:
        name = self.name_of(key)
        return f"{key} ({name})" if name else key

    def failures(self) -> dict[str, str]:
        """account key -> why it could not be reached, so far."""
        with self._lock:
            return dict(self._failures)

    # -- clients ---------------------------------------------------------------------

    def clients(self, key: str) -> AwsClients:
        """The clients of account ``key`` ("" is the base account); raises
        AccountUnavailable (remembered: asking again does not call AWS again)."""
        if not key:
            return self.base
        with self._lock:
            made = self._clients.get(key)
            if made is not None:
                return made
            if key in self._failures:
                raise AccountUnavailable(self._failures[key])
            lock = self._account_locks.setdefault(key, threading.Lock())
        with lock:  # one AssumeRole per account, whatever the number of regions asking
            with self._lock:
                if key in self._clients:
                    return self._clients[key]
                if key in self._failures:
                    raise AccountUnavailable(self._failures[key])
            try:
                made = self._make(key)
            except Exception as exc:
                reason = (
                    str(exc)
                    if isinstance(exc, AccountUnavailable)
                    else describe_error(exc, self._profile_of(key))
                )
                with self._lock:
                    self._failures[key] = reason
                raise AccountUnavailable(reason) from exc
            with self._lock:
                self._clients[key] = made
            return made

    def _profile_of(self, key: str) -> str | None:
        return key.removeprefix("profile:") if key.startswith("profile:") else None

    def _make(self, key: str) -> AwsClients:
        profile = self._profile_of(key)
        if profile is not None:
            made = derived_clients(self.base, self._session(profile=profile))
            account = made.identity().account  # a missing or signed-out profile fails here
            with self._lock:
                self._names.setdefault(account, profile)
            return made
        if key == self.base.identity().account:
            return self.base  # one's own account: no role to assume
        role_arn = f"arn:aws:iam::{key}:role/{self.role_name}"
        fetch = assume_role_fetcher(self.base, role_arn)
        try:
            first = fetch()
        except ClientError as exc:
            if error_code(exc) not in ("AccessDenied", "AccessDeniedException"):
                raise
            message = exc.response.get("Error", {}).get("Message") or ""
            raise AccountUnavailable(
                f"AccessDenied on sts:AssumeRole: the role {self.role_name} is missing or "
                f"does not trust these credentials (--role-name). AWS said: {message}"
            ) from exc
        from botocore.credentials import RefreshableCredentials

        credentials = RefreshableCredentials.create_from_metadata(
            metadata=first, refresh_using=fetch, method="sts-assume-role"
        )
        session = self._session()
        # botocore has no public setter for refreshable credentials: this attribute is what
        # boto3-based tools set (the session then signs with, and refreshes, these).
        session._session._credentials = credentials
        return derived_clients(self.base, session)

    def _session(self, profile: str | None = None) -> boto3.Session:
        """A session of its own (credentials, events) that shares the base session's
        botocore data loader: the service models (EC2's is megabytes of JSON) are parsed
        once, not once per account (50 accounts took 300 MB more without it), and the
        clients of all share one class per service (client_classes.py: 200 EC2 clients
        took 280 MB and 7 s of CPU more without it). Its event handlers start as a copy
        of the base session's (botocore's and boto3's built-in ones): registering them
        anew takes 50 ms a session, a copy 5."""
        import boto3
        import botocore.session

        from amitui.aws.client_classes import share_client_classes

        base_core = getattr(self.base.session, "_session", None)
        if base_core is None:
            core = botocore.session.Session(profile=profile)
        else:
            loader = base_core.get_component("data_loader")
            share_client_classes(loader)
            core = botocore.session.Session(profile=profile, **copied_handlers(base_core))
            core.register_component("data_loader", loader)
        return boto3.Session(botocore_session=core, region_name=self.base.default_region)


def copied_handlers(core: botocore.session.Session) -> dict[str, Any]:
    """Session arguments for a session whose event handlers are a copy of ``core``'s
    (none if botocore keeps them elsewhere than it did: then the session registers its
    own built-in handlers, only slower)."""
    emitter = getattr(core.get_component("event_emitter"), "_emitter", None)
    if emitter is None:
        return {}
    return {"event_hooks": copy.copy(emitter), "include_builtin_handlers": False}


def derived_clients(base: AwsClients, session: boto3.Session) -> AwsClients:
    """Clients like ``base`` (endpoint, region, read-only guard, config, hooks such as the
    debug log) over another session's credentials."""
    made = AwsClients(
        endpoint_url=base.endpoint_url,
        default_region=base.default_region,
        read_only=base.read_only,
        config=base.config,
        session=session,
        vocabularies=base.vocabularies,
    )
    for event, handler in base.hooks():
        made.add_hook(event, handler)
    return made
