"""Plot titles that give way when their plot is narrow, instead of widening it.

pyqtgraph's LabelItem asks for its text's full width as its minimum: a long title pushes its
plot (and whatever sits beside it, such as a colour bar) out of a narrow panel.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt

from gui.widgets.rich_text import html_width, plain


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
        _fit_title_row(self, bounds.height())
        self.updateGeometry()


def _fit_title_row(title: pg.LabelItem, height: float) -> None:
    """Make the title row of the title's plot as tall as its lines (PlotItem.setTitle fixes it at 30 px)."""
    plot = title.parentItem()
    if isinstance(plot, pg.PlotItem) and plot.titleLabel is title and title.isVisible() \
            and plot.layout.rowMaximumHeight(0) != height:
        title.setMaximumHeight(height)
        plot.layout.setRowFixedHeight(0, height)


class FittingTitle(ShrinkableTitle):
    """A title that says the first of its wordings (longest first) that fits its plot's width.

    The first, whole wording is its tooltip; the choice is made again when the plot is
    resized or the title's size changes (the type size, see gui/widgets/plot_type.py).
    """

    wordings = ()
    _choosing = False

    def set_wordings(self, wordings, **style) -> None:
        """Say the first of `wordings` that fits (the last if none does); `style` as for LabelItem.setText."""
        self.wordings = tuple(wordings)
        self.setToolTip(plain(self.wordings[0]) if self.wordings else "")
        self._choose(force=True, **style)

    def setText(self, text, **style):
        super().setText(text, **style)
        self._choose()  # a new size may call for another wording

    def resizeEvent(self, ev):
        super().resizeEvent(ev)
        if ev is not None:  # LabelItem.setText calls this too, with None
            self._choose()

    def text_width(self, wording: str) -> float:
        """Return the inked width of `wording` at the title's size."""
        size = self.opts.get("size")
        return html_width(f"<span style='font-size: {size}'>{wording}</span>" if size else wording, self.item.font())

    def _choose(self, force=False, **style) -> None:
        if self._choosing or not self.wordings:
            return
        width = self.rect().width()
        chosen = next((w for w in self.wordings if width <= 0 or self.text_width(w) <= width), self.wordings[-1])
        self._choosing = True
        try:
            if chosen != self.text or force or style:
                pg.LabelItem.setText(self, chosen, **style)
            _fit_title_row(self, self.itemRect().height())  # a stacked wording is two lines, a bare one one
        finally:
            self._choosing = False


def _replace_title(plot: pg.PlotItem, kind, over_axis: bool = False) -> None:
    old = plot.titleLabel
    plot.layout.removeItem(old)
    old.setParentItem(None)
    if old.scene() is not None:
        old.scene().removeItem(old)
    plot.titleLabel = kind("", size="11pt", parent=plot)
    if over_axis:  # over the left axis and the plot: a small plot's title gets the axis' width too
        plot.layout.addItem(plot.titleLabel, 0, 0, 1, 2)
    else:
        plot.layout.addItem(plot.titleLabel, 0, 1)


def wrapping_title(plot: pg.PlotItem) -> None:
    """Give a PlotItem a WrappingTitle in place of its own title label."""
    _replace_title(plot, WrappingTitle)


def fitting_title(plot: pg.PlotItem, over_axis: bool = False) -> None:
    """Give a PlotItem a FittingTitle in place of its own title label (set its wordings with set_wordings).

    over_axis: the title spans the left axis' column as well as the plot's.
    """
    _replace_title(plot, FittingTitle, over_axis)
