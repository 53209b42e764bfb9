"""A picker's list: a Line-API ScrollView over the choices a filter keeps.

Only the lines on screen are rendered, so thousands of choices cost nothing until they
are seen. Texts become Segments, never markup (names may contain ``[``). Columns whose
texts are all empty are left out; the value and date columns keep their width and the
name and description share the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from amitui.aws.lookups import Choice
from amitui.ui.columns import fit
from amitui.ui.widgets.rows_view import RowsView

FIELDS = ("value", "name", "description", "size", "date")
#: Widest a fixed column gets (ids, sizes, dates are short; a long value is cut with "…").
MAX_FIXED = {"value": 28, "size": 10, "date": 10}
WARNING_STYLE = Style(color="yellow")


class ChoiceList(RowsView, can_focus=True):
    """Shows ``choices[i] for i in shown``; line 0 is the header."""

    COMPONENT_CLASSES = {"choice-list--header", "choice-list--cursor"}
    DEFAULT_CSS = """
    ChoiceList { background: $surface; scrollbar-size-vertical: 1; overflow-x: hidden; }
    ChoiceList > .choice-list--header { background: $panel; color: $text; text-style: bold; }
    ChoiceList > .choice-list--cursor { background: $accent 40%; }
    ChoiceList:focus > .choice-list--cursor { background: $accent; color: $text; }
    """
    BINDINGS = [
        Binding("down", "cursor_down", "Down", show=False, id="list.cursor_down"),
        Binding("up", "cursor_up", "Up", show=False, id="list.cursor_up"),
        Binding("home", "cursor_top", "Top", show=False, id="list.cursor_top"),
        Binding("end", "cursor_bottom", "Bottom", show=False, id="list.cursor_bottom"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
    ]

    cursor = reactive(0, always_update=True)

    class Chosen(Message):
        """A click on a choice (Enter is the screen's to handle)."""

        def __init__(self, choice: Choice) -> None:
            super().__init__()
            self.choice = choice

    class Highlighted(Message):
        def __init__(self, choice: Choice | None) -> None:
            super().__init__()
            self.choice = choice

    def __init__(self, *, marks: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.marks = marks  # multi-select: a [x] column
        self.choices: Sequence[Choice] = ()
        self.shown: list[int] = []
        self.marked: dict[str, None] = {}  # in the order they were marked
        self.titles: tuple[str, ...] = ("", "", "", "", "")
        self.fields: list[str] = ["value"]
        self.widths: list[int] = [10]
        self._last: Choice | None = None
        self._laid_out_for = -1  # the width the columns were fitted to

    # -- data -------------------------------------------------------------------------

    def set_choices(self, choices: Sequence[Choice], titles: Sequence[str]) -> None:
        self.choices = choices
        self.titles = tuple(titles)
        self.fields = [
            f
            for f in FIELDS
            if f == "value" or any(getattr(c, f) for c in choices[:2000])  # a sample will do
        ]
        self._layout()

    def show(self, indices: list[int], keep: Choice | None = None) -> None:
        """Show these choices; the cursor stays on ``keep`` (or the current one) if shown."""
        keep = keep or self.current
        self.shown = indices
        row = 0
        if keep is not None:
            try:
                row = next(r for r, i in enumerate(indices) if self.choices[i] is keep)
            except StopIteration:
                row = 0
        self._size_to_rows()
        self.cursor = row

    @property
    def current(self) -> Choice | None:
        if 0 <= self.cursor < len(self.shown):
            return self.choices[self.shown[self.cursor]]
        return None

    def _layout(self) -> None:
        self._laid_out_for = self.scrollable_content_region.width
        available = max(20, self._laid_out_for)
        sample = self.choices[:2000]
        widths = {}
        for f in self.fields:
            if f in MAX_FIXED:
                longest = max((len(getattr(c, f)) for c in sample), default=0)
                widths[f] = min(MAX_FIXED[f], max(longest, len(self._title(f))))
        flex = [f for f in self.fields if f not in MAX_FIXED]
        mark = 4 if self.marks else 0
        rest = available - 1 - mark - sum(w + 1 for w in widths.values()) - len(flex)
        if len(flex) == 2:
            longest = max((len(c.name) for c in sample), default=0)
            widths["name"] = max(4, min(longest, rest // 2))
            widths["description"] = max(4, rest - widths["name"])
        elif flex:
            widths[flex[0]] = max(4, rest)
        self.widths = [widths[f] for f in self.fields]

    def _title(self, field: str) -> str:
        return self.titles[FIELDS.index(field)]

    def on_resize(self) -> None:
        self._layout()
        self._size_to_rows()
        self.refresh()

    def _size_to_rows(self) -> None:
        width = 1 + (4 if self.marks else 0) + sum(w + 1 for w in self.widths)
        size = Size(width, len(self.shown) + 1)
        if size != self.virtual_size:
            self.set_reactive(ChoiceList.virtual_size, size)
            self._scroll_update(size)
        self.refresh()

    def watch_cursor(self, new: int) -> None:
        self.scroll_to_row(new)
        choice = self.current
        if choice is not self._last:
            self._last = choice
            self.post_message(self.Highlighted(choice))

    # -- rendering --------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        if self.scrollable_content_region.width != self._laid_out_for:
            self._layout()  # a vertical scrollbar came or went
        self._paint_styles = {
            "base": self.rich_style,
            "header": self.get_component_rich_style("choice-list--header"),
            "cursor": self.get_component_rich_style("choice-list--cursor"),
        }
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        styles = getattr(self, "_paint_styles", None) or {
            "base": self.rich_style,
            "header": self.get_component_rich_style("choice-list--header"),
            "cursor": self.get_component_rich_style("choice-list--cursor"),
        }
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        if y == 0:
            cells = [self._title(f) for f in self.fields]
            strip = self._strip(cells, styles["header"], "   " if self.marks else "", None)
        else:
            row = scroll_y + y - 1
            if row >= len(self.shown):
                return Strip.blank(width, styles["base"])
            choice = self.choices[self.shown[row]]
            base = styles["base"] + styles["cursor"] if row == self.cursor else styles["base"]
            mark = ("[x]" if choice.value in self.marked else "[ ]") if self.marks else ""
            warn = base + WARNING_STYLE if choice.warning and row != self.cursor else None
            cells = [getattr(choice, f) for f in self.fields]
            strip = self._strip(cells, base, mark, warn)
        return strip.crop_extend(scroll_x, scroll_x + width, styles["base"])

    def _strip(self, cells: list[str], base: Style, mark: str, warn: Style | None) -> Strip:
        segments = [Segment(" ", base)]
        if mark:
            segments.append(Segment(mark + " ", base))
        for field, text, width in zip(self.fields, cells, self.widths, strict=True):
            style = warn if warn is not None and field == "description" else base
            if warn is not None and field == "description":
                text = "⚠ " + text
            segments.append(Segment(fit(text, width), style))
            segments.append(Segment(" ", base))
        return Strip(segments)

    # -- actions ----------------------------------------------------------------------

    def row_count(self) -> int:
        return len(self.shown)

    def cursor_index(self) -> int:
        return self.cursor

    def move_cursor(self, row: int) -> None:
        self.cursor = row

    def action_choose(self) -> None:
        choice = self.current
        if choice is not None:
            self.post_message(self.Chosen(choice))

    def toggle(self) -> None:
        """Multi-select: mark or unmark the choice under the cursor."""
        choice = self.current
        if choice is not None:
            if choice.value in self.marked:
                del self.marked[choice.value]
            else:
                self.marked[choice.value] = None
            self.refresh()

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        row = round(self.scroll_y) + offset.y - 1
        if row < len(self.shown):
            self.cursor = row
            self.action_choose()
