"""The soak's measurements: what this process holds (RSS, peak RSS, file descriptors,
threads), sampled from /proc, and the figures made of them at the end.

    python -m benchmarks.soak_figures s.csv   # the growth fits again, from --samples' file
"""

from __future__ import annotations

import csv
import dataclasses
import gc
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from benchmarks.soak_census import malloc_state, pymalloc_arenas, sqlite_memory_mb

#: The growth target after warm-up (MB per hour).
GROWTH_TARGET = 5.0


@dataclass(frozen=True, slots=True)
class Sample:
    at: float  # seconds since the run started
    rss_mb: float  # VmRSS
    hwm_mb: float  # VmHWM: the peak so far
    fds: int  # entries in /proc/self/fd
    threads: int  # threading.active_count(): Python's threads
    os_threads: int  # /proc/self/status Threads: every thread of the process
    blocks: int  # sys.getallocatedblocks(): Python's live memory blocks
    frozen: int  # gc.get_freeze_count(): objects the collector was told to leave alone
    py_arenas: int  # pymalloc's 1 MiB arenas mapped (-1: unknown)
    malloc_used_mb: float  # glibc malloc, all arenas: in use (-1: unknown)
    malloc_free_mb: float  # glibc malloc: free but held by its heaps
    malloc_mmap_mb: float  # glibc malloc: blocks mmap'd on their own
    #: taken right after one of the app's own full collections (its collector's
    #: ``on_collected``), not by the periodic sampler
    after_gc: bool = False
    #: SQLite's own heap (``sqlite3_memory_used``: page caches, statements), part of
    #: glibc's in use (-1: unknown; older files have none)
    sqlite_mb: float = -1.0
    #: the most blocks seen since the last periodic sample (-1: not watched; older files
    #: have none) and what the user was doing then (benchmarks/soak_peaks.py)
    peak_blocks: int = -1
    peak_during: str = ""


def status_fields(*names: str) -> dict[str, int]:
    """Fields of /proc/self/status as integers (kB for the Vm ones)."""
    found: dict[str, int] = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in names:
                found[key] = int(value.split()[0])
    return found


def take_sample(started: float, after_gc: bool = False, peak: tuple[int, str] = (-1, "")) -> Sample:
    fields = status_fields("VmRSS", "VmHWM", "Threads")
    arenas, malloc = pymalloc_arenas(), malloc_state() or {}
    return Sample(
        at=time.monotonic() - started,
        rss_mb=fields["VmRSS"] / 1024,
        hwm_mb=fields["VmHWM"] / 1024,
        fds=len(os.listdir("/proc/self/fd")),
        threads=threading.active_count(),
        os_threads=fields["Threads"],
        blocks=sys.getallocatedblocks(),
        frozen=gc.get_freeze_count(),
        py_arenas=-1 if arenas is None else arenas,
        malloc_used_mb=malloc.get("in use", -1.0),
        malloc_free_mb=malloc.get("free, held", -1.0),
        malloc_mmap_mb=malloc.get("mmap'd", -1.0),
        after_gc=after_gc,
        sqlite_mb=sqlite_memory_mb(),
        peak_blocks=peak[0],
        peak_during=peak[1],
    )


class SampleFile:
    """The run's samples, each written to a CSV file as it is taken (``path``, or a
    temporary file); ``finish`` reads them all back. The process measured keeps none of
    them: kept in a list, a sample was ~11 memory blocks (~600 bytes) that stayed,
    ~1,800 blocks in a 10-minute run's judged 8 minutes, half of the blocks Python gained
    then, counted as the app's."""

    def __init__(self, path: str | None = None) -> None:
        # closed by ``finish``, or ``close`` where the run failed
        self._file = (
            open(path, "w+", newline="")  # noqa: SIM115
            if path
            else tempfile.TemporaryFile("w+", newline="")  # noqa: SIM115
        )
        self._writer = csv.writer(self._file)
        self._writer.writerow([f.name for f in dataclasses.fields(Sample)])

    def add(self, sample: Sample) -> Sample:
        self._writer.writerow(dataclasses.astuple(sample))
        self._file.flush()  # on disk as it is taken: a run that dies keeps its samples
        return sample

    def finish(self) -> list[Sample]:
        """Every sample written, in order; the file is closed (a temporary one is gone)."""
        self._file.seek(0)
        found = samples_in(self._file)
        self._file.close()
        return found

    def close(self) -> None:
        self._file.close()


def warm_up_seconds(duration: float) -> float:
    """The first 2 minutes, or the first 20% of a run shorter than 10 minutes."""
    return min(120.0, 0.2 * duration)


def slope_per_hour(samples: Sequence[Sample], of: str = "rss_mb") -> float:
    """Least-squares slope of ``of`` (RSS) over time, per hour (nan with < 2 samples)."""
    return fit(samples, of)[0]


def fit(samples: Sequence[Sample], of: str = "rss_mb") -> tuple[float, float, float]:
    """Least-squares line of ``of`` over time: (slope per hour, its standard error per
    hour, the residuals' standard deviation: the noise about the line). nan where
    undefined (< 2 samples for the slope, < 3 for the other two)."""
    n = len(samples)
    if n < 2:
        return math.nan, math.nan, math.nan
    xs = [s.at for s in samples]
    ys = [float(getattr(s, of)) for s in samples]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return math.nan, math.nan, math.nan
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    if n < 3:
        return slope * 3600, math.nan, math.nan
    squares = sum((y - my - slope * (x - mx)) ** 2 for x, y in zip(xs, ys, strict=True))
    noise = math.sqrt(squares / (n - 2))
    return slope * 3600, noise / math.sqrt(sxx) * 3600, noise


@dataclass
class Outcome:
    """What happened to the work, counted by the soak."""

    started: int = 0  # ids the endpoint made for a start call
    stored: int = 0  # tasks in the store
    lost: int = 0  # started and not stored, or stored and never ended
    duplicated: int = 0  # one id followed by two tasks
    done: int = 0
    failed: int = 0
    told: int = 0  # tasks whose end the app told
    told_twice: int = 0
    crashes: int = 0
    forms_sent_again: int = 0  # a form that showed an error, sent again as a user would
    refreshes: int = 0
    drain_seconds: float = 0.0  # after the run, until every task had ended
    #: a full collection at the end, everything unfrozen: objects freed, blocks after
    end_collected: int = 0
    end_blocks: int = 0
    #: RSS (MB) after that collection, and after glibc's malloc_trim(0) returned the free
    #: memory it held (None: no malloc_trim here): what of the end's RSS was held, not used
    end_rss: float = 0.0
    end_rss_trimmed: float | None = None
    #: the app's collections (amitui/ui/collector.py): how many ran, and the last 20's
    #: wall times (ms): full ones, and those of closed screens (its marks)
    fulls: int = 0
    full_ms: tuple[float, ...] = ()
    marks: int = 0
    mark_ms: tuple[float, ...] = ()


def figures_table(
    samples: Sequence[Sample], duration: float, outcome: Outcome
) -> tuple[list[tuple[str, str]], dict[str, bool]]:
    """The rows to print and the target verdicts."""
    warm = warm_up_seconds(duration)
    periodic = [s for s in samples if not s.after_gc]
    after = [s for s in periodic if s.at >= warm and s.at <= duration + 1]
    collected = [s for s in samples if s.after_gc and s.at >= warm and s.at <= duration + 1]
    growth = slope_per_hour(collected)  # what the target judges (RELIABILITY.md says why)
    first, last = periodic[0], periodic[-1]
    peak = max(s.hwm_mb for s in samples)
    warmed = after[0] if after else first
    rows = [
        ("samples", f"{len(periodic)} (every {_period(periodic):.0f} s)"),
        (
            "samples after the app's full collections",
            f"{sum(s.after_gc for s in samples)} ({len(collected)} after warm-up,"
            f" every {_period(collected):.0f} s)",
        ),
        ("RSS at start / end", f"{first.rss_mb:.1f} MB / {last.rss_mb:.1f} MB"),
        ("peak RSS (VmHWM)", f"{peak:.1f} MB"),
        (f"RSS growth after {warm:.0f} s warm-up", ""),
        ("  after the app's collections (judged)", _fit_text(collected)),
        ("  every sample (periodic)", _fit_text(after)),
        ("  2nd half, after the collections", _fit_text(collected[len(collected) // 2 :])),
        ("  2nd half, every sample", _fit_text(after[len(after) // 2 :])),
        ("Python memory blocks at start / end", f"{first.blocks} / {last.blocks}"),
        ("blocks growth after warm-up", f"{slope_per_hour(after, 'blocks'):+.0f} blocks/h"),
        (
            "pymalloc arenas (1 MiB) after warm-up / end",
            f"{warmed.py_arenas} / {last.py_arenas} (most {max(s.py_arenas for s in samples)})",
        ),
        (
            "glibc malloc in use / free held / mmap'd",
            f"{_malloc(warmed)} at warm-up, {_malloc(last)} at the end (MB)",
        ),
        (
            "  of which SQLite's heap",
            f"{warmed.sqlite_mb:.2f} at warm-up, {last.sqlite_mb:.2f} at the end (MB)",
        ),
        ("objects frozen (gc) at start / end", f"{first.frozen} / {last.frozen}"),
        (
            "full gc.collect() at the end",
            f"{outcome.end_collected} objects freed, {outcome.end_blocks} blocks left",
        ),
        (
            "RSS then / after malloc_trim(0)",
            f"{outcome.end_rss:.1f} MB / "
            + ("n/a" if outcome.end_rss_trimmed is None else f"{outcome.end_rss_trimmed:.1f} MB"),
        ),
        ("app's full collections", _collections(outcome.fulls, outcome.full_ms)),
        ("collections of closed screens", _collections(outcome.marks, outcome.mark_ms)),
        ("open fds at start / end", f"{first.fds} / {last.fds}"),
        ("threads at start / end", f"{first.threads} / {last.threads} (Python)"),
        ("", f"{first.os_threads} / {last.os_threads} (/proc Threads)"),
        ("most threads seen", f"{max(s.os_threads for s in samples)} (/proc Threads)"),
        ("tasks started", f"{outcome.started} (ids the endpoint made)"),
        ("tasks stored", f"{outcome.stored}: {outcome.done} done, {outcome.failed} failed"),
        ("tasks lost", str(outcome.lost)),
        ("tasks duplicated", str(outcome.duplicated)),
        ("ends told / told twice", f"{outcome.told} / {outcome.told_twice}"),
        ("forms sent again after an error", str(outcome.forms_sent_again)),
        ("listing refreshes", str(outcome.refreshes)),
        ("drain after the run", f"{outcome.drain_seconds:.0f} s"),
        ("crashes", str(outcome.crashes)),
    ]
    verdicts = {
        f"growth < {GROWTH_TARGET:g} MB/h after warm-up": growth < GROWTH_TARGET,
        "0 tasks lost": outcome.lost == 0,
        "0 crashes": outcome.crashes == 0,
    }
    return rows, verdicts


def _collections(count: int, last_ms: Sequence[float]) -> str:
    if not last_ms:
        return str(count)
    return (
        f"{count}; the last {len(last_ms)}: median {statistics.median(last_ms):.1f} ms,"
        f" worst {max(last_ms):.1f} ms"
    )


def _fit_text(samples: Sequence[Sample]) -> str:
    slope, error, noise = fit(samples)
    return f"{slope:+.2f} ± {error:.2f} MB/h ({len(samples)} samples, noise ±{noise:.2f} MB)"


def _malloc(sample: Sample) -> str:
    return (
        f"{sample.malloc_used_mb:.1f} / {sample.malloc_free_mb:.1f} / {sample.malloc_mmap_mb:.1f}"
    )


def _period(samples: Sequence[Sample]) -> float:
    if len(samples) < 2:
        return math.nan
    return (samples[-1].at - samples[0].at) / (len(samples) - 1)


def print_table(rows: Sequence[tuple[str, str]], verdicts: dict[str, bool]) -> None:
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    print("targets:")
    for name, ok in verdicts.items():
        print(f"  {name:<{width}}  {'met' if ok else 'MISSED'}")


def read_samples(path: str) -> list[Sample]:
    """What ``benchmarks.soak --samples`` wrote (older files have no ``after_gc``)."""
    with open(path, newline="") as file:
        return samples_in(file)


def samples_in(file: TextIO) -> list[Sample]:
    """The samples of a CSV file open for reading, from where it stands."""
    kinds = {f.name: f.type for f in dataclasses.fields(Sample)}
    samples = []
    for row in csv.DictReader(file):
        values: dict[str, object] = {}
        for name, text in row.items():
            kind = kinds[name]
            if kind == "bool":
                values[name] = text == "True"
            elif kind == "str":
                values[name] = text
            else:
                values[name] = int(text) if kind == "int" else float(text)
        samples.append(Sample(**values))  # type: ignore[arg-type]
    return samples


def main(argv: Sequence[str] | None = None) -> int:
    """The growth fits of each --samples file (the run's length: its last periodic
    sample before the drain is not known here, so pass --minutes as the run had it)."""
    import argparse

    parser = argparse.ArgumentParser(description="The soak's growth fits, from its samples.")
    parser.add_argument("files", nargs="+")
    parser.add_argument("--minutes", type=float, default=10.0, help="the run's length (10)")
    args = parser.parse_args(argv)
    for path in args.files:
        samples = read_samples(path)
        end = max(args.minutes * 60, max((s.at for s in samples), default=0.0))
        duration = min(end, args.minutes * 60)
        warm = warm_up_seconds(duration)
        inside = [s for s in samples if warm <= s.at <= duration + 1]
        collected = [s for s in inside if s.after_gc]
        every = [s for s in inside if not s.after_gc]
        print(path)
        for name, chosen in (("after the collections", collected), ("every sample", every)):
            print(f"  {name:<22} {_fit_text(chosen)}")
            print(f"  {'  2nd half':<22} {_fit_text(chosen[len(chosen) // 2 :])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
