"""What each connection of the diagram shows: its value, colour bin, and whether it is drawn.

Pure NumPy (no Qt), so the mapping from a snapshot to colours can be tested on its own.
A connection's colour is a bin of the diverging weight scale; only connections whose bin
changes need new colours, and the scale itself only moves when the values outgrow it.
"""
from __future__ import annotations

import numpy as np

from core.lesson.step_change import step_change
from gui.widgets.colours import to_bins
from gui.widgets.theme import palette

MODES = ("all", "strongest", "selected", "contributions")
COLOUR_BY = ("values", "gradients", "changes")
N_BINS = 32  # 16 shades each side of zero: enough to read, few enough to draw one path per bin
ALPHA_GAMMA = 1.7  # opacity = strength ** gamma: faint connections recede, strong ones stand out
MAX_SCALE_SAMPLES = 8192  # a robust scale does not need every value of a 100,000-edge layer


_last_change = [None, None]  # (snapshot, its StepChange): every layer and the texts ask for the same one


def change_of(snap):
    """Return the StepChange of the step that led to snap (None: it follows no step), computed once."""
    if _last_change[0] is not snap:
        _last_change[:] = [snap, step_change(snap)]
    return _last_change[1]


def edge_values(snap, layer: int, colour_by: str = "values", mode: str = "all") -> np.ndarray:
    """Return the (n_out, n_in) numbers that colour weight layer `layer`'s connections.

    values: the weights w (or w·a, what each input sends for this example, in "contributions");
    gradients: ∂C/∂w for the current example (which already carries the factor a);
    changes: Δw, what the last step changed (the weights when the snapshot follows no step).
    """
    if colour_by == "gradients" and snap.example_grad is not None:
        return snap.grad_views(snap.example_grad)[0][layer]
    change = change_of(snap) if colour_by == "changes" else None
    if change is not None:
        return change.weights[layer]
    w = snap.weights[layer]
    if mode == "contributions":
        return w * snap.activations[layer][None, :]
    return w


def strongest_mask(values, k: int) -> np.ndarray:
    """Return a mask keeping the k connections of largest |value| into each neuron (each row)."""
    values = np.abs(np.asarray(values))
    n_out, n_in = values.shape
    mask = np.zeros(values.shape, dtype=bool)
    k = int(min(max(k, 0), n_in))
    if k == 0:
        return mask
    if k == n_in:
        mask[:] = True
        return mask
    top = np.argpartition(values, n_in - k, axis=1)[:, n_in - k:]
    mask[np.arange(n_out)[:, None], top] = True
    return mask


def selected_mask(shape, layer: int, selected) -> np.ndarray:
    """Return a mask of weight layer `layer`'s connections that touch the selected neuron."""
    mask = np.zeros(shape, dtype=bool)
    if selected is None:
        return mask
    sel_layer, index = selected
    if sel_layer == layer and 0 <= index < shape[1]:
        mask[:, index] = True  # its outgoing connections
    elif sel_layer == layer + 1 and 0 <= index < shape[0]:
        mask[index, :] = True  # its incoming connections
    return mask


def visible_mask(values, layer: int, mode: str, k: int = 5, selected=None) -> np.ndarray:
    """Return which of weight layer `layer`'s connections a display mode draws."""
    if mode == "strongest":
        return strongest_mask(values, k)
    if mode == "selected":
        return selected_mask(np.shape(values), layer, selected)
    if mode == "contributions":
        return np.asarray(values) != 0  # dark pixels send nothing
    return np.ones(np.shape(values), dtype=bool)


def nice_number(x: float) -> float:
    """Return the round number (1, 1.5, 2, 3, 4, 5, 7 × 10ⁿ) nearest to x on a log scale."""
    if not np.isfinite(x) or x <= 0:
        return 1.0
    exponent = np.floor(np.log10(x))
    steps = np.array([1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0])
    best = steps[np.argmin(np.abs(np.log(steps) - np.log(x / 10 ** exponent)))]
    return float(best * 10 ** exponent)


class StableScale:
    """A colour scale (|value| at full colour) that only moves when the values outgrow it.

    Keeping the scale still is what lets a new snapshot recolour only the connections whose
    bins really changed; it snaps to round numbers so the legend stays readable.
    """

    def __init__(self, percentile: float = 99.0, low: float = 0.7, high: float = 1.4):
        self.percentile, self.low, self.high = percentile, low, high
        self.value = None

    def update(self, values) -> float:
        """Return the scale for `values`, moving it only when they leave [low, high] × it."""
        flat = np.ravel(values)
        if flat.size > MAX_SCALE_SAMPLES:
            flat = flat[:: flat.size // MAX_SCALE_SAMPLES]
        flat = np.abs(flat.astype(np.float64))
        flat = flat[np.isfinite(flat) & (flat > 0)]
        robust = 0.0
        if flat.size:  # a partition finds one percentile several times faster than np.percentile
            k = int(round(self.percentile / 100 * (flat.size - 1)))
            robust = float(np.partition(flat, k)[k])
        if robust <= 0:
            robust = self.value or 1.0
        if self.value is None or not self.low * self.value <= robust <= self.high * self.value:
            self.value = nice_number(robust)
        return self.value

    def reset(self) -> None:
        self.value = None


def edge_bins(values, scale: float, n_bins: int = N_BINS) -> np.ndarray:
    """Return each connection's colour bin (0 strong negative … n_bins-1 strong positive)."""
    return to_bins(np.ravel(values), scale, n_bins).astype(np.int16)


def changed_edges(old_bins, new_bins) -> np.ndarray:
    """Return the flat indices of the connections whose colour bin changed."""
    return np.flatnonzero(np.asarray(old_bins) != np.asarray(new_bins))


def bin_strength(n_bins: int = N_BINS) -> np.ndarray:
    """Return each bin's |value| / scale at its centre, in (0, 1]."""
    return (np.abs(np.arange(n_bins) - (n_bins - 1) / 2.0) + 0.5) / (n_bins / 2.0)


def bin_alpha(n_bins: int = N_BINS, gamma: float = ALPHA_GAMMA) -> np.ndarray:
    """Return each bin's opacity in (0, 1]: growing with |value| so strong connections stand out."""
    return bin_strength(n_bins) ** gamma


def bin_colours(n_bins: int = N_BINS, dark: bool = True) -> np.ndarray:
    """Return an (n_bins, 4) uint8 RGBA table: the diverging scale with opacity by strength."""
    rgb = palette(dark).weight_lut(n_bins)
    alpha = np.round(255 * bin_alpha(n_bins)).astype(np.uint8)
    return np.column_stack([rgb, alpha])


def edge_rgba(bins, dark: bool = True, n_bins: int = N_BINS) -> np.ndarray:
    """Return the (E, 4) RGBA colour each connection is drawn with, from its bin."""
    return bin_colours(n_bins, dark)[np.asarray(bins)]


def revealed(n_layers: int, depth: int) -> tuple:
    """Return (weight layers, neuron layers) shown when backprop has walked `depth` layers back.

    Depth 0 shows only the output's ∂C/∂a; each step back adds the weight layer feeding the
    last revealed neurons and the neurons before it; depth n_layers reveals everything.
    """
    depth = int(np.clip(depth, 0, n_layers))
    weights = set(range(n_layers - depth, n_layers))
    neurons = set(range(n_layers - depth, n_layers + 1))
    return weights, neurons


def nearest_connection(layout, x: float, y: float, tolerance: float, priorities, segments=None):
    """Return (layer, j, i) of the drawn connection at (x, y), or None.

    priorities[l] is a flat array (n_out·n_in,) saying how far on top each connection of
    weight layer l is drawn (-inf: not drawn). Of the connections passing within
    `tolerance`, the one drawn on top wins: that is the one the learner sees.
    segments: layout.segments(l) for every l, if already computed.
    """
    for layer, priority in enumerate(priorities):
        if priority is None:
            continue
        x_from = layout.centres[layer][:, 0]
        x_to = float(layout.centres[layer + 1][0, 0])
        if not float(x_from.min()) <= x <= x_to:
            continue
        x0, y0, x1, y1 = segments[layer] if segments is not None else layout.segments(layer)
        dx, dy = x1 - x0, y1 - y0
        t = np.clip(((x - x0) * dx + (y - y0) * dy) / np.maximum(dx * dx + dy * dy, 1e-12), 0.0, 1.0)
        dist = np.hypot(x0 + t * dx - x, y0 + t * dy - y)
        near = (dist <= tolerance) & np.isfinite(priority)
        if not near.any():
            return None
        candidates = np.flatnonzero(near)
        # on top first, then the closest
        order = np.lexsort((dist[candidates], -priority[candidates]))
        flat = int(candidates[order[0]])
        n_in = len(layout.centres[layer])
        return layer, flat // n_in, flat % n_in
    return None
