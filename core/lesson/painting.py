"""Build a first-layer neuron by hand: paint its 28×28 weights, or make the lesson's edge detector.

The lesson's recipe: weights zero except positive ones in a region, so the weighted sum
adds up the pixels there; negative weights around it, so the sum is largest when the middle
is bright and the surround dark (an edge); and a bias of −10, so the neuron lights up only
when that sum passes 10. Every change is one `SetIncoming` edit, undoable like the others.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import activations as act
from core.lesson.edits import Edit, EditError, _check_neuron, incoming_indices, neuron_name
from core.lesson.neuron_stats import top_k

THRESHOLD_BIAS = -10.0  # the lesson's bias: the neuron fires only when its weighted sum passes 10


@dataclass(frozen=True)
class SetIncoming(Edit):
    """Set some of the weights arriving at neuron `index` of layer `layer` (a stroke, a preset, a clear)."""

    layer: int = 1
    index: int = 0
    frm: tuple = ()  # indices of the neurons (pixels) in layer − 1 whose weights change
    values: tuple = ()  # the new weights, one per entry of frm
    what: str = "paint"  # a verb for the description ("paint", "erase", …)

    def indices(self):
        _check_neuron(self.sizes, self.layer, self.index, allow_input=False)
        frm = np.asarray(self.frm, dtype=np.intp)
        n_in = self.sizes[self.layer - 1]
        if frm.size and (frm.min() < 0 or frm.max() >= n_in):
            raise EditError(f"layer {self.layer - 1} has {n_in} neurons; cannot set the weight from {frm.max()}")
        if len(frm) != len(self.values):
            raise EditError(f"{len(frm)} weights to set but {len(self.values)} values")
        return incoming_indices(self.sizes, self.layer, self.index)[frm]

    def new_values(self, old):
        return np.asarray(self.values, dtype=old.dtype)

    def describe(self):
        n = len(self.frm)
        return f"{self.what} {n} weight{'s' if n != 1 else ''} of {neuron_name(self.sizes, self.layer, self.index)}"


def brush_cells(shape, row: float, col: float, radius: int) -> np.ndarray:
    """Return the flat indices of the cells within `radius` of (row, col) in an image of `shape`."""
    h, w = shape
    rows, cols = np.ogrid[:h, :w]
    inside = (rows - int(row)) ** 2 + (cols - int(col)) ** 2 <= radius * radius + radius  # a round disc
    return np.flatnonzero(inside)


def edge_detector(shape, top: int, left: int, bottom: int, right: int, strength: float = 1.0,
                  surround: int = 1) -> np.ndarray:
    """Return weights (H·W,) that are +strength in rows top..bottom × cols left..right (inclusive),
    −strength in a band `surround` cells wide around that region, and 0 everywhere else."""
    h, w = shape
    top, bottom = sorted((int(np.clip(top, 0, h - 1)), int(np.clip(bottom, 0, h - 1))))
    left, right = sorted((int(np.clip(left, 0, w - 1)), int(np.clip(right, 0, w - 1))))
    weights = np.zeros((h, w), dtype=np.float64)
    weights[max(0, top - surround):bottom + surround + 1, max(0, left - surround):right + surround + 1] = -strength
    weights[top:bottom + 1, left:right + 1] = strength
    return weights.ravel()


def edge_detector_edit(sizes, index: int, shape, region, strength: float = 1.0, surround: int = 1) -> SetIncoming:
    """Return the edit that gives first-layer neuron `index` the edge detector for region (top, left, bottom, right)."""
    weights = edge_detector(shape, *region, strength=strength, surround=surround)
    if weights.size != sizes[0]:
        raise EditError(f"a {shape[0]}×{shape[1]} picture has {weights.size} pixels; this network reads {sizes[0]}")
    return SetIncoming(tuple(sizes), 1, int(index), tuple(range(weights.size)), tuple(weights.tolist()),
                       what="make an edge detector from")


def clear_edit(sizes, layer: int, index: int) -> SetIncoming:
    """Return the edit that sets every weight arriving at the neuron to 0."""
    n_in = sizes[layer - 1]
    return SetIncoming(tuple(sizes), layer, index, tuple(range(n_in)), (0.0,) * n_in, what="set to 0")


def response(weights, bias: float, x, function: str = "sigmoid") -> tuple:
    """Return (z, a) of a neuron with these weights and bias for input x (n_in,) or inputs (N, n_in)."""
    z = np.asarray(x, dtype=np.float64) @ np.asarray(weights, dtype=np.float64) + float(bias)
    a = act.apply(function, np.array(z, dtype=np.float64, ndmin=1))
    return (float(z), float(a[0])) if np.ndim(z) == 0 else (z, a)


def most_exciting(weights, bias: float, x, k: int = 9) -> tuple:
    """Return (indices, z) of the k inputs among x (N, n_in) that give the largest weighted sum, largest first."""
    z = np.asarray(x, dtype=np.float32) @ np.asarray(weights, dtype=np.float32) + np.float32(bias)
    best = top_k(z, k)
    return best, z[best]
