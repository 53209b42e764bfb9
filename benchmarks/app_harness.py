"""Run the real AmiTui headless against an instant, in-memory EC2 (for the table benchmarks).
The app lists it by paging (``listing="paged"``).

``InstantClients`` is an ``AwsClients`` whose ``ec2()`` answers DescribeImages with the
canned catalogue's botocore-shaped dicts, so the app's whole path (thread worker,
``iter_image_pages``, ``Image.from_api``, messages, ``ImageRows``, the table) runs with no
network and no XML parsing. ``Paints`` records every screen update the app makes
(tests.support.textual_hooks.on_paint, headless included): a latency is "from the key
press to the first screen update that shows its effect". The app tests' in-memory EC2,
which serves the sandbox's catalogue, is tests/support/memory_ec2.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from amitui.aws.clients import AwsClients, Identity
from benchmarks.canned_ec2 import ACCOUNT, iter_raw
from tests.support.textual_hooks import on_paint


class InstantEc2:
    """DescribeImages from memory: any MaxResults, NextToken = the next image's index."""

    def __init__(self, images: int, raws: list[dict[str, Any]] | None = None) -> None:
        self.images = images
        self.raws = raws  # None: made as asked, so only one page is alive at a time
        self._stream: Iterator[dict[str, Any]] = iter(())
        self._at = -1  # where the stream is (nowhere yet)

    def describe_images(self, **params: Any) -> dict[str, Any]:
        if params.get("ImageIds"):
            wanted = set(params["ImageIds"])
            return {"Images": [r for r in iter_raw(self.images) if r["ImageId"] in wanted]}
        start = int(params.get("NextToken") or 0)
        end = min(start + int(params.get("MaxResults") or 1000), self.images)
        if self.raws is not None:
            page = self.raws[start:end]
        else:
            if start != self._at:
                self._stream = islice(iter_raw(self.images), start, None)
            page = list(islice(self._stream, end - start))
            self._at = end
        answer: dict[str, Any] = {"Images": page}
        if end < self.images:
            answer["NextToken"] = str(end)
        return answer

    def __getattr__(self, name: str) -> Callable[..., dict[str, Any]]:
        return lambda **_: {}  # task polling and the like: nothing to report


def catalogue(images: int) -> list[dict[str, Any]]:
    return list(iter_raw(images))


class InstantClients(AwsClients):
    def __init__(self, ec2: InstantEc2) -> None:
        super().__init__(endpoint_url="http://instant.invalid", default_region="us-east-1")
        self._ec2 = ec2

    def ec2(self, region: str | None = None) -> Any:
        return self._ec2

    def listing_ec2(self, region: str | None = None) -> Any:
        return self._ec2  # dicts, no XML: rows built by Image.from_api

    def identity(self) -> Identity:
        return Identity(account=ACCOUNT, arn=f"arn:aws:iam::{ACCOUNT}:user/bench")


def make_instant_app(ec2: InstantEc2) -> Any:
    """The app exactly as ``amitui`` builds it, its AWS clients swapped for instant ones."""
    from amitui.cli import make_app
    from amitui.settings import Settings

    # Paged: this EC2 answers at once and knows no creation-date filter; partitions only
    # pay with latency (benchmarks/partitioned.py).
    settings = Settings(endpoint_url="http://instant.invalid", cache=False, listing="paged")
    return make_app(settings, InstantClients(ec2))


class Paints:
    """Times the app's screen updates: the first paint at which a condition holds."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.count = 0
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        on_paint(app, self._timed)

    def _timed(self) -> None:
        self.count += 1
        now = time.perf_counter()
        for ready, future in self._waiters:
            if not future.done() and ready():  # checked as the paint happens
                future.set_result(now)

    def expect(self, ready: Callable[[], bool] = lambda: True) -> asyncio.Future[float]:
        """Arm before acting: resolves to the time of the first paint at which ``ready()``."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters.append((ready, future))
        return future

    async def latencies(
        self, action: Callable[[], Any], *readies: Callable[[], bool], timeout: float = 10.0
    ) -> list[float]:
        """Seconds from starting ``action`` (sync or async) to the first paint at which each
        of ``readies`` holds."""
        futures = [self.expect(ready) for ready in readies]
        started = time.perf_counter()
        try:
            result = action()
            if asyncio.iscoroutine(result):
                await result
            return [await asyncio.wait_for(f, timeout) - started for f in futures]
        finally:
            self._waiters.clear()

    async def latency(
        self, action: Callable[[], Any], ready: Callable[[], bool], timeout: float = 10.0
    ) -> float:
        """Seconds from starting ``action`` (sync or async) to the paint that shows it."""
        return (await self.latencies(action, ready, timeout=timeout))[0]
