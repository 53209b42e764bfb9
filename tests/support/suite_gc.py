"""Garbage collection in a test process: full collections on the suite's schedule.

A test worker holds pytest, botocore's models, moto, Textual and every test module it has
imported: 450,000-650,000 tracked objects. Python's own schedule started a full collection
(every tracked object) about once per test, 0.4-0.7 s each on this machine: a quarter of
the whole suite's CPU (``-p tests.support.cpu_report``, and gc.callbacks summed per
worker: 134 s of 543). Here, instead:

- the oldest generation's threshold is ``OLDEST`` (Python's is 10), so Python starts a full
  collection itself after ten times as many young collections;
- every ``EVERY`` tests, between two tests, one full collection runs and what survives it
  is frozen (``gc.freeze``): the imported libraries and fixtures that live on are left out
  of every later collection, which walks only what the tests since made.

Nothing a test checks depends on it: the app's collector (amitui/ui/collector.py) reads the
thresholds it finds and tests compare with what they found; a test's own objects are never
frozen while it runs; objects frozen between tests and dropped later stay in memory until
the process ends. The app's collector leaves a heap someone else froze alone: it marks
no key then (its ``mark``), so a test of the marks runs ``thawed``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

#: Young collections (of the middle generation) between two full ones Python starts itself.
OLDEST = 100
#: Tests between two of the suite's own full collections.
EVERY = 10


class SuiteCollector:
    """Registered by tests/conftest.py: one per test process."""

    def __init__(self) -> None:
        self.tests = 0
        self.saved = gc.get_threshold()
        young, middle, _ = self.saved
        gc.set_threshold(young, middle, OLDEST)

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None) -> None:
        self.tests += 1
        if self.tests % EVERY == 0:
            gc.collect()
            gc.freeze()

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """Python's threshold again; what is frozen stays so (pytest's own last full
        collections, for unraisable exceptions, walk only what the tests left since)."""
        gc.set_threshold(*self.saved)


@contextmanager
def thawed() -> Iterator[None]:
    """Nothing frozen while it lasts (as in the app's own process); what the suite had
    frozen is frozen again after, with what the test left (as the suite does anyway)."""
    frozen = gc.get_freeze_count() > 0
    gc.unfreeze()
    try:
        yield
    finally:
        if frozen:
            gc.freeze()
