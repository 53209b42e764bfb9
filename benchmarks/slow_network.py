"""The UI on a slow, flaky network (issue 20): every call to the sandbox answers after 2 s
and 10% of connections are reset without an answer. Measures the longest main-thread
stall (how late a 10 ms timer fires, worst case) while the app lists, a copy form is
filled and sent, and keys keep arriving while its call is in flight, then while every
other action's form opens once; and whether esc stops a listing under way.

The sandbox and the proxy run in a child process, as AWS is elsewhere in real use: in
this process their Python work would take the GIL from the UI and count as its stalls.
The copy form is opened once the app's warm-up is done (amitui/ui/warm_up.py: the
one-off work the first form would otherwise wait for); the figures say when that was.
Besides a phase's worst UI-thread CPU per tick, they say how much of that tick was
Python's garbage collector (a full collection walks every object the app holds).

    python -m benchmarks.slow_network            # prints the figures
    python -m benchmarks.slow_network --profile  # + a cProfile (UI thread CPU) of the worst
                                                 # tick of the copy form and of the worst form
    python -m benchmarks.slow_network --profile --dump PATH  # + those ticks' pstats in PATH.*
    python -m benchmarks.slow_network --each-form  # + each form's worst tick less collection
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import io
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time

LATENCY = 2.0
RESET_SHARE = 0.10
PROBE = 0.010  # the stall probe's period (s)


def profiled(phase: str) -> bool:
    return phase.startswith("form: ") or phase in ("opening the copy form", "call in flight")


async def measure(
    url: str, profile: bool = False, dump: str = "", each_form: bool = False
) -> dict[str, float]:
    from textual.widgets import Input

    from amitui.actions import ACTIONS
    from amitui.cli import make_app
    from amitui.settings import Settings
    from amitui.ui.screens.action_form import ActionForm

    app = make_app(Settings(endpoint_url=url, regions=("us-east-1",), cache=False))
    lateness: list[float] = []
    phase = ["start"]
    by_phase: dict[str, float] = {}

    cpu_by_phase: dict[str, float] = {}
    gc_by_phase: dict[str, float] = {}  # the garbage collections in that worst tick
    # the worst tick less the collections in it (a tick of collection alone can be the
    # worst one: this is the worst of the others, the form's own work)
    less_gc_by_phase: dict[str, float] = {}
    last_cpu = [time.thread_time()]
    collecting = [0.0, 0.0]  # this tick's collections so far (UI thread CPU), one's start
    # --profile: each tick of a form's phase under its own profiler; the worst one's kept
    ticking: list[cProfile.Profile | None] = [None]
    worst_profile: dict[str, pstats.Stats] = {}

    def collected(what: str, info: dict[str, int]) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        if what == "start":
            collecting[1] = time.thread_time()
        else:
            collecting[0] += time.thread_time() - collecting[1]

    def probe() -> None:
        now = time.perf_counter()
        late = now - probe.due  # type: ignore[attr-defined]
        lateness.append(late)
        by_phase[phase[0]] = max(by_phase.get(phase[0], 0.0), late)
        probe.due = now + PROBE  # type: ignore[attr-defined]
        # the UI thread's own work since the last tick: what its lateness would be on an
        # idle machine, less any wait for the GIL (a busy machine stretches wall time)
        cpu = time.thread_time()
        profiler = ticking[0]
        if profiler is not None:
            profiler.disable()
        own = cpu - last_cpu[0] - collecting[0]
        less_gc_by_phase[phase[0]] = max(own, less_gc_by_phase.get(phase[0], 0.0))
        if cpu - last_cpu[0] >= cpu_by_phase.get(phase[0], 0.0):
            cpu_by_phase[phase[0]] = cpu - last_cpu[0]
            gc_by_phase[phase[0]] = collecting[0]
            if profiler is not None:
                worst_profile[phase[0]] = pstats.Stats(profiler)
        ticking[0] = None
        if profile and profiled(phase[0]):
            ticking[0] = cProfile.Profile(time.thread_time)
            ticking[0].enable()
        last_cpu[0] = time.thread_time()
        collecting[0] = 0.0

    figures: dict[str, float] = {}
    gc.callbacks.append(collected)
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
        phase[0] = "listing, warming up"
        while not app.warm_up.done and time.perf_counter() - started < 60:
            await pilot.pause(0.05)
        figures["warm-up done after (s)"] = time.perf_counter() - started
        # a copy form: filled and sent; keys typed while its call is in flight
        phase[0] = "opening the copy form"
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
        # every action's form, opened once (on the selected row) and closed
        await pilot.pause(0.5)
        for name in ACTIONS:
            phase[0] = f"form: {name}"
            # A key (or a menu choice) opens a form: tell the app's collector, as the key would
            # (amitui/ui/collector.py holds full collections off while the user acts).
            app.collector.user_acted()
            app.inventory.forms.open_action(name)
            opened = time.perf_counter()
            while not isinstance(app.screen, ActionForm) and time.perf_counter() - opened < 5:
                await pilot.pause(0.05)
            await pilot.pause(0.3)
            phase[0] = "closing forms"
            if isinstance(app.screen, ActionForm):
                await pilot.press("escape")
            await pilot.pause(0.2)
    gc.callbacks.remove(collected)
    if ticking[0] is not None:
        ticking[0].disable()
    if profile:
        forms = {n: t for n, t in cpu_by_phase.items() if n.startswith("form: ")}
        for name in ("opening the copy form", max(forms, key=forms.__getitem__)):
            if name in worst_profile:
                out = io.StringIO()
                stats = worst_profile[name]
                stats.stream = out  # type: ignore[attr-defined]
                stats.sort_stats("cumulative").print_stats(40)
                stats.sort_stats("tottime").print_stats(20)
                if dump:
                    stats.dump_stats(f"{dump}.{name.replace(' ', '-').replace(':', '')}")
                print(f"--- the worst tick of {name}: {cpu_by_phase[name] * 1000:.1f} ms")
                print(out.getvalue())
    stalls = [max(0.0, late) * 1000 for late in lateness[5:]]
    figures["probe ticks"] = len(stalls)
    figures["stall median (ms)"] = statistics.median(stalls)
    figures["stall worst (ms)"] = max(stalls)
    for what, phases in (("stall", by_phase), ("UI thread CPU per tick", cpu_by_phase)):
        forms = {name: late for name, late in phases.items() if name.startswith("form: ")}
        for name, late in phases.items():
            if name not in forms:
                figures[f"worst {what}, {name} (ms)"] = late * 1000
        worst = max(forms, key=forms.__getitem__)
        median = statistics.median(forms.values())
        figures[f"worst {what}, {len(forms)} forms: median (ms)"] = median * 1000
        figures[f"worst {what}, {len(forms)} forms: worst (ms)"] = forms[worst] * 1000
        figures[f"  ({what}: the worst form is {worst[6:]})"] = forms[worst] * 1000
        if phases is cpu_by_phase:
            figures[f"  (of which garbage collection, {worst[6:]})"] = gc_by_phase[worst] * 1000
            less = [less_gc_by_phase[name] for name in forms]
            figures[f"  (less garbage collection, {len(forms)} forms: median)"] = (
                statistics.median(less) * 1000
            )
            figures[f"  (less garbage collection, {len(forms)} forms: worst)"] = max(less) * 1000
            worst_less = max(forms, key=less_gc_by_phase.__getitem__)
            figures[f"  (less garbage collection: the worst form is {worst_less[6:]})"] = (
                less_gc_by_phase[worst_less] * 1000
            )
            if each_form:
                for name in forms:
                    figures[f"    {name[6:]}: worst tick, less garbage collection"] = (
                        less_gc_by_phase[name] * 1000
                    )
            for name in ("opening the copy form", "call in flight", "closing forms"):
                figures[f"  (of which garbage collection, {name})"] = gc_by_phase[name] * 1000
                figures[f"  (less garbage collection, {name})"] = less_gc_by_phase[name] * 1000
    return figures


def serve() -> int:
    """The child: the sandbox behind the slow, flaky proxy; prints the URL, runs until its
    stdin closes, then prints the faults it injected (JSON)."""
    from amitui.sandbox import Sandbox
    from tests.support.proxy import RecordingProxy

    rng = random.Random(20)
    with Sandbox(seed=7) as sandbox:
        proxy = RecordingProxy(sandbox.url).start()
        proxy.delay = LATENCY
        proxy.fault = lambda action, n: "drop" if rng.random() < RESET_SHARE else None
        print(proxy.url, flush=True)
        sys.stdin.read()
        proxy.fault = None
        proxy.stop()
        print(json.dumps(dict(proxy.faults)), flush=True)
    return 0


def main() -> int:
    if sys.argv[1:] == ["--serve"]:
        return serve()
    args = sys.argv[1:]
    profile = "--profile" in args
    dump = args[args.index("--dump") + 1] if "--dump" in args else ""
    each_form = "--each-form" in args
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    os.environ.pop("AWS_PROFILE", None)
    with tempfile.TemporaryDirectory() as state:
        for name in ("AMITUI_STATE_DIR", "AMITUI_CACHE_DIR", "AMITUI_CONFIG_DIR"):
            os.environ[name] = state
        child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.slow_network", "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdin is not None and child.stdout is not None
        try:
            url = child.stdout.readline().strip()
            figures = asyncio.run(measure(url, profile, dump, each_form))
        finally:
            child.stdin.close()
            faults = json.loads(child.stdout.readline() or "{}")
            child.wait(timeout=30)
    print(f"slow network: {LATENCY:.0f} s per call, {RESET_SHARE:.0%} of connections reset")
    for key, value in figures.items():
        print(f"  {key:52} {value:.1f}")
    print(f"  {'connections reset':52} {faults.get('drop', 0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
