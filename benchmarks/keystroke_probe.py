"""Per-keystroke probe of the UI thread: where a filter keystroke's time goes.

Drives the real app as benchmarks/table.py does (100,000 rows from the in-memory EC2,
settled, then each query of its set typed a character at a time) and, for every key,
records from the key press to the paint that shows the filtered rows: the UI thread's CPU
time (``time.thread_time``; on a loaded machine the wall time is mostly waiting for a
core), the widgets Textual rendered and how long each took, screen layouts, garbage
collections (``gc.callbacks``) and any other callback on the event loop that ran for
more than half a millisecond (workers, timers). A diagnostic, not a judged figure: it
wraps Textual internals (``Screen._refresh_layout``, ``Compositor.render_update``,
``StylesCache.render_widget``) and asyncio's ``Handle._run`` for its own process only.

    python -m benchmarks.keystroke_probe [--images 100000] [--worst 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import asyncio.events
import gc
import json
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from benchmarks.common import use_bench_env
from benchmarks.table import KEY_NAMES, QUERIES

Event = tuple[float, str, str, float]  # (start, kind, what, seconds)


class Recorder:
    """What ran on the UI thread while ``on`` (the window of one keystroke)."""

    def __init__(self) -> None:
        self.on = False
        self.events: list[Event] = []
        self._gc_started = 0.0

    def add(self, kind: str, what: str, started: float) -> None:
        if self.on:
            self.events.append((started, kind, what, time.perf_counter() - started))

    def gc_callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.add("gc", f"gen{info['generation']}", self._gc_started)

    def wrap(self, owner: Any, name: str, kind: str, what: Callable[..., str]) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.add(kind, what(*args), started)

        setattr(owner, name, timed)

    def install(self) -> None:
        from textual._compositor import Compositor
        from textual._styles_cache import StylesCache
        from textual.screen import Screen

        gc.callbacks.append(self.gc_callback)
        self.wrap(Screen, "_refresh_layout", "layout", lambda *_: "screen layout")
        self.wrap(Compositor, "render_update", "paint", lambda *_: "compositor")
        self.wrap(
            StylesCache,
            "render_widget",
            "widget",
            lambda _cache, widget, crop: f"{type(widget).__name__} ({crop.height} lines)",
        )
        handle_run = asyncio.events.Handle._run
        recorder = self

        def run(handle: asyncio.events.Handle) -> None:
            started = time.perf_counter()
            try:
                handle_run(handle)
            finally:
                if time.perf_counter() - started > 0.0005:
                    recorder.add("loop", _named(handle._callback), started)  # type: ignore[attr-defined]

        asyncio.events.Handle._run = run  # type: ignore[method-assign]


def _named(callback: Any) -> str:
    """A loop callback's name; a task's wake-up by its coroutine's (the message pump, a
    worker, a timer)."""
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        return getattr(task.get_coro(), "__qualname__", repr(task))
    return getattr(callback, "__qualname__", None) or repr(callback)


async def _probe(images: int, recorder: Recorder) -> list[dict[str, Any]]:
    from amitui.ui.query import parse_query
    from benchmarks.app_harness import InstantEc2, Paints, make_instant_app

    app = make_instant_app(InstantEc2(images))
    paints = Paints(app)
    loaded = paints.expect(
        lambda: app.inventory.rows.total == images and not app.inventory.listing.pages_by_region
    )
    keys: list[dict[str, Any]] = []
    async with app.run_test(headless=True, size=(160, 45)) as pilot:
        await asyncio.wait_for(loaded, 300)
        inventory = app.inventory
        table = inventory.query_one("#images")
        while not table.settled:
            await asyncio.sleep(0.01)
        await pilot.press("slash")
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                target = parse_query(query[:end])
                at_paint: dict[str, float] = {}

                def shown(target: Any = target, at_paint: dict[str, float] = at_paint) -> bool:
                    ready = inventory.rows.query == target
                    if ready and not at_paint:
                        at_paint.update(cpu=time.thread_time(), wall=time.perf_counter())
                    return ready

                key = KEY_NAMES.get(query[end - 1], query[end - 1])
                recorder.events.clear()
                recorder.on = True
                cpu, wall = time.thread_time(), time.perf_counter()
                await paints.latencies(
                    lambda key=key: pilot.press(key),
                    shown,
                    lambda t=target: inventory.rows.query == t and not inventory.rows.filtering,
                )
                recorder.on = False
                keys.append(
                    {
                        "query": query,
                        "typed": query[:end],
                        "wall_ms": (at_paint["wall"] - wall) * 1000,
                        "cpu_ms": (at_paint["cpu"] - cpu) * 1000,
                        "events": [
                            (round((t - wall) * 1000, 2), kind, what, round(s * 1000, 2))
                            for t, kind, what, s in recorder.events
                            if t < at_paint["wall"]
                        ],
                    }
                )
            await pilot.press(*["backspace"] * len(query))
            await pilot.pause()
    return keys


def report(keys: list[dict[str, Any]], worst: int) -> str:
    lines = ["per query: UI-thread CPU from key to the paint of its rows (median / max), wall"]
    by_query: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for key in keys:
        by_query[key["query"]].append(key)
    for query, its in by_query.items():
        cpu = [k["cpu_ms"] for k in its]
        wall = [k["wall_ms"] for k in its]
        lines.append(
            f"  {query:22} cpu {statistics.median(cpu):5.1f} / {max(cpu):5.1f} ms   "
            f"wall {statistics.median(wall):5.1f} / {max(wall):5.1f} ms"
        )
    counts: Counter[str] = Counter()
    spent: dict[str, float] = defaultdict(float)
    for key in keys:
        for _, kind, what, ms in key["events"]:
            if kind in ("widget", "layout", "gc"):
                counts[f"{kind}: {what}"] += 1
                spent[f"{kind}: {what}"] += ms
    lines.append(f"per key ({len(keys)} keys): how often, and ms per key (wall)")
    for what, count in counts.most_common():
        lines.append(f"  {what:40} {count:4}  {spent[what] / len(keys):6.2f} ms")
    lines.append(f"the {worst} keys of most CPU, what ran for 0.3 ms or more (ms from the key)")
    for key in sorted(keys, key=lambda k: -k["cpu_ms"])[:worst]:
        lines.append(f"  {key['typed']!r}: cpu {key['cpu_ms']:.1f} ms, wall {key['wall_ms']:.1f}")
        for at, kind, what, ms in sorted(key["events"]):
            if ms >= 0.3:
                lines.append(f"      at {at:6.1f}  {kind:6} {what:40} {ms:6.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.keystroke_probe")
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--worst", type=int, default=5)
    parser.add_argument("--json", help="also write every key's record to this file")
    args = parser.parse_args(argv)
    use_bench_env()
    recorder = Recorder()
    recorder.install()
    keys = asyncio.run(_probe(args.images, recorder))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(keys, out)
    print(report(keys, args.worst))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
