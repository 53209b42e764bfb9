"""The header that always says which account, region and endpoint amitui is acting on."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class ContextHeader(Static):
    DEFAULT_CSS = """
    ContextHeader { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    FIELDS = ("profile", "account", "regions", "scope", "endpoint", "read_only", "running_tasks")

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.profile = "default"
        self.account = "…"
        self.regions: tuple[str, ...] = ()
        self.scope = ""
        self.endpoint: str | None = None
        self.read_only = False
        self.running_tasks = 0

    def update_context(self, **changes) -> None:
        for key, value in changes.items():
            setattr(self, key, value)
        self.update(self.render_text())

    def copy_from(self, other: ContextHeader, **changes) -> None:
        """Show what ``other`` shows (another screen's header), with ``changes``."""
        fields = (
            "profile",
            "account",
            "regions",
            "scope",
            "endpoint",
            "read_only",
            "running_tasks",
        )
        values = {name: getattr(other, name) for name in fields}
        values.update(changes)
        self.update_context(**values)

    def render_text(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("amitui", style="bold")
        parts = [
            ("profile ", self.profile or "default"),
            ("account ", self.account),
            ("region ", ", ".join(self.regions)),
            ("owners ", self.scope),
        ]
        if self.endpoint:
            parts.append(("endpoint ", self.endpoint))
        for label, value in parts:
            text.append("  │  ", style="dim")
            text.append(label, style="dim")
            text.append(value, style="bold")
        if self.running_tasks:
            text.append("  │  ", style="dim")
            text.append(f"{self.running_tasks} task(s) running", style="bold yellow")
        if self.read_only:
            text.append("  ")
            text.append(" READ-ONLY ", style="bold white on red")
        return text
