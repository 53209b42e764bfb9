"""``amitui list`` from exec to its first line and to its last, at 100,000 images.

The canned endpoint (benchmarks/canned_ec2.py) in a child process, with AWS-like latency
(``--delay-ms`` per answer plus ``--per-image-ms`` per image: ~1 s per page of 1000 on
AWS); ``amitui list`` in another, its stdout a pipe read as it comes: "first line" is when
the first row arrives (the table's header is not a row), "done" when the pipe closes.
Printed, never asserted.

    python -m benchmarks.list_command [--images 100000] [--delay-ms 50] [--per-image-ms 0.2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from benchmarks.common import Section, bench_env, canned_endpoint, median, secs

CASES = (
    ("ids", []),
    ("table", []),
    ("json", []),
    ("csv", ["--filter", "arch:arm64 !windows"]),
    ("ids", ["--sort", "created"]),
)


#: The floor: boto3 paging (pages of 1000, botocore's parse) printing each id, from exec.
BOTO3_IDS = """
import sys, boto3
from amitui.aws.images import ListQuery  # the app's request: the same images
ec2 = boto3.Session(region_name="us-east-1").client("ec2", endpoint_url=sys.argv[1])
for page in ec2.get_paginator("describe_images").paginate(**ListQuery().request()):
    sys.stdout.write("".join(i["ImageId"] + "\\n" for i in page["Images"]))
    sys.stdout.flush()
"""


def _timed_lines(cmd: list[str], skip_header: bool) -> tuple[float, float, int]:
    """(first row, last line, lines) of a child's stdout, in seconds from exec."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=bench_env(), text=True)
    assert proc.stdout is not None
    first = None
    lines = 0
    for _line in proc.stdout:
        if skip_header and lines == 0:
            lines += 1
            continue  # the header
        if first is None:
            first = time.perf_counter() - started
        lines += 1
    proc.wait()
    done = time.perf_counter() - started
    return first or done, done, lines


def run(url: str, fmt: str, extra: list[str]) -> tuple[float, float, int]:
    cmd = [sys.executable, "-c", "import sys; from amitui.cli import main; sys.exit(main())"]
    cmd += ["list", "--endpoint-url", url, "--format", fmt, "--no-cache", *extra]
    return _timed_lines(cmd, skip_header=fmt in ("table", "csv"))


def boto3_ids(url: str) -> tuple[float, float, int]:
    return _timed_lines([sys.executable, "-c", BOTO3_IDS, url], skip_header=False)


def section(runs: int, images: int, delay_ms: float = 50.0, per_image_ms: float = 0.2) -> Section:
    """Each case ``runs`` times, rounds interleaved with the boto3 floor; ratios per round."""
    times: dict[str, list[tuple[float, float, int]]] = {"boto3": []}
    with canned_endpoint(images, delay_ms, per_image_ms=per_image_ms) as url:
        for _ in range(runs):
            times["boto3"].append(boto3_ids(url))
            for fmt, extra in CASES:
                label = " ".join([f"--format {fmt}", *extra])
                times.setdefault(label, []).append(run(url, fmt, extra))
    floor = times["boto3"]
    out = Section(
        f"`amitui list`, {images:,} images, {delay_ms:g} ms + {per_image_ms:g} ms/image an "
        f"answer, from exec (medians of {runs})",
        ["command", "first row", "done (worst)", "÷ boto3 paging (median / worst)", "lines"],
        name="amitui list",
    )
    for label, samples in times.items():
        ratios = [s[1] / f[1] for s, f in zip(samples, floor, strict=True)]
        name = "boto3 paging printing ids (floor)" if label == "boto3" else f"amitui list {label}"
        out.rows.append(
            [
                name,
                secs(median([s[0] for s in samples])),
                f"{secs(median([s[1] for s in samples]))} ({secs(max(s[1] for s in samples))})",
                f"{median(ratios):.2f} / {max(ratios):.2f}",
                f"{samples[0][2]:,}",
            ]
        )
    out.notes.append(
        "The canned endpoint in a child process; each command in its own child, its stdout "
        "a pipe read as it comes: first row is the first line after the header, done is when "
        "the pipe closes. The floor is boto3's paginator (pages of 1000) printing each id."
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.list_command")
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--delay-ms", type=float, default=50.0)
    parser.add_argument("--per-image-ms", type=float, default=0.2)
    args = parser.parse_args(argv)
    with canned_endpoint(args.images, args.delay_ms, per_image_ms=args.per_image_ms) as url:
        print(
            f"amitui list, {args.images:,} images, {args.delay_ms} ms + "
            f"{args.per_image_ms} ms/image per answer"
        )
        for fmt, extra in CASES:
            first, done, lines = run(url, fmt, extra)
            label = " ".join([f"--format {fmt}", *extra])
            print(f"  {label:<45} first row {first:6.2f} s   done {done:6.2f} s   {lines:,} lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
