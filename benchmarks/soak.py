"""A long day (issue 20): the app headless against the sandbox for a while (10 minutes by
default), through the fault proxy failing 5% of calls (resets before and after the call
took effect, 500s, throttles), while a user starts 200 tasks through the real forms
(copies mostly, some creates, exports and imports), spread evenly over the run, and
refreshes the listing every 30 s. This process is the app alone: the sandbox and the
proxy run in a child (benchmarks/soak_endpoint.py).

Samples RSS, peak RSS, open file descriptors and threads every few seconds and prints
the figures and the targets: RSS growth under 5 MB/h after warm-up, no task lost, no
crash. A benchmark, not a test (it takes the whole run); not in `make bench` either.

    python -m benchmarks.soak                   # 10 minutes, 200 tasks
    python -m benchmarks.soak --minutes 1       # a smoke run (20 tasks)
    python -m benchmarks.soak --census          # + live objects by type, warm-up vs end
    python -m benchmarks.soak --tracemalloc 4   # + where memory grew, 4 frames deep (slower)
    python -m benchmarks.soak --referrers TYPE  # + what holds live objects of TYPE at the end

Like the ``amitui`` command, it starts itself again with glibc's per-thread cache off
(amitui.allocator.relaunch); ``GLIBC_TUNABLES=glibc.malloc.tcache_count=7`` (glibc's own)
in its environment measures the app without that.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from amitui.allocator import relaunch
from benchmarks.common import ROOT, machine, use_bench_env
from benchmarks.soak_census import (
    Census,
    malloc_trim,
    print_census_diff,
    print_referrers,
    take_census,
)
from benchmarks.soak_figures import (
    Outcome,
    SampleFile,
    figures_table,
    print_table,
    take_sample,
    warm_up_seconds,
)
from benchmarks.soak_peaks import PeakWatch, arena_steps, highest
from benchmarks.soak_user import (
    DESTINATIONS,
    REGION,
    Catalogue,
    UserLog,
    clean_up,
    cleaner,
    loaded,
    refresh,
    start_task,
    table,
)

REFRESH_EVERY = 30.0
TERMINAL_TITLES = ("Task done", "Task failed", "Task ended")


class Watch:
    """What reached the app: exceptions (its own handler, any thread's) and the ends of
    tasks it told (its notifications, by task)."""

    def __init__(self, app: Any) -> None:
        self.crashes: list[str] = []
        self.told: Counter[str] = Counter()
        handle, notify = app._handle_exception, app.notify

        def handled(error: Exception) -> None:
            self.crashes.append(f"app: {error!r}")
            handle(error)

        def notified(message: Any, *args: Any, **kwargs: Any) -> None:
            if kwargs.get("title") in TERMINAL_TITLES:
                self.told[" ".join(str(message).split()[:3])] += 1  # "copy ami-… (region)"
            notify(message, *args, **kwargs)

        app._handle_exception, app.notify = handled, notified
        hook = threading.excepthook

        def thread_died(args: Any) -> None:
            self.crashes.append(
                f"thread {args.thread.name if args.thread else '?'}: {args.exc_value!r}"
            )
            hook(args)

        threading.excepthook = thread_died


async def soak(args: argparse.Namespace, proxy_url: str, sandbox_url: str) -> tuple[Any, ...]:
    import boto3

    from amitui.cli import make_app
    from amitui.settings import Settings

    duration = args.minutes * 60
    warm_up = warm_up_seconds(duration)
    clients = {
        r: boto3.client("ec2", endpoint_url=sandbox_url, region_name=r) for r in DESTINATIONS
    }
    catalogue = Catalogue.read(clients[REGION])
    app = make_app(Settings(endpoint_url=proxy_url, regions=(REGION, "eu-west-1")))
    watch, log, outcome = Watch(app), UserLog(), Outcome()
    samples = SampleFile(args.samples)  # (the process measured keeps none of them)
    censuses: list[Census] = []
    counting = args.census or bool(args.tracemalloc)
    stop = asyncio.Event()
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await loaded(pilot)
            rows_at_start = table_total(app)
            peaks = PeakWatch(
                lambda: f"{len(app.screen_stack)} screen(s); {app.collector.holding()}"
            )
            peaks.start()
            started = time.monotonic()

            def after_collection() -> None:  # the garbage just freed: the same phase each time
                if not stop.is_set():
                    samples.add(take_sample(started, after_gc=True))

            app.collector.on_collected.append(after_collection)

            async def sampler() -> None:
                warm_up_taken = False
                while not stop.is_set():
                    periodic = samples.add(take_sample(started, peak=peaks.take()))
                    if not app.is_running:
                        watch.crashes.append("the app exited")
                        return
                    if counting and not warm_up_taken and periodic.at >= warm_up:
                        censuses.append(take_census(periodic.at))
                        warm_up_taken = True
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), args.sample_seconds)

            background = [
                asyncio.create_task(sampler()),
                asyncio.create_task(cleaner(app, clients, log, stop)),
            ]
            schedule = [i * duration / args.tasks for i in range(args.tasks)]
            next_refresh, index = REFRESH_EVERY, 0
            while index < len(schedule) or time.monotonic() - started < duration:
                now = time.monotonic() - started
                if now >= next_refresh:
                    peaks.doing = "refreshing"
                    await refresh(pilot, log)
                    while next_refresh <= now:
                        next_refresh += REFRESH_EVERY
                elif index < len(schedule) and now >= schedule[index]:
                    peaks.doing = "starting a task"
                    await start_task(pilot, index, catalogue, log)
                    index += 1
                else:
                    peaks.doing = "waiting"
                    due = min(next_refresh, schedule[index] if index < len(schedule) else duration)
                    await asyncio.sleep(max(0.05, min(1.0, due - now)))
            run_seconds = time.monotonic() - started
            peaks.doing = "draining"
            if counting:
                censuses.append(take_census(run_seconds))
            for name in args.referrers:
                print_referrers(name)
            # the drain: every task to its end (not in the growth fit)
            drain_from = time.monotonic()
            while time.monotonic() - drain_from < args.drain_seconds:
                tasks = await asyncio.to_thread(app.tasks.tasks)
                if all(t.is_terminal for t in tasks) and len(tasks) >= log.forms_closed:
                    break
                await asyncio.sleep(2)
            outcome.drain_seconds = time.monotonic() - drain_from
            await asyncio.sleep(1)  # the last ends reach the UI
            await asyncio.to_thread(clean_up, app, clients, log)
            stop.set()
            await asyncio.gather(*background)
            peaks.stop()
            samples.add(take_sample(started))
            taken = samples.finish()
            collector = app.collector
            outcome.fulls, outcome.marks = collector.fulls, collector.marks
            outcome.full_ms = tuple(d * 1000 for d in collector.durations)
            outcome.mark_ms = tuple(d * 1000 for d in collector.mark_durations)
            gc.unfreeze()
            outcome.end_collected = gc.collect()
            outcome.end_blocks = sys.getallocatedblocks()
            outcome.end_rss = take_sample(started).rss_mb
            if malloc_trim():
                outcome.end_rss_trimmed = take_sample(started).rss_mb
            tasks = await asyncio.to_thread(app.tasks.tasks)
            await refresh(pilot, log)  # what the cleanup left: the rows of the start
            await loaded(pilot)
            rows_at_end = table_total(app)
    except Exception as exc:  # the app crashed out of run_test
        watch.crashes.append(f"run: {exc!r}")
        raise
    finally:
        stop.set()
        samples.close()
    outcome.crashes = len(watch.crashes)
    return taken, run_seconds, tasks, watch, log, outcome, censuses, (rows_at_start, rows_at_end)


def table_total(app: Any) -> int:
    return table(app).rows.total


def judge(tasks: list[Any], made: dict[str, list[str]], watch: Watch, outcome: Outcome) -> None:
    """Lost: an id the endpoint made with no task following it, or a task that never
    ended. Duplicated: an id followed by two tasks. Told twice: an end told again."""
    made_ids = {i for ids in made.values() for i in ids}
    stored = Counter(t.target_id for t in tasks)
    outcome.started = len(made_ids)
    outcome.stored = len(tasks)
    outcome.done = sum(t.status == "done" for t in tasks)
    outcome.failed = sum(t.status == "failed" for t in tasks)
    outcome.lost = len(made_ids - set(stored)) + sum(not t.is_terminal for t in tasks)
    outcome.duplicated = sum(n - 1 for n in stored.values() if n > 1)
    outcome.told = len(watch.told)
    outcome.told_twice = sum(1 for n in watch.told.values() if n > 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A long day: the soak benchmark (issue 20).")
    parser.add_argument("--minutes", type=float, default=10.0, help="how long tasks start (10)")
    parser.add_argument("--tasks", type=int, help="tasks started over the run (20 a minute)")
    parser.add_argument("--fault-share", type=float, default=0.05, help="calls faulted (0.05)")
    parser.add_argument("--pending-seconds", type=float, default=20.0, help="a copy's (20)")
    parser.add_argument("--sample-seconds", type=float, default=5.0, help="sampling period (5)")
    parser.add_argument("--drain-seconds", type=float, default=300.0, help="most wait at the end")
    parser.add_argument("--census", action="store_true", help="live objects by type, diffed")
    parser.add_argument(
        "--tracemalloc", type=int, default=0, metavar="FRAMES", help="+ diff snapshots (slower)"
    )
    parser.add_argument("--samples", help="write every sample to this CSV file")
    parser.add_argument(
        "--referrers",
        action="append",
        default=[],
        metavar="TYPE",
        help="at the end of the run, what holds live objects of TYPE (module.qualname)",
    )
    args = parser.parse_args(argv)
    args.tasks = args.tasks or round(20 * args.minutes)
    if args.tracemalloc:
        tracemalloc.start(args.tracemalloc)
    load_before = os.getloadavg()
    use_bench_env()
    cmd = [sys.executable, "-m", "benchmarks.soak_endpoint", "--fault-share", str(args.fault_share)]
    cmd += ["--pending-seconds", str(args.pending_seconds)]
    with tempfile.TemporaryFile("w+") as errors:
        child = subprocess.Popen(
            cmd,
            cwd=str(ROOT),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        assert child.stdin is not None and child.stdout is not None
        proxy_url, sandbox_url = child.stdout.readline().strip(), child.stdout.readline().strip()
        if not proxy_url.startswith("http"):
            errors.seek(0)
            print(f"the endpoint did not start:\n{errors.read()}", file=sys.stderr)
            return 1
        began = datetime.now(UTC)
        try:
            result = asyncio.run(soak(args, proxy_url, sandbox_url))
        finally:
            child.stdin.close()
            summary = json.loads(child.stdout.readline() or "{}")
            child.wait(timeout=30)
    samples, run_seconds, tasks, watch, log, outcome, censuses, rows = result
    judge(tasks, summary.get("made", {}), watch, outcome)
    outcome.forms_sent_again, outcome.refreshes = log.forms_sent_again, log.refreshes
    print(f"soak: python -m benchmarks.soak {' '.join(argv if argv is not None else sys.argv[1:])}")
    load_after = os.getloadavg()
    print(f"  started {began:%Y-%m-%d %H:%M} UTC; {machine().rsplit(', ', 1)[0]}")
    print(
        f"  load average before {load_before[0]:.2f}; at the end (1/5/15 min)"
        f" {load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f}"
    )
    print(f"  GLIBC_TUNABLES={os.environ.get('GLIBC_TUNABLES', '')}")
    print(
        f"  run {run_seconds / 60:.1f} min, {args.tasks} tasks, pending {args.pending_seconds:g} s,"
        f" {args.fault_share:.0%} of calls faulted; rows at start/end {rows[0]}/{rows[1]}"
    )
    faults = summary.get("faults", {})
    print(
        f"  endpoint: {summary.get('requests', 0)} requests, faults "
        + ", ".join(f"{k} {v}" for k, v in sorted(faults.items()))
        + f" ({sum(faults.values())} in all)"
    )
    print(
        f"  forms sent {log.forms_sent}, given up {log.forms_given_up}, user steps timed out"
        f" {log.steps_timed_out}; images cleaned up {len(log.deregistered)}"
    )
    rows_table, verdicts = figures_table(samples, run_seconds, outcome)
    print_table(rows_table, verdicts)
    for crash in watch.crashes:
        print(f"  crash: {crash}")
    warm = warm_up_seconds(run_seconds)
    steps = arena_steps(samples, warm)
    print(f"pymalloc arenas mapped after warm-up ({len(steps)} samples found more):")
    print("\n".join(f"  {line}" for line in steps) or "  none")
    print("highest peaks of Python's blocks after warm-up (read every 10 ms):")
    print("\n".join(f"  {line}" for line in highest(samples, warm)))
    if len(censuses) == 2:
        print_census_diff(*censuses)
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    # with the malloc settings the amitui command starts with (amitui.launch); after this
    # module's imports, which start no thread and change no environment
    relaunch()
    sys.exit(main())
