"""Waiting for time-driven sandbox state: poll with a deadline, never a long sleep."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    read: Callable[[], T],
    done: Callable[[T], bool],
    *,
    timeout: float = 15.0,
    interval: float = 0.1,
) -> list[T]:
    """Call ``read`` until ``done(value)``; return every value seen (the history).

    Fails the test with the last value when the deadline passes.
    """
    seen: list[T] = []
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        seen.append(value)
        if done(value):
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout} s; last value: {value!r}")
        time.sleep(interval)


def collapse(values: list[T]) -> list[T]:
    """The history without consecutive repeats: [a, a, b, b, c] -> [a, b, c]."""
    out: list[T] = []
    for value in values:
        if not out or out[-1] != value:
            out.append(value)
    return out
