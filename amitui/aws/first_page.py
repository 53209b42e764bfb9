"""Each region's first DescribeImages page, asked for while the UI is still loading.

The app's listing worker starts once the screen is mounted: after Textual is imported and
the first frame is drawn (about half a second of CPU). Only then would the first request
go out, and on AWS that page takes its own server time on top. ``AwsClients.prefetch``
sends each region's first request right away instead, from a thread per region, while
the UI loads; the listing's first call with the same parameters then takes that answer
(or raises that error) rather than asking again. Any other call, any later one, and every
call once a prefetched answer was taken go to the endpoint as usual.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any


class FirstPage:
    """One region's prefetched DescribeImages call: its parameters and its outcome."""

    def __init__(self, ec2: Any, params: dict[str, Any]) -> None:
        self.params = dict(params)
        self.outcome: Future[dict[str, Any]] = Future()
        self._taken = False
        self._lock = threading.Lock()
        thread = threading.Thread(
            target=self._ask, args=(ec2,), name="first-page", daemon=True
        )  # daemon: quitting before the answer does not wait for it
        thread.start()

    def _ask(self, ec2: Any) -> None:
        try:
            self.outcome.set_result(ec2.describe_images(**self.params))
        except BaseException as exc:  # handed to the listing, which says it
            self.outcome.set_exception(exc)

    @property
    def taken(self) -> bool:
        return self._taken

    def take(self, params: dict[str, Any]) -> Future[dict[str, Any]] | None:
        """The outcome, once, for the same parameters; None otherwise."""
        with self._lock:
            if self._taken or params != self.params:
                return None
            self._taken = True
            return self.outcome


class PrefetchedEc2:
    """An EC2 client whose DescribeImages call with the prefetched parameters is answered
    by the prefetch (once); every other attribute is the client's."""

    def __init__(self, ec2: Any, first: FirstPage) -> None:
        self._ec2 = ec2
        self._first = first

    def describe_images(self, **params: Any) -> dict[str, Any]:
        outcome = self._first.take(params)
        if outcome is not None:
            return outcome.result()
        return self._ec2.describe_images(**params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ec2, name)
