"""How a usage answer reads (the detail screen's "Used by", the deregister form's list):
what uses the image, what could not be checked and why, and when it was asked."""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text

from amitui.aws.recycle_bin import Retention
from amitui.aws.usage import Usage
from amitui.ui.columns import duration

USED = "✗ "
UNVERIFIED = "? "
CLEAR = "✓ "


def checked_when(usage: Usage, now: float | None = None) -> str:
    stamp = time.strftime("%H:%M:%S", time.localtime(usage.checked_at))
    return f"checked {stamp}, {duration((now or time.time()) - usage.checked_at)} ago"


def usage_text(usage: Usage | None, error: str | None = None, now: float | None = None) -> Text:
    """Every check: its references, "none found" with what it covered, or "not verified"."""
    if error:
        return Text(f"{UNVERIFIED}not verified — {error}", style="bold yellow")
    if usage is None:
        return Text("Checking what uses this image…", style="dim")
    text = Text()
    for check in usage.checks:
        if text:
            text.append("\n")
        if not check.verified:
            text.append(f"{UNVERIFIED}{check.title}: not verified — {check.error}", "bold yellow")
        elif not check.references:
            text.append(f"{CLEAR}{check.title}: none", style="green")
            if check.scope:
                text.append(f" ({check.scope})", style="dim")
        else:
            text.append(f"{check.title}:", style="bold")
        for ref in check.references:
            text.append(f"\n  {USED}{ref.line()}", style="red")
    text.append("\n")
    if usage.protection:
        style = "bold red" if usage.protected else "green"
        mark = USED if usage.protected else CLEAR
        text.append(f"{mark}Deregistration protection: {usage.protection}", style=style)
    else:
        text.append("  Deregistration protection: not reported by this endpoint", style="dim")
    text.append(f"\n{checked_when(usage, now)}", style="dim")
    return text


def verdict_text(usage: Usage | None) -> Text:
    """One line above a destructive form's fields: in use, not verified, or clear."""
    if usage is None:
        return Text("Checking what still uses this image…", style="dim")
    if usage.clear:
        return Text(
            f"{CLEAR}Nothing uses it: every check was made ({checked_when(usage)}).", "green"
        )
    used = len(usage.references) + usage.protected
    if used:
        return Text(
            f"{USED}In use or protected: deregistering it breaks what is listed.", "bold red"
        )
    return Text(f"{UNVERIFIED}Not verified: a check could not be made (listed).", "bold yellow")


def lineage_rows(entries: list[dict[str, Any]], region: str) -> list[tuple[Text, str, str]]:
    """GetImageAncestry's chain as (label, image id, region), the image first, its root
    last; each entry's region is where the one before it says its source is."""
    rows = []
    for depth, entry in enumerate(entries):
        image_id = str(entry.get("ImageId") or "")
        created = entry.get("CreationDate")
        created_text = str(created)[:10] if created else ""
        owner = str(entry.get("ImageOwnerAlias") or "")
        label = Text("  " * depth + ("└ " if depth else ""))
        label.append(image_id, style="bold")
        label.append(f"  {region}  {created_text}  {owner}".rstrip(), style="dim")
        if depth == 0:
            label.append("  (this image)", style="dim")
        if depth == len(entries) - 1 and depth:
            label.append("  (root)", style="dim")
        rows.append((label, image_id, region))
        region = str(entry.get("SourceImageRegion") or region)
    return rows


def report_text(report: dict[str, Any] | None, entries: list[dict[str, Any]]) -> Text:
    """The newest usage report of a shared image: its state, then per account and resource
    type how many use the image."""
    if report is None:
        return Text("No usage report: U asks AWS for one (a task; AWS keeps it 30 days).", "dim")
    state = str(report.get("State") or "")
    created = str(report.get("CreationTime") or "")[:16]
    expires = str(report.get("ExpirationTime") or "")[:10]
    text = Text(f"{report.get('ReportId')} · {state} · created {created}", style="bold")
    if expires:
        text.append(f" · expires {expires}", style="dim")
    if state == "pending":
        text.append("\n  AWS is building it; Tasks (t) follows it.", style="dim")
    elif state != "available":
        reason = report.get("StateReason") or state
        text.append(f"\n  {UNVERIFIED}not available — {reason}", style="bold yellow")
    elif not entries:
        text.append(f"\n  {CLEAR}no other account uses it", style="green")
    ordered = sorted(entries, key=lambda e: (str(e.get("AccountId")), str(e.get("ResourceType"))))
    for entry in ordered:
        count = entry.get("UsageCount", 0)
        kind = entry.get("ResourceType", "")
        text.append(f"\n  {USED}account {entry.get('AccountId')}: {count} {kind}", style="red")
    return text


def retention_text(retention: Retention) -> Text:
    """Can the deregistration be undone? Green when the Recycle Bin keeps the image, bold
    red when it is permanent, yellow when that could not be verified."""
    style = {"covered": "green", "permanent": "bold red"}.get(retention.kind, "bold yellow")
    mark = {"covered": "↺ ", "permanent": "✗ "}.get(retention.kind, "? ")
    return Text(mark + retention.sentence(), style=style)


def retention_cell(retention: Retention) -> Text:
    """A preview row's short answer: ``↺ 7 d`` (recoverable), ``permanent``, ``not verified``."""
    if retention.kind == "covered":
        return Text(f"↺ {retention.days} d", style="green")
    if retention.kind == "permanent":
        return Text("permanent", style="bold red")
    return Text("bin not verified", style="bold yellow")


def retention_summary(retentions: list[Retention]) -> Text:
    """The Recycle Bin over many images: how many can be restored, for how long, and how
    many are permanent or could not be verified."""
    covered = [r for r in retentions if r.kind == "covered"]
    permanent = sum(r.kind == "permanent" for r in retentions)
    unknown = [r for r in retentions if r.kind == "not_verified"]
    text = Text("Recycle Bin: ")
    if covered:
        days = sorted({r.days or 0 for r in covered})
        span = f"{days[0]} days" if len(days) == 1 else f"{days[0]} to {days[-1]} days"
        text.append(f"{len(covered)} can be restored for {span}", style="green")
    if permanent:
        text.append(("; " if covered else "") + f"{permanent} permanent", style="bold red")
    if unknown:
        sep = "; " if covered or permanent else ""
        text.append(f"{sep}{len(unknown)} not verified ({unknown[0].reason})", style="bold yellow")
    return text
