"""The soak's endpoint, in a child process: the sandbox behind the fault proxy.

The soak measures the app's memory, so nothing else lives in its process: the sandbox
(whose state grows with every image made) and the proxy (which logs every request) run
here. The first line on stdout is the proxy's URL, the second the sandbox's (the soak's
cleanup and its ground truth go straight there). It serves until stdin closes, then
prints one JSON line: the faults injected, the requests seen, and every image or task
id a start call made at the endpoint (each answered with 200, whether or not the client
heard it: a ``drop_after`` takes effect too).

    python -m benchmarks.soak_endpoint --fault-share 0.05 --pending-seconds 20
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import threading
from collections.abc import Sequence

#: The faults a flaky network and a busy AWS give, in equal shares: a reset before the
#: request reaches the endpoint, one after it took effect, a 500, a throttle (503).
FAULTS = ("drop", "drop_after", "server", "throttle")
#: What each start call's answer names (the id a task follows).
STARTED_ID = {
    "CopyImage": re.compile(rb"<imageId>(ami-[0-9a-f]+)</imageId>"),
    "CreateImage": re.compile(rb"<imageId>(ami-[0-9a-f]+)</imageId>"),
    "ExportImage": re.compile(rb"(export-ami-[0-9a-f]+)"),
    "ImportImage": re.compile(rb"(import-ami-[0-9a-f]+)"),
}


class StartWatch:
    """Wraps the proxy's forwarding: the ids each start call made (status 200)."""

    def __init__(self, proxy) -> None:
        self.made: dict[str, set[str]] = {action: set() for action in STARTED_ID}
        self._lock = threading.Lock()
        forward = proxy._forward

        def watched(handler, body: bytes):
            status, headers, payload = forward(handler, body)
            from tests.support.proxy import action_of

            action = action_of(body)
            if status == 200 and action in STARTED_ID:
                found = STARTED_ID[action].search(payload)
                if found:
                    with self._lock:
                        self.made[action].add(found.group(1).decode())
            return status, headers, payload

        proxy._forward = watched


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fault-share", type=float, default=0.05)
    parser.add_argument("--pending-seconds", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args(argv)

    from amitui.sandbox import Sandbox
    from tests.support.proxy import RecordingProxy

    rng = random.Random(args.seed)
    lock = threading.Lock()

    def fault(action: str, n: int) -> str | None:
        with lock:
            if rng.random() >= args.fault_share:
                return None
            return rng.choice(FAULTS)

    with Sandbox(seed=7, pending_seconds=args.pending_seconds) as sandbox:
        proxy = RecordingProxy(sandbox.url).start()
        watch = StartWatch(proxy)
        proxy.fault = fault
        print(proxy.url, flush=True)
        print(sandbox.url, flush=True)
        sys.stdin.read()  # until the soak closes it
        proxy.fault = None
        with proxy._lock:
            requests = sum(proxy.actions.values())
            answered = sum(1 for _, outcome in proxy.log if outcome == "200")
            summary = {
                "faults": dict(proxy.faults),
                "requests": requests,
                "answered 200": answered,
                "actions": dict(proxy.actions),
                "made": {action: sorted(ids) for action, ids in watch.made.items()},
            }
        proxy.stop()
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
