"""Live training charts: mini-batch cost with its moving average, accuracy per epoch, gradient norms.

Appends only store the numbers and mark the charts dirty; a timer redraws at most
REDRAW_HZ times a second, and each curve gets about MAX_POINTS points (the extremes of
each stretch of steps, see core.series.minmax_indices) whatever the length of the run.
"""
from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg  # after PySide6, so pyqtgraph picks the same binding
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QSpinBox, QVBoxLayout, QWidget
from superqt import QElidingLabel

from core.history.series import nice_ceiling
from core.history.step_series import TrainingSeries
from gui.training.chart_plots import ChartPlots
from gui.widgets import turns
from gui.widgets.chart_style import layer_names
from gui.widgets.theme import follow_theme

MAX_POINTS = 4000  # most points a displayed curve gets: a min and a max per pixel column, wide screens
AVERAGE_POINTS = 800  # at most, for the smooth, wide averages: about one point per pixel column
HOVER_HINT = "Point at a chart to read its values."
REDRAW_HZ = 12  # at most this often: training runs in its own process; a busy GUI slows it (frame budget)
# the followed step axis ends at one of these × 10ⁿ: the run fills at least half of it, and a
# run at full speed moves the axes (a re-layout of both step plots) four times a decade
STEP_AXIS_ENDS = (1, 2, 3, 5)
GRADIENT_DELAY_MS = 60  # live redraws give the gradient plot its points this long after the cost plot


class TrainingCharts(QWidget):
    """Cost per mini-batch, accuracy per epoch and gradient norm per layer, kept for the whole run.

    Data: append_steps(steps, costs, layer_grad_norms), add_evaluation(split, epoch, accuracy, cost),
    clear(). Signals: none.
    """

    def __init__(self, parent=None, average_window: int = 100):
        super().__init__(parent)
        self.series = TrainingSeries()
        self.log_cost = QCheckBox("Log cost")
        self.log_cost.setToolTip("Show the cost on a logarithmic axis")
        self.window = QSpinBox()
        self.window.setRange(1, 100_000)
        self.window.setValue(average_window)
        self.window.setPrefix("mean of last ")
        self.window.setToolTip("The moving average is the mean cost of this many recent mini-batches")
        self.follow = QCheckBox("Follow")
        self.follow.setChecked(True)
        self.follow.setToolTip("Keep the whole run in view as it grows (zooming or panning stops following)")
        self.readout = QElidingLabel(HOVER_HINT)
        self.readout.setToolTip("Values under the mouse pointer")
        self.readout.setContentsMargins(8, 0, 8, 0)
        tools = QHBoxLayout()
        tools.setContentsMargins(6, 0, 6, 0)
        tools.addWidget(self.window)
        tools.addWidget(self.log_cost)
        tools.addWidget(self.follow)
        tools.addStretch(1)
        self.plots = ChartPlots(key=lambda: (self.window.value(), self._grad_names()))
        p = self.plots
        self.cost_plot, self.accuracy_plot, self.grad_plot = p.cost_plot, p.accuracy_plot, p.grad_plot
        self.raw_curve, self.average_curve, self.accuracy_curves = p.raw_curve, p.average_curve, p.accuracy_curves
        for plot in (self.cost_plot, self.grad_plot):
            plot.getViewBox().sigRangeChangedManually.connect(lambda *_: self.follow.setChecked(False))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(tools)
        layout.addWidget(self.readout)
        layout.addWidget(self.plots, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._redraw_ms = 1000 // REDRAW_HZ  # the redraw timer's interval, applied when it is next started
        self._redrawn_at = -1e9  # time.monotonic() of the last redraw
        self._timer.timeout.connect(self._redraw_if_shown)
        # Live redraws repaint the cost plot and the gradient plot on different turns of the
        # event loop: repainting both (axes and all) in one frame kept it busy for too long.
        self._grad_timer = QTimer(self)
        self._grad_timer.setSingleShot(True)
        self._grad_timer.setInterval(GRADIENT_DELAY_MS)
        self._grad_timer.timeout.connect(self._show_grad_points)
        self._grad_points = None  # (steps, means) waiting for _grad_timer
        self._grad_x_stale = False  # the cost plot's x range moved; the gradient plot follows on its turn
        self._stale = False  # data arrived while hidden: redraw when shown
        self._accuracy_dirty, self._accuracy_drawn = False, -1e9  # evaluations not drawn yet; when last drawn
        self.plots.empty_accuracy_range()
        self._drawn_key = None  # what the step curves show, to skip redraws that change nothing
        self.redraw_count = 0
        self._names = []  # names of the weight layers; default: "input → hidden 1", …
        self._x_end = None  # right end of the followed x range: it grows in steps, not every frame
        self.log_cost.toggled.connect(self._set_log_cost)
        self.follow.toggled.connect(self._set_follow)
        self.window.valueChanged.connect(lambda _: (self._schedule(force=True), self.plots.write_titles()))
        self.cost_plot.getViewBox().sigXRangeChanged.connect(lambda *_: self._schedule())
        self.plots.scene().sigMouseMoved.connect(self._hover)
        follow_theme(self)

    @property
    def side_by_side(self) -> bool:
        """Return whether the three charts sit side by side (a short, wide dock) rather than stacked."""
        return bool(self.plots.wide)

    @property
    def grad_curves(self) -> list:
        """The gradient-norm curves, one per weight layer."""
        return self.plots.grad_curves

    # -- data API -------------------------------------------------------------------------
    def append_steps(self, steps, costs, layer_grad_norms) -> None:
        """Record steps (n,), their mini-batch costs (n,) and gradient norms per weight layer (n, L)."""
        layers = self.series.n_layers
        self.series.append_steps(steps, costs, layer_grad_norms)
        if self.series.n_layers != layers or len(self.grad_curves) != self.series.n_layers:
            self._make_grad_curves()
        self._schedule()

    def add_evaluation(self, split: str, epoch: float, accuracy: float, cost: float) -> None:
        """Record accuracy (0..1) and mean cost on "train" or "test" at a (fractional) epoch."""
        self.series.add_evaluation(split, float(epoch), float(accuracy), float(cost))
        self._accuracy_dirty = True
        # Shown at once, unless a redraw is on its way or epochs end faster than the charts
        # redraw (training at full speed): then the next redraw shows them in the same repaint
        # as the cost (a repaint of its own cost as much as the redraw's).
        if not self._timer.isActive() and time.monotonic() - self._accuracy_drawn >= self._redraw_ms / 1000:
            self._draw_accuracy()
        else:
            self._schedule()

    def _draw_accuracy(self) -> None:
        if not self._accuracy_dirty:
            return
        self._accuracy_dirty = False
        self._accuracy_drawn = time.monotonic()
        for split, curve in self.accuracy_curves.items():
            rows = self.series.evaluations(split)
            curve.setData(rows[:, 0], rows[:, 1] * 100.0)
        self.plots.fit_accuracy([self.series.evaluations(split) for split in ("train", "test")])

    def set_redraw_period(self, seconds: float) -> None:
        """Redraw live data at most once per `seconds` (never more often than REDRAW_HZ)."""
        # Stored, not set on the timer: setInterval restarts a running timer, and a period
        # set at every snapshot would keep the redraw from ever coming.
        self._redraw_ms = max(1000 // REDRAW_HZ, int(seconds * 1000))

    def clear(self) -> None:
        self.series.clear()
        self._accuracy_dirty = False
        self._grad_timer.stop()
        self._grad_points = None
        for curve in (self.raw_curve, self.average_curve, *self.accuracy_curves.values(), *self.grad_curves):
            curve.setData([], [])
        self.plots.hide_cursors()
        self._drawn_key = self._x_end = None
        self.readout.setText(HOVER_HINT)
        self.plots.empty_accuracy_range()
        self._empty_step_range()

    def truncate_after(self, step: int, epoch: float) -> None:
        """Forget what was charted after `step` (and evaluations after `epoch`): training resumed there."""
        self.series.truncate_after(step, epoch)
        self._drawn_key = self._x_end = None
        self._accuracy_dirty = True
        self._schedule(force=True)

    def take_feed(self, feed) -> None:
        """Chart a FeedBatch drained from the training worker."""
        if feed.cleared:
            self.clear()
        if feed.truncated is not None:
            self.truncate_after(*feed.truncated)
        if len(feed.steps):
            self.append_steps(feed.steps, feed.costs, feed.grad_norms)
        for ev in feed.evaluations:
            self.add_evaluation(ev["split"], ev["epoch"], ev["accuracy"], ev["cost"])

    def _empty_step_range(self) -> None:
        # a reset run starts again at step 0: the old run's axis over no data says nothing
        self.cost_plot.setXRange(0, STEP_AXIS_ENDS[0] * 10, padding=0.02)  # the grad plot is x-linked
        for plot in (self.cost_plot, self.grad_plot):
            plot.enableAutoRange(y=True)

    def steps(self) -> np.ndarray:
        """Return every recorded step (read-only)."""
        return self.series.steps

    def set_layer_names(self, names) -> None:
        """Name the gradient-norm curves (one name per weight layer)."""
        self._names = list(names)
        self._make_grad_curves()

    def set_dark(self, dark: bool) -> None:
        self.plots.set_dark(dark)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        # a short, wide dock (under the diagram) reads better with the charts side by side
        self.plots.arrange(wide=self.width() > 2.2 * self.height())

    # -- drawing --------------------------------------------------------------------------
    def displayed_points(self) -> int:
        """Return how many points the step curves hold right now (for tests and benchmarks)."""
        return max([len(c.xData) if c.xData is not None else 0
                    for c in (self.raw_curve, self.average_curve, *self.grad_curves)])

    def redraw(self, staged: bool = False) -> None:
        """Give every step curve the decimated points of the visible range.

        staged: if the step axis moved, the gradient curves get theirs a moment later, in a
        frame of their own (both step axes re-laid out and repainted at once took ~13 ms);
        otherwise all curves change together, in one repaint.
        """
        self._timer.stop()
        self._grad_timer.stop()
        self._show_grad_points()  # anything still waiting is older than what comes now
        self._draw_accuracy()
        series = self.series
        if self.follow.isChecked():
            lo, hi = 0, len(series)  # the whole run is in view
            self._extend_x_range()
        else:
            lo, hi = series.index_range(*self.cost_plot.getViewBox().viewRange()[0])
        points = self.point_budget()
        key = (len(series), lo, hi, self.window.value(), len(self.grad_curves), points)
        if key == self._drawn_key:
            return
        self._drawn_key = key
        self.redraw_count += 1
        self._redrawn_at = time.monotonic()
        raw = series.cost_points(lo, hi, points)
        # a smooth curve needs no more than a point per pixel column; wide pens cost per point
        smooth = int(min(AVERAGE_POINTS, max(200, self.cost_plot.getViewBox().width())))
        average = series.average_points(lo, hi, self.window.value(), smooth)
        self.raw_curve.setData(*raw)
        self.average_curve.setData(*average)
        self._follow_y(self.cost_plot, raw[1], average[1], log=self.log_cost.isChecked())
        # per-step gradient norms are noisy enough to hide each other: draw each layer's moving average
        self._grad_points = series.grad_average_points(lo, hi, self.window.value(), smooth)
        if staged and self._grad_x_stale:
            self._grad_timer.start()
        else:
            self._show_grad_points()

    def _show_grad_points(self) -> None:
        if self._grad_x_stale:
            self._grad_x_stale = False
            self.grad_plot.getViewBox().linkedViewChanged(self.cost_plot.getViewBox(), pg.ViewBox.XAxis)
        if self._grad_points is None:
            return
        steps, means = self._grad_points
        self._grad_points = None
        if means.ndim == 2 and means.shape[1] == len(self.grad_curves):
            for layer, curve in enumerate(self.grad_curves):
                curve.setData(steps, means[:, layer])
            self._follow_y(self.grad_plot, means, log=True)

    def _follow_y(self, plot, *values, log: bool) -> None:
        if self.follow.isChecked():
            self.plots.fit_y(plot, *values, log=log)

    def point_budget(self) -> int:
        """Return how many points a step curve gets: a min and a max per pixel column."""
        return int(min(MAX_POINTS, max(400, 2 * self.cost_plot.getViewBox().width())))

    def _extend_x_range(self):
        # Moving the x range re-lays out both step axes (slow Python in pyqtgraph), so the
        # range grows to the next round number rather than with every new step.
        if not len(self.series):
            return
        x_end = nice_ceiling(float(self.series.steps[-1]), STEP_AXIS_ENDS)
        if x_end != self._x_end:
            self._x_end = x_end
            # The gradient plot, x-linked to this one, follows with its points on the staged
            # turn: both step axes re-laid out and both plots repainted in one frame took ~13 ms.
            grad_view = self.grad_plot.getViewBox()
            grad_view.blockLink(True)
            try:
                self.cost_plot.setXRange(float(self.series.steps[0]) - 1, x_end, padding=0.02)
            finally:
                grad_view.blockLink(False)
            self._grad_x_stale = True

    def _set_follow(self, follow: bool):
        if follow:
            self._x_end = None
            for plot in (self.cost_plot, self.grad_plot):
                plot.enableAutoRange(y=True)
        self._schedule(force=True)

    def _redraw_if_shown(self):
        # a chart in a tab behind another costs nothing until it is looked at
        if self.isVisible() and not self.visibleRegion().isEmpty():
            if not turns.TURNS.take("charts"):  # another costly job has this frame: the next one
                self._timer.start(turns.TURNS.wait_ms())
                return
            self.redraw(staged=True)
        else:
            self._stale = True

    def showEvent(self, event):
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self._schedule(force=True)

    def _schedule(self, force=False):
        if force:
            self._drawn_key = None
        if not self._timer.isActive():
            # one period after the last redraw, not after the data came: rows come every other
            # frame, and waiting a whole period from then lost a third of the redraws
            since = (time.monotonic() - self._redrawn_at) * 1000
            self._timer.start(max(0, int(self._redraw_ms - since)))

    def _set_log_cost(self, log: bool):
        self.cost_plot.setLogMode(y=log)
        self.cost_plot.enableAutoRange(y=True)

    def _make_grad_curves(self):
        self.plots.make_grad_curves(self.series.n_layers)
        self._schedule(force=True)

    def _grad_names(self):
        n = self.series.n_layers
        return self._names if len(self._names) == n else layer_names(n)

    def _hover(self, position):
        """Show the values under the pointer and a cursor line across the step plots."""
        series = self.series
        for plot in (self.cost_plot, self.grad_plot):
            if plot.sceneBoundingRect().contains(position) and len(series):
                step = plot.getViewBox().mapSceneToView(position).x()
                i = series.nearest_index(step)
                window = self.window.value()
                grads = " / ".join(f"{g:.2g}" for g in series.grad_norms[i])
                self.readout.setText(f"step {series.steps[i]:,} · cost {series.costs[i]:.3g} · mean "
                                     f"{series.average_at(i, window):.3g} · gradient norms {grads}")
                self.plots.show_cursor(float(series.steps[i]))
                return
        if self.accuracy_plot.sceneBoundingRect().contains(position):
            epoch = self.accuracy_plot.getViewBox().mapSceneToView(position).x()
            parts = []
            for split in ("train", "test"):
                rows = self.series.evaluations(split)
                if len(rows):
                    row = rows[int(np.argmin(np.abs(rows[:, 0] - epoch)))]
                    parts.append(f"{split} {row[1]:.2%} (cost {row[2]:.3g}) at epoch {row[0]:.2f}")
            self.readout.setText("; ".join(parts) or HOVER_HINT)
        self.plots.hide_cursors()
