"""PlaceClients: each account/region place's listing client made ahead of its turn by a
thread of its own, never more than ``ahead`` beyond the places taken, and closed after."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from amitui.aws.place_clients import PlaceClients

WAIT = 30  # seconds: a safety bound on waiting for a state, never a measure


class FakeClients:
    """An account's AwsClients: records the listing clients made and released."""

    def __init__(self, account: str, log: Log) -> None:
        self.account = account
        self.log = log

    def listing_ec2(self, region: str) -> Any:
        return self.log.made(f"{self.account}/{region}")

    def release_listing(self, region: str) -> None:
        self.log.released(f"{self.account}/{region}")


class Log:
    def __init__(self, refused: tuple[str, ...] = ()) -> None:
        self.refused = refused
        self.making: list[tuple[str, str]] = []  # (place, thread name)
        self.closed: list[str] = []
        self.changed = threading.Condition()

    def clients_of(self, account: str) -> FakeClients:
        if account in self.refused:
            raise RuntimeError(f"{account}: AccessDenied")
        return FakeClients(account, self)

    def made(self, place: str) -> str:
        with self.changed:
            self.making.append((place, threading.current_thread().name))
            self.changed.notify_all()
        return f"ec2 of {place}"

    def released(self, place: str) -> None:
        with self.changed:
            self.closed.append(place)
            self.changed.notify_all()

    def wait_for(self, state: Any) -> None:
        with self.changed:
            assert self.changed.wait_for(state, timeout=WAIT), "the state never came"


PLACES = [f"{a}/{r}" for a in ("111111111111", "222222222222") for r in ("r1", "r2", "r3")]


def test_the_thread_makes_places_in_order_and_no_more_than_ahead() -> None:
    log = Log()
    made = PlaceClients(PLACES, log.clients_of, ahead=2).start()
    try:
        log.wait_for(lambda: len(log.making) == 2)
        clients, ec2 = made.take(PLACES[0])
        assert ec2 == f"ec2 of {PLACES[0]}" and clients.account == "111111111111"
        log.wait_for(lambda: len(log.making) == 3)  # one taken: one more is made
        assert [p for p, _ in log.making] == PLACES[:3]
        assert {t for _, t in log.making} == {"amitui-place-clients"}
    finally:
        made.stop()
    assert made._thread is not None
    made._thread.join(WAIT)
    assert len(log.making) == 3  # nothing beyond "ahead" was made before the end
    assert sorted(log.closed) == sorted(PLACES[1:3])  # the untaken ones, closed at the end


def test_a_place_taken_before_the_thread_reached_it_makes_its_own_client_once() -> None:
    log = Log()
    made = PlaceClients(PLACES, log.clients_of, ahead=1).start()
    try:
        last = PLACES[-1]
        _, ec2 = made.take(last)
        assert ec2 == f"ec2 of {last}"
        assert (last, threading.current_thread().name) in log.making
        for place in PLACES[:-1]:
            made.take(place)
    finally:
        made.stop()
    made_places = [p for p, _ in log.making]
    assert sorted(made_places) == sorted(PLACES)  # each once, however it was made


def test_done_closes_the_client_in_the_thread_and_stop_closes_the_untaken() -> None:
    log = Log()
    made = PlaceClients(PLACES, log.clients_of, ahead=3).start()
    log.wait_for(lambda: len(log.making) == 3)
    clients, _ = made.take(PLACES[0])
    made.done(clients, "r1")
    log.wait_for(lambda: PLACES[0] in log.closed and len(log.making) == 4)
    made.stop()
    # the three made and never taken are closed too (by the thread), and nothing more made
    log.wait_for(lambda: len(log.closed) == 4)
    assert sorted(log.closed) == sorted(PLACES[:4]) == sorted(p for p, _ in log.making)
    closed_by = made._thread
    assert closed_by is not None
    closed_by.join(WAIT)
    assert not closed_by.is_alive() and len(log.making) == 4


def test_an_account_that_cannot_be_reached_fails_its_places_at_their_turn() -> None:
    log = Log(refused=("111111111111",))
    made = PlaceClients(PLACES, log.clients_of, ahead=6).start()
    try:
        with pytest.raises(RuntimeError, match="AccessDenied"):
            made.take(PLACES[0])  # made (and failed) by the thread, raised here
        with pytest.raises(RuntimeError, match="AccessDenied"):
            made.take(PLACES[1])
        _, ec2 = made.take(PLACES[3])
        assert ec2 == f"ec2 of {PLACES[3]}"
    finally:
        made.stop()
