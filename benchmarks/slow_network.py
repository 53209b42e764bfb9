"""The UI on a slow, flaky network (issue 20): every call to the sandbox answers after 2 s
and 10% of connections are reset without an answer. Measures the longest main-thread
stall (how late a 10 ms timer fires, worst case) while the app lists, a copy form is
filled and sent, and keys keep arriving while its call is in flight; and whether esc
stops a listing under way.

    python -m benchmarks.slow_network            # prints the figures
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time

LATENCY = 2.0
RESET_SHARE = 0.10
PROBE = 0.010  # the stall probe's period (s)


async def measure(url: str) -> dict[str, float]:
    from textual.widgets import Input

    from amitui.cli import make_app
    from amitui.settings import Settings
    from amitui.ui.screens.action_form import ActionForm

    app = make_app(Settings(endpoint_url=url, regions=("us-east-1",), cache=False))
    lateness: list[float] = []
    phase = ["start"]
    by_phase: dict[str, float] = {}

    def probe() -> None:
        now = time.perf_counter()
        late = now - probe.due  # type: ignore[attr-defined]
        lateness.append(late)
        by_phase[phase[0]] = max(by_phase.get(phase[0], 0.0), late)
        probe.due = now + PROBE  # type: ignore[attr-defined]

    figures: dict[str, float] = {}
    async with app.run_test(size=(160, 45)) as pilot:
        probe.due = time.perf_counter() + PROBE  # type: ignore[attr-defined]
        app.set_interval(PROBE, probe)
        started = time.perf_counter()
        inventory = app.inventory
        while inventory.rows.total == 0 and time.perf_counter() - started < 120:
            await pilot.pause(0.05)
        figures["first rows (s)"] = time.perf_counter() - started
        phase[0] = "listing"
        # keys while pages are due: the cursor moves, then esc stops the listing
        await pilot.press("j", "j", "k")
        loading = inventory.listing.loading
        await pilot.press("escape")
        figures["esc stopped a listing under way"] = float(
            loading and inventory.listing.stopped != ()
        )
        # a copy form: filled and sent; keys typed while its call is in flight
        phase[0] = "opening the form"
        await pilot.press("c")
        while not isinstance(app.screen, ActionForm):
            await pilot.pause(0.05)
        form = app.screen
        names = [f.api_name for f in form.spec.fields]
        form.query_one(f"#f-{names.index('DestinationRegions')}", Input).value = "eu-west-1"
        phase[0] = "call in flight"
        await pilot.press("ctrl+s")
        sent = time.perf_counter()
        typed = 0
        while form.busy and time.perf_counter() - sent < 60:
            await pilot.press("tab")  # the form still answers keys
            typed += 1
            await pilot.pause(0.1)
        figures["call in flight (s)"] = time.perf_counter() - sent
        figures["keys answered while it was"] = typed
    stalls = [max(0.0, late) * 1000 for late in lateness[5:]]
    figures["probe ticks"] = len(stalls)
    figures["stall median (ms)"] = statistics.median(stalls)
    figures["stall worst (ms)"] = max(stalls)
    for name, late in by_phase.items():
        figures[f"worst stall, {name} (ms)"] = late * 1000
    return figures


def main() -> int:
    from amitui.sandbox import Sandbox
    from tests.support.proxy import RecordingProxy

    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    os.environ.pop("AWS_PROFILE", None)
    rng = random.Random(20)
    with tempfile.TemporaryDirectory() as state:
        for name in ("AMITUI_STATE_DIR", "AMITUI_CACHE_DIR", "AMITUI_CONFIG_DIR"):
            os.environ[name] = state
        with Sandbox(seed=7) as sandbox:
            proxy = RecordingProxy(sandbox.url).start()
            proxy.delay = LATENCY
            proxy.fault = lambda action, n: "drop" if rng.random() < RESET_SHARE else None
            try:
                figures = asyncio.run(measure(proxy.url))
            finally:
                proxy.fault = None
                proxy.stop()
    print(f"slow network: {LATENCY:.0f} s per call, {RESET_SHARE:.0%} of connections reset")
    for key, value in figures.items():
        print(f"  {key:34} {value:.1f}")
    print(f"  connections reset                  {proxy.faults['drop']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
