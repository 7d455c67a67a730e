"""A 28×28 grid of one neuron's weights to paint on with the mouse, or to drag a region over."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget

from core.lesson.painting import brush_cells
from gui.widgets import colours
from gui.widgets.theme import follow_theme, palette

CELL = 10  # screen pixels per weight


class WeightCanvas(QWidget):
    """Shows weights (H·W,) on the diverging scale; a drag paints cells or marks a rectangle.

    The strokes are only proposed: the canvas shows them at once, and the owner turns them
    into edits; the next `set_weights` (the network after the edit) replaces the preview.

    Signals:
        strokeFinished(object cells, float value): the cells (flat indices) a drag painted with value.
        regionChosen(int top, int left, int bottom, int right): a rectangle was dragged (inclusive cells).
        previewChanged(): the weights on show changed during a drag.
    """

    strokeFinished = Signal(object, float)
    regionChosen = Signal(int, int, int, int)
    previewChanged = Signal()

    def __init__(self, shape=(28, 28), parent=None):
        super().__init__(parent)
        self.shape = tuple(shape)
        self.weights = np.zeros(shape[0] * shape[1], dtype=np.float64)
        self.scale = 1.0
        self.mode = "paint"  # or "region"
        self.value = 1.0  # what a stroke paints
        self.radius = 0  # brush radius in cells (0: one cell)
        self._stroke = {}  # flat index → value, while a stroke is dragged
        self._anchor = self._corner = None  # (row, col) of a region being dragged
        self._dark = True
        self._lut = palette(True).weight_lut(257)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMouseTracking(False)
        self._resize()
        follow_theme(self)

    def _resize(self):
        self.setFixedSize(self.shape[1] * CELL + 1, self.shape[0] * CELL + 1)

    def sizeHint(self):
        return QSize(self.shape[1] * CELL + 1, self.shape[0] * CELL + 1)

    # -- inputs ----------------------------------------------------------------------------
    def set_weights(self, weights, shape, scale: float) -> None:
        """Show these weights as a picture of `shape`, saturating at ±scale; a finished stroke's preview ends."""
        if tuple(shape) != self.shape:
            self.shape = tuple(shape)
            self._resize()
        self.weights = np.asarray(weights, dtype=np.float64).copy()
        self.scale = float(scale) if scale > 0 else 1.0
        if not self.is_dragging():
            self._stroke = {}
        self.update()

    def set_dark(self, dark: bool) -> None:
        self._dark = bool(dark)
        self._lut = palette(dark).weight_lut(257)
        self.update()

    def shown_weights(self) -> np.ndarray:
        """Return the weights as shown: the neuron's, with the stroke being painted on top."""
        shown = self.weights.copy()
        if self._stroke:
            cells = np.fromiter(self._stroke, dtype=np.intp)
            shown[cells] = [self._stroke[c] for c in cells]
        return shown

    def is_dragging(self) -> bool:
        return bool(self._stroke) or self._anchor is not None

    # -- painting by hand (the mouse handlers call these; tests too) ----------------------------
    def cell_at(self, x: float, y: float) -> tuple:
        return int(np.clip(y // CELL, 0, self.shape[0] - 1)), int(np.clip(x // CELL, 0, self.shape[1] - 1))

    def press(self, row: int, col: int) -> None:
        if self.mode == "region":
            self._anchor = self._corner = (row, col)
        else:
            self._stroke = {}
            self._add(row, col)
        self.update()

    def drag(self, row: int, col: int) -> None:
        if self.mode == "region":
            if self._anchor is not None:
                self._corner = (row, col)
        else:
            self._add(row, col)
        self.update()

    def release(self) -> None:
        if self.mode == "region" and self._anchor is not None:
            (r0, c0), (r1, c1) = self._anchor, self._corner
            self._anchor = self._corner = None
            self.update()
            self.regionChosen.emit(min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1))
        elif self._stroke:
            cells = np.array(sorted(self._stroke), dtype=np.intp)
            self.strokeFinished.emit(cells, float(self.value))
            self.update()  # the preview stays until the edited network arrives

    def _add(self, row, col):
        for cell in brush_cells(self.shape, row, col, self.radius):
            self._stroke[int(cell)] = float(self.value)
        self.previewChanged.emit()

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            self.press(*self.cell_at(event.position().x(), event.position().y()))

    def mouseMoveEvent(self, event):
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.drag(*self.cell_at(event.position().x(), event.position().y()))

    def mouseReleaseEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            self.release()

    # -- drawing -----------------------------------------------------------------------------
    def paintEvent(self, event):
        h, w = self.shape
        rgb = np.ascontiguousarray(self._lut[colours.to_bins(self.shown_weights(), self.scale, len(self._lut))]
                                   .reshape(h, w, 3))
        image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        painter = QPainter(self)
        painter.drawImage(QRectF(0, 0, w * CELL, h * CELL), image)
        grid = QColor(60, 64, 72) if self._dark else QColor(215, 215, 220)
        painter.setPen(QPen(grid, 1))
        for r in range(0, h + 1, 7):  # a faint grid every 7 pixels, to find one's place
            painter.drawLine(0, r * CELL, w * CELL, r * CELL)
        for c in range(0, w + 1, 7):
            painter.drawLine(c * CELL, 0, c * CELL, h * CELL)
        if self._anchor is not None:
            (r0, c0), (r1, c1) = self._anchor, self._corner
            top, left, bottom, right = min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)
            painter.setPen(QPen(QColor(*colours.SELECTION), 2))
            painter.drawRect(left * CELL, top * CELL, (right - left + 1) * CELL, (bottom - top + 1) * CELL)
        painter.end()
