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

from benchmarks.common import bench_env, canned_endpoint

CASES = (
    ("ids", []),
    ("table", []),
    ("json", []),
    ("csv", ["--filter", "arch:arm64 !windows"]),
    ("ids", ["--sort", "created"]),
)


def run(url: str, fmt: str, extra: list[str]) -> tuple[float, float, int]:
    cmd = [sys.executable, "-c", "import sys; from amitui.cli import main; sys.exit(main())"]
    cmd += ["list", "--endpoint-url", url, "--format", fmt, "--no-cache", *extra]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=bench_env(), text=True)
    assert proc.stdout is not None
    first = None
    lines = 0
    for _line in proc.stdout:
        if fmt in ("table", "csv") and lines == 0:
            lines += 1
            continue  # the header
        if first is None:
            first = time.perf_counter() - started
        lines += 1
    proc.wait()
    done = time.perf_counter() - started
    return first or done, done, lines


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
