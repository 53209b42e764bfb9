"""What the inventory's status line, empty table and header hint say: plain functions of
the listing (no widget is touched here; InventoryScreen shows what they return)."""

from __future__ import annotations

import time

from rich.text import Text

from amitui.ui.columns import duration
from amitui.ui.listing import Listing
from amitui.ui.marks import Marks

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
#: Places loading at once beyond which the status line is repainted on every
#: ``SLOW_TICKS``-th tick only (the screen's 0.1 s timer), not on every tick.
MANY_PLACES = 4
SLOW_TICKS = 3


def tick_repaints(listing: Listing, tick: int) -> bool:
    """Whether timer tick number ``tick`` of a listing under way repaints the status line.
    A listing of few places: every tick (the spinner turns 10 times a second). With
    --accounts (tens of account x region places, a page every few milliseconds, its count
    unreadable at any rate) every third: each repaint is a frame the UI thread draws, on
    the GIL the places' threads read and parse their pages on (issue 18: 50 accounts x 4
    regions drew ~170 status frames in ~17 s, some 0.4 s of the UI thread's CPU)."""
    return len(listing.pages_by_region) <= MANY_PLACES or tick % SLOW_TICKS == 0


def cache_note(listing: Listing) -> str | None:
    """What the status line says of cached rows shown: how old, whether the rest of them is
    still being read (they arrive a chunk at a time), and whether live ones are on their way."""
    if listing.cached_at is None:
        return None
    note = f"cached {duration(time.time() - listing.cached_at)} ago"
    if listing.reading_cache:
        note += f" · read {listing.cached_read:,} of {listing.cached_total:,}"
    if listing.loading:
        note += " · refreshing"
    return note


def empty_hint(listing: Listing, regions: tuple[str, ...], scope: str) -> str:
    """What the empty table says (its last line, what to try, is in the status too)."""
    rows = listing.rows
    if listing.loading or len(rows) or rows.filtering or listing.errors:
        return ""
    if rows.total:
        return "No image matches the filter.\nesc clears it"
    return (
        f"No images for owners {scope} in {', '.join(regions)}.\nTry o (owner scope) or R (regions)"
    )


def status_text(
    listing: Listing,
    regions: tuple[str, ...],
    spin: int,
    hint: str,
    marks: Marks | None = None,
    accounts: str = "",
) -> Text:
    """The status line: counts, marks, loading progress, cache, failures, sort, ``hint``;
    ``accounts`` (--accounts): how many accounts are listed ("3 of 5")."""
    rows = listing.rows
    text = Text(no_wrap=True, overflow="ellipsis")
    shown, total = len(rows), rows.total
    if rows.query.empty and not rows.filtering:
        text.append(f"{total:,} images", style="bold")
    elif rows.filtering:
        text.append(f"{shown:,}+ of {total:,} images match", style="bold")
        text.append("  filtering…", style="yellow")
    else:
        text.append(f"{shown:,} of {total:,} images match", style="bold")
    if accounts:
        text.append(f" in {accounts} accounts", style="bold")
    if marks:
        text.append(f"  · {marks.summary()}", style="bold yellow")
    pages_by_region = listing.pages_by_region
    if pages_by_region:
        pages = sum(pages_by_region.values())
        text.append(f"  {SPINNER[spin]} loading page {pages + 1}", style="yellow")
        if len(pages_by_region) > 4:  # --accounts: tens of account/region places
            text.append(f" ({len(pages_by_region)} places)", style="yellow")
        elif len(pages_by_region) > 1 or len(regions) > 1:
            text.append(f" ({', '.join(sorted(pages_by_region))})", style="yellow")
    elif listing.stopped:
        where = f" ({', '.join(listing.stopped)})" if len(regions) > 1 else ""
        text.append(f"  · stopped{where}: partial, ctrl+r lists again", style="bold yellow")
    elif listing.finished_in is not None:
        text.append(f"  · loaded in {listing.finished_in:.1f} s", style="dim")
    note = cache_note(listing)
    if note:
        text.append(f"  · {note}", style="bold magenta")
    if listing.errors:
        failing = {p.rpartition("/")[0] for p in listing.errors if "/" in p}
        failed = f"{len(failing)} account(s)" if failing else f"{len(listing.errors)} region(s)"
        text.append(f"  · {failed} failed", style="bold red")
    if rows.sort_column:
        arrow = "▼" if rows.sort_reverse else "▲"
        text.append(f"  · sorted by {rows.sort_column} {arrow}", style="dim")
    if hint:
        text.append(f"  · {hint.splitlines()[-1]}", style="bold")
    return text
