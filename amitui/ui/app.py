"""AmiTui: the application. Services come in through the constructor; screens do the rest."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual import events, work
from textual.actions import SkipAction
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input

from amitui import paths
from amitui.aws.images import ListQuery, public_sharing, public_sharing_summary
from amitui.cached_start import AFTER_PAINT, CachedStart
from amitui.inventory_cache import InventoryCache
from amitui.settings import Settings
from amitui.ui import textual_fixes
from amitui.ui.collector import Collector
from amitui.ui.messages import IdentityLoaded, ImagesRestored
from amitui.ui.screens.inventory import InventoryScreen
from amitui.ui.services import Services
from amitui.ui.task_tracker import (
    BulkUpdated,
    CredentialsPaused,
    PollFailed,
    TaskTracker,
    TaskUpdated,
)
from amitui.ui.warm_up import WarmUp

if TYPE_CHECKING:  # (what the first frame needs none of: loaded once it is painted)
    from amitui.aws.accounts import AccountDirectory
    from amitui.aws.clients import AwsClients
    from amitui.tasks.model import Task
    from amitui.tasks.store import TaskStore

#: how often (seconds) the app asks whether a full garbage collection may run now
COLLECT_EVERY = 0.5

FALLBACK_REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1"]


class AmiTui(App[None]):
    TITLE = "amitui"
    CSS_PATH = ["app.tcss", "screens/inventory.tcss"]  # the first screen's (see below)
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("t", "tasks", "Tasks", id="tasks"),
        # Both keys open the palette, on every screen. Binding one ourselves stops Textual
        # adding its own ctrl+p, so both are here; both are priority bindings, because a
        # modal screen (help, pickers, forms) hides the app's other bindings. ":" steps
        # aside in a text field, where it types a colon (the filter's field:value).
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True, id="palette"),
        Binding("colon", "palette_key", "Commands", show=False, priority=True, id="palette_colon"),
    ]

    #: Session state that several screens watch (headers, the inventory, the tasks screen).
    regions: reactive[tuple[str, ...]] = reactive(())
    list_query: reactive[ListQuery] = reactive(ListQuery())
    account: reactive[str | None] = reactive(None)
    running_tasks: reactive[int] = reactive(0)
    #: the listed regions' image block public access, for the header ("" until read)
    public_sharing: reactive[str] = reactive("")
    #: the task scope followed (endpoint and account), once the account is known
    task_scope: reactive[str | None] = reactive(None)

    def __init__(
        self,
        settings: Settings,
        clients: AwsClients,
        store: TaskStore,
        cache: InventoryCache | None = None,
        accounts: AccountDirectory | None = None,
        cached_start: CachedStart | None = None,
        *,
        collecting: bool | None = None,
    ) -> None:
        """``collecting``: whether collection was enabled before the start paused it
        (Collector.pause_start; None: not paused); it resumes once the first frame is painted."""
        textual_fixes.apply()  # before anything renders: closed forms are then freed
        super().__init__()
        accounts = accounts or account_directory(settings, clients)
        tasks = TaskTracker(
            self, clients, store, settings.poll_interval, demo=settings.demo, accounts=accounts
        )
        #: what every screen is given (typed): settings, clients, tasks, cache, this session
        #: each listed region's image block public access (None: could not be read)
        self.public_sharing_states: dict[str, str | None] = {}
        self.services = Services(
            settings, clients, tasks, cache, session=self, accounts=accounts, start=cached_start
        )
        self.set_reactive(AmiTui.regions, settings.regions)
        query = ListQuery(
            owners=settings.owners,
            include_deprecated=settings.include_deprecated,
            include_disabled=settings.include_disabled,
        )
        self.set_reactive(AmiTui.list_query, query)
        self.inventory = InventoryScreen(self.services)
        self._announced_runs: set[int] = set()  # bulk runs whose end was told
        self._poll_failures: dict[str, str] = {}  # region -> the poll failure last told
        self.warm_up = WarmUp(self)  # what the first form would wait for, done meanwhile
        #: full garbage collections wait until the user is idle (the one owner of gc)
        self.collector = Collector()
        self._collecting_after_start = collecting

    # The services, as the app's own code and the tests read them.
    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def clients(self) -> AwsClients:
        return self.services.clients

    @property
    def tasks(self) -> TaskTracker:
        return self.services.tasks

    @property
    def cache(self) -> InventoryCache | None:
        return self.services.cache

    def on_mount(self) -> None:
        textual_fixes.apply_to_loop()  # before any thread worker runs
        if self.settings.keys:  # config.toml's [keys]: what is valid applies, the rest warns
            from amitui.ui.keymap import check_keymap

            keymap, warnings = check_keymap(self.settings.keys)
            self.set_keymap(keymap)
            for warning in warnings:
                self.notify(warning, title="Keys", severity="warning", timeout=20)
        self._apply_theme()
        for warning in self.tasks.store.warnings:  # e.g. a corrupt file moved aside
            self.notify(warning, title="Task store", severity="warning", timeout=20)
        for warning in self.cache.warnings if self.cache else ():
            self.notify(warning, title="Inventory cache", severity="warning", timeout=20)
        if self.services.start is not None:
            # Cached rows are about to be painted: asking who the caller is imports boto3
            # (~0.3 s of CPU, holding the GIL), so it waits until they are on screen.
            self.call_after_refresh(self.set_timer, AFTER_PAINT, self.load_identity)
        else:
            self.load_identity()
        if self._collecting_after_start is not None:
            self.call_after_refresh(self._resume_collecting)
        self.warm_up.start()
        self.collector.install()
        self.set_interval(COLLECT_EVERY, self._collect_when_idle)

    def get_default_screen(self) -> Screen:
        """The inventory. Pushed over Textual's blank screen as the app mounted, it held the
        app's start batch until mounted: its first frame, rendered meanwhile, was dropped."""
        return self.inventory

    def _resume_collecting(self) -> None:
        """Garbage collection paused for the start resumes (once: the first frame is out)."""
        collecting, self._collecting_after_start = self._collecting_after_start, None
        if collecting is not None:
            self.collector.resume_start(collecting)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            opens = isinstance(event, events.Key | events.MouseDown)  # may open a screen
            self.collector.user_acted(len(self.screen_stack) if opens else None)
            if isinstance(event, events.Key):  # its garbage collected once it is painted
                self.call_after_refresh(self.collector.young)
        await super().on_event(event)

    def _collect_when_idle(self) -> None:
        self.collector.tick(busy=self.inventory.listing.loading, screens=len(self.screen_stack))

    def _apply_theme(self) -> None:
        """The theme config.toml names (an unknown one warns); a theme picked later in the
        palette is written back there."""
        wanted = self.settings.theme
        if wanted and wanted in self.available_themes:
            self.theme = wanted
        elif wanted:
            known = ", ".join(sorted(self.available_themes))
            self.notify(f"Unknown theme {wanted!r} (known: {known})", severity="warning")
        self.watch(self, "theme", self._remember_theme, init=False)

    def _remember_theme(self, theme: str) -> None:
        self.run_worker(
            lambda: self._write_theme(theme), thread=True, exit_on_error=False, group="config"
        )

    def _write_theme(self, theme: str) -> None:
        from amitui.config_file import set_top_level

        try:
            set_top_level(paths.config_file(), "theme", theme)
        except Exception as exc:
            from amitui.aws.errors import describe_error

            message = f"Theme not remembered: {describe_error(exc)}"
            self.call_from_thread(self.notify, message, severity="warning")

    @work(thread=True, exit_on_error=False, group="identity")
    def load_identity(self) -> None:
        try:
            identity = self.clients.identity()
        except Exception as exc:
            from amitui.aws.errors import describe_error

            self.inventory.post_message(
                IdentityLoaded(None, describe_error(exc, self.settings.profile))
            )
            return
        self.call_from_thread(setattr, self, "account", identity.account)
        self.inventory.post_message(IdentityLoaded(identity))
        if self.cache is not None and not self.settings.demo:  # the next start's guess
            self.cache.remember_account(
                self.settings.endpoint_url, self.settings.profile, identity.account
            )
        self.read_public_sharing(self.regions)
        self.tasks.start(identity.account)  # resumes unfinished tasks of this account
        running = self.tasks.running_count()  # read here: the UI thread never queries
        self.call_from_thread(self._tasks_followed, self.tasks.scope, running)

    @work(thread=True, exit_on_error=False, group="public-sharing", exclusive=True)
    def read_public_sharing(self, regions: tuple[str, ...]) -> None:
        states: dict[str, str | None] = {}
        for region in regions:
            try:
                # the listing's client: at startup, no second EC2 client to make
                states[region] = public_sharing(self.clients.listing_ec2(region))
            except Exception:  # an endpoint without the call, AccessDenied: not verified
                states[region] = None
        self.public_sharing_states = states  # each region's, for the sharing form
        self.call_from_thread(setattr, self, "public_sharing", public_sharing_summary(states))

    def watch_regions(self, regions: tuple[str, ...]) -> None:
        if self.account is not None:
            self.read_public_sharing(regions)

    def _tasks_followed(self, scope: str | None, running: int) -> None:
        self.running_tasks = running
        self.task_scope = scope

    def ensure_identity(self) -> None:
        """Ask for the account again while it is unknown (the endpoint was down at launch):
        once it answers, tasks are followed and the cache is used."""
        if self.account is None:
            self.load_identity()

    def on_unmount(self) -> None:
        self._resume_collecting()  # (an app that ends before its first frame)
        self.tasks.stop()
        self.collector.uninstall()

    def action_tasks(self) -> None:
        from amitui.ui.screens.tasks import TasksScreen

        if not isinstance(self.screen, TasksScreen):
            self.push_screen(TasksScreen(self.services))

    def on_task_updated(self, message: TaskUpdated) -> None:
        from amitui.ui.screens.tasks import TasksScreen

        task = message.task
        self._poll_failures.pop(task.region, None)  # polling the region works again
        if task.is_terminal:
            self._announce(task)
        self.running_tasks = message.running  # every screen's header watches it
        for screen in self.screen_stack:
            if isinstance(screen, TasksScreen):
                screen.task_changed(task)

    def on_images_restored(self, message: ImagesRestored) -> None:
        self.inventory.fetch_changed_images({message.region: message.image_ids})

    def on_bulk_updated(self, message: BulkUpdated) -> None:
        from amitui.tasks.bulk_model import DONE
        from amitui.ui.screens.bulk_runs import BulkRunScreen
        from amitui.ui.screens.orphans import OrphansScreen
        from amitui.ui.screens.tasks import TasksScreen

        run, item = message.run, message.item
        if item.status == DONE:
            self.inventory.bulk_item_done(run.action, item.region, item.target_id, item.account)
        if run.finished and run.id not in self._announced_runs:
            self._announced_runs.add(run.id)
            failed = f", {run.failed} failed (t, then r retries them)" if run.failed else ""
            self.notify(
                f"{run.title}: {run.done} of {run.total} done{failed}",
                title="Bulk run finished",
                severity="warning" if run.failed else "information",
                timeout=10,
            )
        for screen in self.screen_stack:
            if isinstance(screen, TasksScreen | OrphansScreen):
                screen.bulk_changed(run)
            elif isinstance(screen, BulkRunScreen):
                screen.run_changed(run)

    def _announce(self, task: Task) -> None:
        what = f"{task.kind} {task.target_id} ({task.region})"
        done = task.status == "done"
        if done:
            self.notify(f"{what} finished. {task.message}", title="Task done")
        elif task.status == "failed":
            self.notify(f"{what} failed: {task.message}", title="Task failed", severity="error")
        else:
            self.notify(f"{what} {task.status}. {task.message}", title="Task ended")
        from amitui.tasks.kinds import KINDS

        if task.status in ("done", "failed") and task.kind in KINDS:
            kind = KINDS.get(task.kind)
            if image_id := kind.image_to_refresh(task.target_id, task.image_id, done):
                self.inventory.fetch_changed_images({task.region: [image_id]}, task.account)

    def on_poll_failed(self, message: PollFailed) -> None:
        """Said once per region and reason: the poller backs off and tries again by itself
        (a task update from the region means it works again)."""
        if self._poll_failures.get(message.region) == message.message:
            return
        self._poll_failures[message.region] = message.message
        self.notify(
            f"Polling {message.region} failed, retrying with backoff: {message.message}",
            title="Task polling",
            severity="warning",
        )

    def on_credentials_paused(self, message: CredentialsPaused) -> None:
        """Said once as a pause begins, and once as it ends (tasks/credential_pause.py):
        the signed-in account's pauses everything; another account's (--accounts) only its
        own tasks and bulk items, and the message names it."""
        account = message.account
        whose = f"Account {account}'s credentials" if account else "Credentials"
        what = "its task polling and bulk items" if account else "task polling and bulk runs"
        if message.line is None:
            self.notify(f"{whose} work again: {what} resumed.", title="Credentials")
            return
        others = " (the other accounts' go on)" if account else ""
        self.notify(
            f"{whose} refused: {message.line} {what[0].upper()}{what[1:]} are paused{others}, "
            "nothing is lost, and resume by themselves once valid credentials appear "
            "(e.g. after aws sso login).",
            title="Credentials",
            severity="warning",
            timeout=30,
        )

    def available_regions(self) -> list[str]:
        try:
            return self.clients.available_regions() or FALLBACK_REGIONS
        except Exception:
            return FALLBACK_REGIONS

    def action_palette_key(self) -> None:
        from textual.widgets import TextArea  # (loads tree-sitter: not at startup)

        if isinstance(self.focused, Input | TextArea):
            raise SkipAction()  # the key goes on to the field
        self.action_command_palette()

    def action_help(self) -> None:
        from amitui.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every described binding of the current screen is also a palette command."""
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            if binding.action in ("command_palette", "palette_key"):
                continue
            seen.add(binding.action)
            yield SystemCommand(
                binding.description,
                f"key: {self.get_key_display(binding)}",
                partial(self.run_action, binding.action, active.node),
            )
        # Commands without a key (the less frequent lifecycle actions of the inventory).
        for title, help_text, callback in getattr(screen, "palette_commands", list)():
            yield SystemCommand(title, help_text, callback)
        yield from super().get_system_commands(screen)


def account_directory(settings: Settings, clients: AwsClients) -> AccountDirectory | None:
    """--accounts: the accounts to list, each with its own clients (None: one account)."""
    if not settings.accounts:
        return None
    from amitui.aws.accounts import AccountDirectory, parse_accounts

    return AccountDirectory(clients, parse_accounts(settings.accounts), settings.role_name)
