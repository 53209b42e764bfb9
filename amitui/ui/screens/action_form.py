"""The ONE generic action form: fields, validation and calls all come from an ActionSpec."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from amitui.actions.context import image_context
from amitui.actions.spec import FORM_ERROR, ActionSpec, Field
from amitui.aws.execute import CallResult
from amitui.aws.images import Image
from amitui.aws.lookups import list_regions
from amitui.ui.account_text import accounts_named
from amitui.ui.screens.confirm import ConfirmScreen
from amitui.ui.screens.form_calls import CallsFinished, RegionsLoaded, send
from amitui.ui.screens.form_fields import (
    field_index,
    field_values,
    field_widgets,
    fields_end,
    fit_fields,
    show_field,
)
from amitui.ui.screens.form_pickers import FieldPickers
from amitui.ui.screens.form_text import show, summary_text
from amitui.ui.screens.form_usage import FormUsage, UsageLoaded
from amitui.ui.screens.fresh import NotRestyledWhenFresh
from amitui.ui.services import Services
from amitui.ui.widgets.fields_scroll import FieldsScroll
from amitui.ui.widgets.key_footer import KeyFooter
from amitui.ui.widgets.styled_on_register import FormButton
from amitui.ui.widgets.toggle import Toggle

#: Prefills that describe the selected image: with an image selected, such a field shows
#: that image's value and cannot be edited, so the summary, the request, the typed-back
#: check and the row that changes are all about the one image the form was opened on.
IMAGE_PREFILLS = ("image_id", "region")


@dataclass(frozen=True, slots=True)
class FormOutcome:
    """What a submitted form did: every call's result (the form closes when all succeeded)."""

    spec: ActionSpec
    values: dict[str, object]
    results: list[CallResult]
    image: Image | None


class ActionForm(NotRestyledWhenFresh, ModalScreen[FormOutcome | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Submit", id="form.submit", priority=True),
        Binding("ctrl+t", "dry_run", "Dry run", id="form.dry_run", priority=True),
        Binding("ctrl+o,f2", "pick", "Pick from a list", id="form.pick"),
        Binding("f1", "app.help", "Help", id="form.help"),
    ]

    CSS_PATH = "action_form.tcss"

    def __init__(
        self,
        spec: ActionSpec,
        image: Image | None,
        region: str,
        services: Services,
        on_started: Callable[[FormOutcome], None] | None = None,
    ) -> None:
        """``on_started`` hears of the calls that started while others failed (the form
        stays open on the failed ones); the dismiss result carries a complete success."""
        super().__init__()
        self.spec = spec
        self.services = services
        self.on_started = on_started
        self.image = image
        self.aws_region = image.region if image else region
        #: the image's account (--accounts; "" for the one account): the calls run there
        self.account = image.account if image else ""
        self.context = image_context(image, self.aws_region)
        # the region's image block public access, as the header read it (None: not known)
        sharing = services.session.public_sharing_states.get(self.aws_region)
        self.context["public_sharing"] = sharing
        self.initial = spec.initial_values(self.context)
        #: Fields fixed to the selected image (see IMAGE_PREFILLS), with their values.
        self.locked: dict[str, object] = {
            f.api_name: self.initial[f.api_name]
            for f in spec.fields
            if image is not None and f.prefill in IMAGE_PREFILLS
        }
        #: The regions that exist for this account (DescribeRegions), once known.
        self.known_regions: list[str] | None = None
        self.touched: set[str] = set()
        #: The values the form itself put in (prefills, suggestions): the user's are others.
        self.filled: dict[str, object] = dict(self.initial)
        self.busy = False
        # Sending the same values again from this form reuses their ClientTokens.
        self.token_seed = uuid.uuid4().hex
        self.pickers = FieldPickers(self)
        self.usage = FormUsage(self)

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Static(Text(" · ".join(self._title_parts())), id="title")
            yield Static(self._context_text(), id="context")
            if self.account and self.spec.account_note:
                yield Static(Text(self.spec.account_note), id="account-note")
            with FieldsScroll(id="fields"):
                for index, field in enumerate(self.spec.fields):
                    yield from self._field_widgets(index, field)
                yield fields_end()
            yield Static("", id="outcome")
            with Horizontal(id="buttons"):
                yield FormButton(self.spec.title, variant="primary", compact=True, id="submit")
                yield FormButton("Dry run", compact=True, id="dry-run")
                yield FormButton("Cancel", compact=True, id="cancel")
        yield KeyFooter()

    def _title_parts(self) -> list[str]:
        parts = [self.spec.title]
        if self.account and self.image is not None:
            parts.append(accounts_named([self.image]))
        return [*parts, self.aws_region]

    def _context_text(self) -> Text:
        return summary_text(self.spec, self.image)

    def _field_widgets(self, index: int, field: Field) -> ComposeResult:
        locked = field.api_name in self.locked
        value = self.initial.get(field.api_name)
        yield from field_widgets(index, field, value, locked, first=index == 0)

    def on_mount(self) -> None:
        self._update_context(self.values())
        fit_fields(self, before_layout=True)
        if any(f.lookup == "regions" for f in self.spec.fields):
            self._load_regions()
        if self.usage.active:
            override = self.spec.usage_override
            if override is not None:  # shown once the answer says it is needed
                index = next(i for i, f in enumerate(self.spec.fields) if f.api_name == override)
                show_field(self, index, False)
            self.usage.load()
        editable = [(i, f) for i, f in enumerate(self.spec.fields) if f.api_name not in self.locked]
        if not editable:  # everything is the selected image's: the button is what is left
            self.query_one("#submit").focus()
            return
        # the first field still to fill in (a switch is never "to fill"), else the first one
        first = next(
            (i for i, f in editable if f.kind != "bool" and not self.initial.get(f.api_name)),
            editable[0][0],
        )
        self.query_one(f"#f-{first}").focus()

    # -- values and validation ----------------------------------------------------------

    def values(self) -> dict[str, object]:
        return field_values(self, enumerate(self.spec.fields), self.locked)

    def show_errors(self, errors: dict[str, str], everything: bool = False) -> None:
        for index, field in enumerate(self.spec.fields):
            message = errors.get(field.api_name)
            if not everything and field.api_name not in self.touched:
                message = None
            box = self.query_one(f"#e-{index}", Static)
            show(box, Text(message or ""))
            box.set_class(bool(message), "shown")
        if everything:  # live checks never wipe what the last send reported
            self.set_outcome(errors.get(FORM_ERROR), error=True)
        self._update_context(self.values())

    def validate(self, values: dict[str, object], *, sending: bool = True) -> dict[str, str]:
        """The spec's errors; for a real send, also its refusal from what uses the image
        (a dry run changes nothing, so it may go while usage is asked or in doubt)."""
        errors = self.spec.validate(values, regions=self.known_regions, context=self.context)
        if sending:
            for key, message in self.usage.errors(self.spec.clean(values)).items():
                errors.setdefault(key, message)
        return errors

    def on_usage_loaded(self, message: UsageLoaded) -> None:
        self.usage.loaded(message.usage, self.spec.usage_override, message.retention)
        self.show_errors(self.validate(self.values()))

    def _update_context(self, values: dict[str, object]) -> None:
        """Spell out what a destructive or disruptive choice will do, as it is made."""
        text = self._context_text()
        text.append_text(self.usage.text())
        cleaned = self.spec.clean(values)
        if self.spec.warn and (consequence := self.spec.warn(cleaned, self.context)):
            text.append(f"\n{consequence}", style="bold red")
        if self.spec.confirm and (warning := self.spec.confirm(cleaned)):
            text.append(f"\n⚠ {warning}", style="bold yellow")
        show(self.query_one("#context", Static), text)
        self.call_after_refresh(self._fit_fields)

    def set_outcome(self, message: str | None, error: bool = False) -> None:
        box = self.query_one("#outcome", Static)
        show(box, Text(message or ""))
        box.set_class(bool(message) and error, "failed")
        box.set_class(bool(message) and not error, "ok")
        self.call_after_refresh(self._fit_fields)

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._fit_fields)

    def _fit_fields(self) -> None:
        fit_fields(self)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Toggle.Changed)
    def _changed(self, event: Any) -> None:
        index = field_index(event.control.id)
        if index is not None:
            self.touched.add(self.spec.fields[index].api_name)
        self._fill_suggestions()
        self.show_errors(self.validate(self.values()))

    def _fill_suggestions(self) -> None:
        """Fill the fields the user has not touched with what the spec infers (shown, so
        what is sent is still what the form shows)."""
        if self.spec.suggest is None:
            return
        values = self.values()
        for api_name, value in self.spec.suggest(self.spec.clean(values)).items():
            index = next(i for i, f in enumerate(self.spec.fields) if f.api_name == api_name)
            # Only a value the form put there itself is replaced, never the user's choice.
            if values[api_name] != value and values[api_name] == self.filled.get(api_name):
                self.filled[api_name] = value
                self.query_one(f"#f-{index}").value = value  # type: ignore[attr-defined]

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; only ctrl+s or the button sends."""
        event.stop()
        self.focus_next()

    # -- regions ---------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="regions", description="regions")
    def _load_regions(self) -> None:
        try:
            lookup = list_regions(self.services.clients_for(self.account), self.aws_region)
        except Exception:  # botocore's endpoint data stays the rule (see ActionSpec.validate)
            lookup = None
        self.post_message(RegionsLoaded(lookup))

    def on_regions_loaded(self, message: RegionsLoaded) -> None:
        """The account's regions check the region fields, and the picker lists them."""
        lookup = message.lookup
        if lookup is not None:
            self.pickers.lookups.setdefault("regions", lookup)
            if not lookup.fallback:
                self.known_regions = [c.value for c in lookup.choices]
        self.show_errors(self.validate(self.values()))

    # -- pickers --------------------------------------------------------------------------

    def action_pick(self) -> None:
        """ctrl+o / f2: open the focused field's picker."""
        self.pickers.pick_focused()

    @on(Button.Pressed, ".pick")
    def _pick_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        index = self.pickers.index_of(event.button.id)
        if index is not None:
            self.pickers.open(index)

    @on(Input.Changed)
    def _picked_field_changed(self, event: Input.Changed) -> None:
        index = field_index(event.control.id)
        if index is not None:
            self.pickers.show_warning(index)

    # -- submit ---------------------------------------------------------------------------

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        self._send(dry_run=False)

    @on(Button.Pressed, "#dry-run")
    def action_dry_run(self) -> None:
        self._send(dry_run=True)

    def _send(self, dry_run: bool) -> None:
        if self.busy:
            return
        values = self.values()
        errors = self.validate(values, sending=not dry_run)
        if errors:
            self.touched.update(f.api_name for f in self.spec.fields)
            self.show_errors(errors, everything=True)
            bad = [i for i, f in enumerate(self.spec.fields) if f.api_name in errors]
            if bad:
                self.query_one(f"#f-{bad[0]}").focus()
            message = errors.get(FORM_ERROR) or f"{len(errors)} field(s) need attention"
            if "nothing was sent" not in message:
                message = message.rstrip(".") + ": nothing was sent."
            self.set_outcome(message, error=True)
            return
        warning = (
            None if dry_run or not self.spec.confirm else self.spec.confirm(self.spec.clean(values))
        )
        if warning:
            self.app.push_screen(
                ConfirmScreen(warning, action="Yes, send it", keep="No, back to the form"),
                lambda yes: (
                    self._start(values, dry_run)
                    if yes
                    else self.set_outcome("Not sent.", error=True)
                ),
            )
            return
        self._start(values, dry_run)

    def _start(self, values: dict[str, object], dry_run: bool) -> None:
        self._set_busy(True, "Checking permission (dry run)…" if dry_run else "Sending…")
        self._call(values, dry_run, self.known_regions)

    def _set_busy(self, busy: bool, message: str | None = None) -> None:
        self.busy = busy
        for button in self.query(Button):
            button.disabled = busy and button.id != "cancel"
        if message:
            self.set_outcome(message)

    @work(thread=True, exit_on_error=False, group="calls", description="action call")
    def _call(self, values: dict[str, object], dry_run: bool, regions: list[str] | None) -> None:
        self.post_message(
            send(
                self.services,
                self.spec,
                self.account,
                values,
                self.aws_region,
                dry_run,
                token_seed=self.token_seed,
                regions=regions,
                image=self.image,
                context=self.context,
            )
        )

    def on_calls_finished(self, message: CallsFinished) -> None:
        self._set_busy(False)
        if message.results and message.error:
            self.notify(message.error, severity="error")
        elif message.error or message.results is None:
            self.set_outcome(message.error, error=True)
            return
        results = message.results
        if message.dry_run:
            lines = [r.summary() for r in results]
            self.set_outcome("Dry run: " + "; ".join(lines), error=not all(r.ok for r in results))
            return
        values = self.values()
        if self.image is not None and any(r.ok for r in results):
            # what uses or shares it may have changed: the next form or detail asks again
            self.services.usage.forget(
                self.image.region, self.image.image_id, account=self.image.account
            )
        if not results:  # a planned action with nothing to send (tags unchanged)
            self.set_outcome("Nothing to change: nothing was sent.", error=True)
            return
        failed = [r for r in results if not r.ok]
        if not failed:
            self.dismiss(FormOutcome(self.spec, values, results, self.image))
            return
        succeeded = [r for r in results if r.ok]
        if succeeded:
            # Report what started now; leave only the failed destinations in the form.
            if self.on_started is not None:
                self.on_started(FormOutcome(self.spec, values, succeeded, self.image))
            if self.spec.fan_out:
                index = next(
                    i for i, f in enumerate(self.spec.fields) if f.api_name == self.spec.fan_out
                )
                self.query_one(f"#f-{index}", Input).value = ", ".join(r.region for r in failed)
        self.set_outcome("\n".join(r.summary() for r in failed), error=True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
