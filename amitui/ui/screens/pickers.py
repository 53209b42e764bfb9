"""Small modal pickers: the owner scope, and the checklists of the regions, (--accounts) the
accounts to list and the columns to show."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, SelectionList

from amitui.aws.images import ListQuery
from amitui.ui.widgets.text_box import TextBox

ACCOUNT_RE = re.compile(r"^\d{12}$")

SCOPES = (
    ("self", "My images (self)"),
    ("amazon", "Amazon"),
    ("aws-marketplace", "AWS Marketplace"),
    ("executable", "Executable by me"),
    ("account", "Another account id"),
)


class ScopeChoices(RadioSet):
    """The owner scopes: enter on a choice chooses it and applies (space only marks it)."""

    BINDINGS = [Binding("enter", "choose", "Apply", show=False, id="owners.apply")]

    def action_choose(self) -> None:
        index = self._selected
        buttons = list(self.query(RadioButton))
        button = buttons[index] if index is not None else self.pressed_button
        if button is None:
            return
        if not button.value:
            button.value = True  # shown as pressed before the picker closes or waits
        scope = (button.id or "scope-self").removeprefix("scope-")
        picker = self.screen
        if isinstance(picker, OwnerPicker):
            picker.apply(scope)


class OwnerPicker(ModalScreen[ListQuery | None]):
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="owners.cancel")]
    CSS_PATH = "pickers.tcss"

    def __init__(self, current: ListQuery) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        owner = self.current.owners[0] if self.current.owners else "self"
        chosen = "executable" if self.current.executable_by_me else owner
        if chosen not in {key for key, _ in SCOPES}:
            chosen = "account"
        with Vertical():
            yield Label("Owner scope")
            yield Label("enter on a choice applies · space marks · esc cancels", id="keys")
            with ScopeChoices(id="scope"):
                for key, label in SCOPES:
                    yield RadioButton(label, value=key == chosen, id=f"scope-{key}")
            yield TextBox(
                value=owner if ACCOUNT_RE.match(owner) else "",
                placeholder="12-digit account id",
                id="account",
            )
            with Horizontal(id="include"):  # side by side: the picker fits 24 rows
                yield Checkbox(
                    "Include deprecated", self.current.include_deprecated, id="deprecated"
                )
                yield Checkbox("Include disabled", self.current.include_disabled, id="disabled")
            yield Label("", id="error")
            with Horizontal():
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Cancel", id="cancel")

    def _scope(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return (pressed.id or "scope-self").removeprefix("scope-") if pressed else "self"

    @on(Button.Pressed, "#apply")
    @on(Input.Submitted, "#account")
    def _apply_pressed(self) -> None:
        self.apply()

    def apply(self, scope: str | None = None) -> None:
        """Close with the chosen scope (``scope``, else the pressed one)."""
        scope = scope or self._scope()
        owners: tuple[str, ...] = ()
        if scope == "account":
            box = self.query_one("#account", Input)
            account = box.value.strip()
            if not ACCOUNT_RE.match(account):
                self.query_one("#error", Label).update(
                    "Type the 12-digit account id, then enter"
                    if not account
                    else "An account id is 12 digits"
                )
                box.focus()
                return
            owners = (account,)
        elif scope != "executable":
            owners = (scope,)
        self.dismiss(
            ListQuery(
                owners=owners,
                include_deprecated=self.query_one("#deprecated", Checkbox).value,
                include_disabled=self.query_one("#disabled", Checkbox).value,
                executable_by_me=scope == "executable",
            )
        )

    @on(Button.Pressed, "#cancel")
    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ChecklistPicker(ModalScreen[tuple[str, ...] | None]):
    """A modal checklist: a title, items (key, label) checked or not, space toggles one,
    enter applies, esc cancels; it closes with the checked keys (``ordered``).

    The pickers below are configurations of it: ``refusal`` (what it says when nothing is
    checked; None: an empty choice is a choice) and ``reasons`` (key -> why that item
    could not be reached, said on its line). A configuration gives its own list class
    (``CHOICES``, for its enter binding's id) and its own escape binding's id."""

    CSS_PATH = "pickers.tcss"
    CHOICES: ClassVar[type[SelectionList[str]]]

    def __init__(
        self,
        title: str,
        items: Sequence[tuple[str, str]],
        checked: Iterable[str],
        *,
        list_id: str,
        refusal: str | None = None,
        reasons: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.items = list(items)
        self.checked = tuple(checked)
        self.list_id = list_id
        self.refusal = refusal
        self.reasons = reasons or {}

    def compose(self) -> ComposeResult:
        checked = set(self.checked)
        with Vertical():
            yield Label(self.title_text)
            yield Label("space toggles · enter applies · esc cancels", id="keys")
            yield self.CHOICES(
                *(
                    (item_prompt(label, self.reasons.get(key)), key, key in checked)
                    for key, label in self.items
                ),
                id=self.list_id,
            )
            if self.refusal is not None:
                yield Label("", id="error")
            with Horizontal():
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Cancel", id="cancel")

    def ordered(self, selected: set[str]) -> tuple[str, ...]:
        """The checked keys, in the items' order."""
        return tuple(key for key, _ in self.items if key in selected)

    def action_apply(self) -> None:
        self.apply()

    @on(Button.Pressed, "#apply")
    def apply(self) -> None:
        selected = set(self.query_one(SelectionList).selected)
        if not selected and self.refusal is not None:
            self.query_one("#error", Label).update(self.refusal)
            return
        self.dismiss(self.ordered(selected))

    @on(Button.Pressed, "#cancel")
    def action_dismiss_none(self) -> None:
        self.dismiss(None)


#: How much of an unreachable item's reason its line shows (the failures panel has it all).
REASON_WIDTH = 48


def item_prompt(label: str, reason: str | None) -> Text:
    """One item's line: its label, and why it could not be reached when known. A Text,
    never markup (an account's name may hold "[")."""
    text = Text(label)
    if reason:
        short = reason if len(reason) <= REASON_WIDTH else reason[: REASON_WIDTH - 1] + "…"
        text.append(f"  unreachable: {short}", style="red")
    return text


class RegionChoices(SelectionList[str]):
    """The regions: space toggles one, enter applies the picker.

    Enter is this list's binding, so the key is used up here: a key handler on the
    screen let it go on to the inventory once the picker had closed, where it opened the
    detail of the row under the cursor."""

    BINDINGS = [Binding("enter", "screen.apply", "Apply", show=False, id="regions.apply")]


class RegionPicker(ChecklistPicker):
    """The regions to list (at least one): those listed first, in their order, then the
    newly checked ones."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="regions.cancel")]
    CHOICES = RegionChoices

    def __init__(self, available: list[str], current: tuple[str, ...]) -> None:
        regions = sorted(set(available) | set(current))
        super().__init__(
            "Regions to list",
            [(r, r) for r in regions],
            current,
            list_id="regions",
            refusal="Pick at least one region",
        )

    def ordered(self, selected: set[str]) -> tuple[str, ...]:
        kept = tuple(r for r in self.checked if r in selected)
        return kept + tuple(r for r in super().ordered(selected) if r not in self.checked)


class AccountChoices(SelectionList[str]):
    """The accounts: space toggles one, enter applies (as RegionChoices)."""

    BINDINGS = [Binding("enter", "screen.apply", "Apply", show=False, id="accounts.apply")]


class AccountPicker(ChecklistPicker):
    """Which of --accounts' accounts to list (at least one). ``accounts``: (key, label) in
    the directory's order; ``failures``: key -> why it could not be reached, as known."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="accounts.cancel")]
    CHOICES = AccountChoices

    def __init__(
        self,
        accounts: list[tuple[str, str]],
        current: tuple[str, ...],
        failures: dict[str, str] | None = None,
    ) -> None:
        super().__init__(
            f"Accounts to list ({len(accounts)})",
            accounts,
            current,
            list_id="accounts",
            refusal="Pick at least one account",
            reasons=failures,
        )


class ColumnChoices(SelectionList[str]):
    """The optional columns: space toggles one, enter applies (as RegionChoices)."""

    BINDINGS = [Binding("enter", "screen.apply", "Apply", show=False, id="columns.apply")]


class ColumnPicker(ChecklistPicker):
    """Which columns the inventory shows (Name and Image ID always; Region whenever
    several regions are listed; none of the optional ones is a choice too). The inventory
    remembers the choice in config.toml."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="columns.cancel")]
    CHOICES = ColumnChoices

    def __init__(self, columns: list[tuple[str, str]], shown: tuple[str, ...]) -> None:
        super().__init__("Columns to show", columns, shown, list_id="columns")
