"""What the inventory opens on its images: an action's form (or, with rows marked, the
bulk form), the cleanup preview, the Recycle Bin and the orphaned snapshots, and what a
form's calls did to the rows afterwards (inventory_actions.outcome_effects)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from amitui.actions import ACTIONS
from amitui.aws.images import place_of
from amitui.ui.action_keys import key_for
from amitui.ui.screens.inventory_actions import outcome_effects

if TYPE_CHECKING:  # the form loads when one opens (not before the first rows show)
    from amitui.ui.screens.action_form import FormOutcome
    from amitui.ui.screens.inventory import InventoryScreen


class ActionForms:
    def __init__(self, screen: InventoryScreen) -> None:
        self.screen = screen

    def palette_commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        """The commands without a key, for the palette and help: (title, help, callback)."""
        suffix = " (read-only)" if self.screen.services.settings.read_only else ""
        orphans = (
            "Orphaned snapshots",
            "Snapshots made for an AMI that no longer exists: sizes, and a bulk delete",
            self.open_orphans,
        )
        return [
            *(
                (spec.label + suffix, spec.summary, partial(self.open_action, name))
                for name, spec in ACTIONS.items()
                if key_for(name) is None
            ),
            orphans,
        ]

    def open_cleanup(self) -> None:
        from amitui.ui.screens.cleanup import open_cleanup

        open_cleanup(self.screen)

    def open_recycle_bin(self) -> None:
        from amitui.ui.screens.recycle_bin import RecycleBinScreen

        self.screen.app.push_screen(RecycleBinScreen(self.screen.services))

    def open_orphans(self) -> None:
        from amitui.ui.screens.orphans import OrphansScreen

        self.screen.app.push_screen(OrphansScreen(self.screen.services))

    def open_action(self, name: str) -> None:
        """The action's form on the selected image (with rows marked and a spec that
        bulks: the bulk form on the marked ones); refused under --read-only."""
        screen = self.screen
        spec = ACTIONS[name]
        if screen.settings.read_only:
            screen.notify(
                f"{spec.title} is not allowed: amitui was started with --read-only",
                title="Read-only",
                severity="error",
            )
            return
        if screen.marks and spec.bulk:
            from amitui.ui.screens.bulk_form import BulkForm

            form = BulkForm(spec, screen.marks.images(), screen.services)
            screen.app.push_screen(form, screen.marked.bulk_started)
            return
        image = screen.current_image()
        if spec.needs_image and image is None:
            screen.notify(f"Select an image to {name} first", severity="warning")
            return
        region = image.region if image else screen.session.regions[0]
        from amitui.ui.screens.action_form import ActionForm

        single = ActionForm(spec, image, region, screen.services, on_started=self.record_outcome)
        screen.app.push_screen(single, self._closed)

    def _closed(self, outcome: FormOutcome | None) -> None:
        if outcome is not None:
            self.record_outcome(outcome)

    def record_outcome(self, outcome: FormOutcome) -> None:
        screen = self.screen
        effects = outcome_effects(outcome)
        if effects.removed is not None:
            image_id, region = effects.removed
            account = outcome.image.account if outcome.image is not None else ""
            screen.rows.remove(image_id, region, account)
            screen.marks.discard([(place_of(account, region), image_id)])
            screen.table_changed()
        for toast in effects.toasts:
            screen.notify(
                toast.text, title=toast.title, severity=toast.severity, timeout=toast.timeout
            )
        if effects.fetch:
            account = outcome.image.account if outcome.image is not None else ""
            screen.fetch_changed_images(effects.fetch, account)
