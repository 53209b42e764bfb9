"""TableView: the inventory table's drawing, as a Line-API ScrollView over ImageRows.

It renders only the lines on screen, so 100k rows cost nothing until they are seen; each
line is built by table_lines.py. A change repaints only the lines that show something
else (table_window.py): a filter keystroke that keeps the screenful, or a cursor step,
spares Textual the other lines. ImageTable (image_table.py) adds what the table does: its
keys, sorting, the stepped filter and the work done ahead.
"""

from __future__ import annotations

from typing import Self

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip

from amitui.aws.images import Image
from amitui.ui.columns import Column, columns_for, fit
from amitui.ui.marks import Marks
from amitui.ui.rows import ImageRows
from amitui.ui.widgets.rows_view import RowsView
from amitui.ui.widgets.table_lines import PARTIAL, STYLE_NAMES, header_strip, row_strip
from amitui.ui.widgets.table_window import Window, changed_lines, window


def _unmarked(image: Image) -> bool:
    return False


class TableView(RowsView):
    """Shows ``rows.visible``; the header stays on line 0 while the body scrolls. Its
    styles are the component classes ``STYLE_PREFIX--name`` (``STYLE_NAMES``)."""

    STYLE_PREFIX = "table-view"

    #: the cursor's row (no repaint of its own: its watcher paints the lines that changed)
    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    def __init__(
        self,
        rows: ImageRows,
        marks: Marks | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
    ):
        super().__init__(name=name, id=id)
        self.rows = rows
        #: the marked images: a mark in the row's first cell, the row in the marked style
        self.marks = marks if marks is not None else Marks()
        self.columns: tuple[Column, ...] = columns_for(False)
        self.widths: list[int] = [c.width for c in self.columns]
        #: the lines an empty table shows (what to try), set by the screen
        self.empty_hint = ""
        self._painted: Window | None = None  # what the lines showed at the last paint
        #: the theme's styles by name, looked up again after a change of styles or theme
        self._paint_styles: dict[str, Style] | None = None

    @property
    def content_width(self) -> int:
        return 1 + sum(w + 1 for w in self.widths)

    def show_hint(self, hint: str) -> None:
        """What the table says when it shows no row (the lines that change are painted)."""
        if hint != self.empty_hint:
            self.empty_hint = hint
            self._paint_changes()

    # -- which lines to paint -----------------------------------------------------------

    def _window(self) -> Window:
        """What the lines show: the header, where the body is scrolled, the cursor, and the
        rows on screen (table_window.py)."""
        top, height, rows = round(self.scroll_y), self._body_height, self.rows
        images, visible = rows.images, rows.visible
        shown = list(map(images.__getitem__, visible[top : top + height]))
        marks = self.marks
        frame = (
            rows,
            top,
            height,
            round(self.scroll_x),
            self.scrollable_content_region.width,
            self.has_focus,
            self.app.theme,
            self.columns,
            tuple(self.widths),
            rows.sort_column,
            rows.sort_reverse,
        )
        hint = self.empty_hint.splitlines() if not rows else ()
        marked = marks.__contains__ if marks else _unmarked
        return window(frame, shown, top, height, self.cursor_row, marked, hint)

    def _paint_changes(self) -> None:
        """Ask Textual to paint again only the lines that show something else than at the
        last paint (every line when the frame changed: a scroll, a resize, the columns)."""
        runs = changed_lines(self._painted, self._window())
        if runs is None:
            self.refresh()
            return
        width = self.size.width
        for line, count in runs:
            self.refresh(Region(0, line, width, count))

    def paint_moved(self) -> None:
        """Only the lines that changed (a cursor step: two)."""
        self._paint_changes()

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> Self:
        if not regions:  # every line: the styles too may have changed (focus, CSS, theme)
            self._paint_styles = None
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def notify_style_update(self) -> None:
        self._paint_styles = None
        super().notify_style_update()

    # -- drawing ------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._paint_styles is None:  # looked up once, not once (or 3 times) per line
            self._paint_styles = {name: self._theme_style(name) for name in ("base", *STYLE_NAMES)}
        self._painted = self._window()
        return super().render_lines(crop)

    def _theme_style(self, name: str) -> Style:
        if name == "base":
            return self.rich_style
        component = f"{self.STYLE_PREFIX}--{name}"
        return self.get_component_rich_style(component, partial=name in PARTIAL)

    def _style(self, name: str) -> Style:
        styles = self._paint_styles  # None: render_line called on its own
        return styles[name] if styles is not None else self._theme_style(name)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self._style("base")
        if y == 0:
            strip = self._header_strip()
        else:
            row = scroll_y + y - 1
            if row >= len(self.rows):
                hint = self.empty_hint.splitlines() if not self.rows else ()
                if row < len(hint):
                    return Strip([Segment(fit(" " + hint[row], width), base)], width)
                return Strip.blank(width, base)
            strip = self._row_strip(row)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _header_strip(self) -> Strip:
        return header_strip(
            self.columns,
            self.widths,
            (self.rows.sort_column, self.rows.sort_reverse),
            self._style,
            self.content_width,
        )

    def _row_strip(self, row: int) -> Strip:
        image = self.rows.image_at(row)
        return row_strip(
            image,
            self.columns,
            self.widths,
            self._style,
            self.content_width,
            cursor=row == self.cursor_row,
            odd=bool(row % 2),
            marked=bool(self.marks) and image in self.marks,
        )
