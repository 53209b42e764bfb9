"""The inventory's columns: title, width, how to show a cell and how to sort by it."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter

from rich.cells import cell_len, set_cell_size

from amitui.aws.images import Image

_CONTROL = {c: "�" for c in range(32)} | {127: "�"}


def fit(text: str, width: int) -> str:
    """Exactly ``width`` cells: control characters made visible, long text cut with '…'."""
    text = text.translate(_CONTROL)
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def age(iso: str, now: datetime | None = None) -> str:
    """A compact age for an ISO-8601 timestamp ('' if unparsable), one unit per range:
    days up to 60 ('60d'), then whole months below two years ('2mo'..'23mo'), then whole
    years ('2y'). Months and years come from one count (a month is 1/12 of 365 days), so
    a row never reads '24mo' beside another that reads '2y'."""
    if not iso:
        return ""
    try:
        then = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    days = ((now or datetime.now(UTC)) - then).days
    if days < 0:
        return "future"
    if days < 1:
        return "today"
    months = days * 12 // 365
    if months < 2:
        return f"{days}d"
    if months < 24:
        return f"{months}mo"
    return f"{months // 12}y"


def duration(seconds: float) -> str:
    """'42s', '5m02s', '3h07m': a short duration (task elapsed times, cache ages)."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


_AGE_CACHE: dict[str, str] = {}


def _dated(day: str) -> str:
    """'2025-03-14 8mo': a day and its age (cached per day: 100k rows parse fast)."""
    cached = _AGE_CACHE.get(day)
    if cached is None:
        cached = _AGE_CACHE[day] = f"{day} {age(day + 'T00:00:00+00:00')}"
    return cached


def created_cell(image: Image) -> str:
    day = image.creation_date[:10]
    return _dated(day) if day else ""


def launched_cell(image: Image) -> str:
    """LastLaunchedTime as date and age, or "never" when AWS reports no launch (it reports
    launches up to 24 h late, and only to the image's owner)."""
    day = image.last_launched[:10]
    return _dated(day) if day else "never"


def protection_cell(image: Image) -> str:
    """'yes', 'yes+24h' (with cooldown), 'yes until 2026-01-02' (cooldown running), 'no',
    or '' when the endpoint does not report it."""
    value = image.protection
    if value in ("enabled", "enabled-without-cooldown"):
        return "yes"
    if value == "enabled-with-cooldown":
        return "yes+24h"
    if value.startswith("disabled-until"):
        return "yes until " + value.removeprefix("disabled-until").strip()[:16]
    return "no" if value == "disabled" else value


def source_cell(image: Image) -> str:
    if not image.source_image_id:
        return ""
    return f"{image.source_image_id} {image.source_region}".rstrip()


_YES_NO_UNKNOWN = {True: "yes", False: "no", None: ""}

_now_iso: tuple[float, str] = (0.0, "")


def _now() -> str:
    """The current UTC time as ISO-8601 text, recomputed at most once a second."""
    global _now_iso
    stamp = time.monotonic()
    if stamp - _now_iso[0] >= 1.0:
        _now_iso = (stamp, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    return _now_iso[1]


def deprecation_cell(image: Image) -> str:
    """'' when not scheduled; '2027-01-01' when in the future; '!2024-05-01' once past."""
    if not image.deprecation_time:
        return ""
    past = image.deprecation_time <= _now()
    return ("!" if past else "") + image.deprecation_time[:10]


def _name_key(image: Image) -> str:
    """The name, lowercase: the name itself when it already is (most are), not a copy."""
    name = image.name
    return name if name.islower() else name.lower()


#: The root column sorts by device type, then size. Its key is one int, not a tuple: 100k
#: tuples are objects the garbage collector tracks, and a full collection they triggered
#: landed in whichever sort came next (+30..60 ms at 100k rows).
_ROOT_TYPE_RANK = {"": 0, "ebs": 1, "instance-store": 2}


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int
    cell: Callable[[Image], str]
    sort_key: Callable[[Image], object]
    #: extra names the filter language accepts for this column (``arch:arm64``)
    aliases: tuple[str, ...] = ()
    #: a flexible column takes the width the others leave first (``width`` is its minimum)
    flex: bool = False
    #: how wide the column is worth growing when the terminal has room (0: ``width``)
    max_width: int = 0
    #: shown only when the user picks it (the column picker); plain filter words do not
    #: search it (``field:value`` terms do)
    optional: bool = False
    #: the ISO date-time a ``field:>90d``/``field:<2024-06`` comparison reads ("" = none)
    date: Callable[[Image], str] | None = None
    #: its sort order is worked out ahead while it is shown (ui/presort.py). Every column's
    #: is: in the app at 100,000 rows a first sort that sorted there and then took 50-70 ms
    #: (owner, whose few distinct strings compare slowest: up to 132 ms), one worked out
    #: ahead 30-40 ms, most of it the paint
    presort: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", 24, attrgetter("name"), _name_key, flex=True, max_width=64),
    Column("id", "Image ID", 21, attrgetter("image_id"), attrgetter("image_id"), ("image", "ami")),
    Column("state", "State", 9, attrgetter("state"), attrgetter("state")),
    Column("arch", "Arch", 6, attrgetter("architecture"), attrgetter("architecture")),
    Column(
        "platform",
        "Platform",
        14,
        attrgetter("platform"),
        lambda i: i.platform.lower(),
        max_width=36,  # "Windows with SQL Server Enterprise"
    ),
    Column(
        "root",
        "Root device",
        16,  # "standard 100 GiB" (a plain moto endpoint's type) fits; "ebs 8 GiB" on AWS
        attrgetter("root_device"),
        lambda i: _ROOT_TYPE_RANK.get(i.root_device_type, 3) << 40 | (i.root_size_gib or 0),
    ),
    Column(
        "created",
        "Created",
        16,
        created_cell,
        attrgetter("creation_date"),
        ("date",),
        date=attrgetter("creation_date"),
    ),
    Column("owner", "Owner", 12, attrgetter("owner"), attrgetter("owner")),
    Column(
        "public", "Public", 6, lambda i: "yes" if i.public else "no", lambda i: i.public, ("pub",)
    ),
    Column(
        "deprecation",
        "Deprecation",
        11,
        deprecation_cell,
        lambda i: i.deprecation_time or "~",
        ("deprecated",),
    ),
    Column("region", "Region", 14, attrgetter("region"), attrgetter("region")),
    Column(
        "launched",
        "Last launched",
        16,
        launched_cell,
        lambda i: i.last_launched or "0",
        ("lastlaunched", "last-launched"),
        optional=True,
        date=attrgetter("last_launched"),
    ),
    Column(
        "protection",
        "Protected",
        9,
        protection_cell,
        protection_cell,
        ("protected",),
        optional=True,
        max_width=26,
    ),
    Column(
        "source",
        "Source",
        21,
        source_cell,
        source_cell,
        ("sourceimage",),
        optional=True,
        max_width=36,
    ),
    Column(
        "account",
        "Account",
        16,  # "platform-staging": the account's name (its id when it has none)
        lambda i: i.account_name or i.account,  # ``account:`` also finds the id (rows.py)
        lambda i: (i.account_name or i.account).lower(),
        ("acct",),
        optional=True,
        max_width=32,
    ),
    Column(
        "allowed",
        "Allowed",
        7,
        lambda i: _YES_NO_UNKNOWN[i.allowed],
        lambda i: _YES_NO_UNKNOWN[i.allowed],
        optional=True,
    ),
)

COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
#: The columns a plain filter word searches (and a fresh config shows).
DEFAULT_COLUMNS = tuple(c for c in COLUMNS if not c.optional)
DEFAULT_COLUMN_KEYS = tuple(c.key for c in DEFAULT_COLUMNS)


def columns_for(
    multi_region: bool, shown: Collection[str] | None = None, multi_account: bool = False
) -> tuple[Column, ...]:
    """The columns to draw, in COLUMNS order: ``shown`` (default: every non-optional one),
    Name and Image ID always, Region exactly when more than one region is listed, and
    Account (first after Name) exactly when several accounts are (--accounts). There, by
    default, Account takes Owner's place: an account's own images are owned by it (the
    column picker shows Owner again)."""
    keys = set(DEFAULT_COLUMN_KEYS if shown is None else shown) | {"name", "id"}
    keys.discard("region")
    keys.discard("account")
    if multi_account and shown is None:
        keys.discard("owner")
    if multi_region:
        keys.add("region")
    if multi_account:
        return tuple(
            [COLUMN_BY_KEY["name"], COLUMN_BY_KEY["account"]]
            + [c for c in COLUMNS if c.key in keys and c.key != "name"]
        )
    return tuple(c for c in COLUMNS if c.key in keys)


def layout_widths(columns: Sequence[Column], available: int) -> list[int]:
    """Each column's width in ``available`` cells (a leading space, then each column and
    one space). Room beyond the minimum goes to the flexible column (Name) up to its
    ``max_width``, then to the other columns worth widening up to theirs; what is left
    after that is shared by every column in proportion to its minimum width, so a very wide
    terminal spreads the table out instead of giving one column 200 cells."""
    widths = [c.width for c in columns]
    spare = available - (1 + sum(w + 1 for w in widths))
    if spare <= 0:
        return widths
    for flex_first in (True, False):
        for i, col in enumerate(columns):
            if col.flex == flex_first and col.max_width > widths[i]:
                grow = min(spare, col.max_width - widths[i])
                widths[i] += grow
                spare -= grow
    if spare > 0:  # by each column's minimum width: Arch stays narrower than Name
        total = sum(c.width for c in columns)
        grown = [w + spare * c.width // total for w, c in zip(widths, columns, strict=True)]
        flex = next((i for i, c in enumerate(columns) if c.flex), 0)
        grown[flex] += available - (1 + sum(w + 1 for w in grown))
        widths = grown
    return widths


def tags_text(image: Image) -> str:
    return "\x00".join(f"{k}={v}" for k, v in image.tags)


def haystack(image: Image) -> str:
    """Everything the plain filter terms search, lowercased once per row."""
    parts = [c.cell(image) for c in DEFAULT_COLUMNS]
    parts.append(image.description)
    parts.append(tags_text(image))
    return "\x00".join(parts).lower()


def haystacks(images: Sequence[Image]) -> list[str]:
    """``[haystack(i) for i in images]``, a third faster: built column by column."""
    columns = [list(map(c.cell, images)) for c in DEFAULT_COLUMNS]
    columns.append([i.description for i in images])
    columns.append(list(map(tags_text, images)))
    return ["\x00".join(parts).lower() for parts in zip(*columns, strict=True)]
