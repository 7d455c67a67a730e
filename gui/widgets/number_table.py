"""A small grid of numbers that is cheap to update many times a second.

Rich-text QLabels re-lay out a whole text document on every change, and word-wrapped ones
make the surrounding layout ask for their height at several widths: with a few tables of
numbers changing ten times a second that was most of the inspector's frame. Here every cell
is a plain-text label, updated only when its text or colour actually changes.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from gui.widgets.theme import follow_theme, palette

NUMBER_ROOM = "-0.0000000"  # as wide as fmt() gets (e.g. "+0.0005119", "-1.234e-05")


def set_text(label: QLabel, text: str) -> None:
    """Set a label's text only if it changed (each change costs a layout pass)."""
    if label.text() != text:
        label.setText(text)


class NumberTable(QWidget):
    """Rows of plain-text cells under fixed headers; a cell may be coloured by the sign of its number."""

    def __init__(self, headers, max_rows: int, parent=None, wide_rows=()):
        """wide_rows: rows whose first cell spans every column but the last (a sum of "the
        other 779 terms" with no wᵢ or aᵢ), so its long name does not widen the first column."""
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 2, 0, 2)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(1)
        self.headers = []
        for c, text in enumerate(headers):
            label = QLabel(text)
            label.setAlignment((Qt.AlignmentFlag.AlignLeft if c == 0 else Qt.AlignmentFlag.AlignRight)
                               | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(label, 0, c)
            self.headers.append(label)
        self.cells, self._covered = [], set()
        for r in range(max_rows):
            row = []
            for c in range(len(headers)):
                label = QLabel()
                label.setTextFormat(Qt.TextFormat.PlainText)
                label.setAlignment((Qt.AlignmentFlag.AlignLeft if c == 0 else Qt.AlignmentFlag.AlignRight)
                                   | Qt.AlignmentFlag.AlignVCenter)
                label.setProperty("sign", None)
                if c > 0:  # room for any number, so columns keep their width as the numbers change
                    label.setMinimumWidth(label.fontMetrics().horizontalAdvance(NUMBER_ROOM))
                if r not in wide_rows:
                    grid.addWidget(label, r + 1, c)
                elif c == 0 or c == len(headers) - 1:
                    grid.addWidget(label, r + 1, c, 1, len(headers) - 1 if c == 0 else 1)
                else:  # covered by the first cell: kept (rows index by column) but never shown
                    label.setParent(self)
                    label.hide()
                    self._covered.add(label)
                row.append(label)
            self.cells.append(row)
        grid.setColumnStretch(len(headers), 1)  # keep the numbers together on the left
        self._dark = True
        self._shown_rows = max_rows
        follow_theme(self)

    def set_rows(self, rows) -> None:
        """Show rows of cells, each cell a text or a (text, sign) pair (sign −1, 0 or +1 colours it)."""
        for r, labels in enumerate(self.cells):
            visible = r < len(rows)
            if visible != (r < self._shown_rows):
                for label in labels:
                    label.setVisible(visible and label not in self._covered)
            if not visible:
                continue
            for label, cell in zip(labels, rows[r]):
                text, sign = cell if isinstance(cell, tuple) else (cell, None)
                set_text(label, text)
                if label.property("sign") != sign:
                    label.setProperty("sign", sign)
                    self._colour(label, sign)
        self._shown_rows = len(rows)

    def text(self, row: int, column: int) -> str:
        return self.cells[row][column].text()

    def _colour(self, label: QLabel, sign):
        if sign not in (1, -1):
            label.setPalette(QPalette())  # an empty palette inherits the window's text colour
            return
        colours = palette(self._dark)
        qt_palette = QPalette()
        qt_palette.setColor(QPalette.ColorRole.WindowText, QColor(*(colours.positive if sign == 1 else colours.negative)))
        label.setPalette(qt_palette)

    def set_dark(self, dark: bool) -> None:
        self._dark = dark
        for label in self.headers:
            qt_palette = label.palette()
            qt_palette.setColor(QPalette.ColorRole.WindowText, QColor(*palette(dark).muted))
            label.setPalette(qt_palette)
        for row in self.cells:
            for label in row:
                self._colour(label, label.property("sign"))


def sign(value: float) -> int:
    return 1 if value > 0 else -1 if value < 0 else 0
