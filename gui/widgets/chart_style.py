"""Colours and pens of the training charts, for a dark or a light background."""
from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFontMetricsF

from gui.widgets.plot_cache import cache_static_parts
from gui.widgets.theme import palette

# Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), in the
# order the gradient-norm curves take them; yellow last, as it is faint on white.
LAYER_COLOURS = ((230, 159, 0), (86, 180, 233), (0, 158, 115), (204, 121, 167), (213, 94, 0),
                 (0, 114, 178), (240, 228, 66))


def layer_names(n_weight_layers: int) -> list:
    """Return readable names of the weight layers: "input → hidden 1", …, "hidden 2 → output"."""
    def neuron_layer(k):
        return "input" if k == 0 else "output" if k == n_weight_layers else f"hidden {k}"
    return [f"{neuron_layer(l)} → {neuron_layer(l + 1)}" for l in range(n_weight_layers)]


class ChartTheme:
    """The charts' pens, from the theme's palette for one background."""

    def __init__(self, dark: bool):
        self.dark = dark
        self.palette = palette(dark)
        self.background = self.palette.qcolor("background")
        self.foreground = self.palette.qcolor("plot_text")
        self.muted = self.palette.qcolor("faint")

    def split_colour(self, split: str) -> QColor:
        # train blue, test orange: the two ends of the app's weight scale, easy to tell apart
        return self.palette.qcolor("train" if split == "train" else "test")

    def raw_cost_pen(self):
        colour = QColor(self.muted)
        colour.setAlpha(150)
        return pg.mkPen(colour, width=1)

    def average_pen(self):
        # the one wide pen: wide polylines are slow to stroke, so this curve gets fewer points
        return pg.mkPen(self.palette.qcolor("average"), width=2)

    def layer_pen(self, layer: int):
        return pg.mkPen(QColor(*LAYER_COLOURS[layer % len(LAYER_COLOURS)]), width=2)

    def cursor_pen(self):
        colour = QColor(self.foreground)
        colour.setAlpha(110)
        return pg.mkPen(colour, width=1)

    def keyed_title(self, title: str, keys, stacked: bool = False) -> str:
        """Return a plot title followed (or, stacked, underlined) by its key: (colour, mark, name) per curve."""
        head = f"<span style='color:{self.foreground.name()}'>{title}</span>"
        parts = [f"<span style='color:{QColor(colour).name()}'>{mark}&nbsp;{name}</span>" for colour, mark, name in keys]
        if stacked:
            return head + "<br>" + "&nbsp;&nbsp;".join(parts)
        return "&nbsp;&nbsp;&nbsp;".join([head, *parts])

    def style_axes(self, plot) -> None:
        """Colour a plot's axes for this background."""
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(self.muted))
            axis.setTextPen(pg.mkPen(self.foreground))
        cache_static_parts(plot)


class LogFriendlyAxis(pg.AxisItem):
    """An axis whose log-scale labels stay apart: 1, 2, 5 × 10ⁿ as room allows, other ticks bare."""

    _pixels_per_decade = 100.0

    def __init__(self, orientation="left", **kwargs):
        super().__init__(orientation, **kwargs)
        if orientation in ("left", "right"):  # a label past the plot's end would run into its title
            self.setStyle(hideOverlappingLabels=True)

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        self._pixels_per_decade = size / max(maxVal - minVal, 1e-9)
        return super().logTickValues(minVal, maxVal, size, stdTicks)

    def logTickStrings(self, values, scale, spacing):
        room = self._pixels_per_decade
        labelled = (1, 2, 5) if room >= 110 else (1, 3) if room >= 45 else (1,)
        strings = []
        for v in values:
            x = 10.0 ** v * scale
            mantissa = round(x / 10.0 ** math.floor(math.log10(x)), 3) if x > 0 else 0
            strings.append(f"{x:g}" if mantissa in labelled else "")
        return strings


def short_numbers(values, spacing: float) -> list:
    """Return tick labels for `values` on ticks `spacing` apart, in one unit for the whole axis:
    0, 10k, 20k (from 10,000 up) or 0, 0.5M, 1M (from a million up)."""
    largest = max((abs(v) for v in values), default=0.0)
    for unit, suffix in ((1e6, "M"), (1e4, "k")):
        if largest >= unit:
            unit = 1e3 if suffix == "k" else unit
            return [f"{v / unit:.6g}{suffix}" if v else "0" for v in values]
    places = max(0, math.ceil(-math.log10(spacing))) if spacing > 0 else 0
    return [f"{v:.{places}f}" for v in values]


class RoomyAxis(pg.AxisItem):
    """A linear axis whose labels never run into each other, however narrow (or short) the plot.

    pyqtgraph spaces ticks by the axis length alone, so on a narrow plot of steps "10000" and
    "20000" print as "1000020000". Here a tick level is kept only if its ticks lie at least a
    label's width (and a gap) apart; big numbers are shortened to 10k, 2.5M.
    """

    GAP_EM = 1.0  # empty room between neighbouring labels, in widths of "m"

    def __init__(self, orientation="bottom", min_spacing=0.0, **kwargs):
        super().__init__(orientation, **kwargs)
        self.min_spacing = min_spacing  # 1 for steps: no tick at step 0.5
        self.enableAutoSIPrefix(False)  # the labels carry their own k and M
        if orientation in ("left", "right"):  # a label that would stick out past the plot is left out, not cut
            self.setStyle(hideOverlappingLabels=True)

    def label_room(self, min_value: float, max_value: float, spacing: float) -> float:
        """Return how many pixels along the axis a label needs, gap included."""
        metrics = QFontMetricsF(self.style.get("tickFont") or self.font())
        if self.orientation in ("left", "right"):  # labels stack: a line of text and a little gap
            return 1.3 * metrics.height()
        widest = max(metrics.horizontalAdvance(text) for text in short_numbers((min_value, max_value), spacing))
        return widest + self.GAP_EM * metrics.horizontalAdvance("m")

    def tickSpacing(self, minVal, maxVal, size):
        levels = super().tickSpacing(minVal, maxVal, size)
        if self.logMode or not levels or size <= 0:
            return levels
        per_pixel = abs(maxVal - minVal) / size
        kept = [(s, o) for s, o in levels
                if s >= self.min_spacing and s / per_pixel >= self.label_room(minVal, maxVal, s)]
        if kept:
            return kept
        spacing = max(levels[0][0], self.min_spacing)
        while spacing / per_pixel < self.label_room(minVal, maxVal, spacing):  # 1, 2, 5 × 10ⁿ upwards
            mantissa = spacing / 10 ** math.floor(math.log10(spacing) + 1e-9)
            spacing *= 2.5 if round(mantissa) == 2 else 2
        return [(spacing, 0)]

    def tickStrings(self, values, scale, spacing):
        if self.logMode:
            return super().tickStrings(values, scale, spacing)
        return short_numbers([v * scale for v in values], spacing * scale)
