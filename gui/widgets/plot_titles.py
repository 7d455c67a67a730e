"""Plot titles that give way when their plot is narrow, instead of widening it.

pyqtgraph's LabelItem asks for its text's full width as its minimum: a long title pushes its
plot (and whatever sits beside it, such as a colour bar) out of a narrow panel.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt


class ShrinkableTitle(pg.LabelItem):
    """A one-line title that may be narrower than its text (the text is then cut)."""

    def updateMin(self):
        super().updateMin()
        self.setMinimumWidth(0)
        self._sizeHint[Qt.SizeHint.MinimumSize] = (0, self._sizeHint[Qt.SizeHint.MinimumSize][1])


class WrappingTitle(pg.LabelItem):
    """A title that wraps onto more centred lines when its plot is narrower than its text."""

    def resizeEvent(self, ev):
        width = self.rect().width()
        self.item.setTextWidth(-1)
        if 0 < width < self.item.boundingRect().width():
            self.item.setTextWidth(width)
            document = self.item.document()
            option = document.defaultTextOption()
            option.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            document.setDefaultTextOption(option)
        super().resizeEvent(ev)  # places the text and calls updateMin

    def updateMin(self):
        bounds = self.itemRect()
        self.setMinimumWidth(0)
        self.setMinimumHeight(bounds.height())
        self._sizeHint = {
            Qt.SizeHint.MinimumSize: (0, bounds.height()),
            Qt.SizeHint.PreferredSize: (bounds.width(), bounds.height()),
            Qt.SizeHint.MaximumSize: (-1, -1),
            Qt.SizeHint.MinimumDescent: (0, 0),
        }
        self.updateGeometry()


def _replace_title(plot: pg.PlotItem, kind) -> None:
    old = plot.titleLabel
    plot.layout.removeItem(old)
    old.setParentItem(None)
    if old.scene() is not None:
        old.scene().removeItem(old)
    plot.titleLabel = kind("", size="11pt", parent=plot)
    plot.layout.addItem(plot.titleLabel, 0, 1)


def shrinkable_title(plot: pg.PlotItem) -> None:
    """Give a PlotItem a ShrinkableTitle in place of its own title label."""
    _replace_title(plot, ShrinkableTitle)


def wrapping_title(plot: pg.PlotItem) -> None:
    """Give a PlotItem a WrappingTitle in place of its own title label."""
    _replace_title(plot, WrappingTitle)
