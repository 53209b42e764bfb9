"""Fixtures of the app suite (each test's own app directories: tests/conftest.py).

The UI-behaviour tests (filtering, sorting, pickers, keys, read-only keys, chrome) run on
``memory``, the in-memory EC2; the actions, tasks and cache run end to end on the HTTP
sandbox (``sandbox``, ``proxy``)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def memory(sandbox, ec2):
    """The in-memory EC2 (tests/support/memory_ec2.py): the sandbox's seeded catalogue,
    recorded once and served from memory. Pass it to ``make_app`` instead of a URL."""
    from tests.support.memory_ec2 import MemoryEndpoint

    sandbox.reset()  # the seeded catalogue, whatever earlier tests made
    endpoint = MemoryEndpoint(ec2, sandbox.url)
    for region in ("us-east-1", "eu-west-1", "ap-southeast-2"):
        endpoint.listing(region, {"Owners": ["self"]})
    return endpoint


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


@pytest.fixture
def organization(sandbox):
    """The sandbox's organization (tests/app/organization.py): ``.summary`` (what was
    seeded), ``.app(**overrides)`` (the app with --accounts org), ``.ec2(region, account)``."""
    from tests.app.organization import Organization

    return Organization(sandbox)
