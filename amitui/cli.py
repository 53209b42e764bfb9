"""The front door: `amitui [flags]`, `amitui --demo`, `amitui sandbox`."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from amitui import __version__, paths
from amitui.settings import CONFIG_KEYS, LISTING_MODES, Settings, SettingsError, build_settings

if TYPE_CHECKING:
    from amitui.aws.accounts import AccountDirectory
    from amitui.aws.clients import AwsClients
    from amitui.ui.app import AmiTui

DEMO_SEED = 7


def _epilog() -> str:
    keys = "\n".join(f"  {k:<20} {v}" for k, v in CONFIG_KEYS.items())
    return (
        "precedence: flags > environment (AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION,\n"
        "AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, AMITUI_ROLE_NAME) > config file > defaults.\n\n"
        f"config file: {paths.config_file()}\n{keys}\n\n"
        "subcommands:\n  amitui sandbox [--host H] [--port N] [--seed N] [--pending-seconds S]\n"
        "                 serve the embedded sandbox EC2 endpoint until interrupted\n"
        "  amitui tasks [--running] [--format table|json] | amitui tasks wait ID...\n"
        "  amitui ACTION [IMAGE] [flags] [--dry-run] [--wait]   (copy, create, deregister, ...;\n"
        "                 amitui ACTION --help lists an action's flags, from its form)\n"
        "  amitui list [--filter Q] [--format table|json|csv|ids] ...\n"
        "                 print the inventory without the UI (amitui list --help)"
    )


class _Parser(argparse.ArgumentParser):
    """Adds the effective key bindings to --help (computed only when help is shown: it
    imports the UI)."""

    def format_help(self) -> str:
        return f"{super().format_help()}\n{_keys_help()}\n"


def _keys_help() -> str:
    from amitui.settings import user_keys
    from amitui.ui.keymap import keys_help

    keys, problem = user_keys()
    lines = [
        "keys (binding id, effective keys, what it does [where]); remap them in config.toml:",
        '  [keys]\n  refresh = "ctrl+r,f5"',
        "",
        keys_help(keys),
    ]
    if problem:
        lines.append(f"  (config.toml's [keys] not used: {problem})")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="amitui",
        description="A keyboard-driven terminal UI for EC2 images (AMIs).",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"amitui {__version__}")
    add_settings_arguments(parser)
    return parser


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags that build Settings: the UI's, and every subcommand that lists or acts
    the way the UI does (``amitui list``); ``settings_flags`` reads them back."""
    parser.add_argument("--profile", help="AWS profile (default: AWS_PROFILE, then 'default')")
    parser.add_argument(
        "--region",
        action="append",
        dest="regions",
        metavar="REGION",
        help="region to list; repeat for several (default: AWS_REGION / AWS_DEFAULT_REGION)",
    )
    parser.add_argument("--endpoint-url", help="EC2 endpoint URL (default: AWS_ENDPOINT_URL_EC2)")
    parser.add_argument(
        "--owner",
        action="append",
        dest="owners",
        metavar="OWNER",
        help="owner scope: self, amazon, aws-marketplace or an account id; repeatable",
    )
    parser.add_argument(
        "--read-only",
        action="store_const",
        const=True,
        default=None,
        help="make every mutating action impossible",
    )
    parser.add_argument(
        "--no-cache",
        dest="cache",
        action="store_const",
        const=False,
        default=None,
        help="do not show cached inventory at launch",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the embedded sandbox EC2 endpoint and point amitui at it; the demo "
        "ignores the profile, regions and endpoint of the config file and the environment "
        "(and --profile and --endpoint-url)",
    )
    parser.add_argument(
        "--listing",
        choices=LISTING_MODES,
        help="how to list a region: auto (default; NextToken paging, then creation-date "
        "partitions fetched at once when a page of 1000 takes 0.5 s or more), partitioned "
        "(partitions past the first page) or paged (sequential NextToken paging only)",
    )
    parser.add_argument(
        "--accounts",
        metavar="SET",
        help="list many accounts in one table: 'org' (the organization's active accounts, "
        "from organizations:ListAccounts in the management or a delegated admin account), "
        "'111111111111,222222222222' (account ids) or 'profiles:dev,prod' (named profiles); "
        "a role is assumed in each account but the caller's own",
    )
    parser.add_argument(
        "--role-name",
        metavar="NAME",
        help="the role --accounts assumes in each account (default "
        "OrganizationAccountAccessRole; AMITUI_ROLE_NAME, config key role_name)",
    )
    parser.add_argument(
        "--max-concurrency",
        type=int,
        metavar="N",
        help="account x region listings fetched at once (default 8)",
    )
    parser.add_argument("--debug-log", metavar="FILE", help="record each API call to FILE")


def settings_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The flags ``add_settings_arguments`` parsed, as build_settings takes them."""
    return {
        "profile": args.profile,
        "regions": args.regions,
        "endpoint_url": args.endpoint_url,
        "owners": args.owners,
        "read_only": args.read_only,
        "cache": args.cache,
        "debug_log": args.debug_log,
        "listing": args.listing,
        "accounts": args.accounts,
        "role_name": args.role_name,
        "max_concurrency": args.max_concurrency,
    }


def use_demo_endpoint(cli: dict[str, Any], url: str) -> None:
    """Point the flags (and the process's AWS variables) at the demo's sandbox ``url``."""
    # The sandbox accepts any credentials; the app talks boto3 to it as to AWS.
    os.environ.update(AWS_ACCESS_KEY_ID="demo", AWS_SECRET_ACCESS_KEY="demo")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    cli.update(endpoint_url=url, profile=None, demo=True)


@contextmanager
def child_endpoint(cmd: list[str], what: str, cwd: str | None = None, warm_up=None):
    """Run a child process that prints its URL on its first line; yield the URL; stop it
    on exit. ``warm_up()`` runs while the child starts (e.g. imports), in parallel."""
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        if warm_up is not None:
            warm_up()
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"{what} did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _import_the_app() -> None:
    import amitui.ui.app  # noqa: F401  (Textual's import time overlaps the sandbox's start)


def demo_sandbox(seed: int = DEMO_SEED, warm_up=_import_the_app):
    """`amitui sandbox` in a child process, for --demo (``warm_up``: what to do while it
    starts; None for a command that never loads the UI)."""
    cmd = [sys.executable, "-m", "amitui.sandbox", "--port", "0", "--seed", str(seed)]
    return child_endpoint(
        cmd, "the sandbox (is amitui installed with its [demo] extra?)", warm_up=warm_up
    )


def make_app(settings: Settings, clients: AwsClients | None = None) -> AmiTui:
    """The app as ``amitui`` builds it; ``clients`` replaces the AWS clients (benchmarks).

    With a cached listing to start with (amitui.cached_start), its first screenful is read
    now and the UI is imported next: boto3 loads only once those rows are painted. Without
    one, the app's own clients have each region's first page asked for before the UI is
    imported (amitui.aws.first_page).

    First of all, malloc is told to hold less (amitui.allocator), before any thread starts,
    and garbage collection waits until the first frame is painted (Collector.pause_start)."""
    from amitui import allocator
    from amitui.ui.collector import Collector

    allocator.tune()
    collecting = Collector.pause_start()
    try:
        return _make_app(settings, clients, collecting)
    except BaseException:
        Collector.resume_start(collecting)
        raise


def _make_app(settings: Settings, clients: AwsClients | None, collecting: bool) -> AmiTui:
    from amitui.inventory_cache import InventoryCache

    cache = InventoryCache() if settings.cache else None
    start = None
    if cache is not None and clients is None:
        from amitui.cached_start import read_cached_start

        start = read_cached_start(cache, settings)
    if clients is None:
        if start is None:
            clients = prefetching_clients(settings)
        else:
            from amitui.commands.common import clients_of

            clients = clients_of(settings)
    accounts = prefetching_accounts(settings, clients)
    from amitui.tasks.store import TaskStore
    from amitui.ui.app import AmiTui

    return AmiTui(
        settings, clients, TaskStore(), cache, accounts, cached_start=start, collecting=collecting
    )


def prefetching_clients(settings: Settings) -> AwsClients:
    """The app's AWS clients, each listed region's first DescribeImages page already asked
    for: the endpoint works on it while Textual loads (amitui.aws.first_page)."""
    from amitui.aws.images import ListQuery, first_request
    from amitui.commands.common import clients_of

    clients = clients_of(settings)
    query = ListQuery(  # the query AmiTui lists first
        owners=settings.owners,
        include_deprecated=settings.include_deprecated,
        include_disabled=settings.include_disabled,
    )
    # A failure here (an unknown profile) is met again by the listing, which says it.
    with suppress(Exception):
        clients.prefetch(settings.regions, first_request(query, settings.page_size))
    return clients


def prefetching_accounts(settings: Settings, clients: AwsClients) -> AccountDirectory | None:
    """--accounts: the account set, already being read (ListAccounts for ``org``) while
    Textual loads, so the listing fans out as soon as the inventory shows."""
    if not settings.accounts:
        return None
    from amitui.aws.accounts import AccountDirectory, parse_accounts

    accounts = AccountDirectory(clients, parse_accounts(settings.accounts), settings.role_name)
    accounts.prefetch()
    return accounts


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "sandbox":
        from amitui.sandbox.cli import main as sandbox_main

        return sandbox_main(argv[1:])
    if argv and argv[0] == "list":
        from amitui.commands.list_images import main as list_main

        return list_main(argv[1:])

    from amitui.commands import dispatch

    if (code := dispatch(argv)) is not None:  # tasks, tasks wait, copy, deregister, ...
        return code
    args = build_parser().parse_args(argv)
    cli = settings_flags(args)
    try:
        if args.demo:
            with demo_sandbox() as url:
                use_demo_endpoint(cli, url)
                settings = build_settings(cli)
                make_app(settings).run()
        else:
            settings = build_settings(cli)
            make_app(settings).run()
    except SettingsError as exc:
        print(f"amitui: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:  # includes the store's StoreError (e.g. a newer schema)
        print(f"amitui: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
