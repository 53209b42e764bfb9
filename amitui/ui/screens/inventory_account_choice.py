"""Which of --accounts' accounts the inventory lists: every one at first, then what the
account picker (A) chose. A new choice drops the rows (and marks) of the accounts left
out at once and lists the chosen accounts x the chosen regions again; only the chosen accounts'
clients are asked for (an account left out is not reached, its credentials not made).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from amitui.ui.widgets.context_header import ContextHeader
from amitui.ui.widgets.image_table import ImageTable

if TYPE_CHECKING:
    from amitui.aws.accounts import AccountDirectory
    from amitui.ui.screens.inventory import InventoryScreen


class AccountChoice:
    def __init__(self, screen: InventoryScreen) -> None:
        self.screen = screen
        #: the account keys chosen, in the directory's order (None: every account)
        self.chosen: tuple[str, ...] | None = None

    @property
    def directory(self) -> AccountDirectory | None:
        return self.screen.services.accounts

    def keys(self) -> tuple[str, ...]:
        """The keys of the accounts listed (the directory must be resolved)."""
        directory = self.directory
        assert directory is not None
        every = [a.key for a in directory.accounts()]
        chosen = self.chosen
        return tuple(k for k in every if chosen is None or k in chosen)

    def places(self, regions: tuple[str, ...]) -> tuple[str, ...]:
        """Every chosen account x region, as ``account/region``."""
        return tuple(f"{key}/{region}" for key in self.keys() for region in regions)

    def summary(self) -> str:
        """ "3 of 5" (or "5": every one), "" while the accounts are not read yet."""
        directory = self.directory
        if directory is None or not directory.resolved:
            return ""
        every, listed = len(directory.accounts()), len(self.keys())
        return f"{listed} of {every}" if listed != every else f"{every}"

    def show(self) -> None:
        """The header says how many accounts are listed (the status line says it too)."""
        summary = self.summary()
        self.screen.query_one(ContextHeader).update_context(accounts=summary)

    def pick(self) -> None:
        screen, directory = self.screen, self.directory
        if directory is None:
            screen.notify("The account picker is for --accounts (org, ids or profiles:)")
            return
        if not directory.resolved:
            screen.notify("The accounts are still being read: try again in a moment")
            return
        from amitui.ui.screens.pickers import AccountPicker

        accounts = [(a.key, directory.label_of(a.key)) for a in directory.accounts()]
        current = self.keys()

        def chosen(picked: tuple[str, ...] | None) -> None:
            if picked is None or set(picked) == set(current):
                return  # esc, or the same accounts: nothing to list again
            self.apply(picked)

        screen.app.push_screen(AccountPicker(accounts, current, directory.failures()), chosen)

    def apply(self, picked: tuple[str, ...]) -> None:
        """List ``picked`` (account keys) from now on."""
        screen = self.screen
        every = {a.key for a in self.directory.accounts()} if self.directory else set()
        self.chosen = None if set(picked) >= every else tuple(picked)
        table = screen.query_one(ImageTable)
        if screen.listing.drop_other_places(self.places(screen.session.regions)):
            table.rows_changed(keep=table.current)
        unmarked = screen.marks.keep_only(screen.rows.images) if screen.marks else 0
        if unmarked:
            screen.notify(f"{unmarked} marked image(s) of the accounts left out: unmarked")
        screen.load_images(keep=table.current)
        self.show()
