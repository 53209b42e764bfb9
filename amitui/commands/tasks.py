"""`amitui tasks`: the task history of this endpoint and account, as the UI's tasks screen
keeps it (the same SQLite file), and `amitui tasks wait ID…`.

The scope is the UI's: the endpoint URL (or "aws") and the account STS names. Bulk runs
are listed too, one line (or object) each, with ids ``bulk-N``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from amitui.commands.common import FAILED, OK, REFUSED, Context, aws_flags
from amitui.commands.follow import follow
from amitui.tasks.bulk_model import BulkRun
from amitui.tasks.model import Task

FORMATS = ("table", "json")


def add_parser(commands: Any, parent: argparse.ArgumentParser) -> None:
    tasks = commands.add_parser(
        "tasks",
        parents=[parent],
        help="the task history of this endpoint and account (what the tasks screen shows)",
        description="The tasks amitui started or follows here (the UI's store), newest "
        "first, then the bulk runs (ids bulk-N). `amitui tasks wait ID…` blocks until "
        "those tasks end: exit 0 when all are done, 1 when any failed or was cancelled, "
        "2 for an unknown id, 130 when interrupted (nothing remote is cancelled).",
    )
    tasks.add_argument("--running", action="store_true", help="only what is still running")
    tasks.add_argument(
        "--all", action="store_true", help="also the finished tasks cleared from the screen"
    )
    tasks.add_argument("--format", choices=FORMATS, default="table", help="table (default) or json")
    tasks.set_defaults(command="tasks", subcommand=None)
    sub = tasks.add_subparsers(dest="subcommand", metavar="{wait}")
    wait = sub.add_parser(
        "wait",
        parents=[aws_flags(argparse.SUPPRESS)],
        help="block until the tasks end (exit 0 all done, 1 any failed or cancelled)",
        description="Follow the tasks (polling AWS as the UI does, whether or not a UI "
        "runs too), one line per change, until every one ended.",
    )
    wait.add_argument("ids", nargs="+", type=int, metavar="ID", help="task ids (amitui tasks)")


def run(ctx: Context, args: argparse.Namespace) -> int:
    scope = ctx.scope()
    if args.subcommand == "wait":
        return wait(ctx, scope, args.ids)
    tasks = ctx.store.list_tasks(scope, include_cleared=args.all)
    runs = ctx.store.bulk.runs(scope, include_cleared=args.all)
    if args.running:
        tasks = [t for t in tasks if t.is_running]
        runs = [r for r in runs if not r.finished]
    if args.format == "json":
        objects = [task_object(t) for t in tasks] + [bulk_object(r) for r in runs]
        ctx.say(json.dumps(objects, indent=2))
    elif not tasks and not runs:
        ctx.warn(f"no tasks here ({scope})")
    else:
        for line in table(tasks, runs):
            ctx.say(line)
    return OK


def wait(ctx: Context, scope: str, ids: Sequence[int]) -> int:
    for task_id in ids:
        task = ctx.store.get(task_id)
        if task is None or task.scope != scope:
            ctx.warn(f"amitui: no task {task_id} here (amitui tasks lists this scope's: {scope})")
            return REFUSED
    code = follow(ctx, scope, list(dict.fromkeys(ids)))
    return OK if code == OK else FAILED


# -- shapes ------------------------------------------------------------------------------


def _iso(at: float | None) -> str | None:
    if at is None:
        return None
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def task_object(task: Task) -> dict[str, object]:
    return {
        "type": "task",
        "id": task.id,
        "kind": task.kind,
        "status": task.status,
        "region": task.region,
        "target_id": task.target_id,
        "image_id": task.image_id or None,
        "name": task.name,
        "source": task.source,
        "aws_state": task.aws_state,
        "progress": task.progress,
        "message": task.message,
        "created_at": _iso(task.created_at),
        "finished_at": _iso(task.finished_at),
        "elapsed_seconds": round(task.elapsed(), 1),
    }


def bulk_object(run: BulkRun) -> dict[str, object]:
    return {
        "type": "bulk",
        "id": f"bulk-{run.id}",
        "action": run.action,
        "title": run.title,
        "status": run.state(),
        "items": run.total,
        "counts": dict(run.counts),
        "note": run.note,
        "created_at": _iso(run.created_at),
        "finished_at": _iso(run.finished_at),
    }


def _elapsed(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


HEADER = (
    "ID", "KIND", "STATUS", "PROGRESS", "REGION", "TARGET", "IMAGE", "STARTED", "ELAPSED",
    "MESSAGE",
)  # fmt: skip


def table(tasks: Sequence[Task], runs: Sequence[BulkRun]) -> list[str]:
    rows: list[tuple[str, ...]] = []
    for t in tasks:
        progress = "" if t.progress is None else f"{t.progress}%"
        image = t.image_id if t.image_id != t.target_id else ""
        started = (_iso(t.created_at) or "").replace("T", " ")[:16]
        state = t.status if not t.aws_state or t.aws_state == t.status else t.aws_state
        message = t.message if t.message != state else ""
        rows.append(
            (str(t.id), t.kind, t.status, progress, t.region, t.target_id, image, started,
             _elapsed(t.elapsed()), message)
        )  # fmt: skip
    for r in runs:
        started = (_iso(r.created_at) or "").replace("T", " ")[:16]
        end = r.finished_at if r.finished_at is not None else None
        elapsed = _elapsed((end or datetime.now(UTC).timestamp()) - r.created_at)
        rows.append(
            (f"bulk-{r.id}", r.action, r.state(), r.progress(), "", "", "", started, elapsed,
             r.summary())
        )  # fmt: skip
    widths = [max(len(row[i]) for row in (HEADER, *rows)) for i in range(len(HEADER) - 1)]
    lines = []
    for row in (HEADER, *rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return lines
