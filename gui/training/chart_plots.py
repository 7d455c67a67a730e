"""The training charts' three plots: their curves, cursors, titles and arrangement (no data of their own)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg  # after PySide6, so pyqtgraph picks the same binding
from PySide6.QtCore import QRectF, QTimer

from core.history.view_range import finite_bounds, sticky_range
from gui.widgets.chart_style import ChartTheme, LogFriendlyAxis, RoomyAxis
from gui.widgets.plot_titles import shrinkable_title

TITLE_SIZE = "9pt"
ACCURACY_MIN_SPAN = 5.0  # percentage points: the narrowest accuracy range drawn


class ChartPlots(pg.GraphicsLayoutWidget):
    """Cost per step, accuracy per epoch and gradient norm per step, stacked or side by side.

    It draws only what it is given: the owner sets the curves' points (`raw_curve`,
    `average_curve`, `accuracy_curves[split]`, `grad_curves[layer]`); `key()` returns what
    the titles name: the moving average's window and the weight layers' names. Signals: none.
    """

    def __init__(self, key, parent=None):
        super().__init__(parent)
        self.cost_plot = self.addPlot(row=0, col=0, axisItems={"left": LogFriendlyAxis("left"),
                                                               "bottom": RoomyAxis(min_spacing=1)})
        self.accuracy_plot = self.addPlot(row=1, col=0, axisItems={"bottom": RoomyAxis()})
        self.grad_plot = self.addPlot(row=2, col=0, axisItems={"left": LogFriendlyAxis("left"),
                                                               "bottom": RoomyAxis(min_spacing=1)})
        for plot in self.all_plots:
            shrinkable_title(plot)
        self.pens = None  # a ChartTheme, from set_dark
        self.wide = None
        self._key = key
        self.arrange(wide=False)
        self.grad_plot.setXLink(self.cost_plot)
        for plot in (self.cost_plot, self.grad_plot):
            plot.hideButtons()  # "Follow" replaces pyqtgraph's auto-range button here
            plot.enableAutoRange(x=False, y=True)
        self.grad_plot.setLogMode(y=True)  # per-layer norms differ by decades
        self.grad_plot.setLabel("bottom", "step")  # the cost plot above shares it
        self.accuracy_plot.setLabel("bottom", "epoch")
        self.accuracy_plot.setLabel("left", "accuracy %")
        for plot in self.all_plots:
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.getAxis("left").setWidth(52)  # equal widths line the plots' step axes up
        self.raw_curve = self.cost_plot.plot()
        self.average_curve = self.cost_plot.plot()
        self.accuracy_curves = {split: self.accuracy_plot.plot(symbol="o", symbolSize=6)
                                for split in ("train", "test")}
        self.grad_curves = []
        self.cursors = [pg.InfiniteLine(angle=90, movable=False) for _ in range(2)]
        for plot, cursor in zip((self.cost_plot, self.grad_plot), self.cursors):
            plot.addItem(cursor, ignoreBounds=True)
            cursor.hide()
        self._accuracy_moved = False  # the learner zoomed or panned the accuracy plot
        self.accuracy_plot.getViewBox().sigRangeChangedManually.connect(self._accuracy_moved_by_hand)

    @property
    def all_plots(self) -> tuple:
        return self.cost_plot, self.accuracy_plot, self.grad_plot

    def make_grad_curves(self, n_layers: int) -> None:
        """Give the gradient plot one curve per weight layer."""
        for curve in self.grad_curves:
            self.grad_plot.removeItem(curve)
        self.grad_curves = [self.grad_plot.plot(pen=self.pens.layer_pen(i)) for i in range(n_layers)]
        self.write_titles()

    def show_cursor(self, step: float) -> None:
        """Mark `step` with a line across both step plots."""
        for cursor in self.cursors:
            cursor.setPos(step)
            cursor.show()

    def hide_cursors(self) -> None:
        for cursor in self.cursors:
            cursor.hide()

    # -- ranges ----------------------------------------------------------------------------
    def fit_y(self, plot, *values, log: bool) -> None:
        """Fit the plot's y range to the curves' values in round steps (see core.view_range).

        pyqtgraph's auto-range would refit it to every redraw, and each refit re-lays out the
        axis and its grid: the dearest part of a chart's frame.
        """
        if log:
            values = [np.log10(v[v > 0]) for v in (np.asarray(v, dtype=float) for v in values)]
        bounds = finite_bounds(*values)
        if bounds is None:
            return
        vb = plot.getViewBox()
        current = None if vb.autoRangeEnabled()[1] else tuple(vb.viewRange()[1])
        target = sticky_range(current, *bounds)
        if target != current:
            plot.setYRange(*target, padding=0)

    def empty_accuracy_range(self) -> None:
        """Show the first epoch and the whole percent scale, not 0.2–0.8, until the first evaluation."""
        self._accuracy_moved = False
        self.accuracy_plot.setRange(xRange=(0, 1), yRange=(0, 100), padding=0.04)

    def fit_accuracy(self, rows) -> None:
        """Fit the accuracy plot to evaluation rows (epoch, accuracy, cost) in round steps, unless the learner moved it."""
        vb = self.accuracy_plot.getViewBox()
        auto_x, auto_y = vb.autoRangeEnabled()
        if self._accuracy_moved and not (auto_x or auto_y):
            return  # zoomed or panned by hand; pyqtgraph's "A" button hands it back
        self._accuracy_moved = False
        epochs = finite_bounds([0.0], *(r[:, 0] for r in rows))  # from the start of training
        percents = finite_bounds(*(r[:, 1] * 100.0 for r in rows))
        if epochs is None or percents is None:
            return
        x_now, y_now = (None if auto else tuple(r) for auto, r in zip((auto_x, auto_y), vb.viewRange()))
        x = sticky_range(x_now, *epochs, slack=0.3, limits=(0, np.inf), headroom=0.5)
        y = sticky_range(y_now, *percents, limits=(0, 100), min_span=ACCURACY_MIN_SPAN)
        if (x, y) != (x_now, y_now):
            # a little room around the range keeps the markers at 0 % and 100 % whole
            self.accuracy_plot.setRange(xRange=x, yRange=y, padding=0.04)

    def _accuracy_moved_by_hand(self, *_):
        self._accuracy_moved = True

    # -- the look ----------------------------------------------------------------------------
    def set_dark(self, dark: bool) -> None:
        self.pens = ChartTheme(dark)
        self.setBackground(self.pens.background)
        for plot in self.all_plots:
            self.pens.style_axes(plot)
        self.raw_curve.setPen(self.pens.raw_cost_pen())
        self.average_curve.setPen(self.pens.average_pen())
        for split, curve in self.accuracy_curves.items():
            colour = self.pens.split_colour(split)
            curve.setPen(pg.mkPen(colour, width=2))
            curve.setSymbolBrush(colour)
            curve.setSymbolPen(pg.mkPen(colour))
        for i, curve in enumerate(self.grad_curves):
            curve.setPen(self.pens.layer_pen(i))
        for cursor in self.cursors:
            cursor.setPen(self.pens.cursor_pen())
        self.write_titles()

    def arrange(self, wide: bool) -> None:
        """Lay the three charts out in a column, or side by side when wide is True."""
        if wide == self.wide:
            return
        self.wide = wide
        layout = self.ci
        for plot in self.all_plots:
            layout.removeItem(plot)
        for i, plot in enumerate(self.all_plots):
            layout.addItem(plot, row=0 if wide else i, col=i if wide else 0)
        for i, stretch in enumerate((3, 2, 2)):
            layout.layout.setRowStretchFactor(i, 0 if wide else stretch)
            layout.layout.setColumnStretchFactor(i, stretch if wide else 0)
        if wide:
            self.cost_plot.setLabel("bottom", "step")
        else:
            self.cost_plot.setLabel("bottom", None)
        self.write_titles()
        # re-fit the rearranged grid to the view (it keeps the geometry of the old arrangement)
        QTimer.singleShot(0, lambda: self.ci.setGeometry(QRectF(self.rect())))

    def write_titles(self) -> None:
        """Write each plot's title with the key to its curves (no legend box over the data)."""
        theme = self.pens
        if theme is None:
            return  # during construction: set_dark writes the first titles
        window, names = self._key()
        if self.wide:  # side by side: each key under its title, layers named briefly
            n = len(names)
            short = [f"{'in' if i == 0 else i}→{'out' if i == n - 1 else i + 1}" for i in range(n)]
            self.cost_plot.setTitle(theme.keyed_title("Cost", [
                (theme.muted, "━", "each batch"),
                (theme.average_pen().color(), "━", f"mean of {window:,}")], stacked=True),
                size=TITLE_SIZE)
            self.accuracy_plot.setTitle(theme.keyed_title("Accuracy", [
                (theme.split_colour("train"), "●", "train (10k)"), (theme.split_colour("test"), "●", "test")],
                stacked=True), size=TITLE_SIZE)
            self.grad_plot.setTitle(theme.keyed_title("Gradient norm", [
                (theme.layer_pen(i).color(), "━", name) for i, name in enumerate(short)], stacked=True),
                size=TITLE_SIZE)
            return
        self.cost_plot.setTitle(theme.keyed_title("Cost", [
            (theme.muted, "━", "each mini-batch"),
            (theme.average_pen().color(), "━", f"mean of last {window:,}")]), size=TITLE_SIZE)
        self.accuracy_plot.setTitle(theme.keyed_title("Accuracy", [
            (theme.split_colour(split), "●", text) for split, text in (
                ("train", "train (10k sample)"), ("test", "test set"))]), size=TITLE_SIZE)
        self.grad_plot.setTitle(theme.keyed_title("Gradient norm (mean)", [
            (theme.layer_pen(i).color(), "━", name) for i, name in enumerate(names)]),
            size=TITLE_SIZE)
