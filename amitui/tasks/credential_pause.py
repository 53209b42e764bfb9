"""One account's "its credentials were refused" state, shared by its poller and bulk runner.

When a call is refused for its credentials (expired or unknown: an SSO or assumed-role
session that ended; or none to sign with), calling again every cycle only hammers the
endpoint with requests that cannot work. So the poller and the bulk runner of that account
PAUSE: they make no call at all (their tasks and queued items stay as they are, nothing is
failed), the user is told once (``on_paused``), and one cheap probe at a modest interval
(``probe_interval``, 30 s) asks whether valid credentials have appeared (re-read from the
profile, its files and the SSO cache: ``AwsClients.check_credentials``, STS
GetCallerIdentity). When they have, and they are still this account's, both RESUME by
themselves (``on_resumed``, told once; the listeners are woken), with no restart.

Thread-safe; never imports textual or amitui.ui.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from amitui.aws.clients import credentials_refused
from amitui.aws.errors import describe_error, error_code

log = logging.getLogger("amitui.poller")
log.addHandler(logging.NullHandler())

PROBE_INTERVAL = 30.0


def refused_exception(exc: BaseException) -> bool:
    """Whether ``exc`` is a refusal of the call's credentials."""
    return credentials_refused(error_code(exc) or type(exc).__name__)


class CredentialPause:
    def __init__(
        self,
        clients: Any,
        account: str | None = None,
        *,
        probe_interval: float = PROBE_INTERVAL,
        on_paused: Callable[[str], None] | None = None,
        on_resumed: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.time,
        clients_of: Callable[[], Any] | None = None,
    ) -> None:
        """``clients_of``: the clients to probe with, asked for at each probe (another
        account's, which may not be reachable); default ``clients``."""
        self.clients = clients
        self.clients_of = clients_of
        #: the account whose tasks these are: other credentials do not resume them
        self.account = account
        self.probe_interval = probe_interval
        self.on_paused = on_paused
        self.on_resumed = on_resumed
        self._clock = clock
        self._lock = threading.Lock()
        self._reason: str | None = None
        self._probe_due = 0.0
        self._probing = False
        self._listeners: list[Callable[[], None]] = []
        #: probes made (each one GetCallerIdentity), pauses and resumes (observable)
        self.probes = 0
        self.pauses = 0
        self.resumes = 0

    @property
    def paused(self) -> bool:
        return self._reason is not None

    @property
    def reason(self) -> str | None:
        return self._reason

    def listen(self, wake: Callable[[], None]) -> None:
        """``wake()`` is called on resume (a poller's or bulk runner's wake)."""
        with self._lock:
            self._listeners.append(wake)

    def check(self, exc: BaseException, line: str | None = None) -> bool:
        """Pause if ``exc`` refused the credentials (told once); whether it did."""
        if not refused_exception(exc):
            return False
        line = line or describe_error(exc, getattr(self.clients, "profile", None))
        return self.refused(error_code(exc) or type(exc).__name__, line)

    def refused(self, code: str | None, line: str) -> bool:
        """Pause if ``code`` (a call's error code) refused the credentials; whether it did."""
        if not credentials_refused(code):
            return False
        with self._lock:
            if self._reason is not None:
                return True
            self._reason = line
            self._probe_due = self._clock() + self.probe_interval
            self.pauses += 1
        log.warning("credentials refused, polling paused: %s", line)
        if self.on_paused is not None:
            try:
                self.on_paused(line)
            except Exception:
                log.exception("on_paused callback failed")
        return True

    def wait_time(self) -> float:
        """Seconds until the next probe is due (0: now)."""
        with self._lock:
            return max(0.0, self._probe_due - self._clock())

    def probe_if_due(self, force: bool = False) -> bool:
        """While paused, probe once the interval has passed (one thread at a time); whether
        the credentials work (True when not paused)."""
        with self._lock:
            if self._reason is None:
                return True
            if self._probing or (not force and self._clock() < self._probe_due):
                return False
            self._probing = True
            self.probes += 1
        try:
            clients = self.clients if self.clients_of is None else self.clients_of()
            identity = clients.check_credentials()
            works = self.account is None or identity.account == self.account
            if not works:
                log.warning("credentials of %s, not %s", identity.account, self.account)
        except Exception as exc:
            log.info("credentials still refused: %s", error_code(exc) or type(exc).__name__)
            works = False
        with self._lock:
            self._probing = False
            if not works:
                self._probe_due = self._clock() + self.probe_interval
                return False
            self._reason = None
            self.resumes += 1
            listeners = list(self._listeners)
        log.warning("credentials work again: polling resumed")
        if self.on_resumed is not None:
            try:
                self.on_resumed()
            except Exception:
                log.exception("on_resumed callback failed")
        for wake in listeners:
            wake()
        return True
