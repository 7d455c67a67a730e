"""Colours and pens of the training charts, for a dark or a light background."""
from __future__ import annotations

import math

from PySide6.QtGui import QColor

import pyqtgraph as pg

from gui.colors import DARK_BACKGROUND, LIGHT_BACKGROUND
from gui.plot_cache import cache_static_parts

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
    """Pens and colours for one background."""

    def __init__(self, dark: bool):
        self.dark = dark
        self.background = QColor(*(DARK_BACKGROUND if dark else LIGHT_BACKGROUND))
        self.foreground = QColor(*((205, 208, 214) if dark else (40, 40, 44)))
        self.muted = QColor(*((130, 134, 142) if dark else (120, 120, 126)))

    def split_colour(self, split: str) -> QColor:
        # train blue, test orange: the two ends of the app's weight scale, easy to tell apart
        if split == "train":
            return QColor(*((86, 180, 233) if self.dark else (0, 114, 178)))
        return QColor(*((240, 160, 40) if self.dark else (213, 94, 0)))

    def raw_cost_pen(self):
        colour = QColor(self.muted)
        colour.setAlpha(150)
        return pg.mkPen(colour, width=1)

    def average_pen(self):
        # the one wide pen: wide polylines are slow to stroke, so this curve gets fewer points
        return pg.mkPen(QColor(*((255, 190, 60) if self.dark else (200, 90, 0))), width=2)

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
