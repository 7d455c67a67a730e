"""Where every neuron and connection of the network diagram sits (pure NumPy, no Qt).

Coordinates are the diagram's own units, chosen equal to device pixels when the diagram is
fitted to a widget of `width` × `height`, with y growing downwards. The input layer is the
image itself: one square cell per pixel, so the learner sees which pixels feed the network.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TITLE_SPACE = 40.0  # room above the columns for the layer titles
LABEL_SPACE = 215.0  # room right of the output layer for class names and the prediction
MAX_RADIUS = 18.0
MIN_RADIUS = 1.5


@dataclass(frozen=True)
class DiagramLayout:
    """Positions of the neurons of a network with `sizes`, fitted into width × height."""

    sizes: tuple
    width: float
    height: float
    image_shape: tuple | None  # (rows, cols) when the input layer is drawn as an image
    grid_rect: tuple | None  # (x, y, w, h) of the input image, None when inputs are a column
    centres: tuple  # centres[k]: (n_k, 2) positions of the neurons of layer k
    radii: tuple  # radii[k]: drawn radius of layer k's neurons (half a cell for pixels)
    top: float = TITLE_SPACE  # the band above the columns kept for their titles

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def segments(self, layer: int) -> tuple:
        """Return (x0, y0, x1, y1), each (n_out·n_in,), of weight layer `layer`'s connections.

        The order is that of `weights[layer].ravel()`: connection (j, i) is at j·n_in + i.
        """
        src, dst = self.centres[layer], self.centres[layer + 1]
        n_out, n_in = len(dst), len(src)
        x0 = np.tile(src[:, 0], n_out)
        y0 = np.tile(src[:, 1], n_out)
        x1 = np.repeat(dst[:, 0], n_in)
        y1 = np.repeat(dst[:, 1], n_in)
        return x0, y0, x1, y1

    def neuron_at(self, x: float, y: float, slack: float = 1.0):
        """Return (layer, index) of the neuron drawn at (x, y), or None."""
        if self.grid_rect is not None:
            gx, gy, gw, gh = self.grid_rect
            rows, cols = self.image_shape
            if gx <= x < gx + gw and gy <= y < gy + gh:
                r = min(int((y - gy) / gh * rows), rows - 1)
                c = min(int((x - gx) / gw * cols), cols - 1)
                return 0, r * cols + c
        for layer in range(0 if self.grid_rect is None else 1, len(self.sizes)):
            pts = self.centres[layer]
            reach = self.radii[layer] * slack + 2.0
            if abs(x - pts[0, 0]) > reach:
                continue
            d2 = (pts[:, 0] - x) ** 2 + (pts[:, 1] - y) ** 2
            best = int(np.argmin(d2))
            if d2[best] <= reach * reach:
                return layer, best
        return None


def column(n: int, x: float, top: float, bottom: float, max_spacing: float) -> tuple:
    """Return ((n, 2) centres, radius) of n neurons spread evenly, centred in [top, bottom]."""
    spacing = min((bottom - top) / n, max_spacing)
    mid = 0.5 * (top + bottom)
    ys = mid + (np.arange(n) - (n - 1) / 2.0) * spacing
    radius = float(np.clip(0.38 * spacing, MIN_RADIUS, MAX_RADIUS))
    return np.column_stack([np.full(n, x), ys]), radius


def make_layout(sizes, width: float, height: float, image_shape=(28, 28), title_space: float = TITLE_SPACE,
                label_space: float = LABEL_SPACE, column_gap: float = 0.0) -> DiagramLayout:
    """Return the layout of a network with `sizes` drawn in a width × height area.

    title_space and label_space: the room kept above the columns and right of the outputs
    for their texts (they grow with the type size); column_gap: the least room between two
    columns (for their titles), taken from the input image's share when the width is short.
    """
    sizes = tuple(int(n) for n in sizes)
    width, height = max(float(width), 320.0), max(float(height), 240.0)
    top, bottom = title_space, height - 12.0
    left = 14.0
    is_image = image_shape is not None and int(np.prod(image_shape)) == sizes[0]
    if is_image:
        rows, cols = (int(v) for v in image_shape)
        # the image is as large as the height allows, but leaves most of the width to the lines
        side = min(0.66 * (bottom - top), 0.27 * width)
        columns = width - min(label_space, 0.45 * width) - left - side
        need = (0.35 + len(sizes) - 1) * column_gap  # the first gap has 1.35 shares
        side = max(min(side, side - (need - columns)), 0.08 * width) if columns < need else side
        cell = side / max(rows, cols)
        gw, gh = cell * cols, cell * rows
        gy = 0.5 * (top + bottom) - 0.5 * gh
        grid_rect = (left, gy, gw, gh)
        r, c = np.divmod(np.arange(sizes[0]), cols)
        centres = [np.column_stack([left + (c + 0.5) * cell, gy + (r + 0.5) * cell])]
        radii = [0.5 * cell]
        start = left + gw
    else:
        image_shape, grid_rect = None, None
        pts, radius = column(sizes[0], left + MAX_RADIUS, top, bottom, 3.2 * MAX_RADIUS)
        centres, radii, start = [pts], [radius], left + 2 * MAX_RADIUS
    end = width - min(label_space, 0.45 * width)
    n_cols = len(sizes) - 1
    # the first gap holds the most connections, so it gets a larger share of the width
    shares = np.array([1.35] + [1.0] * (n_cols - 1))
    xs = start + np.cumsum(shares) / shares.sum() * (end - start)
    for k in range(1, len(sizes)):
        pts, radius = column(sizes[k], float(xs[k - 1]), top, bottom, 3.2 * MAX_RADIUS)
        centres.append(pts)
        radii.append(radius)
    return DiagramLayout(sizes, width, height, tuple(image_shape) if image_shape else None,
                         grid_rect, tuple(centres), tuple(radii), top)
