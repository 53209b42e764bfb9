"""A clock a test sets by hand (``clock.t += 10``): pass it where a ``clock=`` is taken."""

from __future__ import annotations


class Clock:
    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t
