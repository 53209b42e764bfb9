"""What an action form sends, off the UI thread: the calls (amitui.actions.run) and each
started task recorded in SQLite before the form hears of it, so a task is stored before
the user sees "started". The answers come back as messages."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from amitui.actions.run import run_action
from amitui.actions.spec import ActionSpec, InvalidForm
from amitui.aws.errors import describe_error
from amitui.aws.execute import CallResult
from amitui.aws.images import Image
from amitui.aws.lookups import Lookup
from amitui.ui.services import Services


class RegionsLoaded(Message):
    def __init__(self, lookup: Lookup | None) -> None:
        super().__init__()
        self.lookup = lookup


class CallsFinished(Message):
    def __init__(self, results: list[CallResult] | None, error: str | None, dry_run: bool):
        super().__init__()
        self.results = results
        self.error = error
        self.dry_run = dry_run


def send(
    services: Services,
    spec: ActionSpec,
    account: str,
    values: dict[str, object],
    region: str,
    dry_run: bool,
    *,
    token_seed: str,
    regions: list[str] | None,
    image: Image | None,
    context: dict[str, Any],
) -> CallsFinished:
    """Run the action in ``account`` (--accounts; "" the one account) and record the tasks
    it started. Call it from a worker thread."""
    try:
        results = run_action(
            services.clients_for(account),
            spec,
            values,
            region,
            dry_run=dry_run,
            token_seed=token_seed,
            regions=regions,
            image_snapshots=image.snapshot_ids if image else (),
            context=context,
        )
    except InvalidForm as exc:
        return CallsFinished(None, str(exc), dry_run)
    except Exception as exc:
        return CallsFinished(None, describe_error(exc), dry_run)
    problem = None
    if not dry_run:
        for result in results:
            try:  # into SQLite now, in this thread, before the UI says "started"
                services.tasks.record(spec.task, result, account)
            except Exception as exc:
                problem = f"Started, but the task could not be saved: {describe_error(exc)}"
    return CallsFinished(results, problem, dry_run)
