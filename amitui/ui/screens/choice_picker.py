"""The modal picker a form field opens: a type-ahead filter over a searchable list.

The list is loaded in a thread worker (``loader()`` -> Lookup), with a "Loading…" line
meanwhile, an AWS error as one line inside the picker, and "No … found in <region>" when
empty. Enter or a click picks; esc cancels. With ``multi`` (regions), space marks and
Enter applies the marked ones. The picker returns the picked value(s) and keeps the
Lookup it showed in ``lookup`` (a form may reuse it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from amitui.aws.errors import describe_error
from amitui.aws.lookups import Lookup
from amitui.ui.choice_filter import ChoiceFilter
from amitui.ui.widgets.choice_list import ChoiceList
from amitui.ui.widgets.steady_input import SteadyInput

Picked = str | list[str] | None


class ChoicesLoaded(Message):
    def __init__(self, lookup: Lookup | None, filter: ChoiceFilter | None, error: str | None):
        super().__init__()
        self.lookup = lookup
        self.filter = filter
        self.error = error


class FilterInput(SteadyInput):
    """The type-ahead box. It filters the list as each key is typed, and handles the
    list's keys (arrows, page keys, Enter, and space in a multi-select picker) itself, in
    the order they were typed: a binding would run them later, when the key has bubbled
    back up to the app, after the keys typed behind it (a fast typist's "eu, space, down,
    space" would mark one region twice). No region name has a space."""

    LIST_KEYS = ("up", "down", "pageup", "pagedown", "enter")

    def __init__(
        self,
        *,
        multi: bool,
        on_text: Callable[[str], None],
        on_list_key: Callable[[str], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.multi = multi
        self.on_text = on_text
        self.on_list_key = on_list_key

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        self.on_text(value)

    async def _on_key(self, event: events.Key) -> None:
        # Textual calls Input._on_key after this one (handlers run down the MRO) unless
        # the default is prevented.
        if event.key in self.LIST_KEYS or (self.multi and event.key == "space"):
            event.stop()
            event.prevent_default()
            self.on_list_key(event.key)


class ChoicePicker(ModalScreen[Picked]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("enter", "pick", "Pick", id="picker.pick"),
        Binding("space", "toggle", "Mark", id="picker.toggle"),
        Binding("down", "move('cursor_down')", "Down", show=False, id="picker.down"),
        Binding("up", "move('cursor_up')", "Up", show=False, id="picker.up"),
        Binding("pagedown", "move('page_down')", "Page down", show=False, id="picker.page_down"),
        Binding("pageup", "move('page_up')", "Page up", show=False, id="picker.page_up"),
    ]
    CSS_PATH = "choice_picker.tcss"

    def __init__(
        self,
        title: str,
        loader: Callable[[], Lookup],
        *,
        current: Sequence[str] = (),
        multi: bool = False,
        lookup: Lookup | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.loader = loader
        self.current = tuple(v for v in current if v)
        self.multi = multi
        self.lookup: Lookup | None = None
        self._ready = lookup
        self.filter: ChoiceFilter | None = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        keys = (
            "type to filter · ↑↓ move · space marks · enter applies · esc cancels"
            if self.multi
            else "type to filter · ↑↓ move · enter or click picks · esc cancels"
        )
        with Vertical():
            yield Static(Text(self.title_text), id="title")
            yield FilterInput(
                multi=self.multi,
                on_text=self._filter,
                on_list_key=self._list_key,
                placeholder="Type to filter",
                compact=True,
                id="query",
            )
            yield ChoiceList(marks=self.multi, id="choices")
            yield Static(Text("Loading…"), id="status")
            yield Static("", id="warning")
            yield Static("", id="source")
            yield Static(Text(keys), id="keys")

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        if self._ready is not None:
            self._show(self._ready, ChoiceFilter(self._ready.choices))
        else:
            self._load()

    # -- loading ----------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="lookup", exclusive=True)
    def _load(self) -> None:
        try:
            lookup = self.loader()
            # The lowercase haystacks are made here too, off the UI thread.
            self.post_message(ChoicesLoaded(lookup, ChoiceFilter(lookup.choices), None))
        except Exception as exc:  # shown as one line in the picker; the app keeps running
            self.post_message(ChoicesLoaded(None, None, describe_error(exc)))

    def on_choices_loaded(self, message: ChoicesLoaded) -> None:
        message.stop()
        if message.lookup is None or message.filter is None:
            self.error = message.error
            self._status(f"Could not list: {message.error}", failed=True)
            return
        self._show(message.lookup, message.filter)

    def _show(self, lookup: Lookup, choice_filter: ChoiceFilter) -> None:
        self.lookup, self.filter = lookup, choice_filter
        self.query_one("#source", Static).update(Text(f"From {lookup.source}"))
        listing = self.query_one(ChoiceList)
        known = {c.value for c in lookup.choices}
        if self.multi:
            listing.marked = {v: None for v in self.current if v in known}
        listing.set_choices(lookup.choices, lookup.titles)
        keep = next((c for c in lookup.choices if c.value in self.current), None)
        listing.show(choice_filter.matches(self.query_one("#query", Input).value), keep=keep)
        self._count()

    def _count(self) -> None:
        lookup = self.lookup
        if lookup is None:
            return
        listing = self.query_one(ChoiceList)
        total = len(lookup.choices)
        if not total:
            where = f" {lookup.scope}" if lookup.scope else ""
            self._status(f"No {lookup.noun} found{where}.")
            return
        text = f"{len(listing.shown):,} of {total:,} {lookup.noun}"
        if self.multi:
            marked = ", ".join(listing.marked) or "none"
            text += f" · marked: {marked}"
        unknown = [v for v in self.current if v not in {c.value for c in lookup.choices}]
        if unknown:
            text += f" · not in the list (left out if you pick): {', '.join(unknown)}"
        self._status(text)

    def _status(self, text: str, failed: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Text(text))
        status.set_class(failed, "failed")

    # -- filtering and picking -----------------------------------------------------------

    def _filter(self, text: str) -> None:
        if self.filter is not None and self.is_mounted:
            self.query_one(ChoiceList).show(self.filter.matches(text))
            self._count()

    @on(Input.Changed, "#query")
    def _filtered(self, event: Input.Changed) -> None:
        event.stop()  # filtered already, as the key was typed

    @on(ChoiceList.Highlighted)
    def _highlighted(self, event: ChoiceList.Highlighted) -> None:
        event.stop()
        warning = event.choice.warning if event.choice else ""
        box = self.query_one("#warning", Static)
        box.update(Text(f"⚠ {warning}" if warning else ""))
        box.set_class(bool(warning), "shown")

    def _list_key(self, key: str) -> None:
        """A key typed in the filter box that acts on the list."""
        if key == "space":
            self.action_toggle()
        elif key == "enter":
            self.action_pick()
        else:
            self.action_move(
                {"pageup": "page_up", "pagedown": "page_down"}.get(key, f"cursor_{key}")
            )

    def action_move(self, action: str) -> None:
        getattr(self.query_one(ChoiceList), f"action_{action}")()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle":
            return self.multi  # single: space reaches the filter box
        return True

    def action_toggle(self) -> None:  # type: ignore[override]  # DOMNode's toggles a class
        self.query_one(ChoiceList).toggle()
        self._count()

    @on(ChoiceList.Chosen)
    def _chosen(self, event: ChoiceList.Chosen) -> None:
        event.stop()
        if self.multi:  # a click marks; Enter applies
            self.action_toggle()
        else:
            self.dismiss(event.choice.value)

    def action_pick(self) -> None:
        listing = self.query_one(ChoiceList)
        if self.multi:
            if not listing.marked and listing.current is not None:
                listing.toggle()
            if listing.marked:
                self.dismiss(list(listing.marked))
            return
        if listing.current is not None:
            self.dismiss(listing.current.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def choice_values(picked: Picked) -> str | None:
    """The text a picked value puts in its field (several: comma-separated)."""
    if picked is None:
        return None
    return ", ".join(picked) if isinstance(picked, list) else picked
