"""Every neuron of a layer as the picture of its incoming weights, tiled into one mosaic.

A neuron of the first hidden layer weighs the 784 pixels, so its weights form a 28×28
picture: what it looks for in an image. A deeper neuron weighs the neurons of the layer
before; its weights are laid out as a small grid over that layer (16 → 4×4). One mosaic of
all tiles is what the view draws, as one image, so 128 neurons cost one texture, not 128.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def tile_shape(n_in: int, image_shape=None) -> tuple:
    """Return (rows, cols) of one neuron's tile: the image shape, else a near-square grid."""
    if image_shape is not None and len(image_shape) == 2 and image_shape[0] * image_shape[1] == n_in:
        return int(image_shape[0]), int(image_shape[1])
    cols = math.ceil(math.sqrt(n_in))
    return math.ceil(n_in / cols), cols


def weight_tiles(w, image_shape=None) -> np.ndarray:
    """Return each row of w (n_out, n_in) as a tile (n_out, rows, cols); unused cells are NaN."""
    w = np.asarray(w, dtype=np.float32)
    n_out, n_in = w.shape
    rows, cols = tile_shape(n_in, image_shape)
    tiles = np.full((n_out, rows * cols), np.nan, dtype=np.float32)
    tiles[:, :n_in] = w
    return tiles.reshape(n_out, rows, cols)


@dataclass(frozen=True)
class MosaicLayout:
    """Where each tile of a page sits in the mosaic (row 0 at the top)."""

    n_tiles: int  # tiles on this page
    first: int  # neuron index of the page's first tile
    columns: int
    tile: tuple  # (rows, cols) of one tile
    gap: int  # cells between tiles

    @property
    def shape(self) -> tuple:
        """Return (height, width) of the mosaic in cells."""
        grid_rows = max(1, math.ceil(self.n_tiles / self.columns))
        th, tw = self.tile
        return grid_rows * (th + self.gap) - self.gap, self.columns * (tw + self.gap) - self.gap

    def origin(self, k: int) -> tuple:
        """Return (row, col) of the top-left cell of the page's k-th tile."""
        r, c = divmod(k, self.columns)
        return r * (self.tile[0] + self.gap), c * (self.tile[1] + self.gap)

    def neuron_at(self, row: float, col: float) -> int:
        """Return the neuron whose tile holds cell (row, col), or −1 (a gap or outside)."""
        if row < 0 or col < 0:
            return -1
        th, tw = self.tile
        r, dr = divmod(int(row), th + self.gap)
        c, dc = divmod(int(col), tw + self.gap)
        if dr >= th or dc >= tw or c >= self.columns:
            return -1
        k = r * self.columns + c
        return self.first + k if k < self.n_tiles else -1


def page_layout(n_neurons: int, tile: tuple, page: int, page_size: int, gap: int = 1,
                aspect: float = 2.0) -> MosaicLayout:
    """Return the layout of page `page` (0-based) for a mosaic about `aspect` times wider than tall."""
    first = page * page_size
    n = max(0, min(page_size, n_neurons - first))
    th, tw = tile
    # choose the columns so that the whole grid's width/height comes near the aspect asked for
    best, best_err = 1, math.inf
    for columns in range(1, max(1, n) + 1):
        rows = math.ceil(max(1, n) / columns)
        ratio = (columns * (tw + gap)) / (rows * (th + gap))
        err = abs(math.log(ratio / aspect))
        if err < best_err:
            best, best_err = columns, err
    return MosaicLayout(n, first, best, (th, tw), gap)


def compose(tiles, layout: MosaicLayout) -> np.ndarray:
    """Return the page's tiles placed in one (H, W) float32 array; gaps are NaN."""
    out = np.full(layout.shape, np.nan, dtype=np.float32)
    th, tw = layout.tile
    for k in range(layout.n_tiles):
        r, c = layout.origin(k)
        out[r:r + th, c:c + tw] = tiles[layout.first + k]
    return out


def shared_scale(w, percentile: float = 99.5) -> float:
    """Return one |weight| for the colour scale of a whole layer (a high percentile, never 0)."""
    values = np.abs(np.asarray(w, dtype=np.float64)).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 1.0
    scale = float(np.percentile(values, percentile))
    return scale if scale > 0 else float(values.max()) or 1.0
