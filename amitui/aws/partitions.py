"""A listing faster than paging: one DescribeImages scope split by creation date.

NextToken paging is strictly sequential, and on AWS a page of 1000 images takes seconds
of server time. But the ``creation-date`` filter takes wildcards (``2024-*``,
``2024-03-*``), so disjoint parts of one listing can be fetched at once and merged:

1. The first page is asked for as usual (small, so rows show at once). A scope that fits
   in it costs that one call, as before.
2. Otherwise every year from ``FIRST_YEAR`` to next year is a partition, newest first,
   fetched by a bounded pool of threads sharing one client (botocore's adaptive retry
   mode keeps one rate limiter per client: on RequestLimitExceeded every partition backs
   off together). A year whose first page is not the whole year splits into its twelve
   months; a month pages on with NextToken.
3. Images created while the listing ran are dated today: today's partition (and the
   start's day, if the listing crossed midnight) is asked for once more at the end.

``iter_auto_pages`` (the app's default) takes this way only once paging has proved slow:
it asks for one full page by NextToken first, and partitions the rest only if that page
took ``SLOW_PAGE`` seconds or more (against a fast endpoint, paging costs fewer calls).

Every image is yielded exactly once (ids already seen are dropped: the first page and a
split year's first page come again in their partitions). Where the endpoint refuses the
filter, the listing falls back to sequential paging from the first page's NextToken and
says so on the ``amitui.aws`` logger (``--debug-log`` writes it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from amitui.aws.errors import error_code
from amitui.aws.images import (
    FIRST_PAGE,
    Image,
    ListQuery,
    first_request,
    iter_image_pages,
    page_images,
)

log = logging.getLogger("amitui.aws.listing")

#: No AMI is older than EC2's launch.
FIRST_YEAR = 2006
#: Partition requests in flight at once, per region.
WORKERS = 6
#: Auto listing: a full page this slow (seconds) or slower makes partitions pay off.
SLOW_PAGE = 0.5
#: Error codes that mean the endpoint does not take the creation-date filter.
FILTER_REFUSED = ("InvalidParameterValue", "InvalidParameterCombination", "InvalidFilter")


@dataclass(frozen=True, slots=True)
class Part:
    """One partition request: a creation-date pattern, and where its paging stands."""

    pattern: str
    token: str | None = None
    splits: bool = False  # a year: split into months if its first page is not all of it


def year_parts(now: datetime) -> list[Part]:
    """Every year an image can be from, newest first (next year too: clocks differ)."""
    return [Part(f"{year}-*", splits=True) for year in range(now.year + 1, FIRST_YEAR - 1, -1)]


def month_parts(year_pattern: str) -> list[Part]:
    year = year_pattern[:4]
    return [Part(f"{year}-{month:02d}-*") for month in range(12, 0, -1)]


def day_patterns(started: datetime, finished: datetime) -> list[str]:
    """The days images created during the listing are dated (UTC)."""
    days = {started.strftime("%Y-%m-%d"), finished.strftime("%Y-%m-%d")}
    return [f"{day}*" for day in sorted(days, reverse=True)]


class FilterRefused(Exception):
    """The endpoint answered a creation-date partition with a parameter error."""


def iter_partitioned_pages(
    ec2: Any,
    region: str,
    query: ListQuery,
    page_size: int = 1000,
    cancelled: Callable[[], bool] = lambda: False,
    first_page: int = FIRST_PAGE,
    workers: int = WORKERS,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Iterator[list[Image]]:
    """Yield lists of Images as they arrive, each image exactly once (see the module):
    everything past the first page by partitions."""
    return _listing(ec2, region, query, page_size, cancelled, first_page, workers, clock, None)


def iter_auto_pages(
    ec2: Any,
    region: str,
    query: ListQuery,
    page_size: int = 1000,
    cancelled: Callable[[], bool] = lambda: False,
    first_page: int = FIRST_PAGE,
    workers: int = WORKERS,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    slow: float = SLOW_PAGE,
    timer: Callable[[], float] = time.monotonic,
) -> Iterator[list[Image]]:
    """The default listing: page while paging is fast, partition once it is slow.

    The first (small) page and one full page come by NextToken paging, as a pager would
    ask for them. A scope they hold costs those calls and no more. If more remains and
    the full page took ``slow`` seconds or longer (AWS takes seconds for 1000 images), the
    rest comes by creation-date partitions, fetched at once; otherwise paging goes on
    (against a fast endpoint, partitions cost more calls than they save). Each image is
    yielded once either way; the debug log says which way was taken."""
    probe = (slow, timer)
    return _listing(ec2, region, query, page_size, cancelled, first_page, workers, clock, probe)


#: The listing ways by their setting's name (``--listing``): the UI, the fan-out over
#: accounts and ``amitui list`` all pick theirs here.
LISTINGS: dict[str, Callable[..., Iterator[list[Image]]]] = {
    "auto": iter_auto_pages,
    "partitioned": iter_partitioned_pages,
    "paged": iter_image_pages,
}


def _listing(
    ec2: Any,
    region: str,
    query: ListQuery,
    page_size: int,
    cancelled: Callable[[], bool],
    first_page: int,
    workers: int,
    clock: Callable[[], datetime],
    probe: tuple[float, Callable[[], float]] | None,
) -> Iterator[list[Image]]:
    """The first page; with a ``probe`` (slow, timer), one full page timed, and paging
    on if it was fast; then the rest by partitions."""
    started = clock()
    base = query.request()
    answer = ec2.describe_images(**first_request(query, page_size, first_page))
    seen: set[str] = set()
    yield _fresh(answer, region, seen)
    token = answer.get("NextToken")
    if not token or cancelled():
        return
    if probe is not None:
        slow, timer = probe
        asked = timer()
        answer = ec2.describe_images(**base, MaxResults=page_size, NextToken=token)
        took = timer() - asked
        yield _fresh(answer, region, seen)
        token = answer.get("NextToken")
        if not token or cancelled():
            return
        if took < slow:
            log.info(
                "%s: a page of %d took %.2f s (under %.2f s): listing the rest by paging",
                region,
                page_size,
                took,
                slow,
            )
            yield from _sequential(ec2, region, base, page_size, cancelled, seen, token)
            return
    yield from _by_partitions(
        ec2, region, base, page_size, cancelled, workers, seen, started, token, clock
    )


def _by_partitions(
    ec2: Any,
    region: str,
    base: dict[str, Any],
    page_size: int,
    cancelled: Callable[[], bool],
    workers: int,
    seen: set[str],
    started: datetime,
    token: str,
    clock: Callable[[], datetime],
) -> Iterator[list[Image]]:
    """The rest of a listing by creation-date partitions (paging on from ``token`` where
    the endpoint refuses the filter), then today's partition once more."""
    log.info(
        "%s: listing the rest by creation-date partitions, %d requests at a time", region, workers
    )
    try:
        yield from _concurrent(ec2, region, base, page_size, cancelled, workers, seen, started)
    except FilterRefused as refused:
        log.info(
            "%s: DescribeImages refused the creation-date filter (%s); listing the rest by "
            "sequential paging",
            region,
            refused,
        )
        yield from _sequential(ec2, region, base, page_size, cancelled, seen, token)
        return
    if cancelled():
        return
    for pattern in day_patterns(started, clock()):
        for page in _paged(ec2, base, page_size, cancelled, pattern):
            if batch := _fresh(page, region, seen):
                yield batch


def _concurrent(
    ec2: Any,
    region: str,
    base: dict[str, Any],
    page_size: int,
    cancelled: Callable[[], bool],
    workers: int,
    seen: set[str],
    now: datetime,
) -> Iterator[list[Image]]:
    def fetch(part: Part) -> tuple[Part, dict[str, Any]]:
        params = dict(base, MaxResults=page_size, Filters=_filter(part.pattern))
        if part.token:
            params["NextToken"] = part.token
        try:
            return part, ec2.describe_images(**params)
        except Exception as exc:
            if error_code(exc) in FILTER_REFUSED:
                raise FilterRefused(f"{error_code(exc)}") from exc
            raise

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"list-{region}")
    running: set[Future] = set()
    try:
        running = {pool.submit(fetch, part) for part in year_parts(now)}
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            if cancelled():
                return
            for future in done:
                part, answer = future.result()
                next_token = answer.get("NextToken")
                if next_token and part.splits:
                    running |= {pool.submit(fetch, month) for month in month_parts(part.pattern)}
                elif next_token:
                    running.add(pool.submit(fetch, Part(part.pattern, next_token)))
                if batch := _fresh(answer, region, seen):
                    yield batch
    finally:
        for future in running:
            future.cancel()
        pool.shutdown(wait=False, cancel_futures=True)


def _sequential(
    ec2: Any,
    region: str,
    base: dict[str, Any],
    page_size: int,
    cancelled: Callable[[], bool],
    seen: set[str],
    token: str,
) -> Iterator[list[Image]]:
    params = dict(base, MaxResults=page_size, NextToken=token)
    while not cancelled():
        answer = ec2.describe_images(**params)
        if batch := _fresh(answer, region, seen):
            yield batch
        if not answer.get("NextToken"):
            return
        params["NextToken"] = answer["NextToken"]


def _paged(
    ec2: Any, base: dict[str, Any], page_size: int, cancelled: Callable[[], bool], pattern: str
) -> Iterator[dict[str, Any]]:
    params = dict(base, MaxResults=page_size, Filters=_filter(pattern))
    while not cancelled():
        answer = ec2.describe_images(**params)
        yield answer
        if not answer.get("NextToken"):
            return
        params["NextToken"] = answer["NextToken"]


def _filter(pattern: str) -> list[dict[str, Any]]:
    return [{"Name": "creation-date", "Values": [pattern]}]


def _fresh(answer: dict[str, Any], region: str, seen: set[str]) -> list[Image]:
    """The page's images not yielded before (and now marked as yielded)."""
    out = []
    for image in page_images(answer, region):
        if image.image_id in seen:
            continue
        seen.add(image.image_id)
        out.append(image)
    return out


__all__ = ["iter_auto_pages", "iter_partitioned_pages"]
