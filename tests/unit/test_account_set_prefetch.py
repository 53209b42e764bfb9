"""--accounts: the account set read ahead (AccountDirectory.prefetch) is read once; the
base credentials' own account lists first."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from amitui.aws.accounts import AccountDirectory, AccountsSpec, AccountUnavailable
from amitui.aws.clients import Identity


class _Pages:
    def __init__(self, base: _Base) -> None:
        self.base = base

    def paginate(self) -> Any:
        self.base.calls += 1
        self.base.asked.set()
        assert self.base.release.wait(60)
        if self.base.refuse:
            raise RuntimeError("ListAccounts refused")
        yield {"Accounts": [{"Id": "222222222222", "Name": "dev", "Status": "ACTIVE"}]}


class _Base:
    """What AccountDirectory reads of its base clients: ListAccounts, held until released."""

    def __init__(self, refuse: bool = False) -> None:
        self.calls = 0
        self.refuse = refuse
        self.asked = threading.Event()
        self.release = threading.Event()

    def identity(self) -> Identity:
        return Identity(account="111111111111", arn="arn:aws:iam::111111111111:root")

    def client(self, service: str) -> Any:
        assert service == "organizations"
        base = self

        class Organizations:
            def get_paginator(self, name: str) -> _Pages:
                return _Pages(base)

        return Organizations()


def test_accounts_waits_for_the_prefetch_instead_of_asking_again() -> None:
    base = _Base()
    directory = AccountDirectory(base, AccountsSpec("org"))  # type: ignore[arg-type]
    directory.prefetch()
    assert base.asked.wait(60)
    answers: list[list[str]] = []
    reader = threading.Thread(target=lambda: answers.append([a.id for a in directory.accounts()]))
    reader.start()
    base.release.set()
    reader.join(60)
    assert answers == [["222222222222"]]
    assert base.calls == 1 and directory.name_of("222222222222") == "dev"


def test_a_prefetch_that_failed_is_met_again_and_said_by_accounts() -> None:
    base = _Base(refuse=True)
    directory = AccountDirectory(base, AccountsSpec("org"))  # type: ignore[arg-type]
    base.release.set()
    directory.prefetch()
    assert base.asked.wait(60)
    with pytest.raises(AccountUnavailable, match="ListAccounts refused"):
        directory.accounts()
    assert not directory.resolved


def test_the_fan_out_lists_the_own_account_first_else_keeps_the_order() -> None:
    from types import SimpleNamespace

    from amitui.ui.screens.inventory_accounts import AccountListing

    places = ("222222222222/us-east-1", "111111111111/us-east-1", "222222222222/eu-west-1")
    directory = AccountDirectory(_Base(), AccountsSpec("org"))  # type: ignore[arg-type]
    screen = SimpleNamespace(services=SimpleNamespace(accounts=directory))
    ordered = AccountListing(screen)._own_account_first(places)  # type: ignore[arg-type]
    assert ordered == (places[1], places[0], places[2])

    class NoIdentity(_Base):
        def identity(self) -> Identity:
            raise RuntimeError("no credentials")

    directory = AccountDirectory(NoIdentity(), AccountsSpec("org"))  # type: ignore[arg-type]
    screen = SimpleNamespace(services=SimpleNamespace(accounts=directory))
    assert AccountListing(screen)._own_account_first(places) == places  # type: ignore[arg-type]
