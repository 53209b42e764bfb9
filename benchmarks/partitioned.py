"""Faster than paging: sequential DescribeImages paging vs the partitioned listing, on a
canned endpoint with an AWS-like latency model (a base time per page plus a time per
image in it), and the same with throttling on a share of the calls.

Both sides use one boto3 client with the app's retry settings against the same child
endpoint, in the same round, so the ratio compares figures taken under the same load.
The floor is plain NextToken paging with MaxResults=1000 (botocore's parse, nothing else);
the partitioned listing also builds the app's Image records.

    python -m benchmarks.partitioned [--runs 3] [--images 100000] [--base-ms 400] [--per-image-ms 1]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from benchmarks.common import Section, canned_endpoint, median, secs, use_bench_env, verdict

REGION = "us-east-1"
#: Issue 14's target at 400 ms + 1 ms per image: the full listing in at most this share of
#: sequential paging's time.
TARGET_RATIO = 0.35


def _client(url: str) -> Any:
    import boto3

    from amitui.aws.clients import default_config

    config = default_config(retries={"mode": "adaptive", "max_attempts": 10})
    return boto3.Session(region_name=REGION).client("ec2", endpoint_url=url, config=config)


def sequential(url: str) -> dict[str, float]:
    from amitui.aws.images import ListQuery

    ec2 = _client(url)
    started = time.perf_counter()
    params: dict[str, Any] = {**ListQuery().request(), "MaxResults": 1000}
    first, count = None, 0
    while True:
        answer = ec2.describe_images(**params)
        count += len(answer["Images"])
        first = first if first is not None else time.perf_counter() - started
        if not answer.get("NextToken"):
            break
        params["NextToken"] = answer["NextToken"]
    return {"first": first or 0.0, "all": time.perf_counter() - started, "images": count}


def partitioned(url: str) -> dict[str, float]:
    from amitui.aws.images import ListQuery
    from amitui.aws.partitions import iter_partitioned_pages

    ec2 = _client(url)
    started = time.perf_counter()
    first, seen = None, set()
    for page in iter_partitioned_pages(ec2, REGION, ListQuery()):
        first = first if first is not None else time.perf_counter() - started
        seen.update(image.image_id for image in page)
    return {"first": first or 0.0, "all": time.perf_counter() - started, "images": len(seen)}


def compare(runs: int, images: int, base_ms: float, per_image_ms: float) -> Section:
    use_bench_env()
    rounds: list[tuple[dict[str, float], dict[str, float]]] = []
    with canned_endpoint(images, delay_ms=base_ms, per_image_ms=per_image_ms) as url:
        for _ in range(runs):
            rounds.append((sequential(url), partitioned(url)))
    ratios = [p["all"] / s["all"] for s, p in rounds]
    worst = max(ratios)
    complete = all(s["images"] == p["images"] == images for s, p in rounds)
    section = Section(
        f"Listing {images:,} images at {base_ms:.0f} ms + {per_image_ms:g} ms/image a page",
        ["listing", "first rows (median)", "all (median)", "ratio (median / worst)", "target"],
        name="partitioned listing",
    )
    section.rows.append(
        [
            "sequential paging (boto3, MaxResults=1000)",
            secs(median([s["first"] for s, _ in rounds])),
            secs(median([s["all"] for s, _ in rounds])),
            "1.00",
            "",
        ]
    )
    section.rows.append(
        [
            "partitioned (amitui.aws.partitions)",
            secs(median([p["first"] for _, p in rounds])),
            secs(median([p["all"] for _, p in rounds])),
            f"{median(ratios):.2f} / {worst:.2f}",
            f"≤ {TARGET_RATIO:.2f}: {verdict(worst <= TARGET_RATIO and complete)}",
        ]
    )
    section.notes.append(
        f"{runs} rounds; each image listed exactly once in every round: {complete}. "
        "First rows here are in-process (no app start); the app's first rows from exec "
        "are in the startup section."
    )
    return section


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.partitioned")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--base-ms", type=float, default=400.0)
    parser.add_argument("--per-image-ms", type=float, default=1.0)
    args = parser.parse_args(argv)
    print(compare(args.runs, args.images, args.base_ms, args.per_image_ms).markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
