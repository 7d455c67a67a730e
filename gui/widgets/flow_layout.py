"""A layout that lines widgets up left to right and wraps them onto more rows when narrow.

Rows of controls that fit a 1920-pixel window would otherwise set a panel's minimum width
and make the panel scroll sideways in a 1280-pixel one. (Qt ships this only as an example.)
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLayout, QSizePolicy, QWidget


class FlowLayout(QLayout):
    """Items in reading order, as many to a row as fit; rows as tall as their tallest item."""

    def __init__(self, parent=None, spacing: int = 6):
        super().__init__(parent)
        self._items = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    # -- QLayout's interface ---------------------------------------------------------------
    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        """All in one row."""
        m = self.contentsMargins()
        shown = [item.sizeHint() for item in self._items if not item.isEmpty()]
        width = sum(s.width() for s in shown) + self._spacing * max(0, len(shown) - 1)
        height = max((s.height() for s in shown), default=0)
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:
        """As narrow as the widest item: everything else wraps."""
        m = self.contentsMargins()
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # -- placing ---------------------------------------------------------------------------
    def _arrange(self, rect: QRect, move: bool) -> int:
        """Place the items in rect (if move); return the height they take."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, row_height, row = area.x(), area.y(), 0, []

        def finish_row():
            for item, left in row:  # centre each item in its row's height
                hint = item.sizeHint()
                item.setGeometry(QRect(QPoint(left, y + (row_height - hint.height()) // 2), hint))

        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if row and x + hint.width() > area.right() + 1:
                if move:
                    finish_row()
                x, y, row_height, row = area.x(), y + row_height + self._spacing, 0, []
            row.append((item, x))
            x += hint.width() + self._spacing
            row_height = max(row_height, hint.height())
        if move:
            finish_row()
        return y + row_height - rect.y() + m.bottom()


def group(*widgets, spacing: int = 4) -> QWidget:
    """Return widgets kept together on one row of a FlowLayout ("every" + "50 steps")."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(spacing)
    for w in widgets:
        row.addWidget(w)
    box.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
    return box
