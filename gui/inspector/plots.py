"""The inspector's pictures: a weight heat map with its colour bar, weight bars, an activation curve."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from core import activations as act
from core.history.series import nice_ceiling
from gui.widgets import colours
from gui.widgets.plot_type import set_plot_title
from gui.widgets.support import nice_scale, style_plot
from gui.widgets.theme import follow_theme, palette

CURVE_RANGE = 6.0  # the activation curve spans at least z ∈ [−6, 6]


class WeightImage(pg.GraphicsLayoutWidget):
    """Values laid out as an image on the diverging weight scale, symmetric around 0, with a colour bar."""

    def __init__(self, height: int = 230, label: str = "weight"):
        super().__init__()
        self.setFixedHeight(height)
        self.plot = self.addPlot()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setAspectLocked(True)
        self.plot.invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.bar = pg.ColorBarItem(values=(-1.0, 1.0), width=12, label=label, interactive=False,
                                   rounding=1e-9, colorMapMenu=False)
        self.bar.setImageItem(self.image, insert_in=self.plot)
        # ticks say the values as they are: a "(x0.001)" multiplier appended to the label was cut off
        for name in ("left", "right"):
            self.bar.getAxis(name).enableAutoSIPrefix(False)
        self.scale = None
        self._shape = None
        follow_theme(self)

    def set_values(self, values, scale: float) -> None:
        """Show values (H, W) with colours clipped at ±scale."""
        self.image.setImage(np.asarray(values, dtype=np.float32), autoLevels=False)
        # the colour bar's axis and the view are only touched when they change: redrawing them
        # costs more than the image itself
        if scale != self.scale:
            self.scale = float(scale)
            self.bar.setLevels((-self.scale, self.scale))
        if values.shape != self._shape:
            self._shape = values.shape
            self.plot.setRange(xRange=(0, values.shape[1]), yRange=(0, values.shape[0]), padding=0.02)

    def set_dark(self, dark: bool) -> None:
        self.setBackground(palette(dark).background)
        self.bar.setColorMap(colours.diverging_colormap(palette(dark).background))
        for name in ("left", "right", "top", "bottom"):
            self.bar.getAxis(name).setPen(pg.mkPen(palette(dark).muted))
        self.bar.axis.setTextPen(pg.mkPen(palette(dark).foreground))
        self.bar.getAxis("right").setLabel(self.bar.getAxis("right").labelText, color=palette(dark).foreground)


class WeightBars(pg.PlotWidget):
    """One bar per incoming weight, coloured on the weight scale; x is the source neuron's index."""

    def __init__(self, height: int = 130):
        super().__init__()
        self.setFixedHeight(height)
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8)
        self.addItem(self.bars)
        self.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen((128, 128, 128), width=1)))
        self.getPlotItem().setLabel("bottom", "neuron of the layer before")
        self.getPlotItem().setLabel("left", "weight")
        self._dark = True
        self._values = np.zeros(0)
        self._view = None
        follow_theme(self)

    def set_values(self, values) -> None:
        self._values = np.asarray(values, dtype=np.float64)
        self._draw()

    def _draw(self):
        values = self._values
        scale = nice_scale(colours.symmetric_scale(values, 100.0)) if values.size else 1.0
        lut = palette(self._dark).weight_lut(257)
        brushes = [pg.mkBrush(*lut[b]) for b in colours.to_bins(values, scale, len(lut))]
        self.bars.setOpts(x=np.arange(values.size), height=values, width=0.8, brushes=brushes,
                          pen=pg.mkPen(palette(self._dark).muted, width=0.5))
        view = (values.size, scale)
        if view != self._view:  # moving the axes redraws them: only when the range really changes
            self._view = view
            self.setXRange(-0.6, max(values.size - 0.4, 0.4), padding=0)
            self.setYRange(-scale, scale, padding=0.08)

    def set_dark(self, dark: bool) -> None:
        self._dark = dark
        self.setBackground(palette(dark).background)
        style_plot(self.getPlotItem(), dark)
        for name in ("left", "bottom"):
            axis = self.getPlotItem().getAxis(name)
            axis.setLabel(axis.labelText, color=palette(dark).foreground)
        self._draw()


class ActivationCurve(pg.PlotWidget):
    """A plot of a = f(z) with the current (z, a) marked."""

    def __init__(self, height: int = 150):
        super().__init__()
        self.setFixedHeight(height)
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        plot = self.getPlotItem()
        plot.setLabel("bottom", "weighted sum z")
        plot.setLabel("left", "activation a")
        plot.showGrid(x=True, y=True, alpha=0.15)
        self.curve = plot.plot([], [])
        self.guide = pg.InfiniteLine(angle=90, pen=pg.mkPen((128, 128, 128), style=Qt.PenStyle.DashLine))
        plot.addItem(self.guide)
        self.point = pg.ScatterPlotItem(size=11)
        plot.addItem(self.point)
        self._dark = True
        self._state = self._curve = self._frame = None
        self.getPlotItem().disableAutoRange()
        follow_theme(self)

    def set_point(self, function: str, z: float, a: float) -> None:
        """Draw the curve of `function` and mark (z, a)."""
        self._state = (function, float(z), float(a))
        self._draw()

    def _draw(self):
        if self._state is None:
            return
        function, z, a = self._state
        reach = self._reach_for(z)
        shift = 0.0
        if function == "softmax" and 0.0 < a < 1.0:
            # a softmax output depends on the other outputs too; with them held fixed it is
            # σ(z − log Σ_{k≠j} e^{z_k}): a sigmoid shifted so that it passes through the point
            shift = round(z - float(np.log(a / (1.0 - a))), 3)
        curve = (function, reach, shift, self._dark)
        if curve != self._curve:
            self._curve = curve
            zs = np.linspace(-reach, reach, 241)
            ys = act.sigmoid(zs - shift) if function == "softmax" else act.apply(function, zs.copy())
            self.curve.setData(zs, ys, pen=pg.mkPen(palette(self._dark).foreground, width=2))
            # A new range or title re-lays out the axes (the dearest part of a repaint): only
            # when they change, which the sticky reach makes rare while training runs.
            frame = (function, reach, round(float(ys.min()), 2), round(float(ys.max()), 2), self._dark)
            if frame != self._frame:
                self._frame = frame
                self.setXRange(-reach, reach, padding=0.02)
                self.setYRange(frame[2], frame[3], padding=0.08)
                title = "a = softmax(z), other outputs held fixed" if function == "softmax" else f"a = {function}(z)"
                set_plot_title(self, title, 9, color=palette(self._dark).foreground)
        self.guide.setValue(z)
        self.point.setData([z], [a], brush=pg.mkBrush(*palette(self._dark).selection), pen=pg.mkPen(None))

    def _reach_for(self, z: float) -> float:
        """Return the half-width of z shown: it covers z, and moves only in round steps.

        Kept while z stays inside and fills more than a quarter of it, so a z that wanders
        with every training step does not re-lay the plot out each time.
        """
        want = max(CURVE_RANGE, abs(z) * 1.15) if np.isfinite(z) else CURVE_RANGE
        reach = self._curve[1] if self._curve is not None else None
        if reach is not None and want <= reach <= 4.0 * want:
            return reach
        return nice_ceiling(want)

    def set_dark(self, dark: bool) -> None:
        self._dark = dark
        self.setBackground(palette(dark).background)
        plot = self.getPlotItem()
        style_plot(plot, dark)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setLabel(axis.labelText, color=palette(dark).foreground)
        self._draw()
