"""Shared by the benchmarks: statistics, result tables, the canned endpoint as a child process."""

from __future__ import annotations

import gc
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Where the app under test keeps its compiled bytecode, outside the checkout. An installed
#: amitui (pip, pipx) has its .pyc files written at install; run from a checkout by a shell
#: with PYTHONDONTWRITEBYTECODE set (this machine's), every exec compiled ~130 modules from
#: source first (~0.15 s of CPU, before anything shows).
PYCACHE = Path(tempfile.gettempdir()) / "amitui-bench-pycache"


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f} ms"


def secs(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds:.2f} s"


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("met" if ok else "MISSED")


@dataclass
class Section:
    """One benchmark's table: printed as it finishes and written to RESULTS.md."""

    title: str
    headers: Sequence[str]
    rows: list[Sequence[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: what the targets summary calls it (default: the title up to its first "(" or ":")
    name: str = ""

    @property
    def short(self) -> str:
        return self.name or self.title.split(" (")[0].split(":")[0]

    def markdown(self) -> str:
        lines = [f"### {self.title}", ""]
        lines.append("| " + " | ".join(self.headers) + " |")
        lines.append("|" + "|".join("---" for _ in self.headers) + "|")
        lines.extend("| " + " | ".join(str(c) for c in row) + " |" for row in self.rows)
        if self.notes:
            lines.append("")
            lines.extend(f"- {note}" for note in self.notes)
        return "\n".join(lines) + "\n"


def bench_env(**extra: str) -> dict[str, str]:
    """An environment for the app under test: fake credentials, throwaway dirs, no profile."""
    scratch = Path(tempfile.mkdtemp(prefix="amitui-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AMITUI_", "TEXTUAL"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode as an installed app has it (PYCACHE)
    env.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(scratch / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(scratch / "aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AMITUI_CONFIG_DIR=str(scratch / "config"),
        AMITUI_STATE_DIR=str(scratch / "state"),
        AMITUI_CACHE_DIR=str(scratch / "cache"),
        # The code of this checkout, whichever one the venv's editable install points at
        # (a git worktree shares the venv of the main one).
        PYTHONPATH=str(ROOT),
        PYTHONPYCACHEPREFIX=str(PYCACHE),
    )
    env.update(extra)
    return env


def use_bench_env() -> None:
    """Make this process look like ``bench_env()`` (for in-process app runs)."""
    env = bench_env()
    for key in [k for k in os.environ if k.startswith(("AWS_", "AMITUI_"))]:
        del os.environ[key]
    os.environ.update({k: v for k, v in env.items() if k.startswith(("AWS_", "AMITUI_"))})


def canned_endpoint(
    images: int = 100_000,
    delay_ms: float = 0.0,
    regions: Sequence[str] = (),
    per_image_ms: float = 0.0,
    throttle: float = 0.0,
    accounts: int = 0,
    first_page_ms: float = 0.0,
) -> AbstractContextManager[str]:
    """Run benchmarks.canned_ec2 in a child process (its own GIL and core); yield its URL."""
    from amitui.cli import child_endpoint

    cmd = [sys.executable, "-m", "benchmarks.canned_ec2", "--port", "0"]
    cmd += ["--images", str(images), "--delay-ms", str(delay_ms)]
    cmd += ["--per-image-ms", str(per_image_ms), "--throttle", str(throttle)]
    if regions:
        cmd += ["--regions", ",".join(regions)]
    if accounts:
        cmd += ["--accounts", str(accounts)]
    if first_page_ms:
        cmd += ["--first-page-ms", str(first_page_ms)]
    return child_endpoint(cmd, "the canned endpoint", cwd=str(ROOT))


def peak_rss_mb(pid: int | str = "self") -> float:
    """The process's peak RSS (VmHWM) in MB.

    Not ``ru_maxrss``: Linux carries that across fork and exec, so a child started by a
    big parent reports the parent's size.
    """
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return math.nan


def settle() -> None:
    """Between measured runs: collect garbage and let the machine breathe a moment.

    Unfreezing first matters: a benchmark loop may ``gc.freeze()`` its pages (the listing
    floor does), and a frozen object is never collected, so the next run would start with
    the last one's objects still in memory (the cyclic GC scanning them made a second
    in-process app's startup ~2x slower).
    """
    gc.unfreeze()
    gc.collect()
    time.sleep(0.2)


def machine() -> str:
    import platform

    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}, "
        f"load average before start {load[0]:.2f}"
    )
