"""Keep the slow, rarely changing parts of a pyqtgraph plot as cached pixmaps.

An axis replays its recorded ticks, labels and grid lines (a QPicture, text shaped anew)
on every repaint of anything under its grid, which is the whole plot: ~1 ms an axis, so a
chart of three plots spent most of each live repaint on axes that had not changed. With
Qt's device-coordinate cache an unchanged axis or title is one pixmap blit; pyqtgraph's
own `update()` on a change of range, label or style renders it afresh.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

CACHED = QGraphicsItem.CacheMode.DeviceCoordinateCache


def cache_static_parts(plot) -> None:
    """Cache the axes and the title of a pg.PlotItem (or of a pg.PlotWidget's plot)."""
    if isinstance(plot, pg.PlotWidget):
        plot = plot.getPlotItem()
    for name in ("left", "bottom", "right", "top"):
        plot.getAxis(name).setCacheMode(CACHED)
    plot.titleLabel.setCacheMode(CACHED)
