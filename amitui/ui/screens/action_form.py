"""The ONE generic action form: fields, validation and calls all come from an ActionSpec."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from amitui.aws.errors import describe_error
from amitui.aws.execute import CallResult, run_action
from amitui.aws.fields import FORM_ERROR, ActionSpec, Field, InvalidForm
from amitui.aws.images import Image
from amitui.ui.screens.form_pickers import FieldPickers, has_picker, pick_button, warning_box
from amitui.ui.widgets.toggle import Toggle


@dataclass(frozen=True, slots=True)
class FormOutcome:
    """What a submitted form did: every call's result (the form closes when all succeeded)."""

    spec: ActionSpec
    values: dict[str, object]
    results: list[CallResult]
    image: Image | None


class CallsFinished(Message):
    def __init__(self, results: list[CallResult] | None, error: str | None, dry_run: bool):
        super().__init__()
        self.results = results
        self.error = error
        self.dry_run = dry_run


def image_context(image: Image | None, region: str) -> dict[str, object]:
    """What a form may prefill from the selected image."""
    if image is None:
        return {"region": region}
    return {"image_id": image.image_id, "image_name": image.name, "region": image.region}


class ActionForm(ModalScreen[FormOutcome | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "submit", "Submit", id="submit"),
        Binding("ctrl+o,f2", "pick", "Pick from a list", id="pick"),
    ]

    DEFAULT_CSS = """
    ActionForm { align: center middle; }
    ActionForm > Vertical {
        width: 96; max-width: 100%; height: auto; max-height: 95%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    ActionForm #title { text-style: bold; color: $accent; padding: 0 0 1 0; }
    ActionForm #context { padding: 0 0 1 0; }
    ActionForm #fields { height: auto; max-height: 100%; }
    ActionForm .field { height: auto; margin: 0 0 1 0; }
    ActionForm .row { height: auto; }
    ActionForm .field-label { width: 30; color: $text; text-style: bold; }
    ActionForm .row Input, ActionForm .row Select { width: 1fr; }
    ActionForm .help { color: $text-muted; padding-left: 30; }
    ActionForm .error { color: $error; padding-left: 30; display: none; }
    ActionForm .error.shown { display: block; }
    ActionForm .row .pick { margin: 0 0 0 1; min-width: 8; }
    ActionForm .warning { color: $warning; padding-left: 30; display: none; }
    ActionForm .warning.shown { display: block; }
    ActionForm #outcome { dock: bottom; height: auto; max-height: 6; margin-bottom: 2; }
    ActionForm #outcome.failed { color: $error; text-style: bold; }
    ActionForm #outcome.ok { color: $success; }
    ActionForm #buttons { dock: bottom; height: 2; align-horizontal: right; padding: 1 0 0 0; }
    ActionForm #buttons Button { margin: 0 0 0 2; }
    """

    def __init__(self, spec: ActionSpec, image: Image | None, region: str) -> None:
        super().__init__()
        self.spec = spec
        self.image = image
        self.aws_region = image.region if image else region
        self.initial = spec.initial_values(image_context(image, self.aws_region))
        self.touched: set[str] = set()
        self.busy = False
        # Sending the same values again from this form reuses their ClientTokens.
        self.token_seed = uuid.uuid4().hex
        self.pickers = FieldPickers(self)

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"{self.spec.title} · {self.aws_region}"), id="title")
            yield Static(self._context_text(), id="context")
            with VerticalScroll(id="fields"):
                for index, field in enumerate(self.spec.fields):
                    yield from self._field_widgets(index, field)
            yield Static("", id="outcome")
            with Horizontal(id="buttons"):
                yield Button(self.spec.title, variant="primary", compact=True, id="submit")
                yield Button("Dry run", compact=True, id="dry-run")
                yield Button("Cancel", compact=True, id="cancel")

    def _context_text(self) -> Text:
        text = Text(self.spec.summary)
        if self.spec.name == "deregister" and self.image is not None:
            i = self.image
            text.append("\n\n")
            for label, value in (
                ("Name", i.name),
                ("Image", i.image_id),
                ("Region", i.region),
                ("Created", i.creation_date),
                ("Snapshots", ", ".join(i.snapshot_ids) or "none"),
            ):
                text.append(f"{label:<10} ", style="dim")
                text.append(f"{value}\n", style="bold")
        return text

    def _field_widgets(self, index: int, field: Field) -> ComposeResult:
        value = self.initial.get(field.api_name)
        label = field.label + (" *" if field.required else "")
        with Vertical(classes="field", id=f"field-{index}"):
            with Horizontal(classes="row"):
                yield Label(Text(label), classes="field-label")
                if field.kind == "bool":
                    yield Toggle(bool(value), id=f"f-{index}")
                elif field.kind == "choice":
                    yield Select(
                        [(c, c) for c in field.choices],
                        value=value if value in field.choices else Select.NULL,
                        allow_blank=not field.required or value not in field.choices,
                        compact=True,
                        id=f"f-{index}",
                    )
                else:
                    yield Input(
                        value="" if value is None else _as_text(value),
                        placeholder=field.placeholder,
                        compact=True,
                        id=f"f-{index}",
                    )
                if has_picker(field):
                    yield pick_button(index)
            if field.help:
                yield Static(Text(field.help), classes="help")
            if has_picker(field):
                yield warning_box(index)
            yield Static("", classes="error", id=f"e-{index}")

    def on_mount(self) -> None:
        self._update_context(self.values())
        first = next(
            (f"#f-{i}" for i, f in enumerate(self.spec.fields) if not self.initial.get(f.api_name)),
            "#f-0",
        )
        self.query_one(first).focus()

    # -- values and validation ----------------------------------------------------------

    def values(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for index, field in enumerate(self.spec.fields):
            widget = self.query_one(f"#f-{index}")
            if isinstance(widget, Toggle):
                out[field.api_name] = widget.value
            elif isinstance(widget, Select):
                out[field.api_name] = None if widget.value is Select.NULL else widget.value
            else:
                out[field.api_name] = widget.value
        return out

    def show_errors(self, errors: dict[str, str], everything: bool = False) -> None:
        for index, field in enumerate(self.spec.fields):
            message = errors.get(field.api_name)
            if not everything and field.api_name not in self.touched:
                message = None
            box = self.query_one(f"#e-{index}", Static)
            box.update(Text(message or ""))
            box.set_class(bool(message), "shown")
        form_error = errors.get(FORM_ERROR) if everything else None
        self.set_outcome(form_error, error=True)
        self._update_context(self.values())

    def _update_context(self, values: dict[str, object]) -> None:
        """Spell out what a destructive or disruptive choice will do, as it is made."""
        text = self._context_text()
        if self.spec.name == "deregister" and self.image is not None:
            if values.get("DeleteAssociatedSnapshots") and self.image.snapshot_ids:
                text.append(
                    "These snapshots will be deleted too: " + ", ".join(self.image.snapshot_ids),
                    style="bold red",
                )
        elif self.spec.name == "create" and not values.get("NoReboot"):
            instance = str(values.get("InstanceId") or "").strip() or "The instance"
            text.append(
                f"\n⚠ {instance} will REBOOT while the image is taken (turn on No reboot to "
                "avoid it, at the risk of an inconsistent file system).",
                style="bold yellow",
            )
        self.query_one("#context", Static).update(text)

    def set_outcome(self, message: str | None, error: bool = False) -> None:
        box = self.query_one("#outcome", Static)
        box.update(Text(message or ""))
        box.set_class(bool(message) and error, "failed")
        box.set_class(bool(message) and not error, "ok")

    def _field_index(self, widget_id: str | None) -> int | None:
        if widget_id and widget_id.startswith("f-"):
            return int(widget_id[2:])
        return None

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Toggle.Changed)
    def _changed(self, event: Any) -> None:
        index = self._field_index(event.control.id)
        if index is not None:
            self.touched.add(self.spec.fields[index].api_name)
        self.show_errors(self.spec.validate(self.values()))

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_submit()

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
        index = self._field_index(event.control.id)
        if index is not None:
            self.pickers.show_warning(index)

    # -- submit ---------------------------------------------------------------------------

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        self._send(dry_run=False)

    @on(Button.Pressed, "#dry-run")
    def _dry_run(self) -> None:
        self._send(dry_run=True)

    def _send(self, dry_run: bool) -> None:
        if self.busy:
            return
        values = self.values()
        errors = self.spec.validate(values)
        if errors:
            self.touched.update(f.api_name for f in self.spec.fields)
            self.show_errors(errors, everything=True)
            bad = [i for i, f in enumerate(self.spec.fields) if f.api_name in errors]
            if bad:
                self.query_one(f"#f-{bad[0]}").focus()
            count = len(errors)
            self.set_outcome(
                errors.get(FORM_ERROR) or f"{count} field(s) need attention: nothing was sent.",
                error=True,
            )
            return
        self._set_busy(True, "Checking permission (dry run)…" if dry_run else "Sending…")
        self._call(values, dry_run)

    def _set_busy(self, busy: bool, message: str | None = None) -> None:
        self.busy = busy
        for button in self.query(Button):
            button.disabled = busy and button.id != "cancel"
        if message:
            self.set_outcome(message)

    @work(thread=True, exit_on_error=False, group="calls", description="action call")
    def _call(self, values: dict[str, object], dry_run: bool) -> None:
        try:
            results = run_action(
                self.app.clients,
                self.spec,
                values,
                self.aws_region,
                dry_run=dry_run,
                token_seed=self.token_seed,
            )
        except InvalidForm as exc:
            self.post_message(CallsFinished(None, str(exc), dry_run))
            return
        except Exception as exc:
            self.post_message(CallsFinished(None, describe_error(exc), dry_run))
            return
        problem = None
        if not dry_run:
            for result in results:
                try:  # into SQLite now, in this thread, before the UI says "started"
                    self.app.tasks.record(self.spec, values, result)
                except Exception as exc:
                    problem = f"Started, but the task could not be saved: {describe_error(exc)}"
        self.post_message(CallsFinished(results, problem, dry_run))

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
        failed = [r for r in results if not r.ok]
        if not failed:
            self.dismiss(FormOutcome(self.spec, values, results, self.image))
            return
        succeeded = [r for r in results if r.ok]
        if succeeded:
            # Report what started now; leave only the failed destinations in the form.
            self.app.inventory.post_message(
                ActionsStarted(FormOutcome(self.spec, values, succeeded, self.image))
            )
            if self.spec.fan_out:
                index = next(
                    i for i, f in enumerate(self.spec.fields) if f.api_name == self.spec.fan_out
                )
                self.query_one(f"#f-{index}", Input).value = ", ".join(r.region for r in failed)
        self.set_outcome("\n".join(r.summary() for r in failed), error=True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ActionsStarted(Message):
    """Some calls of a form succeeded while others failed: the inventory records them."""

    def __init__(self, outcome: FormOutcome) -> None:
        super().__init__()
        self.outcome = outcome


def _as_text(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(f"{v[0]}={v[1]}" if isinstance(v, tuple) else str(v) for v in value)
    return str(value)
