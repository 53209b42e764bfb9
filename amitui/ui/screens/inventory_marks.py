"""The inventory's marks: space marks the row (and moves on), * marks every row the filter
shows, u clears them; a bulk form over the marked images, and what each finished item of
its run does to the rows (a deregistered image's row goes, a changed one is read again),
a few at a time. The marks themselves are plain data (amitui/ui/marks.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from amitui.actions import ACTIONS
from amitui.aws.images import place_of
from amitui.ui.widgets.image_table import ImageTable

if TYPE_CHECKING:  # the bulk form loads when one opens (not before the first rows show)
    from amitui.cleanup import CleanupPlan
    from amitui.ui.screens.bulk_form import BulkStarted
    from amitui.ui.screens.inventory import InventoryScreen

#: How long finished items gather before their rows change together (one rebuild).
GATHER_SECONDS = 0.3


class MarkedRows:
    def __init__(self, screen: InventoryScreen) -> None:
        self.screen = screen
        self.marks = screen.marks
        #: (row effect, region, image id, account)
        self._pending: list[tuple[str, str, str, str]] = []

    def _shown(self) -> None:
        self.screen.query_one(ImageTable).refresh()
        self.screen.update_status()

    def toggle_current(self) -> None:
        table = self.screen.query_one(ImageTable)
        image = table.current
        if image is None:
            return
        self.marks.toggle(image)
        if table.cursor_row < len(self.screen.rows) - 1:
            table.cursor_row += 1  # as in mutt and ranger: mark, next
        self._shown()

    def mark_shown(self) -> None:
        rows = self.screen.rows
        if rows.filtering:
            rows.finish()  # every matching row, not only those found so far
        added = self.marks.add(rows.image_at(i) for i in range(len(rows)))
        self._shown()
        self.screen.notify(f"Marked {added:,} more ({self.marks.summary()})")

    def clear(self) -> None:
        cleared = self.marks.clear()
        self._shown()
        if cleared:
            self.screen.notify(f"Unmarked {cleared:,} image(s)")

    def bulk_started(self, started: BulkStarted | None) -> None:
        if started is None:
            return
        self.marks.clear()  # the run holds them now
        self._shown()
        self.screen.notify(
            f"{started.run.title}: started (t shows its progress)", title=started.spec.title
        )

    def cleanup_applied(self, plan: CleanupPlan | None) -> None:
        """The cleanup preview was applied: its images become the marks, and the bulk
        deregister opens on them with the plan's choice about their snapshots (the user
        still reads each request and types the count back)."""
        if plan is None:
            return
        wanted = set(plan.image_ids)
        images = [i for i in self.screen.rows.images if (i.place, i.image_id) in wanted]
        self.marks.clear()
        self.marks.add(images)
        self._shown()
        if not images:
            self.screen.notify("The plan proposes no image", severity="warning")
            return
        from amitui.ui.screens.bulk_form import BulkForm

        form = BulkForm(
            ACTIONS["deregister"],
            self.marks.images(),
            self.screen.services,
            initial={"DeleteAssociatedSnapshots": plan.delete_snapshots},
        )
        self.screen.app.push_screen(form, self.bulk_started)

    def item_done(self, action: str, region: str, image_id: str, account: str = "") -> None:
        """A bulk run's item succeeded: its row goes or is read again (as the single
        form's outcome would), a few at a time."""
        spec = ACTIONS.get(action)
        if spec is None or spec.image_row not in ("removes", "refreshes"):
            return
        self.screen.services.usage.forget(region, image_id, account=account)
        if not self._pending:
            self.screen.set_timer(GATHER_SECONDS, self._apply)
        self._pending.append((spec.image_row, region, image_id, account))

    def _apply(self) -> None:
        pending, self._pending = self._pending, []
        removed = [(place_of(a, r), i) for effect, r, i, a in pending if effect == "removes"]
        if removed:
            self.screen.rows.remove_many(removed)
            self.marks.discard(removed)
            self.screen.table_changed()
        refreshed: dict[str, dict[str, list[str]]] = {}  # account -> region -> ids
        for effect, region, image_id, account in pending:
            if effect == "refreshes":
                refreshed.setdefault(account, {}).setdefault(region, []).append(image_id)
        for account, by_region in refreshed.items():  # each read in its own account
            self.screen.fetch_changed_images(by_region, account)
