"""The header that always says which account, region and endpoint amitui is acting on."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from amitui.settings import Settings

SEPARATOR = "  │  "
COMPACT_SEPARATOR = " │ "


def region_default_hint(settings: Settings, regions: tuple[str, ...]) -> str | None:
    """How to choose a region, while the listing is of the default nobody chose."""
    if not settings.region_defaulted or regions != settings.regions:
        return None
    # --demo reads no AWS_* variable: only the flag (or R) changes its region.
    return "set --region" if settings.demo else "set --region or AWS_REGION"


class ContextHeader(Widget):
    """One line. It compacts to fit the terminal: first the title goes, then the
    default-region hint shortens, then the labels go, then the context is cut with '…'.
    The running-task count and READ-ONLY are drawn at the right end and are never cut.

    Once mounted it follows ``settings`` and the app's session state: the reactives
    ``regions``, ``list_query``, ``account`` and ``running_tasks`` (AmiTui has them), so
    every screen's header says the same without any screen copying another's. ``region``
    fixes the region shown (the detail screen: the image's own)."""

    DEFAULT_CSS = """
    ContextHeader { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    FIELDS = (
        "profile",
        "account",
        "accounts",
        "regions",
        "region_default_hint",
        "scope",
        "endpoint",
        "read_only",
        "running_tasks",
        "public_sharing",
    )

    def __init__(self, settings: Settings, region: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.fixed_region = region
        self.profile = "default"
        self.account = "…"
        #: --accounts: how many accounts the inventory lists ("3 of 5"; "" otherwise)
        self.accounts = ""
        self.regions: tuple[str, ...] = ()
        #: how to choose a region, when ``regions`` is the default nobody chose (else None)
        self.region_default_hint: str | None = None
        self.scope = ""
        self.endpoint: str | None = None
        self.read_only = False
        self.running_tasks = 0
        #: the listed regions' image block public access, once read ("" before)
        self.public_sharing = ""

    def update_context(self, **changes) -> None:
        for key, value in changes.items():
            if key not in self.FIELDS:
                raise TypeError(f"ContextHeader has no field {key}")
            setattr(self, key, value)
        self.refresh()

    def on_mount(self) -> None:
        app, settings = self.app, self.settings
        self.update_context(
            profile=settings.profile or "default",
            endpoint=settings.endpoint_url,
            read_only=settings.read_only,
        )
        self.watch(app, "account", lambda account: self.update_context(account=account or "…"))
        self.watch(app, "list_query", lambda query: self.update_context(scope=query.label()))
        self.watch(app, "running_tasks", lambda count: self.update_context(running_tasks=count))
        self.watch(app, "public_sharing", lambda text: self.update_context(public_sharing=text))
        if self.fixed_region is not None:
            self.update_context(regions=(self.fixed_region,), region_default_hint=None)
        else:
            self.watch(app, "regions", self._regions_changed)

    def _regions_changed(self, regions: tuple[str, ...]) -> None:
        hint = region_default_hint(self.settings, regions)
        self.update_context(regions=regions, region_default_hint=hint)

    def render(self) -> Text:
        return self.render_text(self.content_size.width)

    # -- the line, at a width ---------------------------------------------------------

    def _badges(self, compact: bool) -> Text:
        text = Text()
        if self.running_tasks:
            count = self.running_tasks
            label = f"{count} running" if compact else f"{count} task(s) running"
            text.append(label, style="bold yellow")
        if self.read_only:
            if text:
                text.append(" ")
            text.append(" READ-ONLY ", style="bold white on red")
        return text

    def _context_text(self, level: int, quiet: bool = False) -> Text:
        """Level 0: everything, labelled; 1: without the title, narrower separators;
        2: the default-region hint shortened; 3: values only. ``quiet``: without the
        public sharing state when it is plain "allowed" (a block is always said)."""
        region = ", ".join(self.regions)
        if self.region_default_hint is not None:
            long = level < 2 and self.region_default_hint
            region += f" (default — {self.region_default_hint})" if long else " (default)"
        parts = [
            ("profile ", self.profile or "default"),
            ("account ", self.account),
            ("region ", region),
            ("owners ", self.scope),
        ]
        if self.accounts:
            parts.insert(2, ("", f"{self.accounts} accounts"))
        if self.public_sharing and not (quiet and self.public_sharing == "allowed"):
            parts.append(("public sharing ", self.public_sharing))
        if self.endpoint:
            parts.append(("endpoint ", self.endpoint))
        text = Text(no_wrap=True, overflow="ellipsis")
        if level == 0:
            text.append("amitui", style="bold")
        elif level == 3 and parts[0][1] == "default":
            parts = parts[1:]  # the default profile says nothing at this width
        separator = SEPARATOR if level == 0 else COMPACT_SEPARATOR
        for label, value in parts:
            if text:
                text.append(separator, style="dim")
            if level < 3:
                text.append(label, style="dim")
            text.append(value, style="bold")
        return text

    def render_text(self, width: int = 0) -> Text:
        """The header at ``width`` cells (0: unlimited, every part at its longest)."""
        for level, quiet in ((0, False), (0, True), (1, True), (2, True), (3, True)):
            badges = self._badges(compact=level == 3)
            context = self._context_text(level, quiet)
            room = width - cell_len(badges.plain) - (2 if badges else 0)
            if not width or cell_len(context.plain) <= room or level == 3:
                break
        if width:
            context.truncate(max(room, 0), overflow="ellipsis")
            gap = width - cell_len(context.plain) - cell_len(badges.plain)
        else:
            gap = 2
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append_text(context)
        if badges:
            line.append(" " * max(gap, 1))
            line.append_text(badges)
        return line
