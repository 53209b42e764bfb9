"""``pytest -p tests.support.cpu_report``: where the suite's time goes, per test.

For each test (setup + call + teardown) it records the wall time, the process's CPU time
(every thread: ``os.times``) and the time the process's threads spent runnable but waiting
for a core (``/proc/self/task/*/schedstat``, so a loaded machine shows as queueing, not as
work). ``idle`` is what is left: the wall time in which no thread of the test process ran
nor wanted to, i.e. sleeps, timers, polls and waits on other processes (the sandbox child,
a subprocess). A test whose idle time is large waits on time, not on work.

At the end it prints the tests with the most idle and the most CPU, and with
``AMITUI_CPU_REPORT=path`` writes every row as JSON lines (one file per xdist worker:
``path.gw0``...). A diagnostic for making ``make test`` faster, not part of it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

#: The rows this process measured: (nodeid, wall, cpu, queued).
ROWS: list[tuple[str, float, float, float]] = []


def _queued_seconds() -> float:
    """Seconds the process's live threads have waited on a run queue (Linux schedstat)."""
    total = 0
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "schedstat").read_text().split()
        except OSError:  # a thread that ended meanwhile
            continue
        total += int(fields[1])
    return total / 1e9


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: Any) -> Iterator[None]:
    wall, cpu, queued = time.perf_counter(), _cpu_seconds(), _queued_seconds()
    yield
    ROWS.append(
        (
            item.nodeid,
            time.perf_counter() - wall,
            _cpu_seconds() - cpu,
            max(0.0, _queued_seconds() - queued),
        )
    )


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get("AMITUI_CPU_REPORT")
    if not target:
        return
    worker = getattr(session.config, "workerinput", {}).get("workerid")
    path = Path(f"{target}.{worker}" if worker else target)
    with path.open("w", encoding="utf-8") as fh:
        for nodeid, wall, cpu, queued in ROWS:
            fh.write(json.dumps({"test": nodeid, "wall": wall, "cpu": cpu, "queued": queued}))
            fh.write("\n")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not ROWS:  # under xdist the rows are in the workers' files
        return
    write = terminalreporter.write_line
    terminalreporter.section("time per test: wall, CPU, queued for a core, idle")
    idle = sorted(ROWS, key=lambda r: r[1] - r[2] - r[3], reverse=True)
    total_wall = sum(r[1] for r in ROWS)
    total_cpu = sum(r[2] for r in ROWS)
    total_queued = sum(r[3] for r in ROWS)
    write(
        f"all {len(ROWS)} tests: wall {total_wall:.1f} s, CPU {total_cpu:.1f} s, "
        f"queued {total_queued:.1f} s, idle {total_wall - total_cpu - total_queued:.1f} s"
    )
    for nodeid, wall, cpu, queued in idle[:25]:
        write(f"{wall - cpu - queued:7.2f} idle {wall:7.2f} wall {cpu:7.2f} cpu  {nodeid}")
