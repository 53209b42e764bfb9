"""Listing from a zero-latency endpoint: boto3 paging (a tuned floor, and the naive loop)
vs the app, from exec in a pseudo-terminal and headless (partitioned and paged).

Every round runs them all against the same canned endpoint (a child process) one after
the other, so each ratio compares figures taken under the same machine load. Times start
before the boto3 Session is made (the app makes its own), so all pay for client creation;
in-process imports are paid once, before any timing (the pty app pays its own).

    python -m benchmarks.listing [--runs 5] [--images 100000] [--variants floor,naive,...]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from amitui.aws.images import FIRST_PAGE
from benchmarks.common import (
    Section,
    canned_endpoint,
    median,
    secs,
    settle,
    use_bench_env,
    verdict,
)
from benchmarks.startup import app_in_pty
from tests.support.textual_hooks import on_paint

REGION = "us-east-1"
FOUR_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1")


def _boto3_paging(url: str, expected: int, first_page: int, freeze: bool) -> dict[str, float]:
    import boto3

    from amitui.aws.images import ListQuery

    started = time.perf_counter()
    ec2 = boto3.Session(region_name=REGION).client("ec2", endpoint_url=url)
    params: dict[str, Any] = {**ListQuery().request(), "MaxResults": first_page}
    first, count = math.nan, 0
    while True:
        answer = ec2.describe_images(**params)
        count += len(answer["Images"])
        if freeze:
            gc.freeze()  # no full collection walks the pages (the app runs none while listing)
        if math.isnan(first):
            first = time.perf_counter() - started
        token = answer.get("NextToken")
        if not token:
            break
        params["NextToken"] = token
        params["MaxResults"] = 1000
    assert count == expected, count
    return {"first": first, "all": time.perf_counter() - started}


def raw_boto3(url: str, expected: int) -> dict[str, float]:
    """Naive: botocore's own paging and parsing, pages of 1000, nothing else."""
    return _boto3_paging(url, expected, first_page=1000, freeze=False)


def tuned_boto3(url: str, expected: int) -> dict[str, float]:
    """The floor: the app's page sizes (100 first, then 1000s) and no full garbage collection
    while pages arrive (one ``gc.freeze()`` per page; the app's collector runs none while a
    listing streams in), botocore's parse and nothing else."""
    return _boto3_paging(url, expected, first_page=FIRST_PAGE, freeze=True)


def image_pages(url: str, expected: int) -> dict[str, float]:
    """amitui.aws: the app's listing client (its Config, its own DescribeImages parser) +
    iter_image_pages (Image records)."""
    from amitui.aws.clients import AwsClients
    from amitui.aws.images import ListQuery, iter_image_pages

    started = time.perf_counter()
    ec2 = AwsClients(endpoint_url=url, default_region=REGION).listing_ec2(REGION)
    first, count = math.nan, 0
    for page in iter_image_pages(ec2, REGION, ListQuery(), 1000):
        count += len(page)
        if math.isnan(first):
            first = time.perf_counter() - started
    assert count == expected, count
    return {"first": first, "all": time.perf_counter() - started}


async def _app(url: str, expected: int, regions: Sequence[str], listing: str) -> dict[str, float]:
    from amitui.cli import make_app
    from amitui.settings import Settings

    started = time.perf_counter()
    settings = Settings(endpoint_url=url, regions=tuple(regions), cache=False, listing=listing)
    app: Any = make_app(settings)
    marks: dict[str, float] = {}
    done = asyncio.Event()

    def timed_display() -> None:  # after every screen update, headless too
        inventory = app.inventory
        if "first" not in marks and inventory.rows.total:
            marks["first"] = time.perf_counter() - started
        if inventory.rows.total == expected and not inventory.listing.pages_by_region:
            marks["all"] = time.perf_counter() - started
            done.set()

    on_paint(app, timed_display)
    async with app.run_test(headless=True, size=(160, 45)):
        await asyncio.wait_for(done.wait(), timeout=600)
        status = str(app.inventory.query_one("#status").render())
    assert f"{expected:,} images" in status, status
    return marks


def app_headless(
    url: str, expected: int, regions: Sequence[str] = (REGION,), listing: str = "partitioned"
) -> dict[str, float]:
    """AmiTui headless at 160x45: first row painted, and every row listed and painted."""
    return asyncio.run(_app(url, expected, regions, listing))


def app_from_exec(url: str, expected: int) -> dict[str, float]:
    """``amitui`` in a pseudo-terminal, from exec (CPU: the child's)."""
    got = app_in_pty(url)
    assert got["images"] == expected, got
    return got


VARIANTS: dict[str, tuple[str, Callable[[str, int], dict[str, float]]]] = {
    "floor": ("tuned boto3 paging: 100 then 1000s, gc.freeze a page (floor)", tuned_boto3),
    "naive": ("naive boto3 paging: 1000s", raw_boto3),
    "aws": ("amitui.aws iter_image_pages", image_pages),
    "pty": ("app from exec in a pty (the default listing, auto)", app_from_exec),
    "app": ("app headless, partitioned", app_headless),
    "paged": ("app headless, `--listing paged`", lambda u, e: app_headless(u, e, listing="paged")),
}
#: What ``listing()`` runs by default (``aws`` on request: ``--variants``).
DEFAULT_VARIANTS = ("floor", "naive", "pty", "app", "paged")


def listing(runs: int, images: int, variants: Sequence[str] = DEFAULT_VARIANTS) -> Section:
    use_bench_env()
    results: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    with canned_endpoint(1000) as url:
        app_headless(url, 1000)  # warm-up: imports and first-use caches, on a small catalogue
    with canned_endpoint(images) as url:
        for n in range(runs):
            for name in variants:
                settle()
                cpu = time.process_time()
                results[name].append(run := VARIANTS[name][1](url, images))
                run.setdefault("cpu", time.process_time() - cpu)
            line = "  ".join(
                f"{k} {v[-1]['first']:.2f}/{v[-1]['all']:.2f}s" for k, v in results.items() if v
            )
            print(f"  listing round {n + 1}/{runs}: {line}", flush=True)

    def med(name: str, key: str) -> float:
        return median([r[key] for r in results[name]])

    def vs_floor(name: str, key: str, how: Callable[[float, float], float]) -> float:
        pairs = zip(results[name], results["floor"], strict=False)  # same rounds only
        return median([how(a[key], f[key]) for a, f in pairs])

    section = Section(
        f"Listing {images:,} images (medians of {runs} rounds)",
        [
            "",
            "first page / row",
            "all",
            "all ÷ floor",
            "CPU ÷ floor's",
            "first - floor's first",
            "target",
        ],
    )
    for name in variants:
        label = VARIANTS[name][0]
        ratio = vs_floor(name, "all", lambda a, f: a / f)
        lag = vs_floor(name, "first", lambda a, f: a - f)
        target = ""
        if name == "pty":
            pairs = zip(results[name], results["floor"], strict=True)
            worst = max(a["all"] / f["all"] for a, f in pairs)
            target = f"worst ≤ 1.00x: {verdict(worst <= 1.0)} (worst {worst:.3f})"
        section.rows.append(
            [
                label,
                secs(med(name, "first")),
                secs(med(name, "all")),
                f"{ratio:.3f}",
                f"{vs_floor(name, 'cpu', lambda a, f: a / f):.3f}",
                secs(lag),
                target,
            ]
        )
    section.notes.append(
        "Each round runs them back to back against one canned endpoint (a child process); "
        "ratios and differences are per round, then medians. CPU is this process's (all "
        "threads): steadier than wall time on a shared machine."
    )
    section.notes.append(
        "Clocks start before the boto3 Session is made; the headless app's also covers "
        "building the app, mounting the screen and the concurrent sts GetCallerIdentity call. "
        "The pty app's clock starts before fork+exec (interpreter start and imports count) "
        "and stops when the status line says every image is loaded; its CPU is the child's."
    )
    section.notes.append(
        "The floor asks for the app's page sizes (100 first, then 1000s) and calls "
        "gc.freeze() after each page (no full collection walks the pages; the app's collector "
        "runs none while a listing streams in); the naive loop asks for 1000s and "
        "leaves the collector alone. At zero latency the partitioned listing cannot gain: "
        "its partitions only overlap waiting (see the latency-model section)."
    )
    return section


def multi_region(runs: int, per_region: int, delay_ms: float) -> Section:
    use_bench_env()
    one, four = [], []
    with canned_endpoint(per_region, delay_ms=delay_ms, regions=FOUR_REGIONS) as url:
        app_headless(url, per_region)
        for _ in range(runs):
            settle()
            one.append(app_headless(url, per_region, FOUR_REGIONS[:1]))
            settle()
            four.append(app_headless(url, 4 * per_region, FOUR_REGIONS))
    ratio = median([f["all"] / o["all"] for f, o in zip(four, one, strict=True)])
    section = Section(
        f"Multi-region: {per_region:,} images per region, {delay_ms:.0f} ms per page "
        f"(app headless, medians of {runs})",
        ["regions", "first row", "all rows", "÷ one region", "if sequential"],
    )
    section.rows.append(
        [
            "1",
            secs(median([o["first"] for o in one])),
            secs(median([o["all"] for o in one])),
            "1.00",
            "1",
        ]
    )
    section.rows.append(
        [
            "4",
            secs(median([f["first"] for f in four])),
            secs(median([f["all"] for f in four])),
            f"{ratio:.2f}",
            "4",
        ]
    )
    return section


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.listing")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument(
        "--variants",
        default=",".join(DEFAULT_VARIANTS),
        help=f"comma-separated, the floor first: {','.join(VARIANTS)}",
    )
    parser.add_argument("--no-multi-region", action="store_true")
    args = parser.parse_args(argv)
    variants = [v for v in args.variants.split(",") if v]
    if variants[:1] != ["floor"] or set(variants) - set(VARIANTS):
        parser.error(f"--variants: the floor first, then any of {','.join(VARIANTS)}")
    print(listing(args.runs, args.images, variants).markdown())
    if not args.no_multi_region:
        for delay in (0, 300):
            print(multi_region(args.runs, 5000, delay).markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
