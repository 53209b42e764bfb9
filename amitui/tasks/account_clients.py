"""Whose clients a task or a bulk item is sent with: its account's.

A task and a bulk item carry the account they were started in (``account``: "" for the one
account of the settings' credentials). Under --accounts, or for a task an earlier
--accounts session left, that account's clients come from ``clients_for`` (the task
service's: the accounts directory, an assumed role); otherwise, the base clients.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class AccountClients:
    def __init__(self, clients: Any, clients_for: Callable[[str], Any] | None = None) -> None:
        self.clients = clients
        #: an account -> its clients (TaskService.clients_for); None: the one account
        self.clients_for = clients_for

    def of(self, account: str) -> Any:
        """The clients of ``account`` ("" -> the base clients); raises when the account
        cannot be reached (its role refused, its profile missing)."""
        if not account or self.clients_for is None:
            return self.clients
        return self.clients_for(account)
