"""What the inventory lists and shows, as the user chooses it: the owner scope (o), the
regions (R), the accounts (A, with --accounts: inventory_account_choice.py), the columns
(C, remembered in config.toml) and the deprecated and disabled toggles (D, X). A new owner
scope or region set is a new listing (the screen watches the session's)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from amitui import paths
from amitui.aws.errors import describe_error
from amitui.aws.images import ListQuery
from amitui.ui.columns import COLUMNS
from amitui.ui.widgets.image_table import ImageTable

if TYPE_CHECKING:
    from amitui.ui.screens.inventory import InventoryScreen
    from amitui.ui.screens.inventory_account_choice import AccountChoice
    from amitui.ui.screens.inventory_accounts import AccountListing


class ScopeKeys:
    """The inventory's actions for those keys (a base of InventoryScreen, which binds the
    keys and holds ``choices``, ``account_choice`` and ``accounts``)."""

    choices: ScopeChoices
    account_choice: AccountChoice
    accounts: AccountListing

    def action_pick_owner(self) -> None:
        self.choices.pick_owner()

    def action_pick_regions(self) -> None:
        self.choices.pick_regions()

    def action_pick_accounts(self) -> None:
        self.account_choice.pick()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The account picker's key exists only with --accounts (footer, help, palette)."""
        return self.accounts.active if action == "pick_accounts" else True

    def action_pick_columns(self) -> None:
        self.choices.pick_columns()

    def action_toggle_deprecated(self) -> None:
        self.choices.toggle("include_deprecated")

    def action_toggle_disabled(self) -> None:
        self.choices.toggle("include_disabled")


class ScopeChoices:
    def __init__(self, screen: InventoryScreen) -> None:
        self.screen = screen
        self.session = screen.session

    def pick_owner(self) -> None:
        from amitui.ui.screens.pickers import OwnerPicker

        def chosen(query: ListQuery | None) -> None:
            if query is not None:
                self.session.list_query = query  # a new one: a new listing

        self.screen.app.push_screen(OwnerPicker(self.session.list_query), chosen)

    def pick_regions(self) -> None:
        from amitui.ui.screens.pickers import RegionPicker

        def chosen(regions: tuple[str, ...] | None) -> None:
            if regions:
                self.session.regions = regions  # new ones: a new listing

        self.screen.app.push_screen(
            RegionPicker(self.session.available_regions(), self.session.regions), chosen
        )

    def pick_columns(self) -> None:
        from amitui.ui.screens.pickers import ColumnPicker

        table = self.screen.query_one(ImageTable)
        shown = tuple(c.key for c in table.columns)
        choices = [(c.key, c.title) for c in COLUMNS if c.key not in ("name", "id", "region")]

        def chosen(picked: tuple[str, ...] | None) -> None:
            if picked is not None:
                table.set_columns(picked)
                self.screen.run_worker(
                    lambda: self._remember_columns(picked),
                    thread=True,
                    exit_on_error=False,
                    group="config",
                )

        self.screen.app.push_screen(ColumnPicker(choices, shown), chosen)

    def _remember_columns(self, picked: tuple[str, ...]) -> None:
        from amitui.config_file import set_top_level

        try:
            set_top_level(paths.config_file(), "columns", list(picked))
        except Exception as exc:
            message = f"Columns not remembered: {describe_error(exc)}"
            self.screen.app.call_from_thread(self.screen.notify, message, severity="warning")

    def toggle(self, flag: str) -> None:
        """``include_deprecated`` or ``include_disabled``: on/off, a new listing."""
        query = self.session.list_query
        on = not getattr(query, flag)
        if flag == "include_deprecated":
            self.session.list_query = replace(query, include_deprecated=on)
        else:
            self.session.list_query = replace(query, include_disabled=on)
        self.screen.notify(f"{flag.replace('_', ' ').capitalize()}: {'on' if on else 'off'}")
