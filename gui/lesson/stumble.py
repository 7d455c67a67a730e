"""Stumbling downhill: the last mini-batch step against the true gradient over every training image."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.lesson.neuron_stats import network_from
from core.lesson.stumble import angles_by_batch_size, compare_step
from gui.widgets import colours
from gui.widgets.chart_style import RoomyAxis
from gui.widgets.jobs import BackgroundRunner
from gui.widgets.support import style_plot
from gui.widgets.theme import follow_theme, hex_colour, palette

TRUE_COLOUR = (120, 225, 255)  # the true gradient's arrow: light blue, apart from the surface's white path
BATCH_COLOUR = colours.POSITIVE  # the mini-batch's arrow


class ArrowPicture(QWidget):
    """Two downhill arrows in the plane they span: the true step along x, the mini-batch step at its angle."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result = None
        self.dark = True
        self.setMinimumSize(160, 110)

    def sizeHint(self):
        return QSize(260, 170)

    def set_result(self, result) -> None:
        self.result = result
        self.update()

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(self.rect(), palette(self.dark).qcolor("background"))
        r = self.result
        if r is None or not math.isfinite(r.angle):
            return
        origin = QPointF(24, self.height() / 2)
        longest = max(r.batch_norm, r.full_norm) or 1.0
        room = min(self.width() - 60, self.height() / 2 - 16)
        true_colour = TRUE_COLOUR if self.dark else (0, 110, 160)
        for norm, angle, colour, text in ((r.full_norm, 0.0, true_colour, "all images"),
                                          (r.batch_norm, r.angle, BATCH_COLOUR, "mini-batch")):
            length = room * norm / longest
            t = math.radians(angle)
            tip = QPointF(origin.x() + length * math.cos(t), origin.y() - length * math.sin(t))
            self._arrow(painter, origin, tip, QColor(*colour))
            painter.drawText(tip + QPointF(6, -4 if angle else 14), text)
        painter.setPen(QPen(palette(self.dark).qcolor("muted"), 1))
        painter.drawText(QPointF(origin.x(), self.height() - 6), f"{r.angle:.1f}° apart")

    @staticmethod
    def _arrow(painter, start, tip, colour):
        painter.setPen(QPen(colour, 2.5))
        painter.drawLine(start, tip)
        dx, dy = tip.x() - start.x(), tip.y() - start.y()
        n = math.hypot(dx, dy) or 1.0
        ux, uy = dx / n, dy / n
        head = QPolygonF([tip, QPointF(tip.x() - 10 * ux + 5 * uy, tip.y() - 10 * uy - 5 * ux),
                          QPointF(tip.x() - 10 * ux - 5 * uy, tip.y() - 10 * uy + 5 * ux)])
        painter.setBrush(colour)
        painter.drawPolygon(head)


class StumbleView(QWidget):
    """Compares the gradient the last step used with the gradient over all training images (off the GUI thread).

    Signals:
        comparisonReady(object batch_grad, object full_grad): both gradients at the step's start, for the cost surface.
    """

    comparisonReady = Signal(object, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = self._dataset = None
        self._dark = True
        self.result = self.angles = None
        self.intro = QLabel("A mini-batch step is “not the most efficient step downhill, but a pretty good"
                            " approximation”. Compare the last step with the true gradient over every training"
                            " image, taken at the same parameters.", self)
        self.intro.setWordWrap(True)
        self.compare_button = QPushButton("Compare the last step with the true gradient", self)
        self.compare_button.clicked.connect(self.compare)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.numbers = QLabel(self)
        self.numbers.setTextFormat(Qt.RichText)
        self.numbers.setWordWrap(True)
        self.arrows = ArrowPicture(self)
        self.plot = pg.PlotWidget(axisItems={"left": RoomyAxis("left")})
        self.plot.setFixedHeight(150)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        style_plot(self.plot.getPlotItem(), True)
        self.plot.setLogMode(x=True)
        self.plot.setLabel("bottom", "batch size")
        # short: the label runs up the side of a 150-pixel plot, and grows with the type size
        self.plot.setLabel("left", "angle (°)")
        self.plot.setToolTip("The angle between a mini-batch's gradient and the true gradient (all images),"
                             " by batch size")
        self.curve = pg.PlotDataItem(symbol="o", pen=pg.mkPen(BATCH_COLOUR, width=2), symbolBrush=BATCH_COLOUR)
        self.plot.addItem(self.curve)
        self.table = QLabel(self)
        self.table.setWordWrap(True)
        row = QHBoxLayout()  # the numbers, the two arrows, the angle by batch size: side by side
        right = QVBoxLayout()
        right.addWidget(self.plot)
        right.addWidget(self.table)
        row.addWidget(self.numbers, 1, Qt.AlignTop)
        row.addWidget(self.arrows, 1)
        row.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.intro)
        top = QHBoxLayout()
        top.addWidget(self.compare_button)
        top.addWidget(self.status, 1)
        layout.addLayout(top)
        layout.addLayout(row, 1)
        self._runner = BackgroundRunner(self)
        self._runner.finished.connect(self._on_result)
        self._runner.failed.connect(lambda message: self.status.setText(f"Could not compare: {message}"))
        follow_theme(self)

    # -- inputs ------------------------------------------------------------------------------
    def set_snapshot(self, snap) -> None:
        self._snap = snap
        if self.result is None:
            self.compare_button.setEnabled(snap.batch_grad is not None)
            if snap.batch_grad is None:
                self.status.setText("Train at least one step first (→ trains one mini-batch).")
            elif not self._runner.busy:
                self.status.setText("")

    def set_dataset(self, dataset) -> None:
        self._dataset = dataset

    def set_dark(self, dark: bool) -> None:
        self._dark = self.arrows.dark = bool(dark)
        self.arrows.update()
        self.plot.setBackground(palette(self._dark).background)
        style_plot(self.plot.getPlotItem(), self._dark)

    # -- the comparison ------------------------------------------------------------------------
    def compare(self) -> None:
        """Start the comparison for the latest step on a background thread."""
        snap, ds = self._snap, self._dataset
        if snap is None or ds is None or snap.batch_grad is None or snap.batch_params is None:
            self.status.setText("Train at least one step first (→ trains one mini-batch).")
            return
        x, y = ds.inputs("train"), ds.labels("train").astype(np.int64)
        net = network_from(snap, snap.batch_params)
        params, grad, lr, step = snap.batch_params, snap.batch_grad, snap.learning_rate, snap.step

        def work():
            result = compare_step(net, params, grad, lr, x, y)
            angles = angles_by_batch_size(net, params, result.full_grad, x, y, seed=step)
            return snap, result, angles

        self.status.setText(f"Computing the gradient over all {len(y):,} training images…")
        self.compare_button.setEnabled(False)
        self._runner.submit(work)

    def wait_idle(self, msecs: int = 60000) -> bool:
        return self._runner.wait(msecs)

    def _on_result(self, payload):
        snap, self.result, self.angles = payload
        r = self.result
        self.compare_button.setEnabled(True)
        self.status.setText(f"Step {snap.step}: a batch of {len(snap.batch)} against all {r.n_examples:,} images,"
                            f" η = {r.learning_rate:g}.")
        fg = colours.POSITIVE
        self.numbers.setText(
            f"Angle between the two gradients: <b>{r.angle:.1f}°</b><br>"
            f"length: mini-batch {r.batch_norm:.3g}, all images {r.full_norm:.3g}<br>"
            f"Mean training cost before the step: {r.cost_before:.4f}<br>"
            f"after the <span style='color:{hex_colour(fg)}'>mini-batch</span> step:"
            f" {r.cost_after_batch:.4f}<br>after a step along the"
            f" <span style='color:{hex_colour(TRUE_COLOUR)}'>true gradient</span>: {r.cost_after_full:.4f}")
        self.arrows.set_result(r)
        sizes = np.array([a[0] for a in self.angles], dtype=float)
        self.curve.setData(sizes, [a[1] for a in self.angles])
        self.table.setText("  ".join(f"{int(s):,}: {m:.0f}°" for s, m, _ in self.angles)
                           + "  (mean of 5 random batches each)")
        self.table.setStyleSheet(f"color: {palette(self._dark).hex('foreground')}")
        self.comparisonReady.emit(np.asarray(snap.batch_grad), r.full_grad)
