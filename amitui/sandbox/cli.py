"""``amitui sandbox``: serve the sandbox until SIGINT/SIGTERM.

The first line on stdout is the URL (flushed at once), so a parent process can
read it and point boto3 at it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .conventions import HELP as CONVENTIONS_HELP


def build_parser(prog: str = "amitui sandbox") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve the amitui sandbox EC2 endpoint (moto + extensions) over HTTP. "
        "It answers like EC2, including where EC2 says no.",
        epilog=CONVENTIONS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    parser.add_argument("--seed", type=int, default=7, help="catalogue seed (7)")
    parser.add_argument(
        "--pending-seconds",
        type=float,
        default=3.0,
        help="how long new images stay pending; tasks take 4x this (3.0)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.pending_seconds < 0:
        print("amitui sandbox: --pending-seconds must be >= 0", file=sys.stderr)
        return 2
    from .server import Sandbox  # moto loads here, after the arguments are known good

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    sandbox = Sandbox(
        host=args.host, port=args.port, seed=args.seed, pending_seconds=args.pending_seconds
    )
    try:
        sandbox.start()
        print(sandbox.url, flush=True)
        print(
            f"amitui sandbox: seed {args.seed}, pending {args.pending_seconds:g} s; Ctrl+C to stop",
            file=sys.stderr,
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
