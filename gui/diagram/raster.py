"""Paints the diagram's connections into an image, fast enough to redo many times a second.

Painting 12,960 long lines with QPainter costs tens of milliseconds (and holds the GIL), and
110,000 cost seconds, so connections are drawn at two levels of detail:

* crisp: every connection of a sparse block, and the strongest few hundred of a dense one,
  as 1-px lines, one `drawLines` call per colour bin, weakest first so strong ones end on top.
  Pens are opaque (the bin's opacity is blended with the background beforehand) and just
  over a pixel wide: Qt then fills them as polygons, 6–30× faster than translucent hairlines;
* haze: the rest of a dense block (784 × 16 is a wall of lines a few tenths of a pixel
  apart), summed in NumPy on a coarse grid and scaled up smoothly. Connections that run
  within one coarse pixel of each other at both ends are merged first, so the cost depends
  on the picture's size, not on the number of connections. The haze's colour is the mean
  value of the connections under a pixel, weighted towards the strong ones, and its opacity
  their combined opacity, so faint connections still hint at their sign and density. It is
  blended with the background beforehand: scaling an opaque image up is a cheap blit.
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from gui.diagram.edges import N_BINS, bin_alpha, bin_colours, bin_strength
from gui.widgets.theme import palette

try:  # zero-copy QLineF arrays (what pyqtgraph's own curves use)
    from pyqtgraph.Qt.internals import PrimitiveArray
except ImportError:  # pragma: no cover - older pyqtgraph
    PrimitiveArray = None

SPARSE_LIMIT = 1500  # a block with at most this many visible connections is drawn all crisp
CRISP_BUDGET = 250  # crisp lines shared by the dense blocks (≈ 1 ms per 150 long lines)
HAZE_SAMPLES = 120_000  # coarse-grid samples the haze may cost: picks its resolution
HAZE_FACTORS = (6, 8, 12, 16)
HAZE_WEIGHT_POWER = 4  # strong connections dominate a haze pixel's colour, as they would on top
HAZE_GAIN = 0.8  # the haze stays a little behind the crisp lines
MIN_LINE_ALPHA = 0.06  # fainter lines differ from the background by a few levels: not drawn


class HazePlan:
    """Merged connections of one dense block and where they cross a coarse grid.

    Built once per view geometry; `image` then costs a few `bincount`s per frame.
    xa, ya → xb, yb: the visible part of each connection, in device pixels.
    """

    def __init__(self, xa, ya, xb, yb, width: int, height: int, factor: int):
        s = self.factor = int(factor)
        rows, cols = -(-int(height) // s), -(-int(width) // s)
        ra = np.clip(np.floor(ya / s), 0, rows - 1).astype(np.int64)
        rb = np.clip(np.floor(yb / s), 0, rows - 1).astype(np.int64)
        ca = np.floor(xa / s).astype(np.int64)
        key = (ca * rows + ra) * rows + rb
        uniq, group = np.unique(key, return_inverse=True)
        self.group_of_edge = group.astype(np.intp).ravel()
        n = self.n_groups = len(uniq)
        count = np.bincount(self.group_of_edge, minlength=n)
        gxa, gya, gxb, gyb = (np.bincount(self.group_of_edge, v, n) / count for v in (xa, ya, xb, yb))
        k0 = min(max(int(np.floor(gxa.min() / s)), 0), cols)
        k1 = max(min(int(np.ceil(gxb.max() / s)), cols), k0)
        kc = (np.arange(k0, k1) + 0.5) * s  # coarse column centres
        t = (kc[None, :] - gxa[:, None]) / np.maximum(gxb - gxa, 1e-9)[:, None]
        row = np.floor((gya[:, None] * (1 - t) + gyb[:, None] * t) / s).astype(np.int64)
        inside = (t >= 0) & (t <= 1) & (row >= 0) & (row < rows)
        r_lo = int(row[inside].min()) if inside.any() else 0
        r_hi = int(row[inside].max()) + 1 if inside.any() else r_lo
        self.rect = QtCore.QRectF(k0 * s, r_lo * s, (k1 - k0) * s, (r_hi - r_lo) * s)
        self.shape = (r_hi - r_lo, k1 - k0)
        column = np.broadcast_to(np.arange(k1 - k0)[None, :], row.shape)
        # one sample per merged connection and coarse column, in group order, so that
        # "each sample's group value" is a cheap np.repeat rather than a gather
        self.sample_pix = ((row - r_lo) * self.shape[1] + column)[inside]
        self.samples_per_group = inside.sum(axis=1)

    @staticmethod
    def samples_for(xa, xb, ya, yb, factor: int) -> int:
        """Return roughly how many samples a plan at `factor` would hold (to pick a factor)."""
        span = float(np.max(xb) - np.min(xa)) / factor
        rows_a = np.unique(np.floor(ya / factor)).size
        rows_b = np.unique(np.floor(yb / factor)).size
        return int(span * min(rows_a * rows_b, len(xa)))

    def image(self, bins, include, lut, background) -> QtGui.QImage:
        """Return the opaque haze (blended over `background`) of the connections `include`d."""
        # a connection adds to its group's sums according to its bin only, so count
        # (group, bin) pairs once, then weigh the bins: two passes over 100,000 connections
        key = self.group_of_edge[include] * N_BINS + bins[include]
        hist = np.bincount(key, minlength=self.n_groups * N_BINS).reshape(self.n_groups, N_BINS)
        per_group = hist @ _BIN_SUMS  # (groups, 3): Σ w·u, Σ w, Σ α
        size = self.shape[0] * self.shape[1]
        sums = [_blur(np.bincount(self.sample_pix, np.repeat(per_group[:, c], self.samples_per_group),
                                  size).reshape(self.shape)).ravel() for c in range(3)]
        mean = np.divide(sums[0], sums[1], out=np.zeros(size), where=sums[1] > 0)
        opacity = HAZE_GAIN * (1.0 - np.exp(-sums[2] / self.factor))
        idx = np.clip(np.round((mean + 1) * 0.5 * (len(lut) - 1)).astype(np.intp), 0, len(lut) - 1)
        bg = np.asarray(background[:3], dtype=np.float64)
        rgb = np.round(bg + opacity[:, None] * (lut[idx] - bg)).astype(np.uint32)
        argb = np.ascontiguousarray((0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2])
                                    .reshape(self.shape))
        img = QtGui.QImage(argb.data, self.shape[1], self.shape[0], 4 * self.shape[1],
                           QtGui.QImage.Format.Format_RGB32)
        return img.copy()  # own the pixels: the array dies with this call


def _blur(a: np.ndarray) -> np.ndarray:
    """Return a smoothed with a [1, 2, 1] / 4 kernel along both axes (coarse samples band)."""
    out = a * 0.5
    out[1:] += a[:-1] * 0.25
    out[:-1] += a[1:] * 0.25
    res = out * 0.5
    res[:, 1:] += out[:, :-1] * 0.25
    res[:, :-1] += out[:, 1:] * 0.25
    return res


def _bin_sums() -> np.ndarray:
    """Return per bin (value·weight, weight, opacity) that a connection adds to a haze pixel."""
    u = (np.arange(N_BINS) + 0.5) / N_BINS * 2 - 1  # the bin's value / scale
    w = np.abs(u) ** HAZE_WEIGHT_POWER  # strong connections dominate the colour
    return np.column_stack([w * u, w, bin_alpha(N_BINS)])


_BIN_SUMS = _bin_sums()


class EdgeRaster:
    """Renders connections at fixed device geometry (rebuild it when the view changes).

    segments[l] = (x0, y0, x1, y1) of weight layer l in device pixels; clip_rect (x, y, w, h)
    is the input image (lines of layer 0 are hidden under it unless drawn over it).
    """

    def __init__(self, segments, width: int, height: int, clip_rect=None, dark=True):
        self.segments = [tuple(np.asarray(a, dtype=np.float64) for a in seg) for seg in segments]
        self.width, self.height = int(width), int(height)
        self.clip_rect = clip_rect
        self._plans = {}
        self.set_dark(dark)
        self.last_counts = (0, 0)  # (crisp lines, hazed connections) in the last paint
        self._hazed = 0  # connections the last paint_haze hazed

    def set_dark(self, dark: bool) -> None:
        self.dark = dark
        bg = np.array(palette(dark).background, dtype=float)
        self._background = bg
        self._lut = palette(dark).weight_lut(256)
        rgba = bin_colours(N_BINS, dark).astype(float)
        alpha = rgba[:, 3:] / 255.0
        opaque = np.round(rgba[:, :3] * alpha + bg * (1 - alpha)).astype(int)
        self._pens = [QtGui.QPen(QtGui.QColor(*map(int, c)), 1.05) for c in opaque]
        # the selected neuron's connections: more opaque and a little wider than the rest
        boosted = 0.4 + 0.6 * alpha
        strong = np.round(rgba[:, :3] * boosted + bg * (1 - boosted)).astype(int)
        self._emphasis_pens = [QtGui.QPen(QtGui.QColor(*map(int, c)), 1.6) for c in strong]
        self._lines = PrimitiveArray(QtCore.QLineF, 4) if PrimitiveArray else None

    def visible_start(self, layer: int, idx=None, over_image=False):
        """Return (x0, y0, x1, y1) of a layer's lines, starting at the image's right edge."""
        x0, y0, x1, y1 = (a if idx is None else a[idx] for a in self.segments[layer])
        if layer == 0 and self.clip_rect is not None and not over_image:
            # every line starts at the image's right edge: a line leaving through its top or
            # bottom would run above or below the image, where a narrow window piles the fan up
            left, _, width, _ = self.clip_rect
            dx, dy = x1 - x0, y1 - y0
            t = np.clip((left + width - x0) / np.maximum(dx, 1e-9), 0.0, 1.0)
            x0, y0 = x0 + t * dx, y0 + t * dy
        return x0, y0, x1, y1

    def plan(self, layer: int) -> HazePlan:
        """Return (building once) the haze plan of a weight layer."""
        if layer not in self._plans:
            xa, ya, xb, yb = self.visible_start(layer)
            factor = HAZE_FACTORS[-1]
            for f in HAZE_FACTORS:
                if HazePlan.samples_for(xa, xb, ya, yb, f) <= HAZE_SAMPLES:
                    factor = f
                    break
            self._plans[layer] = HazePlan(xa, ya, xb, yb, self.width, self.height, factor)
        return self._plans[layer]

    def crisp_split(self, layers) -> list:
        """Return, per layer, the flat indices drawn crisp (the rest of a dense block is haze)."""
        chosen, dense = [None] * len(layers), []
        for l, lp in enumerate(layers):
            if lp is None:
                continue
            idx = np.flatnonzero(lp.visible)
            if idx.size <= SPARSE_LIMIT:
                chosen[l] = idx
            else:
                strength = (lp.strength if lp.strength is not None else bin_strength(N_BINS)[lp.bins])[idx]
                dense.append((l, idx, strength))
        share = CRISP_BUDGET // max(len(dense), 1)  # each dense block shows its own strongest
        for l, idx, st in dense:
            cut = np.partition(st, st.size - share)[st.size - share] if st.size > share else -np.inf
            chosen[l] = idx[st >= cut]
        return chosen

    def paint(self, painter: QtGui.QPainter, layers, underlay=None) -> list:
        """Paint every layer's connections (layers[l] is a LayerPaint or None to skip).

        underlay(painter) paints between the haze and the lines (the input image when lines
        run over it). Returns, per layer, the flat indices drawn as crisp lines.
        """
        crisp = self.paint_haze(painter, layers, underlay)
        self.paint_lines(painter, layers, crisp)
        return crisp

    def paint_haze(self, painter: QtGui.QPainter, layers, underlay=None) -> list:
        """Paint the first half of `paint`: the haze of the dense blocks, then the underlay.

        Returns the crisp split, for `paint_lines` (the second half, which may come on a later
        turn of the event loop: each half is about half the cost).
        """
        crisp = self.crisp_split(layers)
        hazed = 0
        painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform, True)
        for l, lp in enumerate(layers):
            if lp is None or crisp[l] is None or crisp[l].size == np.count_nonzero(lp.visible):
                continue
            include = lp.visible.copy()
            include[crisp[l]] = False  # drawn crisp on top: the haze shows the rest
            hazed += int(np.count_nonzero(include))
            plan = self.plan(l)
            if plan.shape[0] * plan.shape[1] > 0:  # empty when the block is scrolled out of view
                painter.drawImage(plan.rect, plan.image(lp.bins, include, self._lut, self._background))
        if underlay is not None:
            underlay(painter)
        self._hazed = hazed
        return crisp

    def paint_lines(self, painter: QtGui.QPainter, layers, crisp) -> None:
        """Paint the second half of `paint`: the crisp lines over what paint_haze painted."""
        hazed = self._hazed
        order = np.argsort(bin_strength(N_BINS), kind="stable")  # weakest bins first
        lines = 0
        for l, lp in enumerate(layers):
            if lp is None or crisp[l] is None or crisp[l].size == 0:
                continue
            lines += self._draw_binned(painter, l, crisp[l], lp, self._pens, order)
        for l, lp in enumerate(layers):  # the selected neuron's connections last, thick
            if lp is not None and lp.emphasis is not None and lp.emphasis.any():
                self._draw_binned(painter, l, np.flatnonzero(lp.emphasis & lp.visible), lp,
                                  self._emphasis_pens, order)
        self.last_counts = (lines, hazed)

    def _draw_binned(self, painter, layer, idx, lp, pens, order) -> int:
        """Draw connections idx of a layer, one drawLines per colour bin, in `order` of bins."""
        if pens is self._pens:  # a line of the faintest bins would be drawn in the background colour
            idx = idx[bin_alpha(N_BINS)[lp.bins[idx]] >= MIN_LINE_ALPHA]
        x0, y0, x1, y1 = self.visible_start(layer, idx, lp.over_image)
        coords = np.column_stack([x0, y0, x1, y1])
        bins = lp.bins[idx]
        sort = np.argsort(bins, kind="stable")
        starts = np.searchsorted(bins[sort], np.arange(N_BINS + 1))
        for b in order:
            lo, hi = starts[b], starts[b + 1]
            if hi > lo:
                painter.setPen(pens[b])
                self._draw_lines(painter, coords[sort[lo:hi]])
        return len(idx)

    def _draw_lines(self, painter, coords) -> None:
        """Draw an (n, 4) array of x0, y0, x1, y1 with the painter's pen."""
        if self._lines is None:
            painter.drawLines([QtCore.QLineF(*row) for row in coords.tolist()])
            return
        self._lines.resize(len(coords))
        self._lines.ndarray()[:] = coords
        painter.drawLines(*self._lines.drawargs())
