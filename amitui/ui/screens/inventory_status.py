"""The inventory's header, status line and empty-table hint. Mixed into InventoryScreen."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from amitui.ui.widgets.context_header import ContextHeader
from amitui.ui.widgets.image_table import ImageTable

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class InventoryStatus:
    _spin = 0

    def _update_header(self) -> None:
        app = self.app
        self.query_one(ContextHeader).update_context(
            profile=self.settings.profile or "default",
            account=app.account or "…",
            regions=app.regions,
            region_default_hint=self._region_default_hint(),
            scope=app.list_query.label(),
            endpoint=self.settings.endpoint_url,
            read_only=self.settings.read_only,
        )

    def _region_default_hint(self) -> str | None:
        """How to choose a region, while the listing is of the default nobody chose."""
        settings = self.settings
        if not settings.region_defaulted or self.app.regions != settings.regions:
            return None
        # --demo reads no AWS_* variable: only the flag (or R) changes its region.
        return "set --region" if settings.demo else "set --region or AWS_REGION"

    def show_message(self, text: str | None, error: bool = False) -> None:
        widget = self.query_one("#message", Static)
        widget.set_class(bool(text), "shown")
        widget.set_class(error, "error")
        widget.update(Text(text or ""))

    def _tick(self) -> None:
        if self.pages_by_region:
            self._spin = (self._spin + 1) % len(SPINNER)
            self._update_status()

    def _update_status(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        shown, total = len(self.rows), self.rows.total
        if self.rows.query.empty and not self.rows.filtering:
            text.append(f"{total:,} images", style="bold")
        elif self.rows.filtering:
            text.append(f"{shown:,}+ of {total:,} images match", style="bold")
            text.append("  filtering…", style="yellow")
        else:
            text.append(f"{shown:,} of {total:,} images match", style="bold")
        if self.pages_by_region:
            pages = sum(self.pages_by_region.values())
            text.append(f"  {SPINNER[self._spin]} loading page {pages + 1}", style="yellow")
            if len(self.pages_by_region) > 1 or len(self.app.regions) > 1:
                text.append(f" ({', '.join(sorted(self.pages_by_region))})", style="yellow")
        elif self.finished_in is not None:
            text.append(f"  · loaded in {self.finished_in:.1f} s", style="dim")
        if self.cache_note():
            text.append(f"  · {self.cache_note()}", style="bold magenta")
        if self.errors:
            text.append(f"  · {len(self.errors)} region(s) failed", style="bold red")
        if self.rows.sort_column:
            arrow = "▼" if self.rows.sort_reverse else "▲"
            text.append(f"  · sorted by {self.rows.sort_column} {arrow}", style="dim")
        hint = self._empty_hint()
        if hint:
            text.append(f"  · {hint.splitlines()[-1]}", style="bold")
        table = self.query_one(ImageTable)
        if table.empty_hint != hint:
            table.empty_hint = hint
            table.refresh()
        self.query_one("#status", Static).update(text, layout=False)  # one line, always

    def _empty_hint(self) -> str:
        """What the empty table says (its last line, what to try, is in the status too)."""
        if self.pages_by_region or len(self.rows) or self.rows.filtering or self.errors:
            return ""
        if self.rows.total:
            return "No image matches the filter.\nesc clears it"
        regions = ", ".join(self.app.regions)
        return (
            f"No images for owners {self.app.list_query.label()} in {regions}.\n"
            "Try o (owner scope) or R (regions)"
        )

    def set_running_tasks(self, count: int) -> None:
        for header in self.query(ContextHeader):  # none while the app shuts down
            header.update_context(running_tasks=count)
