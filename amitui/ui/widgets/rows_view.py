"""RowsView: a ScrollView of rows under a one-line header, with a row cursor.

The cursor keys (up, down, top, bottom, page up/down) and the scrolling that follows the
cursor are here once for ImageTable and ChoiceList; a subclass says how many rows it has
and where its cursor is."""

from __future__ import annotations

from textual.scroll_view import ScrollView


class RowsView(ScrollView):
    def row_count(self) -> int:
        """How many rows the cursor can move over."""
        raise NotImplementedError

    def cursor_index(self) -> int:
        raise NotImplementedError

    def move_cursor(self, row: int) -> None:
        """Put the cursor on ``row`` (already within 0..row_count()-1)."""
        raise NotImplementedError

    @property
    def _body_height(self) -> int:
        """Rows shown below the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def scroll_to_row(self, row: int) -> None:
        """Scroll just enough to show ``row`` below the header (the cursor moved there),
        then paint what moved (``paint_moved``)."""
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + self._body_height:
            self.scroll_to(y=row - self._body_height + 1, animate=False, immediate=True)
        self.paint_moved()

    def paint_moved(self) -> None:
        """Paint after the cursor moved (and maybe scrolled): here, the whole view."""
        self.refresh()

    def _clamp(self, row: int) -> int:
        return max(0, min(row, self.row_count() - 1))

    def action_cursor_down(self) -> None:
        self.move_cursor(self._clamp(self.cursor_index() + 1))

    def action_cursor_up(self) -> None:
        self.move_cursor(self._clamp(self.cursor_index() - 1))

    def action_cursor_top(self) -> None:
        self.move_cursor(0)

    def action_cursor_bottom(self) -> None:
        self.move_cursor(self._clamp(self.row_count() - 1))

    def action_page_down(self) -> None:
        self.move_cursor(self._clamp(self.cursor_index() + self._body_height))

    def action_page_up(self) -> None:
        self.move_cursor(self._clamp(self.cursor_index() - self._body_height))
