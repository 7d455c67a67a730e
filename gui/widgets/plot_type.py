"""Plot captions that follow the application's type size (presentation mode, Ctrl+= / Ctrl+- / Ctrl+0).

pyqtgraph's tick labels take the scene's font, which follows the application's; its axis
labels and titles do not: an axis label is a text item with a font of its own, and a title
carries a fixed size ("9pt") in its markup. `scale_plot_captions` brings both to the
application's type size, from the size each was given (its base, kept on the item).
"""
from __future__ import annotations

import re

import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from gui.widgets.axis_labels import refit_axis_label

BASE_FONT_PROPERTY = "base_font"  # the application's font before any type size (set by gui/lecture/presentation.py)
_BASE_SIZE = "_caption_base_points"  # a title's own size in points at type size 1, kept on the LabelItem
_POINTS = re.compile(r"^\s*([0-9.]+)\s*pt\s*$")


def type_factor() -> float:
    """Return the application's type size now as a multiple of its base size (1 when unchanged)."""
    app = QApplication.instance()
    base = app.property(BASE_FONT_PROPERTY) if app is not None else None
    if not isinstance(base, QFont) or base.pointSizeF() <= 0 or app.font().pointSizeF() <= 0:
        return 1.0
    return app.font().pointSizeF() / base.pointSizeF()


def scale_plot_captions(widget: QWidget, factor: float | None = None) -> int:
    """Size the axis labels and titles of every plot in widget (and its children) for the type size; return how many."""
    factor = type_factor() if factor is None else factor
    views = widget.findChildren(pg.GraphicsView)
    if isinstance(widget, pg.GraphicsView):
        views.append(widget)
    count = 0
    for view in views:
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                count += _scale_axis_label(item)
            elif isinstance(item, pg.LabelItem):
                count += _scale_title(item, factor)
    return count


def _scale_axis_label(axis: pg.AxisItem) -> int:
    label = getattr(axis, "label", None)
    if label is None:
        return 0
    font = QFont(axis.font())  # the scene's font: the application's, at its type size
    if label.font() == font:
        return 0
    label.setFont(font)
    axis._adjustSize()  # the axis makes room for the label's new height, and places it again
    axis.resizeEvent()
    refit_axis_label(axis)  # a label grown past its axis gives way to a shorter wording
    axis.update()
    return 1


def _scale_title(title: pg.LabelItem, factor: float) -> int:
    base = getattr(title, _BASE_SIZE, None)
    if base is None:
        found = _POINTS.match(str(title.opts.get("size") or ""))
        if found is None:
            return 0
        base = float(found.group(1))
        setattr(title, _BASE_SIZE, base)
    size = f"{base * factor:.2f}pt"
    if title.opts.get("size") == size:
        return 0
    title.setText(title.text, size=size)
    return 1


def set_plot_title(plot, text: str, points: float, **style) -> None:
    """Set a plot's title at `points` times the type size now (and again, as a base, when it changes)."""
    item = plot.getPlotItem() if hasattr(plot, "getPlotItem") else plot
    setattr(item.titleLabel, _BASE_SIZE, float(points))
    item.setTitle(text, size=f"{points * type_factor():.2f}pt", **style)


def set_title_wordings(plot, wordings, points: float, **style) -> None:
    """Give a plot's FittingTitle (gui/widgets/plot_titles.py) its wordings, at `points` times the type size now."""
    item = plot.getPlotItem() if hasattr(plot, "getPlotItem") else plot
    setattr(item.titleLabel, _BASE_SIZE, float(points))
    item.titleLabel.setVisible(True)
    item.titleLabel.set_wordings(wordings, size=f"{points * type_factor():.2f}pt", **style)
