"""Fixtures of the reliability suite: a fault-injecting proxy whose faults are counted into
the suite's figures, and the figures' summary. (Each test's own app directories:
tests/conftest.py.)"""

from __future__ import annotations

import pytest

from tests.reliability.figures import FIGURES


@pytest.fixture
def proxy(sandbox):
    """A fault-injecting proxy in front of the sandbox; its faults count in the figures."""
    from tests.support.proxy import RecordingProxy

    box = RecordingProxy(sandbox.url).start()
    yield box
    FIGURES.faults.update(box.faults)  # before the teardown's own stop
    box.fault = box.fault_by_region = None
    box.stop()


@pytest.fixture
def pending(sandbox):
    """``pending(seconds)``: images stay pending that long for this test (restored after)."""
    before = sandbox.pending_seconds

    def set_pending(seconds: float) -> None:
        sandbox.pending_seconds = seconds

    yield set_pending
    sandbox.pending_seconds = before


@pytest.fixture
def retries_without_waits(monkeypatch) -> list[float]:
    """botocore's retries as configured, minus the real waits (tests/support/retry_waits.py):
    the backoff delays it asked for."""
    from tests.support.retry_waits import retries_without_waits as without_waits

    return without_waits(monkeypatch)
