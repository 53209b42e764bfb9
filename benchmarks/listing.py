"""Listing: raw boto3 paging (the floor) vs iter_image_pages vs the app, headless.

Every round runs the three against the same canned endpoint (a child process) one after
the other, so each ratio compares figures taken under the same machine load. Times start
before the boto3 Session is made (the app makes its own), so all three pay for client
creation; imports are paid once, before any timing.

    python -m benchmarks.listing [--runs 5] [--images 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.common import (
    Section,
    canned_endpoint,
    median,
    secs,
    settle,
    use_bench_env,
    verdict,
)
from tests.support.textual_hooks import on_paint

REGION = "us-east-1"
FOUR_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1")


def raw_boto3(url: str, expected: int) -> dict[str, float]:
    """The floor: botocore's own paging and parsing, nothing else."""
    import boto3

    from amitui.aws.images import ListQuery

    started = time.perf_counter()
    ec2 = boto3.Session(region_name=REGION).client("ec2", endpoint_url=url)
    params: dict[str, Any] = {**ListQuery().request(), "MaxResults": 1000}
    first, count = math.nan, 0
    while True:
        answer = ec2.describe_images(**params)
        count += len(answer["Images"])
        if math.isnan(first):
            first = time.perf_counter() - started
        token = answer.get("NextToken")
        if not token:
            break
        params["NextToken"] = token
    assert count == expected, count
    return {"first": first, "all": time.perf_counter() - started}


def image_pages(url: str, expected: int) -> dict[str, float]:
    """amitui.aws: AwsClients (the app's botocore Config) + iter_image_pages (Image records)."""
    from amitui.aws.clients import AwsClients
    from amitui.aws.images import ListQuery, iter_image_pages

    started = time.perf_counter()
    ec2 = AwsClients(endpoint_url=url, default_region=REGION).ec2(REGION)
    first, count = math.nan, 0
    for page in iter_image_pages(ec2, REGION, ListQuery(), 1000):
        count += len(page)
        if math.isnan(first):
            first = time.perf_counter() - started
    assert count == expected, count
    return {"first": first, "all": time.perf_counter() - started}


async def _app(url: str, expected: int, regions: Sequence[str]) -> dict[str, float]:
    from amitui.cli import make_app
    from amitui.settings import Settings

    started = time.perf_counter()
    app: Any = make_app(Settings(endpoint_url=url, regions=tuple(regions), cache=False))
    marks: dict[str, float] = {}
    done = asyncio.Event()

    def timed_display() -> None:  # after every screen update, headless too
        inventory = app.inventory
        if "first" not in marks and inventory.rows.total:
            marks["first"] = time.perf_counter() - started
        if inventory.rows.total == expected and not inventory.pages_by_region:
            marks["all"] = time.perf_counter() - started
            done.set()

    on_paint(app, timed_display)
    async with app.run_test(headless=True, size=(160, 45)):
        await asyncio.wait_for(done.wait(), timeout=600)
        status = str(app.inventory.query_one("#status").render())
    assert f"{expected:,} images" in status, status
    return marks


def app_headless(url: str, expected: int, regions: Sequence[str] = (REGION,)) -> dict[str, float]:
    """AmiTui headless at 160x45: first row painted, and every row listed and painted."""
    return asyncio.run(_app(url, expected, regions))


VARIANTS: dict[str, tuple[str, Callable[[str, int], dict[str, float]]]] = {
    "floor": ("raw boto3 paging (floor)", raw_boto3),
    "aws": ("amitui.aws iter_image_pages", image_pages),
    "app": ("app headless: row painted", app_headless),
}


def listing(runs: int, images: int) -> Section:
    use_bench_env()
    results: dict[str, list[dict[str, float]]] = {name: [] for name in VARIANTS}
    with canned_endpoint(1000) as url:
        app_headless(url, 1000)  # warm-up: imports and first-use caches, on a small catalogue
    with canned_endpoint(images) as url:
        for n in range(runs):
            for name, (_, run) in VARIANTS.items():
                settle()
                cpu = time.process_time()
                results[name].append(run(url, images))
                results[name][-1]["cpu"] = time.process_time() - cpu
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
    for name, (label, _) in VARIANTS.items():
        if not results[name]:
            continue
        ratio = vs_floor(name, "all", lambda a, f: a / f)
        lag = vs_floor(name, "first", lambda a, f: a - f)
        target = ""
        if name == "app":
            target = f"≤ 1.15x and ≤ +0.20 s: {verdict(ratio <= 1.15 and lag <= 0.2)}"
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
        "Clocks start before the boto3 Session is made; the app's also covers building the "
        "app, mounting the screen and the concurrent sts GetCallerIdentity call. The floor "
        "asks for pages of 1000; the app asks for 100 first, then 1000s."
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
    args = parser.parse_args(argv)
    print(listing(args.runs, args.images).markdown())
    for delay in (0, 300):
        print(multi_region(args.runs, 5000, delay).markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
