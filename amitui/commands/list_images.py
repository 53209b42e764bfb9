"""``amitui list``: the inventory without the UI, for scripts and pipes.

The same settings as the UI (its flags, environment and config.toml), the same listing
(``settings.listing``: auto, partitioned or paged; every region at once), the same filter
engine and columns (``amitui.ui.rows.ImageRows``, ``amitui.ui.columns``: both free of
Textual, which this command never loads).

The listing itself is ``amitui.commands.list_live`` (the regions of the one account, or
with ``--accounts`` every account x region): without ``--sort`` each page is printed (and
flushed) as it arrives; with ``--sort`` the whole listing is collected first. A region
that fails is one line on stderr; the others are printed, and the exit code is 1. A
complete listing of a region is saved to the inventory cache the UI starts from (unless
``--no-cache``), which ``--cached`` (``amitui.commands.list_cached``) reads.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from typing import IO

from amitui.aws.images import ListQuery
from amitui.cli import add_settings_arguments, demo_sandbox, settings_flags, use_demo_endpoint
from amitui.commands.list_cached import read_cached
from amitui.commands.list_output import FORMATS, ListJob
from amitui.settings import Settings, SettingsError, build_settings
from amitui.ui.columns import COLUMN_BY_KEY, Column, columns_for
from amitui.ui.query import FIELD_NAMES, FIELDS_SHOWN
from amitui.ui.rows import ImageRows

EPILOG = """\
filter: the inventory's filter language, e.g. 'arch:arm64 !windows launched:>90d',
  'tag:Team=web', 'name:"my image"', 'created:<2024-06'. Fields: {fields}.

formats:
  table  aligned columns (colours only on a terminal, never with NO_COLOR)
  ids    one image id a line (for xargs)
  csv    a header of column keys, then one row per image; dates as ISO timestamps
  json   JSON Lines: one object a line, each image as DescribeImages returns it plus
         "Region" and "Account"; `jq -s` gathers them into one array. With --cached:
         the fields the cache keeps (no block device mappings)

columns (--columns, --sort): {columns}

streaming: without --sort, rows are printed as each page arrives; --sort collects the
whole listing first.

--cached reads the inventory cache (what the UI, or amitui list, saved last) and calls no
AWS API: the cache is keyed by endpoint, account, region and owners, and the account is the
one cached for that endpoint, region and owners (--account chooses when there are several).
How old the listing is goes to stderr. A live listing saves each region it listed whole to
that cache (as the UI does); --no-cache does not.

--accounts (org, ids or profiles:, as in the UI): every account x region, through
--max-concurrency listings at once; an Account column (its name; csv adds account_id,
json objects "Account" (the id) and "AccountName").

exit codes: 0 listed; 1 an AWS error (one line on stderr per failed region, or per
account that could not be reached, with its reason; the other regions and accounts are
printed) or no cached listing; 2 a bad flag or setting.

examples:
  amitui list --filter 'arch:arm64 !windows' --columns name,id,created --sort created
  amitui list --format ids --filter 'created:>2y' | xargs -n1 echo
  amitui list --format json | jq -r '.ImageId + " " + .Name'
"""


class UsageError(Exception):
    """A flag's value cannot be used (exit 2)."""


def build_parser() -> argparse.ArgumentParser:
    columns = ", ".join(c.key for c in COLUMN_BY_KEY.values())
    parser = argparse.ArgumentParser(
        prog="amitui list",
        description="Print the inventory without the UI: the same settings, filter language "
        "and columns as the UI.",
        epilog=EPILOG.format(fields=", ".join(FIELDS_SHOWN), columns=columns),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_settings_arguments(parser)
    parser.add_argument("--filter", default="", metavar="QUERY", help="the UI's filter (below)")
    parser.add_argument(
        "--sort", metavar="COLUMN", help="sort by this column (collects the whole listing first)"
    )
    parser.add_argument("--reverse", action="store_true", help="sort descending (with --sort)")
    parser.add_argument(
        "--columns",
        metavar="KEYS",
        help="comma-separated column keys for table and csv (default: the UI's columns)",
    )
    parser.add_argument("--format", choices=FORMATS, default="table", help="default: table")
    parser.add_argument(
        "--cached",
        action="store_true",
        help="answer from the inventory cache without calling AWS (its age goes to stderr)",
    )
    parser.add_argument(
        "--account", help="with --cached: whose cached listing, when several accounts have one"
    )
    return parser


def column_key(name: str) -> str:
    """A column key from a key or an alias the filter language accepts (``ami``, ``date``)."""
    key = FIELD_NAMES.get(name.strip().lower())
    if key not in COLUMN_BY_KEY:
        known = ", ".join(COLUMN_BY_KEY)
        raise UsageError(f"unknown column {name.strip()!r} (columns: {known})")
    return key


def pick_columns(text: str | None, settings: Settings) -> tuple[Column, ...]:
    if text is None:
        return columns_for(len(settings.regions) > 1, settings.columns)
    keys = [column_key(name) for name in text.split(",") if name.strip()]
    if not keys:
        raise UsageError("--columns names no column")
    return tuple(COLUMN_BY_KEY[k] for k in dict.fromkeys(keys))


def main(argv: Sequence[str], out: IO[str] | None = None, err: IO[str] | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    cli = settings_flags(args)
    try:
        if args.reverse and not args.sort:
            raise UsageError("--reverse needs --sort COLUMN")
        if args.accounts and args.cached:
            raise UsageError(
                "--cached reads one account's cached listing (--account), not --accounts"
            )
        if args.demo:
            with demo_sandbox(warm_up=None) as url:
                use_demo_endpoint(cli, url)
                return run(args, build_settings(cli), out, err)
        return run(args, build_settings(cli), out, err)
    except (SettingsError, UsageError) as exc:
        print(f"amitui list: {exc}", file=err)
        return 2
    except RuntimeError as exc:  # the demo's sandbox did not start
        print(f"amitui list: {exc}", file=err)
        return 1
    except BrokenPipeError:  # `amitui list | head`: the reader has what it wanted
        _quiet_stdout()
        return 0
    except KeyboardInterrupt:  # ctrl+c: what was printed stays, no traceback
        return 130


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that the exit's flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (a test's capture): nothing to silence
        pass


def run(args: argparse.Namespace, settings: Settings, out: IO[str], err: IO[str]) -> int:
    rows = ImageRows()
    rows.set_filter(args.filter)
    if args.sort:
        rows.sort_by(column_key(args.sort), args.reverse)
    query = ListQuery(
        owners=settings.owners,
        include_deprecated=settings.include_deprecated,
        include_disabled=settings.include_disabled,
    )
    columns = pick_columns(args.columns, settings)
    job = ListJob(args, settings, query, rows, columns, out, err)
    if args.cached:
        return read_cached(job)
    width = _terminal_width(out)
    if settings.accounts:
        from amitui.commands.list_accounts import list_accounts

        return list_accounts(job, width)
    from amitui.commands.list_live import OwnPlaces, list_live

    return list_live(job, OwnPlaces(settings, job.say), width)


def _terminal_width(out: IO[str]) -> int | None:
    isatty = getattr(out, "isatty", None)
    if isatty and isatty():
        return shutil.get_terminal_size().columns
    return None
