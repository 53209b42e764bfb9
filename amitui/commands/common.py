"""What every command shares: the AWS flags, the settings and clients they make, the
task store and its scope, and how a command says one line.

Exit codes (the same for every command): 0 done; 1 AWS said no, or a followed task
failed or was cancelled; 2 the command line was refused before anything was sent (a
bad flag or value, an unknown task id, --read-only, a guard); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from amitui.settings import Settings, build_settings

if TYPE_CHECKING:
    from amitui.aws.clients import AwsClients
    from amitui.tasks.store import TaskStore

OK, FAILED, REFUSED, INTERRUPTED = 0, 1, 2, 130

#: The global options that take a value (``amitui --region X copy …`` moves them after
#: the command name, where the command's own parser reads them).
VALUE_OPTIONS = ("--profile", "--region", "--endpoint-url", "--debug-log")
FLAG_OPTIONS = ("--read-only",)


def aws_flags(default: Any = None) -> argparse.ArgumentParser:
    """The parent parser of every command: the UI's AWS flags, with the same meaning.
    ``default=argparse.SUPPRESS`` for a nested command (`tasks wait`), whose defaults
    would otherwise replace what was given before its name."""
    parent = argparse.ArgumentParser(add_help=False, argument_default=default)
    group = parent.add_argument_group("AWS")
    group.add_argument("--profile", help="AWS profile (default: AWS_PROFILE)")
    group.add_argument(
        "--region",
        metavar="REGION",
        help="the region (default: AWS_REGION / AWS_DEFAULT_REGION, then config.toml)",
    )
    group.add_argument("--endpoint-url", help="EC2 endpoint URL (default: AWS_ENDPOINT_URL_EC2)")
    group.add_argument(
        "--read-only",
        action="store_const",
        const=True,
        help="refuse every mutating action",
    )
    group.add_argument("--debug-log", metavar="FILE", help="record each API call to FILE")
    return parent


def command_word(argv: Sequence[str]) -> int | None:
    """Where the word that may name a command is in argv: first, or right after the
    global AWS options given before it; None when there is no such word (the UI's own
    flags: no command). Needs no command names, so the UI's start loads none of them."""
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        option = argv[index]
        if option in VALUE_OPTIONS:
            index += 2
        elif option.split("=", 1)[0] in VALUE_OPTIONS or option in FLAG_OPTIONS:
            index += 1
        else:
            return None
    return index if index < len(argv) else None


def hoist_command(argv: list[str], names: set[str]) -> list[str]:
    """``[--region X, copy, …]`` -> ``[copy, --region X, …]`` when global AWS options come
    before a command name; argv unchanged otherwise."""
    index = command_word(argv)
    if not index or argv[index] not in names:
        return argv
    return [argv[index], *argv[:index], *argv[index + 1 :]]


def settings_of(args: argparse.Namespace) -> Settings:
    """Raises SettingsError (the caller prints it and exits 2)."""
    region = getattr(args, "region", None)
    return build_settings(
        {
            "profile": getattr(args, "profile", None),
            "regions": [region] if region else None,
            "endpoint_url": getattr(args, "endpoint_url", None),
            "read_only": getattr(args, "read_only", None),
            "debug_log": getattr(args, "debug_log", None),
        }
    )


def clients_of(settings: Settings, *, read_only: bool | None = None) -> AwsClients:
    """The AWS clients the settings name (the UI's, the commands' and the listing's), with
    the debug log attached when asked; ``read_only`` overrides the settings' flag."""
    from amitui.aws.clients import AwsClients

    clients = AwsClients(
        profile=settings.profile,
        endpoint_url=settings.endpoint_url,
        default_region=settings.region,
        read_only=settings.read_only if read_only is None else read_only,
    )
    if settings.debug_log:
        from amitui.aws.debug_log import DebugLog

        DebugLog(settings.debug_log).attach(clients)
    return clients


@dataclass
class Context:
    """One command's settings, clients, task store and output streams."""

    settings: Settings
    clients: AwsClients
    out: TextIO
    err: TextIO
    _store: TaskStore | None = None

    @property
    def store(self) -> TaskStore:
        if self._store is None:
            from amitui.tasks.store import TaskStore

            self._store = TaskStore()
        return self._store

    def scope(self) -> str:
        """This endpoint and account, as the UI names them (one STS call)."""
        from amitui.tasks.model import make_scope

        return make_scope(self.clients.endpoint_url, self.clients.identity().account)

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def warn(self, line: str) -> None:
        print(line, file=self.err, flush=True)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def make_context(args: argparse.Namespace, out: Any = None, err: Any = None) -> Context:
    settings = settings_of(args)
    return Context(settings, clients_of(settings), out or sys.stdout, err or sys.stderr)
