"""The suite's figures, counted as the tests run and printed at the end of the session.

Tests add to :data:`FIGURES`; ``tests/conftest.py`` adds up the workers' figures (under
pytest-xdist), prints them at the end, and writes them as JSON to
``$AMITUI_RELIABILITY_FIGURES`` when that is set. RELIABILITY.md quotes a
run of ``.venv/bin/pytest tests/reliability``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Figures:
    faults: Counter[str] = field(default_factory=Counter)  # fault kind -> times injected
    inputs: Counter[str] = field(default_factory=Counter)  # where -> values tried
    tasks_told: int = 0  # tasks the user (or a killed process) was told had started
    tasks_lost: int = 0  # of those, missing from SQLite afterwards
    tasks_duplicated: int = 0  # tasks stored (or images made at the endpoint) twice
    kills: int = 0  # SIGKILLs delivered while tasks were being written
    mutating_under_read_only: int = 0  # mutating requests that reached the endpoint
    keys_pressed_read_only: int = 0

    def tasks(self, told: int, lost: int = 0, duplicated: int = 0) -> None:
        self.tasks_told += told
        self.tasks_lost += lost
        self.tasks_duplicated += duplicated

    @property
    def empty(self) -> bool:
        return not (self.faults or self.inputs or self.tasks_told or self.kills)

    def as_dict(self) -> dict:
        return {
            "faults_injected": dict(sorted(self.faults.items())),
            "faults_total": sum(self.faults.values()),
            "inputs_tried": dict(sorted(self.inputs.items())),
            "inputs_total": sum(self.inputs.values()),
            "tasks_told": self.tasks_told,
            "tasks_lost": self.tasks_lost,
            "tasks_duplicated": self.tasks_duplicated,
            "sigkills": self.kills,
            "keys_pressed_under_read_only": self.keys_pressed_read_only,
            "mutating_requests_under_read_only": self.mutating_under_read_only,
        }

    def lines(self) -> list[str]:
        d = self.as_dict()
        out = [f"faults injected: {d['faults_total']}"]
        out += [f"  {kind:<12} {n}" for kind, n in d["faults_injected"].items()]
        out.append(f"inputs tried: {d['inputs_total']}")
        out += [f"  {where:<28} {n}" for where, n in d["inputs_tried"].items()]
        out.append(
            f"tasks told: {d['tasks_told']}  lost: {d['tasks_lost']}"
            f"  duplicated: {d['tasks_duplicated']}  (SIGKILLs: {d['sigkills']})"
        )
        out.append(
            f"read-only: {d['keys_pressed_under_read_only']} keys/commands,"
            f" {d['mutating_requests_under_read_only']} mutating requests reached the endpoint"
        )
        return out

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)

    def add(self, d: dict) -> None:
        """Add another process's figures (``as_dict``): pytest-xdist's workers each count
        their own, and the controller adds them up."""
        self.faults.update(d["faults_injected"])
        self.inputs.update(d["inputs_tried"])
        self.tasks(d["tasks_told"], d["tasks_lost"], d["tasks_duplicated"])
        self.kills += d["sigkills"]
        self.keys_pressed_read_only += d["keys_pressed_under_read_only"]
        self.mutating_under_read_only += d["mutating_requests_under_read_only"]


FIGURES = Figures()
