"""Many accounts: each ``account/region`` place's listing client made ahead of its turn.

A place of ``--accounts`` needs its account's credentials (an AssumeRole, once per
account) and a listing client of its own (some milliseconds of CPU: the client's copy of
the session's event handlers, its endpoint) before its first DescribeImages call, and
closes that client when it is done. Made by the pool thread that lists the place, that
work held one of the ``max_concurrency`` slots (some 25 ms of a ~0.5 s place, with the
three other regions of an account waiting on its AssumeRole): 5 of the 125 slot-seconds
of 50 accounts x 4 regions.

``PlaceClients`` makes them in a thread of its own, in the order the places will be
listed, at most ``ahead`` places beyond the ones already taken (each made client holds a
socket and ~150 kB until its place is listed), and closes the clients of the places that
are done. Nothing more is sent than before, and no sooner than ``ahead`` places early:
the DescribeImages calls stay within the pool. A place whose turn comes before its client
is made makes it itself, as before.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amitui.aws.clients import AwsClients


@dataclass(slots=True)
class _Made:
    clients: AwsClients | None = None
    ec2: Any = None
    error: BaseException | None = None


class PlaceClients:
    """Listing clients for ``places`` (``account/region``), made ahead by a thread.

    ``clients_of(account)`` gives an account's ``AwsClients`` (it may raise: the error is
    handed to the place's ``take``, as if the place had made it itself)."""

    def __init__(
        self,
        places: Sequence[str],
        clients_of: Callable[[str], AwsClients],
        ahead: int,
    ) -> None:
        self._places = list(places)
        self._clients_of = clients_of
        self._ahead = max(0, ahead)
        self._made: dict[str, _Made] = {}
        self._making: str | None = None
        self._next = 0  # the next place to make
        self._closing: deque[tuple[AwsClients, str]] = deque()
        self._stopped = False
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def start(self) -> PlaceClients:
        self._thread = threading.Thread(target=self._run, name="amitui-place-clients", daemon=True)
        self._thread.start()
        return self

    def take(self, place: str) -> tuple[AwsClients, Any]:
        """The place's account clients and listing client (made now if not made yet);
        raises what making them raised."""
        with self._changed:
            while self._making == place:
                self._changed.wait()
            made = self._made.pop(place, None)
            if made is None:
                self._skip(place)
            self._changed.notify_all()
        if made is None:
            made = self._make(place)
        if made.error is not None:
            raise made.error
        assert made.clients is not None
        return made.clients, made.ec2

    def done(self, clients: AwsClients, region: str) -> None:
        """The place is listed: its client is closed by the thread (not by the slot)."""
        with self._changed:
            if self._stopped:
                closing_now = True
            else:
                self._closing.append((clients, region))
                closing_now = False
            self._changed.notify_all()
        if closing_now:
            clients.release_listing(region)

    def stop(self) -> None:
        """No more places will be taken: the thread closes the clients made and not taken
        (one being made: once it is) and ends. Returns at once (a client being made may
        wait on an AssumeRole)."""
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    # -- the thread ------------------------------------------------------------------

    def _skip(self, place: str) -> None:
        """A place taken before the thread reached it is not made by the thread."""
        if place in self._places[self._next :]:
            self._places.remove(place)

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._stopped and not self._closing and not self._due():
                    self._changed.wait()
                closing = list(self._closing)
                self._closing.clear()
                stopped = self._stopped
                if stopped:  # what was made and not taken is closed too
                    closing += [
                        (made.clients, place.rpartition("/")[2])
                        for place, made in self._made.items()
                        if made.clients is not None
                    ]
                    self._made.clear()
                place = None
                if not closing and not stopped:
                    place = self._places[self._next]
                    self._next += 1
                    self._making = place
            for clients, region in closing:
                clients.release_listing(region)
            if stopped:
                return
            if place is None:
                continue
            made = self._make(place)
            with self._changed:
                self._making = None
                self._made[place] = made
                self._changed.notify_all()

    def _due(self) -> bool:
        """A place is left to make, and fewer than ``ahead`` made ones wait for their turn."""
        return self._next < len(self._places) and len(self._made) < self._ahead

    def _make(self, place: str) -> _Made:
        account, _, region = place.rpartition("/")
        try:
            clients = self._clients_of(account)
            return _Made(clients, clients.listing_ec2(region))
        except Exception as exc:  # handed to the place's take
            return _Made(error=exc)
