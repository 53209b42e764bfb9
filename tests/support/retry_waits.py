"""botocore's retries as configured, without their real waits (``retries_without_waits``):
the same attempts and retry decisions, adaptive mode's rate limiter engaged by throttles,
but the backoff delays it asks for are recorded and slept as 0 s, and the limiter's clock
leaps a minute at each reading (its token bucket is always full again). For tests that
prove a call is retried, absorbed or reported, not how long botocore waits."""

from __future__ import annotations

import botocore.retries.bucket
import botocore.retries.standard
import pytest


class LeapingClock(botocore.retries.bucket.Clock):
    """The adaptive retry mode's clock, a minute later at each reading: its token bucket
    is always full again, so the client never waits for a token."""

    def __init__(self) -> None:
        self.now = 0.0

    def current_time(self) -> float:
        self.now += 60.0
        return self.now

    def sleep(self, amount: float) -> None:
        self.now += amount


def retries_without_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Patch botocore for the test (clients made from now on); the delays it asked for."""
    asked: list[float] = []
    backoff = botocore.retries.standard.ExponentialBackoff.delay_amount

    def delay_amount(self, context) -> float:
        asked.append(backoff(self, context))
        return 0.0

    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", delay_amount)
    monkeypatch.setattr(botocore.retries.bucket, "Clock", LeapingClock)
    return asked
