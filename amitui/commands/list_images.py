"""``amitui list``: the inventory without the UI, for scripts and pipes.

The same settings as the UI (its flags, environment and config.toml), the same listing
(``settings.listing``: auto, partitioned or paged; every region at once), the same filter
engine and columns (``amitui.ui.rows.ImageRows``, ``amitui.ui.columns``: both free of
Textual, which this command never loads).

Streaming: without ``--sort`` each page is printed (and flushed) as it arrives; with
``--sort`` the whole listing is collected first. A region that fails is one line on stderr;
the others are printed, and the exit code is 1. A complete listing of a region is saved to
the inventory cache the UI starts from (unless ``--no-cache``), which ``--cached`` reads.
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any

from amitui.aws.images import Image, ListQuery
from amitui.aws.partitions import LISTINGS
from amitui.cli import add_settings_arguments, demo_sandbox, settings_flags, use_demo_endpoint
from amitui.commands.list_cached import read_cached
from amitui.commands.list_output import FORMATS, colours_wanted, make_printer
from amitui.settings import Settings, SettingsError, build_settings
from amitui.ui.columns import COLUMN_BY_KEY, Column, columns_for
from amitui.ui.query import FIELD_NAMES, FIELDS_SHOWN
from amitui.ui.rows import ImageRows

#: Regions listed at once.
REGION_WORKERS = 8

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
    columns = pick_columns(args.columns, settings)
    rows = ImageRows()
    rows.set_filter(args.filter)
    if args.sort:
        rows.sort_by(column_key(args.sort), args.reverse)
    query = ListQuery(
        owners=settings.owners,
        include_deprecated=settings.include_deprecated,
        include_disabled=settings.include_disabled,
    )
    if args.cached:
        return read_cached(args, settings, query, rows, columns, out, err)
    if settings.accounts:
        from amitui.commands.list_accounts import list_accounts

        width = _terminal_width(out)
        return list_accounts(args, settings, query, rows, columns, out, err, width)
    return _list_live(args, settings, query, rows, columns, out, err)


def _list_live(
    args: argparse.Namespace,
    settings: Settings,
    query: ListQuery,
    rows: ImageRows,
    columns: tuple[Column, ...],
    out: IO[str],
    err: IO[str],
) -> int:
    from amitui.aws.errors import describe_error
    from amitui.commands.common import clients_of

    clients = clients_of(settings, read_only=True)  # listing reads; nothing else may be sent
    stop = threading.Event()
    raws: dict[tuple[str, str], dict[str, Any]] | None = {} if args.format == "json" else None
    pool = ThreadPoolExecutor(max_workers=REGION_WORKERS + 1, thread_name_prefix="list")
    identity = pool.submit(clients.identity)
    pages: queue.Queue[tuple[str, list[Image] | None, str | None]] = queue.Queue()
    lister = LISTINGS[settings.listing]

    def list_region(region: str) -> None:
        try:
            # JSON prints each image as DescribeImages returned it: botocore's dicts.
            if raws is not None:
                ec2 = Recording(clients.ec2(region), region, raws)
            else:
                ec2 = clients.listing_ec2(region)  # answers carry Image rows
            for page in lister(ec2, region, query, settings.page_size, stop.is_set):
                pages.put((region, page, None))
            pages.put((region, None, None))
        except Exception as exc:
            pages.put((region, None, describe_error(exc, settings.profile)))

    for region in settings.regions:
        pool.submit(list_region, region)
    account: list[str | None] = []

    def record(image: Image) -> dict[str, Any]:
        if not account:
            account.append(_account(identity, err, describe_error, settings.profile))
        assert raws is not None
        raw = raws.get((image.region, image.image_id), {})
        return {**raw, "Region": image.region, "Account": account[0]}

    printer = make_printer(
        args.format,
        out,
        columns,
        record,
        colour=colours_wanted(out),
        width=_terminal_width(out),
    )
    printed = 0
    errors: dict[str, str] = {}
    waiting = set(settings.regions)
    try:
        while waiting:
            region, page, error = pages.get()
            if page is not None:
                rows.extend(page)
                if not args.sort:
                    printed += printer.add(map(rows.images.__getitem__, rows.visible[printed:]))
                    out.flush()
                continue
            waiting.discard(region)
            if error is not None:
                errors[region] = error
                print(f"amitui list: {region}: {error}", file=err)
        if args.sort or not printed:
            printer.add(map(rows.images.__getitem__, rows.visible[printed:]))
        out.flush()
    finally:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
    if settings.cache:
        _save_cache(settings, query, rows, identity, errors, err)
    return 1 if errors else 0


class Recording:
    """An EC2 client that keeps each image DescribeImages returned, as it returned it
    (``--format json``): the listing itself keeps only the slim Image rows."""

    def __init__(self, ec2: Any, region: str, raws: dict[tuple[str, str], dict[str, Any]]):
        self._ec2, self._region, self._raws = ec2, region, raws

    def describe_images(self, **params: Any) -> dict[str, Any]:
        answer = self._ec2.describe_images(**params)
        for raw in answer.get("Images", ()):
            self._raws[(self._region, raw.get("ImageId", ""))] = raw
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ec2, name)


def _account(
    identity: Future, err: IO[str], describe: Callable[..., str], profile: str | None
) -> str | None:
    try:
        return str(identity.result().account)
    except Exception as exc:
        print(f"amitui list: account unknown ({describe(exc, profile)}): Account is null", file=err)
        return None


def _save_cache(
    settings: Settings,
    query: ListQuery,
    rows: ImageRows,
    identity: Future,
    errors: dict[str, str],
    err: IO[str],
) -> None:
    """Each region listed whole, to the cache the UI starts from (as the UI saves it)."""
    from amitui.inventory_cache import InventoryCache

    try:
        account = identity.result().account
    except Exception:  # no account, no cache key: the listing was printed anyway
        return
    cache = InventoryCache()
    for warning in cache.warnings:
        print(f"amitui list: {warning}", file=err)
    try:
        for region in settings.regions:
            if region not in errors:
                images = [i for i in rows.images if i.region == region]
                cache.save((settings.endpoint_url, account, region, query.label()), images)
    except Exception as exc:  # disposable: a listing that was printed did not fail
        print(f"amitui list: the inventory cache was not saved: {exc}", file=err)
    finally:
        cache.close()


def _terminal_width(out: IO[str]) -> int | None:
    isatty = getattr(out, "isatty", None)
    if isatty and isatty():
        return shutil.get_terminal_size().columns
    return None
