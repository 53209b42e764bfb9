"""Run every benchmark, print each table as it finishes, and write benchmarks/RESULTS.md.

    python -m benchmarks.run_all            # make bench: medians of 5 (about 30 min on 2 cores)
    python -m benchmarks.run_all --quick    # medians of 3, fewer rounds: about 15 minutes
    python -m benchmarks.run_all --only table,startup   # those again; the rest as stored

Figures are medians; every ratio is to a baseline measured in the same run. The machine
is whatever runs this: RESULTS.md records it, with the command and the date.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import accounts, list_command, listing, partitioned, results_store, startup, table
from benchmarks.common import Section, machine

RESULTS = Path(__file__).with_name("RESULTS.md")
ALL = ("table", "listing", "multiregion", "partitioned", "startup", "list", "accounts")


def benchmarks(runs: int, images: int) -> dict[str, list[Callable[[], Section | list[Section]]]]:
    """Each benchmark's name and the steps that make its sections."""
    return {
        "table": [
            lambda: table.model(runs, images),
            lambda: table.app_table(runs, images),
            lambda: table.peak_rss(images),
        ],
        "listing": [lambda: listing.listing(runs, images)],
        "multiregion": [lambda d=delay: listing.multi_region(runs, 5000, d) for delay in (0, 300)],
        # A round lists 100k images at 400 ms + 1 ms/image a page: paging alone takes
        # about 2.5 min, so a quick run does one round and a full one two.
        "partitioned": [lambda: partitioned.compare(max(1, runs // 2), images, 400.0, 1.0, 0.1)],
        "startup": [lambda: startup.startup(runs, images)],
        "list": [lambda: list_command.section(runs, images)],
        # 50 accounts x 4 regions x 500 images, 150 ms + 0.3 ms/image a page, a pool of 8
        "accounts": [lambda: accounts.accounts_bench(max(1, runs // 2), 50, 500, 150.0, 0.3, 8)],
    }


def run(name: str, steps: list[Callable[[], Section | list[Section]]]) -> list[Section]:
    """Run one benchmark's steps; a failure becomes a section saying so, and the rest go on."""
    sections: list[Section] = []
    for make in steps:
        try:
            made = make()
        except Exception as exc:
            made = Section(f"{name}: FAILED", ["error"], [[f"{type(exc).__name__}: {exc}"]])
        for section in made if isinstance(made, list) else [made]:
            print(section.markdown(), flush=True)
            sections.append(section)
    return sections


def targets(sections: list[Section]) -> Section:
    """Every row that has a verdict, gathered in one table."""
    summary = Section("Targets", ["benchmark", "figure", "target"])
    for section in sections:
        for row in section.rows:
            cells = [str(c) for c in row]
            judged = [i for i, c in enumerate(cells) if ": met" in c or ": MISSED" in c]
            if judged:
                figure = " · ".join(c for c in cells[1 : judged[0]] if c)
                summary.rows.append([f"{section.short}: {cells[0]}", figure, cells[judged[0]]])
    return summary


def render(stored: dict[str, dict[str, Any]]) -> str:
    """RESULTS.md from every benchmark's last run, each under its own command and date."""
    runs = [
        f"- `{name}`: `{e['command']}` on {e['date']}"
        + (f", took {e['took_min']} min" if e["took_min"] is not None else "")
        + f"; {e['machine']}"
        for name in ALL
        if (e := stored.get(name))
    ]
    sections = [
        s for name in ALL if name in stored for s in results_store.sections_of(stored[name])
    ]
    return "\n".join(
        [
            "# amitui benchmark results",
            "",
            "`make bench` runs every benchmark; `--only NAME` re-runs one and keeps the others'",
            "last figures (benchmarks/results.json). Each benchmark's last run:",
            "",
            *runs,
            "",
            "Every figure is a median of the runs stated; ratios are to a baseline measured in",
            "the same run. The machine may have been shared: compare ratios, not absolutes.",
            "",
            targets(sections).markdown(),
            *(s.markdown() for s in sections),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run_all", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="medians of 3 instead of 5")
    parser.add_argument("--runs", type=int, help="runs per figure (default 5, --quick 3)")
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--only", default=",".join(ALL), help=f"comma-separated: {','.join(ALL)}")
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 5)
    only = tuple(name.strip() for name in args.only.split(",") if name.strip())
    unknown = set(only) - set(ALL)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    command = "python -m benchmarks.run_all " + " ".join(argv if argv is not None else sys.argv[1:])
    box = machine()
    print(f"amitui benchmarks: {box}\n", flush=True)
    stored = results_store.load()
    for name, steps in benchmarks(runs, args.images).items():
        if name not in only:
            continue
        started = time.perf_counter()
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        sections = run(name, steps)
        took = (time.perf_counter() - started) / 60
        stored[name] = results_store.entry(sections, command.strip(), when, box, took)
    if not args.no_write:
        results_store.save(stored)
        RESULTS.write_text(render(stored))
        print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
