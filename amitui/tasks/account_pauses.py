"""Each account's credential pause, under --accounts: one account's refused credentials
(its SSO session or assumed role ended) pause the polls and bulk items of that account
only; the other accounts' go on.

The scope's own account ("" on a task or bulk item) keeps the pause it always had (the
poller's and bulk runner's ``pause``: while it is paused, nothing at all is polled or sent,
and the lease is let go); every other account gets its own :class:`CredentialPause`, made
the first time one of its calls is refused, probed with that account's clients. While an
account is paused its groups are not polled and its items wait; once its probe finds valid
credentials of that account, they resume by themselves.

Thread-safe; never imports textual or amitui.ui.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from amitui.tasks.credential_pause import PROBE_INTERVAL, CredentialPause


def _account_id(account: str) -> str | None:
    """The id a probe's identity must have (None: a ``profile:NAME`` key, any will do)."""
    return account if account.isdigit() else None


class AccountPauses:
    def __init__(
        self,
        own: CredentialPause,
        clients_of: Callable[[str], Any],
        *,
        probe_interval: float | None = None,
        clock: Callable[[], float] = time.time,
        on_paused: Callable[[str, str], None] | None = None,
        on_resumed: Callable[[str], None] | None = None,
    ) -> None:
        """``own``: the scope's account's pause; ``clients_of(account)``: another
        account's clients (may raise: the account cannot be reached).
        ``on_paused(account, line)`` is told once as an account's pause begins (``line``
        says why), ``on_resumed(account)`` once as it ends."""
        self.own = own
        self.on_paused = on_paused
        self.on_resumed = on_resumed
        self.clients_of = clients_of
        self.probe_interval = own.probe_interval if probe_interval is None else probe_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._others: dict[str, CredentialPause] = {}
        self._listeners: list[Callable[[str], None]] = []

    def listen(self, wake: Callable[[str], None]) -> None:
        """``wake(account)`` is called when another account's pause ends."""
        with self._lock:
            self._listeners.append(wake)

    def of(self, account: str) -> CredentialPause:
        """The pause of ``account`` ("" the scope's own)."""
        if not account:
            return self.own
        with self._lock:
            pause = self._others.get(account)
            if pause is None:
                pause = self._others[account] = CredentialPause(
                    None,
                    _account_id(account),
                    probe_interval=self.probe_interval or PROBE_INTERVAL,
                    on_paused=lambda line: self._paused(account, line),
                    on_resumed=lambda: self._resumed(account),
                    clock=self._clock,
                    clients_of=lambda: self.clients_of(account),
                )
            return pause

    def paused(self, account: str) -> bool:
        """Whether ``account``'s calls wait (another account's pause only: the scope's own
        pause stops everything, and is checked where it always was)."""
        if not account:
            return False
        with self._lock:
            pause = self._others.get(account)
        return pause is not None and pause.paused

    def probe_due(self, force: bool = False) -> None:
        """Probe every paused account whose interval has passed (``force``: now)."""
        with self._lock:
            paused = [p for p in self._others.values() if p.paused]
        for pause in paused:
            pause.probe_if_due(force=force)

    def wait_time(self) -> float | None:
        """Seconds until the next paused account's probe (None: none is paused)."""
        with self._lock:
            paused = [p for p in self._others.values() if p.paused]
        return min((p.wait_time() for p in paused), default=None)

    def _paused(self, account: str, line: str) -> None:
        if self.on_paused is not None:
            self.on_paused(account, line)

    def _resumed(self, account: str) -> None:
        if self.on_resumed is not None:
            self.on_resumed(account)
        with self._lock:
            listeners = list(self._listeners)
        for wake in listeners:
            wake(account)
