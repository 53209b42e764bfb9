"""The cleanup screen (issue 17, retention preview): rules the user edits, what they would
deregister and free, and why everything else stays.

Opened on the images of the inventory's view. The rules (keep the newest N of a family,
anything launched in the last D days, anything younger than A days, an optional family
regex) re-preview as they are typed. Usage is asked in thread workers, only for the
images the rules would propose (``check_usage_many``: 10 images a reference query), and
an image is proposed only once its answer is in; answers fresher than a minute come from
the session's usage cache, and every answer goes back to it. Snapshot sizes are asked
with the ``snapshot_sizes`` lookup the screen is given (``(ec2, ids) -> {id: (GiB,
bytes or None)}``); without one the storage says so. Apply (ctrl+s) dismisses with a
``CleanupPlan``: the proposed (region, image id)s and whether their snapshots go too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime
from typing import Any

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, DataTable, Input, Label, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from amitui.aws.images import Image, place_of
from amitui.aws.snapshots import size_pairs
from amitui.aws.usage import FRESH_SECONDS, Usage
from amitui.cleanup import (
    CleanupInput,
    CleanupPlan,
    CleanupPreview,
    RuleError,
    Rules,
    SnapshotSize,
    Verdict,
    preview,
)
from amitui.ui.screens.cleanup_asks import (
    SizeLookup,
    SizesAnswered,
    UsageAnswered,
    read_snapshot_sizes,
    usage_batches,
)
from amitui.ui.screens.cleanup_view import (
    OTHER_COLUMNS,
    PROPOSED_COLUMNS,
    StorageBars,
    by_family,
    legend,
    row_detail,
    summary,
    table_rows,
)
from amitui.ui.services import Services
from amitui.ui.widgets.context_header import ContextHeader
from amitui.ui.widgets.key_footer import KeyFooter
from amitui.ui.widgets.text_box import TextBox
from amitui.ui.widgets.toggle import Toggle

#: A rule is previewed this long after its last keystroke (10,000 images take ~0.3 s).
SETTLE_SECONDS = 0.2
NUMBER_FIELDS = (("keep", "keep newest"), ("launched", "launched in"), ("younger", "younger"))


class CleanupScreen(Screen[CleanupPlan | None]):
    BINDINGS = [
        Binding("escape", "dismiss_none", "Back", id="cleanup.back"),
        Binding("ctrl+s", "apply", "Apply: mark proposed", id="cleanup.apply"),
        Binding("ctrl+r", "recheck", "Check usage again", id="cleanup.recheck"),
    ]
    CSS_PATH = "cleanup.tcss"

    def __init__(
        self,
        images: Iterable[Image],
        services: Services,
        *,
        snapshot_sizes: SizeLookup | None = None,
        rules: Rules | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self.services = services
        self.data = CleanupInput(images)
        self.regions: tuple[str, ...] = tuple(dict.fromkeys(i.region for i in self.data.images))
        self.rules = rules or Rules()
        self.snapshot_sizes = snapshot_sizes
        self.clock = clock
        #: usage answers and questions by (place, image id): an image shared into another
        #: account is the same id there, and what uses it there is another answer
        self.answers: dict[tuple[str, str], Usage] = {}
        self.asking: set[tuple[str, str]] = set()
        self.sizes: dict[str, SnapshotSize] = {}
        self.sizes_note = "asking snapshot sizes…" if snapshot_sizes else "sizes not available"
        self.result: CleanupPreview | None = None
        self.rule_error: str | None = None
        #: how many times the preview was made (tests wait on it)
        self.previews = 0
        self._settle: Timer | None = None
        self._rows: dict[str, list[Verdict]] = {}  # each table's verdicts, in its order
        self._filled: dict[str, list[tuple[str, list[Text]]]] = {}  # each table's rows
        self._preview_due = False  # answers arrived: one preview for all that are queued

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        region = self.regions[0] if len(self.regions) == 1 else None
        yield ContextHeader(self.services.settings, region=region, id="context")
        with Vertical(id="rules"):
            with Horizontal(classes="rule-row"):
                yield Label("Keep newest")
                yield self._number("keep", self.rules.keep_newest)
                yield Label("launched in last")
                yield self._number("launched", self.rules.launched_days)
                yield Label("days  younger than")
                yield self._number("younger", self.rules.younger_days)
                yield Label("days")
            with Horizontal(classes="rule-row"):
                yield Label("Family regex")
                yield TextBox(
                    self.rules.family_regex,
                    placeholder=r"built-in rule; e.g. ^(?P<family>.+)-\d{8}",
                    compact=True,
                    id="regex",
                )
                yield Label("Delete snapshots")
                yield Toggle(False, id="delete-snapshots")
                yield Button("Apply", variant="primary", compact=True, id="apply")
            yield Static("", id="rule-error")
        yield Static("", id="summary")
        yield Static(legend(), id="legend")
        with VerticalScroll(id="bars"):
            yield Static("", id="bars-content")
        with TabbedContent(id="lists"):
            with TabPane("Proposed", id="proposed-tab"):
                yield DataTable(id="proposed", cursor_type="row", zebra_stripes=True)
            with TabPane("Excluded", id="excluded-tab"):
                yield DataTable(id="excluded", cursor_type="row")
            with TabPane("Kept", id="kept-tab"):
                yield DataTable(id="kept", cursor_type="row")
        yield Static("", id="row-detail")
        yield KeyFooter()

    def _number(self, name: str, value: int) -> Input:
        return TextBox(str(value), type="integer", compact=True, id=name, classes="number")

    def on_mount(self) -> None:
        for name, columns in (
            ("proposed", PROPOSED_COLUMNS),
            ("excluded", OTHER_COLUMNS),
            ("kept", OTHER_COLUMNS),
        ):
            table = self.query_one(f"#{name}", DataTable)
            for title, width in columns:
                table.add_column(title, width=width)
        cache = self.services.usage
        for image in self.data.images:
            cached = cache.get(
                image.region, image.image_id, max_age=FRESH_SECONDS, account=image.account
            )
            if cached is not None:
                self.answers[(image.place, image.image_id)] = cached
        self.watch(self.app, "account", lambda _account: self.refresh_preview(), init=False)
        self.refresh_preview()
        self.ask_sizes()
        self.query_one("#keep", Input).focus()

    @property
    def multi_region(self) -> bool:
        return len(self.regions) > 1

    @property
    def accounts(self) -> Collection[str]:
        account = self.services.session.account
        return {account} if account else set()

    @property
    def delete_snapshots(self) -> bool:
        return self.query_one("#delete-snapshots", Toggle).value

    # -- the rules --------------------------------------------------------------------------

    def _read_rules(self) -> Rules:
        numbers = []
        for name, label in NUMBER_FIELDS:
            text = self.query_one(f"#{name}", Input).value.strip()
            if not text.isdigit():
                raise RuleError(f"{label}: a whole number")
            numbers.append(int(text))
        regex = self.query_one("#regex", Input).value
        return Rules(numbers[0], numbers[1], numbers[2], regex)

    @on(Input.Changed)
    def _rule_changed(self) -> None:
        if self._settle is not None:
            self._settle.stop()
        self._settle = self.set_timer(SETTLE_SECONDS, self.refresh_preview)

    @on(Toggle.Changed)
    def _toggled(self) -> None:
        self._show()

    def refresh_preview(self) -> None:
        """Preview again (rules, answers or sizes changed); ask usage for what now waits."""
        self.previews += 1
        error = None
        try:
            rules = self._read_rules()
            self.result = preview(
                self.data, rules, self.answers, self.sizes, self.accounts, self.clock()
            )
            self.rules = rules
        except RuleError as exc:
            error = str(exc)  # the last good preview stays on screen
        self.rule_error = error
        note = self.query_one("#rule-error", Static)
        note.update(Text(error or "", style="bold red"))
        note.set_class(bool(error), "shown")
        self._ask_missing()
        self._show()

    def _preview_soon(self) -> None:
        """Preview again once the answers queued now are all in (usage answers come a
        batch of images at a time: one preview for a burst, not one each)."""
        if not self._preview_due:
            self._preview_due = True
            self.call_later(self._preview_now)

    def _preview_now(self) -> None:
        if self._preview_due:
            self._preview_due = False
            self.refresh_preview()

    # -- usage and sizes, in workers ------------------------------------------------------

    def _ask_missing(self) -> None:
        if self.result is None:
            return
        wanted: dict[tuple[str, str], list[str]] = {}  # (account, region) -> image ids
        for verdict in self.result.waiting:
            if verdict.key not in self.asking:
                self.asking.add(verdict.key)
                image = verdict.image
                wanted.setdefault((image.account, image.region), []).append(image.image_id)
        for (account, region), ids in wanted.items():
            self.ask_usage(account, region, ids)

    @work(thread=True, exit_on_error=False, group="cleanup-usage")
    def ask_usage(self, account: str, region: str, image_ids: list[str]) -> None:
        """Ask what uses these images of ``account`` (its own credentials: an image is used
        by the instances, templates... of the account that lists it) in ``region``."""
        worker = get_current_worker()
        place = place_of(account, region)
        batches = usage_batches(
            self.services.clients_for(account),
            region,
            image_ids,
            version_depth=self.services.settings.version_depth,
            cancelled=lambda: worker.is_cancelled,
        )
        for ids, answers in batches:
            if worker.is_cancelled:
                return
            for usage in answers:
                self.services.usage.put(usage, account=account)
            self.post_message(UsageAnswered(place, answers, [(place, i) for i in ids]))

    def on_usage_answered(self, message: UsageAnswered) -> None:
        self.asking.difference_update(message.asked)
        for usage in message.answers:
            self.answers[(message.place, usage.image_id)] = usage
        self._preview_soon()

    @work(thread=True, exit_on_error=False, group="cleanup-sizes")
    def ask_sizes(self) -> None:
        if self.snapshot_sizes is not None:
            sizes, error = read_snapshot_sizes(
                self.snapshot_sizes,
                self.data.images,
                lambda account, region: self.services.clients_for(account).ec2(region),
            )
            self.post_message(SizesAnswered(sizes, error))

    def on_sizes_answered(self, message: SizesAnswered) -> None:
        self.sizes.update(message.sizes)
        self.sizes_note = f"snapshot sizes not read: {message.error}" if message.error else ""
        self._preview_soon()

    # -- drawing ------------------------------------------------------------------------------

    def _show(self) -> None:
        result = self.result
        delete = self.delete_snapshots
        self.query_one("#summary", Static).update(
            summary(result, len(self.asking), delete, self.sizes_note)
        )
        if result is None:
            return
        bars = StorageBars(result.storage, self.multi_region)
        self.query_one("#bars-content", Static).update(Group(bars))
        self._fill("proposed", by_family(result, result.proposed), proposed=True)
        self._fill("excluded", by_family(result, result.waiting + result.excluded))
        self._fill("kept", by_family(result, result.kept))
        tabs = self.query_one("#lists", TabbedContent)
        waiting = f", {len(result.waiting)} waiting" if result.waiting else ""
        for name, label, count in (
            ("proposed", "Proposed", len(result.proposed)),
            ("excluded", "Excluded", len(result.excluded)),
            ("kept", "Kept", len(result.kept)),
        ):
            extra = waiting if name == "excluded" else ""
            tabs.get_tab(f"{name}-tab").label = f"{label} ({count}{extra})"
        self._show_detail()

    def _fill(self, name: str, verdicts: list[Verdict], proposed: bool = False) -> None:
        """The table's rows, written again only if they changed (a preview after an answer
        often changes one table of three; the cursor stays where it was in the others)."""
        result = self.result if proposed else None
        rows = table_rows(verdicts, result, self.multi_region)
        self._rows[name] = verdicts
        if rows == self._filled.get(name):
            return
        self._filled[name] = rows
        table = self.query_one(f"#{name}", DataTable)
        table.clear()
        for key, cells in rows:
            table.add_row(*cells, key=key)

    @on(DataTable.RowHighlighted)
    @on(TabbedContent.TabActivated)
    def _show_detail(self) -> None:
        """The line under the tables: the highlighted image of the table shown."""
        name = (self.query_one("#lists", TabbedContent).active or "").removesuffix("-tab")
        rows = self._rows.get(name, [])
        row = self.query_one(f"#{name}", DataTable).cursor_row if name else -1
        found = rows[row] if 0 <= row < len(rows) else None
        self.query_one("#row-detail", Static).update(row_detail(found, self.result))

    # -- keys -------------------------------------------------------------------------------

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    def action_apply(self) -> None:
        result = self.result
        if self.services.settings.read_only:
            self.notify(
                "Cleanup is not allowed: amitui was started with --read-only",
                title="Read-only",
                severity="error",
            )
            return
        if self.rule_error or result is None:
            self.notify(self.rule_error or "No preview yet", severity="warning")
            return
        if not result.proposed:
            self.notify("Nothing is proposed under these rules", severity="warning")
            return
        delete = self.delete_snapshots
        freed = result.storage.freed_gib if delete else 0
        keys = tuple(v.key for v in result.proposed)
        self.dismiss(CleanupPlan(keys, delete, self.rules, freed))

    def action_recheck(self) -> None:
        """Ask every answer again (an image may have been launched or shared since)."""
        self.workers.cancel_group(self, "cleanup-usage")
        self.answers.clear()
        self.asking.clear()
        for image in self.data.images:
            self.services.usage.forget(image.region, image.image_id, account=image.account)
        self.refresh_preview()


def open_cleanup(inventory: Any, snapshot_sizes: SizeLookup | None = size_pairs) -> None:
    """Open the cleanup screen on the images the inventory shows (its filter applied);
    an applied plan marks its images for the bulk deregister (the inventory's)."""
    rows = inventory.rows
    images = [rows.image_at(i) for i in range(len(rows))]
    if not images:
        inventory.notify("No images shown to clean up", severity="warning")
        return
    screen = CleanupScreen(images, inventory.services, snapshot_sizes=snapshot_sizes)
    inventory.app.push_screen(screen, inventory.marked.cleanup_applied)
