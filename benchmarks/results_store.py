"""benchmarks/results.json: every benchmark's last run, so one can be re-run alone.

``run_all --only listing`` replaces the listing's entry and keeps the others as they were
measured; RESULTS.md is then written from every entry, each with its own command, date and
machine. A figure in RESULTS.md is always one a run printed: nothing here edits figures.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.common import Section

STORE = Path(__file__).with_name("results.json")


def load(path: Path = STORE) -> dict[str, dict[str, Any]]:
    """Benchmark name -> {"command", "date", "machine", "took_min", "sections": [...]}."""
    if not path.exists():
        return {}
    data: dict[str, dict[str, Any]] = json.loads(path.read_text())
    return data


def sections_of(entry: dict[str, Any]) -> list[Section]:
    return [Section(**section) for section in entry["sections"]]


def entry(
    sections: list[Section], command: str, date: str, machine: str, took_min: float | None
) -> dict[str, Any]:
    return {
        "command": command,
        "date": date,
        "machine": machine,
        "took_min": None if took_min is None else round(took_min, 1),
        "sections": [asdict(s) | {"rows": [list(map(str, r)) for r in s.rows]} for s in sections],
    }


def save(data: dict[str, dict[str, Any]], path: Path = STORE) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
