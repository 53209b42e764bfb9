"""Startup: ``amitui`` in a real pseudo-terminal, from exec to the first image row on screen.

The app runs as a child under ``pty.fork()`` at 160x45 (what a user's terminal gives it),
and the parent reads everything it writes: "first row visible" is the moment an image id
(``ami-`` + hex) first appears in the output stream. A full run also waits for the status
line's "loaded in", reads the child's peak RSS (VmHWM) and quits with ``q``.

    python -m benchmarks.startup [--runs 5]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import (
    ROOT,
    Section,
    bench_env,
    canned_endpoint,
    median,
    peak_rss_mb,
    secs,
    settle,
    verdict,
)

IMAGE_ID = re.compile(rb"ami-[0-9a-f]{8,17}")
ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def run_in_pty(
    args: Sequence[str],
    env: dict[str, str],
    until: re.Pattern[bytes],
    timeout: float = 120.0,
    then: re.Pattern[bytes] | None = None,
    linger: float = 0.0,
    capture: re.Pattern[bytes] | None = None,
) -> dict[str, Any]:
    """Exec ``args`` in a pty; seconds until ``until`` (and ``then``) show; peak RSS in MB,
    read ``linger`` seconds after that (work the app does once the listing is shown, such as
    saving the inventory cache, counts). ``capture``: its first group, where ``then``
    showed, is ``captured`` (text)."""
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the app
        os.chdir(ROOT)
        os.execve(args[0], list(args), env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 160, 0, 0))
    marks: dict[str, Any] = {}
    screen = b""
    deadline = started + timeout
    goal = then or until
    try:
        while time.perf_counter() < deadline and "then" not in marks:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                break  # the child exited
            if not chunk:
                break
            screen = (screen + ESCAPES.sub(b"", chunk))[-8192:]
            now = time.perf_counter() - started
            if "first" not in marks and until.search(screen):
                marks["first"] = now
                if then is None:
                    marks["then"] = now
            if "first" in marks and "then" not in marks and goal.search(screen):
                marks["then"] = now
                found = capture.search(screen) if capture else None
                if found:
                    marks["captured"] = found.group(1).decode()
        if "first" not in marks:
            tail = screen[-600:].decode(errors="replace")
            raise RuntimeError(f"{args[1:]} showed no image row in {timeout:.0f} s: {tail!r}")
        end = time.perf_counter() + linger
        while time.perf_counter() < end:  # keep draining the output while the app works
            if select.select([fd], [], [], 0.05)[0]:
                with contextlib.suppress(OSError):
                    os.read(fd, 1 << 16)
        marks["rss_mb"] = peak_rss_mb(pid)
        os.write(fd, b"q")
        end = time.perf_counter() + 10
        while time.perf_counter() < end:
            if os.waitpid(pid, os.WNOHANG)[0]:
                pid = 0
                break
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                with contextlib.suppress(OSError):  # the child is gone
                    os.read(fd, 1 << 16)
    finally:
        if pid:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        os.close(fd)
    return marks


def amitui(*args: str) -> list[str]:
    """The installed console script (as a user runs it), else the module."""
    script = Path(sys.executable).with_name("amitui")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "amitui.cli", *args]


LOADED = re.compile(rb"loaded in")
#: The status line once every image is listed: "100,000 images  · loaded in 1.2 s" (with
#: --accounts: "100,000 images in 50 accounts  · loaded in", or "in 3 of 50 accounts").
LOADED_COUNT = re.compile(
    rb"([\d,]+) images(?: in [\d,]+(?: of [\d,]+)? accounts)?\s+\xc2\xb7 loaded in"
)


def app_in_pty(url: str, *flags: str, timeout: float = 900) -> dict[str, float]:
    """``amitui --endpoint-url URL --no-cache`` from exec in a pty: seconds to the first row
    and to the status line's "N images · loaded in", N, and the child's CPU seconds."""
    import resource

    env = bench_env(TERM="xterm-256color", COLORTERM="truecolor")
    args = amitui("--endpoint-url", url, "--no-cache", *flags)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    marks = run_in_pty(
        args, env, IMAGE_ID, timeout=timeout, then=LOADED_COUNT, capture=LOADED_COUNT
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the app was reaped by now
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "first": marks["first"],
        "all": marks["then"],
        "images": int(marks["captured"].replace(",", "")),
        "cpu": cpu,
    }


#: The status line's mark of cached rows ("· cached 2 min ago · refreshing").
CACHED = re.compile(rb"cached \d")
#: The cached start's endpoint: its first DescribeImages page takes this long (issue 14).
SLOW_FIRST_MS = 3000.0


def startup(runs: int, images: int) -> list[Section]:
    env = bench_env(TERM="xterm-256color", COLORTERM="truecolor")
    full: dict[str, dict[str, float]] = {}
    with canned_endpoint(images) as url:
        # Full runs, in this order: without the cache; with it while empty (this run fills
        # it); with it filled (the cached rows show, then the fresh listing replaces them).
        for name, flags in (("no-cache", ["--no-cache"]), ("fills", []), ("filled", [])):
            settle()
            args = amitui("--endpoint-url", url, *flags)
            full[name] = run_in_pty(args, env, IMAGE_ID, timeout=600, then=LOADED, linger=3.0)
        cold = []
        for _ in range(runs):
            settle()
            cold.append(run_in_pty(amitui("--endpoint-url", url, "--no-cache"), env, IMAGE_ID))
    cached = cached_start(runs, images, full)
    section = Section(
        f"Startup in a pseudo-terminal (160x45), canned endpoint with {images:,} images",
        ["launch", "exec → first row visible", "exec → all listed", "peak RSS"],
    )
    section.rows.append(
        [
            f"`amitui --endpoint-url URL --no-cache` (median of {runs})",
            secs(median([r["first"] for r in cold])),
            "",
            "",
        ]
    )
    section.rows.append(cached)
    labels = {
        "no-cache": "full listing, `--no-cache`",
        "fills": "full listing, cache empty (fills it)",
        "filled": "full listing, cache filled",
        "slow-filled": f"full listing, cache filled, first page {SLOW_FIRST_MS / 1000:.0f} s",
    }
    for name, label in labels.items():
        rss = full[name].get("rss_mb", float("nan"))
        section.rows.append(
            [
                label,
                secs(full[name]["first"]),
                secs(full[name]["then"]),
                f"{rss:.0f} MB (≤ 250 MB: {verdict(rss <= 250)})",
            ]
        )
    section.notes.append(
        "The clock starts before fork+exec, so the interpreter start and every import count. "
        "'All listed' is the status line's 'loaded in'. Peak RSS: the child's VmHWM 3 s later "
        "(after the inventory cache is saved)."
    )
    section.notes.append(
        f"Cached start: an endpoint whose first DescribeImages page takes "
        f"{SLOW_FIRST_MS / 1000:.0f} s (the others none), its listing cached by a full run "
        "first; 'first row visible' is when an image id and the status line's 'cached N … ago' "
        "are both on screen (a run whose mark never showed had live rows first: the row "
        "says how many)."
    )
    return [section, demo(runs)]


def cached_start(runs: int, images: int, full: dict[str, dict[str, float]]) -> list[str]:
    """The cached start's row (and ``full["slow-filled"]``): ``runs`` launches against an
    endpoint whose first page takes SLOW_FIRST_MS, after a full run that fills the cache."""
    env = bench_env(TERM="xterm-256color", COLORTERM="truecolor")
    firsts: list[float] = []
    live_first = 0
    with canned_endpoint(images, first_page_ms=SLOW_FIRST_MS) as url:
        settle()  # this run fills the cache (and the account it belongs to)
        run_in_pty(amitui("--endpoint-url", url), env, IMAGE_ID, timeout=600, then=LOADED, linger=3)
        args = amitui("--endpoint-url", url)
        for _ in range(runs):
            settle()
            marks = run_in_pty(args, env, IMAGE_ID, then=CACHED, timeout=20)
            if "then" in marks:  # rows and the mark on screen (cached rows: live ones, unmarked)
                firsts.append(marks["then"])
            else:  # the mark never showed: live rows came first
                live_first += 1
        settle()
        full["slow-filled"] = run_in_pty(args, env, IMAGE_ID, timeout=600, then=LOADED, linger=3)
    first = median(firsts)
    worst = max(firsts, default=float("nan"))
    note = f"{secs(first)} (worst {secs(worst)})"
    if live_first:
        note += f"; {live_first} of {runs} showed live rows first"
    ok = bool(firsts) and not live_first and worst <= 0.6
    return [
        f"`amitui --endpoint-url URL`, cache filled, first page {SLOW_FIRST_MS / 1000:.0f} s "
        f"(median of {runs}): cached rows, marked cached",
        note,
        "",
        f"worst ≤ 0.60 s: {verdict(ok)}",
    ]


def demo(runs: int) -> Section:
    section = Section(
        "Startup of `amitui --demo` (embedded sandbox, moto) in a pseudo-terminal",
        ["launch", "exec → first row visible"],
    )
    env = bench_env(TERM="xterm-256color", COLORTERM="truecolor")
    times = []
    try:
        for _ in range(runs):
            settle()
            times.append(run_in_pty(amitui("--demo"), env, IMAGE_ID, timeout=90)["first"])
    except Exception as exc:  # the sandbox is young: say why, do not fail the suite
        section.rows.append(["`amitui --demo`", f"skipped: {str(exc)[:160]}"])
        return section
    section.rows.append(["`amitui --demo`", secs(median(times))])
    section.notes.append(f"Median of {runs}; includes starting the sandbox child process.")
    return section


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--images", type=int, default=100_000)
    args = parser.parse_args(argv)
    for section in startup(args.runs, args.images):
        print(section.markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
