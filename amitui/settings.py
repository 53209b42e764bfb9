"""Settings: CLI flags > environment > config.toml > defaults, frozen once built."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amitui import paths

DEFAULT_REGION = "us-east-1"

#: How the inventory lists a region: creation-date partitions fetched concurrently
#: (amitui/aws/partitions.py), or plain sequential NextToken paging.
LISTING_MODES = ("auto", "partitioned", "paged")

#: config.toml keys, their types and what they mean (shown by ``amitui --help``).
CONFIG_KEYS: dict[str, str] = {
    "profile": "AWS profile name (string)",
    "regions": 'regions to list (list of strings, e.g. ["us-east-1", "eu-west-1"])',
    "endpoint_url": "EC2 endpoint URL (string; for a sandbox or a VPC endpoint)",
    "owners": 'owner scope (list: "self", "amazon", "aws-marketplace", an account id)',
    "read_only": "refuse every mutating call (bool)",
    "include_deprecated": "list deprecated images too (bool)",
    "include_disabled": "list disabled images too (bool)",
    "poll_interval": "seconds between task polls (number, default 15)",
    "page_size": "DescribeImages MaxResults per page (5..1000, default 1000)",
    "cache": "show cached inventory at launch (bool, default true)",
    "listing": '"auto" (default: paging, then creation-date partitions fetched at once when '
    'a page is slow), "partitioned" (always, past the first page) or "paged" (never)',
    "columns": "inventory columns shown (list of column keys; the column picker, key C, writes it)",
    "version_depth": "launch template versions the usage check reads, newest first "
    "(1..10000, default 10000: every version; AWS's own default is 10)",
    "theme": 'Textual theme, e.g. "gruvbox" (the palette\'s theme switch writes it)',
    "accounts": 'accounts to list: "org" (the organization\'s active accounts), '
    '"111111111111,222222222222" or "profiles:dev,prod"',
    "role_name": "role assumed in each account (string, default OrganizationAccountAccessRole; "
    "env AMITUI_ROLE_NAME)",
    "max_concurrency": "account x region listings fetched at once (1..64, default 8)",
    "keys": 'table remapping keys by binding id, e.g. [keys] refresh = "ctrl+r,f5" (below)',
}


#: What ``--demo`` ignores in the config file and the environment: the demo talks to its own
#: sandbox with its own credentials and lists the regions the sandbox seeded.
DEMO_IGNORES = ("profile", "regions", "endpoint_url")


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Settings:
    profile: str | None = None
    regions: tuple[str, ...] = (DEFAULT_REGION,)
    #: True when no flag, variable or config key named a region and ``regions`` is the
    #: default (the header says so: the user may think they are looking elsewhere)
    region_defaulted: bool = False
    endpoint_url: str | None = None
    owners: tuple[str, ...] = ("self",)
    read_only: bool = False
    include_deprecated: bool = False
    include_disabled: bool = False
    poll_interval: float = 15.0
    page_size: int = 1000
    cache: bool = True
    #: one of LISTING_MODES
    listing: str = "auto"
    demo: bool = False
    debug_log: Path | None = None
    #: launch template versions the usage check reads (DescribeImageReferences)
    version_depth: int = 10000
    #: the inventory columns the user picked (None: the default set)
    columns: tuple[str, ...] | None = None
    #: the Textual theme the user picked last (None: Textual's default)
    theme: str | None = None
    #: --accounts as given ("org", ids, "profiles:..."): None lists the base account only
    accounts: str | None = None
    #: the role assumed in each account of ``accounts``
    role_name: str = "OrganizationAccountAccessRole"
    #: how many (account, region) listings run at once
    max_concurrency: int = 8
    #: config.toml's [keys] table as written (binding id -> keys); the UI checks it
    keys: Mapping[str, Any] = field(default_factory=dict)

    @property
    def region(self) -> str:
        """The primary region (the first one listed)."""
        return self.regions[0]


def _load_config_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    import tomllib  # (here: its import compiles regexes, and most starts have no file)

    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from exc
    unknown = sorted(set(data) - set(CONFIG_KEYS))
    if unknown:
        raise SettingsError(f"{path}: unknown key(s) {', '.join(unknown)}")
    return data


def user_keys(config_path: Path | None = None) -> tuple[dict[str, Any], str | None]:
    """config.toml's [keys] table for ``amitui --help``: never raises (help must show even
    when the file is wrong); returns the table and why it could not be read, if so."""
    try:
        data = _load_config_file(config_path or paths.config_file())
    except SettingsError as exc:
        return {}, str(exc)
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        return {}, "keys is not a table"
    return keys, None


def _env_values(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if env.get("AWS_PROFILE"):
        out["profile"] = env["AWS_PROFILE"]
    # boto3 ignores AWS_REGION; we honour it first, as the AWS CLI v2 does.
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if region:
        out["regions"] = [region]
    if env.get("AMITUI_ROLE_NAME"):
        out["role_name"] = env["AMITUI_ROLE_NAME"]
    endpoint = env.get("AWS_ENDPOINT_URL_EC2") or env.get("AWS_ENDPOINT_URL")
    if endpoint:
        out["endpoint_url"] = endpoint
    return out


def _as_tuple(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
        raise SettingsError(f"{key} must be a list of strings")
    return tuple(dict.fromkeys(value))


def build_settings(
    cli: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Merge the layers. ``cli`` holds only the flags the user gave (None = not given).
    With ``demo`` true in ``cli``, the config file's and the environment's DEMO_IGNORES
    do not count (the demo's flags say which endpoint and regions it uses)."""
    env = os.environ if env is None else env
    demo = bool((cli or {}).get("demo"))
    merged: dict[str, Any] = {}
    for layer in (_load_config_file(config_path or paths.config_file()), _env_values(env)):
        merged.update({k: v for k, v in layer.items() if not (demo and k in DEMO_IGNORES)})
    merged.update({k: v for k, v in (cli or {}).items() if v is not None})

    kwargs: dict[str, Any] = {}
    for key in ("profile", "endpoint_url"):
        if merged.get(key):
            kwargs[key] = str(merged[key])
    if "regions" in merged:
        kwargs["regions"] = _as_tuple(merged["regions"], "regions")
    else:
        kwargs["region_defaulted"] = True
    if "owners" in merged:
        kwargs["owners"] = _as_tuple(merged["owners"], "owners")
    for key in ("read_only", "include_deprecated", "include_disabled", "cache", "demo"):
        if key in merged:
            if not isinstance(merged[key], bool):
                raise SettingsError(f"{key} must be true or false")
            kwargs[key] = merged[key]
    if "poll_interval" in merged:
        try:
            kwargs["poll_interval"] = float(merged["poll_interval"])
        except (TypeError, ValueError) as exc:
            raise SettingsError("poll_interval must be a number of seconds") from exc
        if kwargs["poll_interval"] <= 0:
            raise SettingsError("poll_interval must be positive")
    if "page_size" in merged:
        size = merged["page_size"]
        if not isinstance(size, int) or not 5 <= size <= 1000:
            raise SettingsError("page_size must be an integer from 5 to 1000")
        kwargs["page_size"] = size
    if "listing" in merged:
        if merged["listing"] not in LISTING_MODES:
            raise SettingsError(f"listing must be one of: {', '.join(map(repr, LISTING_MODES))}")
        kwargs["listing"] = merged["listing"]
    if "version_depth" in merged:
        depth = merged["version_depth"]
        if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= 10000:
            raise SettingsError("version_depth must be an integer from 1 to 10000")
        kwargs["version_depth"] = depth
    if "columns" in merged:
        kwargs["columns"] = _as_tuple(merged["columns"], "columns")
    if "theme" in merged:
        if not isinstance(merged["theme"], str) or not merged["theme"]:
            raise SettingsError('theme must be a theme name, e.g. theme = "gruvbox"')
        kwargs["theme"] = merged["theme"]
    if merged.get("accounts"):
        from amitui.aws.accounts import parse_accounts

        try:
            kwargs["accounts"] = parse_accounts(str(merged["accounts"])).label()
        except ValueError as exc:
            raise SettingsError(str(exc)) from exc
    if "role_name" in merged:
        from amitui.aws.accounts import check_role_name

        try:
            kwargs["role_name"] = check_role_name(str(merged["role_name"]))
        except ValueError as exc:
            raise SettingsError(str(exc)) from exc
    if "max_concurrency" in merged:
        count = merged["max_concurrency"]
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 64:
            raise SettingsError("max_concurrency must be an integer from 1 to 64")
        kwargs["max_concurrency"] = count
    if "keys" in merged:
        if not isinstance(merged["keys"], dict):
            raise SettingsError('keys must be a table: [keys] then lines like refresh = "f5"')
        kwargs["keys"] = dict(merged["keys"])
    if merged.get("debug_log"):
        kwargs["debug_log"] = Path(merged["debug_log"])
    return Settings(**kwargs)
