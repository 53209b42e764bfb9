"""The inventory's columns: title, width, how to show a cell and how to sort by it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from amitui.aws.images import Image


def age(iso: str, now: datetime | None = None) -> str:
    """A compact age such as '3d', '5mo', '2y' for an ISO-8601 timestamp ('' if unparsable)."""
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
    if days < 60:
        return f"{days}d"
    if days < 730:
        return f"{days // 30}mo"
    return f"{days // 365}y"


_AGE_CACHE: dict[str, str] = {}


def created_cell(image: Image) -> str:
    """'2025-03-14 8mo': the date and its age (ages cached per day: 100k rows parse fast)."""
    day = image.creation_date[:10]
    if not day:
        return ""
    cached = _AGE_CACHE.get(day)
    if cached is None:
        cached = _AGE_CACHE[day] = f"{day} {age(day + 'T00:00:00+00:00')}"
    return cached


def deprecation_cell(image: Image) -> str:
    """'' when not scheduled; '2027-01-01' when in the future; '!2024-05-01' once past."""
    if not image.deprecation_time:
        return ""
    past = image.deprecation_time <= datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return ("!" if past else "") + image.deprecation_time[:10]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int
    cell: Callable[[Image], str]
    sort_key: Callable[[Image], object]
    #: extra names the filter language accepts for this column (``arch:arm64``)
    aliases: tuple[str, ...] = ()
    #: a flexible column takes the width the others leave (``width`` is its minimum)
    flex: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", 24, lambda i: i.name, lambda i: i.name.lower(), flex=True),
    Column("id", "Image ID", 21, lambda i: i.image_id, lambda i: i.image_id, ("image", "ami")),
    Column("state", "State", 9, lambda i: i.state, lambda i: i.state),
    Column("arch", "Arch", 6, lambda i: i.architecture, lambda i: i.architecture),
    Column("platform", "Platform", 14, lambda i: i.platform, lambda i: i.platform.lower()),
    Column(
        "root",
        "Root device",
        14,
        lambda i: i.root_device,
        lambda i: (i.root_device_type, i.root_size_gib or 0),
    ),
    Column("created", "Created", 16, created_cell, lambda i: i.creation_date, ("date",)),
    Column("owner", "Owner", 12, lambda i: i.owner, lambda i: i.owner),
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
    Column("region", "Region", 14, lambda i: i.region, lambda i: i.region),
)

COLUMN_BY_KEY = {c.key: c for c in COLUMNS}


def columns_for(multi_region: bool) -> tuple[Column, ...]:
    return COLUMNS if multi_region else tuple(c for c in COLUMNS if c.key != "region")


def tags_text(image: Image) -> str:
    return "\x00".join(f"{k}={v}" for k, v in image.tags)


def haystack(image: Image) -> str:
    """Everything the plain filter terms search, lowercased once per row."""
    parts = [c.cell(image) for c in COLUMNS]
    parts.append(image.description)
    parts.append(tags_text(image))
    return "\x00".join(parts).lower()
