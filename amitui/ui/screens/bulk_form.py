"""One action over the marked images: one form, every image's request previewed, one
bulk run (a task group) started.

The fields are the single form's, less those each image fills itself (its id, the
typed-back id). Below them, a table shows what each image's item will send — the same
validation and request building as the single form (amitui/actions/bulk.py) — or why it
cannot. A destructive action has the user type ``<action> <count>`` back. An action that
asks what still uses an image (deregister) asks it of every marked image first: an image
that is used, protected, shared or not verified is left out unless the override is ticked,
and the table says which and why. The run is in SQLite before the form says "started".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Select, Static

from amitui.actions.bulk import (
    ImagePlan,
    call_line,
    confirmation_phrase,
    destructive,
    image_plan,
    per_image_fields,
)
from amitui.actions.context import image_context
from amitui.actions.spec import FORM_ERROR, ActionSpec
from amitui.aws.errors import describe_error
from amitui.aws.images import Image
from amitui.aws.recycle_bin import Retention
from amitui.aws.usage import Usage
from amitui.tasks.bulk_model import BulkRun, NewItem
from amitui.ui.account_text import accounts_named
from amitui.ui.screens import bulk_checks
from amitui.ui.screens.form_fields import field_values, field_widgets, fields_end
from amitui.ui.screens.fresh import NotRestyledWhenFresh
from amitui.ui.services import Services
from amitui.ui.usage_text import retention_cell, retention_summary, verdict_text
from amitui.ui.widgets.fields_scroll import FieldsScroll
from amitui.ui.widgets.key_footer import KeyFooter
from amitui.ui.widgets.styled_on_register import FormButton
from amitui.ui.widgets.text_box import TextBox
from amitui.ui.widgets.toggle import Toggle


@dataclass(frozen=True, slots=True)
class BulkStarted:
    """The form's result: the run it recorded (and started)."""

    spec: ActionSpec
    run: BulkRun


class UsagesLoaded(Message):
    def __init__(
        self,
        usages: dict[tuple[str, str], Usage],
        retentions: dict[tuple[str, str], Retention],
    ) -> None:
        super().__init__()
        self.usages = usages
        self.retentions = retentions


class UsageProgress(Message):
    def __init__(self, done: int) -> None:
        super().__init__()
        self.done = done


class DryRunDone(Message):
    def __init__(self, denied: list[str], allowed: int) -> None:
        super().__init__()
        self.denied = denied
        self.allowed = allowed


class RunRecorded(Message):
    def __init__(self, run: BulkRun | None, error: str | None) -> None:
        super().__init__()
        self.run = run
        self.error = error


class BulkForm(NotRestyledWhenFresh, ModalScreen[BulkStarted | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="bulk.cancel"),
        Binding("ctrl+s", "submit", "Start", id="bulk.submit", priority=True),
        Binding("ctrl+t", "dry_run", "Dry run", id="bulk.dry_run", priority=True),
    ]
    CSS_PATH = "bulk_form.tcss"

    def __init__(
        self,
        spec: ActionSpec,
        images: list[Image],
        services: Services,
        initial: Mapping[str, object] | None = None,
    ) -> None:
        """``initial``: values the fields start with (the cleanup plan's choice about the
        snapshots), over the spec's defaults."""
        super().__init__()
        self.spec = spec
        self.images = images
        self.services = services
        self.contexts = [image_context(i, i.region) for i in images]
        skip = per_image_fields(spec)
        #: (index in spec.fields, field) of the fields this form asks
        self.asked = [(i, f) for i, f in enumerate(spec.fields) if f.api_name not in skip]
        self.initial = {**spec.initial_values({}), **(initial or {})}
        #: what uses each image, once asked (None: still asking, or not needed)
        self.usages: dict[tuple[str, str], Usage] | None = None
        #: whether the Recycle Bin keeps each (spec.recycle_bin), once asked
        self.retentions: dict[tuple[str, str], Retention] = {}
        self.plans: list[ImagePlan] = []
        self.busy = False

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        regions = ", ".join(sorted({i.region for i in self.images}))
        accounts = accounts_named(self.images)  # where the calls run, as a single form says
        where = " · ".join(p for p in (f"{len(self.images)} marked images", accounts, regions) if p)
        with Vertical(id="box"):
            yield Static(Text(f"{self.spec.title} · {where}"), id="title")
            summary = self.spec.summary + (
                f"\n{self.spec.bulk_note}" if self.spec.bulk_note else ""
            )
            yield Static(Text(summary), id="summary")
            with FieldsScroll(id="fields"):
                for place, (index, field) in enumerate(self.asked):
                    value = self.initial.get(field.api_name)
                    yield from field_widgets(index, field, value, False, first=place == 0)
                yield fields_end()
            yield Static("", id="usage")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="preview")
            yield Static("", id="going")
            if destructive(self.spec):
                with Horizontal(id="confirm-row"):
                    yield Static("", id="confirm-label")
                    yield TextBox(compact=True, id="confirm")
            yield Static("", id="outcome")
            with Horizontal(id="buttons"):
                yield FormButton("Start", variant="primary", compact=True, id="submit")
                yield FormButton("Dry run", compact=True, id="dry-run")
                yield FormButton("Cancel", compact=True, id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#preview", DataTable)
        self.multi_region = len({i.region for i in self.images}) > 1
        self.multi_account = len({i.account for i in self.images}) > 1
        where = ("Account",) * self.multi_account + ("Region",) * self.multi_region
        table.add_columns("Image", "Name", *where, "Sends")
        if self.spec.usage_guard is not None:
            self._set_usage_line(Text(f"Checking what uses {len(self.images)} images…"))
            self._ask_usages()
        self._preview()
        if self.asked:
            self.query_one(f"#f-{self.asked[0][0]}").focus()
        elif destructive(self.spec):
            self.query_one("#confirm").focus()

    # -- values and the preview -------------------------------------------------------

    def values(self) -> dict[str, object]:
        return {**self.initial, **field_values(self, self.asked)}

    def _refused(self, image: Image, values: dict[str, object]) -> str:
        """Why the usage guard leaves this image out ('' when it does not)."""
        guard = self.spec.usage_guard
        if guard is None:
            return ""
        if self.usages is None:
            return "still checking what uses it"
        usage = self.usages.get((image.place, image.image_id))
        errors = guard(self.spec.clean(values), usage)
        if not errors:
            return ""
        if usage is not None and not usage.clear:
            return "; ".join(usage.blockers()) or next(iter(errors.values()))
        return next(iter(errors.values()))

    def _preview(self) -> None:
        values = self.values()
        table = self.query_one("#preview", DataTable)
        table.clear()
        self.plans = []
        for image, context in zip(self.images, self.contexts, strict=True):
            refused = self._refused(image, values)
            plan = (
                ImagePlan(image.image_id, image.region, error=f"left out: {refused}")
                if refused
                else image_plan(self.spec, values, context)
            )
            self.plans.append(plan)
            sends = (
                Text("\n".join(call_line(c) for c in plan.calls))
                if plan.ok
                else Text(plan.error, style="bold red")
            )
            retention = self.retentions.get((image.place, image.image_id))
            if plan.ok and retention is not None:
                sends.append("  ")
                sends.append_text(retention_cell(retention))
            account = Text(image.account_name or image.account)
            where = (account,) * self.multi_account + (image.region,) * self.multi_region
            table.add_row(image.image_id, Text(image.name[:30]), *where, sends)
        going = sum(p.ok for p in self.plans)
        left_out = len(self.plans) - going
        checking = self.spec.usage_guard is not None and self.usages is None
        if checking:
            line = Text("Nothing can be sent until what uses them is known.", style="bold")
        else:
            line = Text(f"{going} of {len(self.plans)} images will be sent", style="bold")
            if left_out:
                line.append(f"; {left_out} left out (each says why)", style="bold red")
        self.query_one("#going", Static).update(line)
        if destructive(self.spec):  # the count typed back is the count that goes
            phrase = confirmation_phrase(self.spec, going)
            label = "Checking… " if checking else f"Type “{phrase}” to confirm "
            self.query_one("#confirm-label", Static).update(Text(label))
            # no placeholder: the phrase written in the box would read as already typed

    @on(Input.Changed)
    @on(Toggle.Changed)
    @on(Select.Changed)
    def _changed(self, event: Message) -> None:
        if getattr(event, "input", None) is not None and event.input.id == "confirm":  # type: ignore[attr-defined]
            return
        self._preview()

    # -- what uses the images ---------------------------------------------------------

    def _set_usage_line(self, text: Text) -> None:
        self.query_one("#usage", Static).update(text)

    @work(thread=True, exit_on_error=False, group="usage", description="bulk usage")
    def _ask_usages(self) -> None:
        found_retentions = (
            bulk_checks.retentions(self.services, self.images) if self.spec.recycle_bin else {}
        )
        found = bulk_checks.usages(self.services, self.images, self._progress)
        self.post_message(UsagesLoaded(found, found_retentions))

    def _progress(self, done: int) -> None:
        self.post_message(UsageProgress(done))

    def on_usage_progress(self, message: UsageProgress) -> None:
        if self.usages is None:
            line = f"Checking what uses {len(self.images)} images… {message.done} done"
            self._set_usage_line(Text(line))

    def on_usages_loaded(self, message: UsagesLoaded) -> None:
        self.usages = message.usages
        self.retentions = message.retentions
        clear = sum(u.clear for u in message.usages.values())
        text = Text(f"What uses them: {clear} of {len(self.images)} clear. ")
        if clear < len(self.images):
            worst = next(u for u in message.usages.values() if not u.clear)
            text.append_text(verdict_text(worst))
            text.append(" (each is listed below)")
        if message.retentions:
            text.append("\n")
            text.append_text(retention_summary(list(message.retentions.values())))
        self._set_usage_line(text)
        self._preview()

    # -- submit -----------------------------------------------------------------------

    def set_outcome(self, message: str | None, error: bool = False) -> None:
        box = self.query_one("#outcome", Static)
        box.update(Text(message or ""))
        box.set_class(error, "failed")

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        if self.busy:
            return
        values = self.values()
        errors = self.spec.validate(
            {**values, **{n: "ami-00000000" for n in per_image_fields(self.spec)}}
        )
        asked = {f.api_name for _, f in self.asked}
        shown = {k: m for k, m in errors.items() if k in asked or k == FORM_ERROR}
        if shown:
            self.set_outcome(
                "; ".join(f"{k}: {m}" for k, m in shown.items()) + ": nothing was sent.", True
            )
            return
        if self.spec.usage_guard is not None and self.usages is None:
            self.set_outcome("Still checking what uses the images: nothing was sent.", True)
            return
        going = [p for p in self.plans if p.ok]
        if not going:
            self.set_outcome("No image can be sent (each says why): nothing was sent.", True)
            return
        if destructive(self.spec):
            phrase = confirmation_phrase(self.spec, len(going))
            if self.query_one("#confirm", Input).value.strip() != phrase:
                self.set_outcome(f"Type “{phrase}” to confirm: nothing was sent.", True)
                self.query_one("#confirm").focus()
                return
        self.busy = True
        self.set_outcome(f"Recording {len(going)} items…")
        items = [  # each in its image's account (one image listed in two: two items)
            NewItem(
                p.region,
                p.image_id,
                p.calls,
                name=image.name,
                snapshots=image.snapshot_ids,
                account=image.account,
            )
            for image, p in self._going()
        ]
        left_out = len(self.plans) - len(going)
        title = f"{self.spec.label} {len(going)} image" + ("s" if len(going) != 1 else "")
        if left_out:
            title += f" ({left_out} left out)"
        self._record(title, items)

    @work(thread=True, exit_on_error=False, group="record", description="bulk record")
    def _record(self, title: str, items: list[NewItem]) -> None:
        try:  # into SQLite now, in this thread, before the UI says "started"
            run = self.services.tasks.start_bulk(self.spec.name, title, items)
        except Exception as exc:
            self.post_message(RunRecorded(None, f"Nothing was started: {describe_error(exc)}"))
            return
        self.post_message(RunRecorded(run, None))

    def on_run_recorded(self, message: RunRecorded) -> None:
        self.busy = False
        if message.run is None:
            self.set_outcome(message.error, error=True)
            return
        for image in self.images:  # what uses or shares them is about to change
            self.services.usage.forget(image.region, image.image_id, account=image.account)
        self.dismiss(BulkStarted(self.spec, message.run))

    @on(Button.Pressed, "#dry-run")
    def action_dry_run(self) -> None:
        """Ask AWS whether each item's calls would be allowed (DryRun): nothing changes."""
        if self.busy:
            return
        going = self._going()
        if not going:
            self.set_outcome("No image can be sent (each says why): nothing was asked.", True)
            return
        self.busy = True
        self.set_outcome(f"Checking permission for {len(going)} images (dry run)…")
        self._dry_run(going)

    def _going(self) -> list[tuple[Image, ImagePlan]]:
        """The images that will be sent, each with its plan (made in the images' order)."""
        return [(i, p) for i, p in zip(self.images, self.plans, strict=True) if p.ok]

    @work(thread=True, exit_on_error=False, group="dry-run", description="bulk dry run")
    def _dry_run(self, going: list[tuple[Image, ImagePlan]]) -> None:
        denied = bulk_checks.dry_run(self.services, going)
        self.post_message(DryRunDone(denied, len(going) - len(denied)))

    def on_dry_run_done(self, message: DryRunDone) -> None:
        self.busy = False
        if not message.denied:
            self.set_outcome(f"Dry run: allowed for all {message.allowed} (DryRunOperation).")
            return
        lines = [f"Dry run: {len(message.denied)} denied, {message.allowed} allowed."]
        lines += message.denied[:3] + (["…"] if len(message.denied) > 3 else [])
        self.set_outcome("\n".join(lines), error=True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
