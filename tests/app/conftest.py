"""App tests keep their task store, cache and config in a temporary folder of their own."""

from __future__ import annotations

import pytest

from tests.support.app_dirs import isolated_app_dirs  # noqa: F401  (autouse)


@pytest.fixture
def proxy(sandbox):
    """A recording proxy in front of the sandbox: counts the actions that reach it."""
    from tests.support.proxy import RecordingProxy

    box = RecordingProxy(sandbox.url).start()
    yield box
    box.stop()


@pytest.fixture
def slow_sandbox(sandbox):
    """The session's sandbox with images that stay pending for a minute (for cancels)."""
    before = sandbox.pending_seconds
    sandbox.pending_seconds = 60.0
    yield sandbox
    sandbox.pending_seconds = before
