"""When a deprecation takes effect: ``2027-06-30``, ``2027-06-30 14:30``, ``+90d``,
``+6m`` (months), ``+2w``, ``+1y``, ``+12h`` — read as UTC, rounded to the minute as AWS
rounds it, in the future and at most 10 years ahead (EnableImageDeprecation's limits)."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta

MAX_YEARS = 10
_RELATIVE = re.compile(r"\+([1-9]\d{0,3})\s*([hdwmy])")
_ABSOLUTE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?\s*(?:Z|UTC)?")
FORMATS_HELP = "a date (2027-06-30, 2027-06-30 14:30, UTC) or from now: +90d, +6m, +2w, +1y"


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` ``months`` later, on the same day or the month's last (Jan 31 + 1 = Feb 28)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def round_to_minute(moment: datetime) -> datetime:
    """AWS rounds DeprecateAt's seconds to the nearest minute."""
    base = moment.replace(second=0, microsecond=0)
    return base + timedelta(minutes=1) if moment.second >= 30 else base


def parse_when(text: str, now: datetime | None = None) -> datetime | str:
    """The UTC time ``text`` names, rounded to the minute; or the message saying why not."""
    now = now or datetime.now(UTC)
    value = text.strip()
    if match := _RELATIVE.fullmatch(value):
        count, unit = int(match.group(1)), match.group(2)
        if unit == "m":
            moment = add_months(now, count) if count <= 12 * (MAX_YEARS + 1) else None
        elif unit == "y":
            moment = add_months(now, 12 * count) if count <= MAX_YEARS + 1 else None
        else:
            hours = {"h": 1, "d": 24, "w": 24 * 7}[unit] * count
            moment = now + timedelta(hours=hours) if hours <= 24 * 366 * (MAX_YEARS + 1) else None
        if moment is None:
            return f"At most {MAX_YEARS} years from now."
    elif match := _ABSOLUTE.fullmatch(value):
        year, month, day, hour, minute, second = (int(p) if p else 0 for p in match.groups())
        try:
            moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            return "Not a real date or time."
    else:
        return f"Use {FORMATS_HELP}."
    moment = round_to_minute(moment)
    if moment <= now:
        return "Must be in the future (AWS refuses a past time)."
    if moment > add_months(now, 12 * MAX_YEARS):
        return f"At most {MAX_YEARS} years from now (AWS refuses later dates)."
    return moment


def iso_minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:00Z")
