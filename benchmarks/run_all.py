"""Run every benchmark, print each table as it finishes, and write benchmarks/RESULTS.md.

    python -m benchmarks.run_all            # make bench: medians of 5 (about 30 min on 2 cores)
    python -m benchmarks.run_all --quick    # medians of 3, fewer rounds: about 15 minutes
    python -m benchmarks.run_all --only table,startup

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

from benchmarks import listing, partitioned, startup, table
from benchmarks.common import Section, machine

RESULTS = Path(__file__).with_name("RESULTS.md")
ALL = ("listing", "multiregion", "partitioned", "table", "startup")


def run(only: tuple[str, ...], runs: int, images: int) -> list[Section]:
    sections: list[Section] = []

    def step(name: str, make: Callable[[], Section | list[Section]]) -> None:
        """Run one benchmark; a failure becomes a section saying so, and the rest go on."""
        try:
            made = make()
        except Exception as exc:
            made = Section(f"{name}: FAILED", ["error"], [[f"{type(exc).__name__}: {exc}"]])
        for section in made if isinstance(made, list) else [made]:
            print(section.markdown(), flush=True)
            sections.append(section)

    if "table" in only:
        step("table model", lambda: table.model(runs, images))
        step("table in the app", lambda: table.app_table(runs, images))
        step("peak RSS", lambda: table.peak_rss(images))
    if "listing" in only:
        step("listing", lambda: listing.listing(runs, images))
    if "multiregion" in only:
        for delay in (0, 300):
            step("multi-region", lambda d=delay: listing.multi_region(runs, 5000, d))
    if "partitioned" in only:
        # A round lists 100k images at 400 ms + 1 ms/image a page: paging alone takes
        # about 2.5 min, so a quick run does one round and a full one two.
        step(
            "partitioned listing",
            lambda: partitioned.compare(max(1, runs // 2), images, 400.0, 1.0, 0.1),
        )
    if "startup" in only:
        step("startup", lambda: startup.startup(runs, images))
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

    started = time.perf_counter()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    box = machine()
    print(f"amitui benchmarks, {when}: {box}\n", flush=True)
    sections = run(only, runs, args.images)
    took = time.perf_counter() - started
    command = "python -m benchmarks.run_all " + " ".join(argv if argv is not None else sys.argv[1:])
    text = [
        "# amitui benchmark results",
        "",
        f"- command: `{command.strip()}` (`make bench` runs it without flags)",
        f"- date: {when}; took {took / 60:.1f} min",
        f"- machine: {box}",
        "- every figure is a median of the runs stated; ratios are to a baseline measured "
        "in the same run. The machine may have been shared: compare ratios, not absolutes.",
        "",
        targets(sections).markdown(),
        *(s.markdown() for s in sections),
    ]
    if not args.no_write:
        RESULTS.write_text("\n".join(text))
        print(f"wrote {RESULTS} in {took / 60:.1f} min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
