"""The footer, most important keys first: a narrow terminal cuts the least useful ones."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: Binding ids shown before the screen's own keys, in this order: they work everywhere and
#: are how one finds everything else. (Textual's Footer puts the app's keys last, where an
#: 80-column terminal cut them off.)
FIRST = ("help", "quit", "tasks")

#: Below this width the keys are drawn without their padding (one cell each saved).
COMPACT_BELOW = 120


def rank(binding: Binding) -> int:
    return FIRST.index(binding.id) if binding.id in FIRST else len(FIRST)


class KeyFooter(Footer):
    """Textual's Footer with the keys ordered by ``rank`` (a stable sort: the screen's
    own order is kept after the first ones), compact on a narrow terminal. Bindings with
    ``show=False`` stay out, as in Footer: the read-only inventory hides its action keys
    this way while the keys (and the palette, and help) still answer."""

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        shown: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                shown.setdefault(binding.action, (binding, enabled, tooltip))
        for binding, enabled, tooltip in sorted(shown.values(), key=lambda s: rank(s[0])):
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette:
            _node, binding, enabled, tooltip = palette
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )

    def on_resize(self) -> None:
        self.compact = self.size.width < COMPACT_BELOW
