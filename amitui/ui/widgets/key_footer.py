"""The footer, most important keys first: a narrow terminal leaves out the least useful
ones, whole (never a key cut in the middle; help and the palette list every key)."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from amitui.ui.widgets.styled_on_register import compact_before_mount

#: Binding ids shown before the screen's own keys, in this order: they work everywhere and
#: are how one finds everything else. (Textual's Footer puts the app's keys last, where an
#: 80-column terminal cut them off.)
FIRST = ("help", "quit", "tasks")

#: Below this width the keys are drawn without their padding (one cell each saved).
COMPACT_BELOW = 120


def rank(binding: Binding) -> int:
    return FIRST.index(binding.id) if binding.id in FIRST else len(FIRST)


def key_width(key: str, description: str, compact: bool) -> int:
    """Cells a key takes in the footer, margin included (Textual's FooterKey styles:
    compact, no key padding, one space and a margin; else one cell each side of the key
    and one after the description)."""
    return cell_len(key) + cell_len(description) + (2 if compact else 3)


def palette_width(key: str, description: str, compact: bool) -> int:
    """Cells the palette key takes at the right end (its border and padding included)."""
    return cell_len(key) + cell_len(description) + (2 if compact else 5)


def with_compact(key: FooterKey, value: bool) -> FooterKey:
    """``key``, compact or not before it mounts (a FooterKey starts compact, and the
    footer's value reached it only after: styled three times before the first frame)."""
    return compact_before_mount(key, value, "-compact")


class KeyFooter(Footer):
    """Textual's Footer with the keys ordered by ``rank`` (a stable sort: the screen's
    own order is kept after the first ones), compact on a narrow terminal. Bindings with
    ``show=False`` stay out, as in Footer: the read-only inventory hides its action keys
    this way while the keys (and the palette, and help) still answer."""

    _composed_width = 0
    #: what the last composition drew (see ``_drawn``)
    _composed_keys: tuple = ()

    def _width(self) -> int:
        """The width the keys are drawn for: the footer's, or before the first layout
        the terminal's (the footer spans it)."""
        return self.size.width or self.app.size.width

    def _drawn(self) -> tuple:
        """What a composition draws: each shown binding, enabled or not, at this width.
        Textual recomposes the footer whenever the screen's bindings are updated (every
        focus change); when this is unchanged, the same keys would be drawn again."""
        palette = self.app.COMMAND_PALETTE_BINDING
        keys = tuple(
            (b.key, b.description, enabled, tooltip)
            for key, (_node, b, enabled, tooltip) in self.screen.active_bindings.items()
            if b.show or key == palette
        )
        return (self._width(), self.show_command_palette, keys)

    def bindings_changed(self, screen: Screen) -> None:
        if screen is self.screen and self._composed_keys and self._drawn() == self._composed_keys:
            self._bindings_ready = True
            return
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        """The keys, composed as the footer mounts (before the screen's first layout, at
        the terminal's width: Textual's Footer composed nothing until the bindings were
        announced, then again at its first size, each a layout of the whole screen)."""
        self._composed_keys = self._drawn()
        width = self._composed_width = self._width()
        self.compact = width < COMPACT_BELOW
        active = self.screen.active_bindings
        shown: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                shown.setdefault(binding.action, (binding, enabled, tooltip))
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            palette = None
        room = width
        if palette is not None:
            binding = palette[1]
            display = self.app.get_key_display(binding)
            room -= palette_width(display, binding.description, self.compact)
        for binding, enabled, tooltip in sorted(shown.values(), key=lambda s: rank(s[0])):
            display = self.app.get_key_display(binding)
            room -= key_width(display, binding.description, self.compact)
            if width and room < 0:
                break  # this key and the rest would be cut: leave them out whole
            key = FooterKey(
                binding.key,
                display,
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            )
            yield with_compact(key, self.compact).data_bind(compact=Footer.compact)
        if palette is not None:
            _node, binding, enabled, tooltip = palette
            key = FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )
            yield with_compact(key, True)  # as Textual's Footer leaves it (not bound to its own)

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < COMPACT_BELOW
        if event.size.width != self._composed_width:
            self.refresh(recompose=True)  # as many keys as the new width holds
