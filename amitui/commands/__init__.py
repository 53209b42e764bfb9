"""The commands that answer scripts without the UI: `amitui list` (list_images.py),
`amitui tasks` (and `tasks wait`),
and one command per registered action (`amitui copy`, `amitui deregister`, …), generated
from the same ActionSpecs as the forms (:mod:`amitui.commands.flags`).

``dispatch(argv)`` runs the command argv names and returns its exit code, or None when
argv names none (the UI starts). The global AWS flags may come before the command
(``amitui --region eu-west-1 tasks``) or after it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from amitui.commands.common import (
    INTERRUPTED,
    REFUSED,
    aws_flags,
    command_word,
    hoist_command,
    make_context,
)
from amitui.commands.completion import SHELLS
from amitui.settings import SettingsError

TASKS = "tasks"
COMPLETION = "completion"


def command_names() -> set[str]:
    from amitui.actions import ACTIONS

    return {TASKS, COMPLETION, *ACTIONS}


def build_parser() -> argparse.ArgumentParser:
    from amitui.commands import actions, tasks

    parser = argparse.ArgumentParser(prog="amitui", description="amitui's commands.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parent = aws_flags()
    tasks.add_parser(commands, parent)
    actions.add_parsers(commands, parent)
    completion = commands.add_parser(
        COMPLETION,
        help='print a shell completion script: eval "$(amitui completion bash)"',
        description="Print a completion script for bash or zsh (the commands, their flags "
        "and fixed choices); load it from your shell's startup file.",
    )
    completion.add_argument("shell", choices=SHELLS)
    return parser


def dispatch(argv: Sequence[str], out: Any = None, err: Any = None) -> int | None:
    if command_word(argv) is None:
        return None  # the UI's flags only: no command names needed (they import every action)
    names = command_names()
    argv = hoist_command(list(argv), names)
    if not argv or argv[0] not in names:
        return None
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse said why on stderr (exit 2), or printed --help
        return exc.code if isinstance(exc.code, int) else REFUSED
    if args.command == COMPLETION:
        from amitui.cli import build_parser as ui_parser
        from amitui.commands.completion import script

        print(script(args.shell, ui_parser(), build_parser()), file=out or sys.stdout, end="")
        return 0
    return run(args, out, err)


def run(args: argparse.Namespace, out: Any = None, err: Any = None) -> int:
    from amitui.commands import actions, tasks

    err = err or sys.stderr
    try:
        ctx = make_context(args, out, err)
    except SettingsError as exc:
        print(f"amitui: {exc}", file=err)
        return REFUSED
    try:
        if args.command == TASKS:
            return tasks.run(ctx, args)
        return actions.run(ctx, args)
    except KeyboardInterrupt:
        ctx.warn("interrupted: stopped following (nothing was cancelled)")
        return INTERRUPTED
    except Exception as exc:  # one readable line, never a traceback
        from amitui.aws.errors import describe_error

        ctx.warn(f"amitui: {describe_error(exc, ctx.settings.profile)}")
        return 1
    finally:
        ctx.close()
