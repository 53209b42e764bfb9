"""AmiTui: the application. Services come in through the constructor; screens do the rest."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from amitui.aws.clients import AwsClients
from amitui.aws.errors import describe_error
from amitui.aws.images import ListQuery
from amitui.settings import Settings
from amitui.ui.messages import IdentityLoaded
from amitui.ui.screens.inventory import InventoryScreen

FALLBACK_REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1"]


class AmiTui(App[None]):
    TITLE = "amitui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("colon", "command_palette", "Commands", show=False, id="palette"),
    ]

    def __init__(self, settings: Settings, clients: AwsClients) -> None:
        super().__init__()
        self.settings = settings
        self.clients = clients
        self.regions: tuple[str, ...] = settings.regions
        self.list_query = ListQuery(
            owners=settings.owners,
            include_deprecated=settings.include_deprecated,
            include_disabled=settings.include_disabled,
        )
        self.account: str | None = None
        self.inventory = InventoryScreen(read_only=settings.read_only)

    def on_mount(self) -> None:
        self.push_screen(self.inventory)
        self.load_identity()

    @work(thread=True, exit_on_error=False, group="identity")
    def load_identity(self) -> None:
        try:
            identity = self.clients.identity()
        except Exception as exc:
            self.inventory.post_message(
                IdentityLoaded(None, describe_error(exc, self.settings.profile))
            )
            return
        self.account = identity.account
        self.inventory.post_message(IdentityLoaded(identity))

    def available_regions(self) -> list[str]:
        try:
            return self.clients.available_regions() or FALLBACK_REGIONS
        except Exception:
            return FALLBACK_REGIONS

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
            if binding.action in ("command_palette",):
                continue
            seen.add(binding.action)
            yield SystemCommand(
                binding.description,
                f"key: {self.get_key_display(binding)}",
                partial(self.run_action, binding.action, active.node),
            )
        yield from super().get_system_commands(screen)
