"""Small pieces the inspector, sample, mini-batch and drawing views share.

A throttle that keeps `set_snapshot` cheap, plot styling, and NumPy → QPixmap conversion
(heavy read-only work goes to gui.widgets.jobs.BackgroundRunner).
"""
from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QImage, QPixmap

from gui.widgets.plot_cache import cache_static_parts
from gui.widgets.theme import palette

# How often the side panels that show the current example refresh while training runs: the
# controller hands them a snapshot this often, and with the same period in their own throttles
# the current example and the inspector name the same image (the inspector's 250 ms had it
# showing an image a few rounds older).
PANEL_REFRESH_MS = 100


class Throttle(QObject):
    """Call `callback` on the event loop at most once per `interval_ms`, however often requested.

    The first request after a quiet spell runs on the next turn of the event loop; later
    ones are coalesced into one call at the end of the interval.
    """

    def __init__(self, interval_ms: int, callback, parent=None):
        super().__init__(parent)
        self.interval = interval_ms / 1000.0
        self._callback = callback
        self._last = -1e9
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)

    def request(self) -> None:
        if not self._timer.isActive():
            wait = self.interval - (time.monotonic() - self._last)
            self._timer.start(max(0, int(wait * 1000)))

    def flush(self) -> None:
        """Run the callback now (cancelling a pending call)."""
        self._timer.stop()
        self._last = time.monotonic()
        self._callback()


def fmt(value: float, digits: int = 4) -> str:
    """Return a number with its sign and `digits` significant digits (e.g. +0.1234, -2.5e-05)."""
    return f"{value:+.{digits}g}"


def nice_scale(value: float) -> float:
    """Return the smallest of 1, 1.5, 2, 3, 5, 7 × 10^k at or above value (axes then change rarely)."""
    value = abs(float(value))
    if not np.isfinite(value) or value == 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(value))
    for step in (1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0):
        if step * power >= value * (1 - 1e-12):
            return float(step * power)
    return float(10 * power)


def style_plot(plot: pg.PlotItem, dark: bool) -> None:
    """Give a pyqtgraph plot item the theme's axis and text colours."""
    colours = palette(dark)
    pen = pg.mkPen(colours.muted)
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        axis.setPen(pen)
        axis.setTextPen(pg.mkPen(colours.foreground))
        # ticks say the values as they are: for a range within ±1, pyqtgraph would write them in
        # thousandths and append "(x0.001)" to the label, which a narrow axis cuts off
        axis.enableAutoSIPrefix(False)
    plot.titleLabel.setText(plot.titleLabel.text, color=colours.hex("foreground"))
    cache_static_parts(plot)


# -- images ------------------------------------------------------------------------------------
def grey_pixmap(image, scale: int = 1) -> QPixmap:
    """Return an (H, W) image with values in [0, 1] as a grey pixmap (black 0, white 1), enlarged."""
    data = np.ascontiguousarray(np.clip(np.asarray(image, dtype=np.float32) * 255.0 + 0.5, 0, 255)
                                .astype(np.uint8))
    if scale > 1:
        data = np.ascontiguousarray(np.repeat(np.repeat(data, scale, axis=0), scale, axis=1))
    h, w = data.shape
    qimage = QImage(data.data, w, h, w, QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(qimage.copy())  # copy: QImage does not own NumPy's buffer


def mosaic(images, columns: int, gap: int = 1, fill: float = 0.35) -> np.ndarray:
    """Return images (N, H, W) tiled row by row with `gap` pixels of grey `fill` between them."""
    images = np.asarray(images, dtype=np.float32)
    n, h, w = images.shape
    rows = max(1, -(-n // columns))
    out = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), fill, dtype=np.float32)
    for k in range(n):
        r, c = divmod(k, columns)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = images[k]
    return out
