"""Which connections a diagram draws, in which colour bin, and which one the pointer is on.

Pure NumPy (no Qt). `ConnectionColouring.paints` turns a snapshot and the view's settings
into one LayerPaint per weight layer; `remember` keeps what was drawn, so that a frame whose
bins did not change costs nothing and hit tests agree with the picture.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gui.diagram.edges import (
    StableScale,
    change_of,
    edge_bins,
    edge_values,
    revealed,
    selected_mask,
    visible_mask,
)

OVER_IMAGE_MODES = ("strongest",)  # few lines: draw them over the image, right to their pixels…
OVER_IMAGE_MAX = 160  # …unless there are so many that they would hide it


@dataclass
class LayerPaint:
    """What to paint for one weight layer: flat per-connection arrays (n_out·n_in,)."""

    bins: np.ndarray  # colour bin of each connection
    visible: np.ndarray  # bool: drawn in this mode
    strength: np.ndarray | None = None  # |value| / scale: the strongest of a dense block are drawn sharp
    emphasis: np.ndarray | None = None  # bool: the selected neuron's, drawn thick and on top
    over_image: bool = False  # crisp lines start at the pixel centres, over the input image

    def signature(self) -> tuple:
        return self.bins, self.visible, self.emphasis


def quantity(snap, colour_by: str, mode: str) -> str:
    """Return what colours the connections: "gradients", "changes", "contributions" or "weights"."""
    if colour_by == "gradients" and snap is not None and snap.example_grad is not None:
        return "gradients"
    if colour_by == "changes" and snap is not None and change_of(snap) is not None:
        return "changes"
    return "contributions" if mode == "contributions" else "weights"


class ConnectionColouring:
    """The colour scales and last drawn state of a diagram's connections."""

    def __init__(self):
        self.scales = {}  # (quantity, weight layer) → StableScale
        self.bins = []  # per weight layer, as last drawn (None: hidden)
        self.priorities = []  # per weight layer: how far on top each connection is (-inf: not drawn)
        self._signature = None

    def reset(self) -> None:
        """Forget the scales and what was drawn (a new architecture)."""
        self.scales.clear()
        self.bins, self.priorities, self._signature = [], [], None

    def scale(self, name: str, layer: int):
        found = self.scales.get((name, layer))
        return None if found is None else found.value

    def paints(self, snap, mode, k, colour_by, depth, selected) -> list:
        """Return a LayerPaint (or None: not revealed yet) per weight layer of `snap`."""
        name = quantity(snap, colour_by, mode)
        shown = revealed(snap.n_layers, depth)[0] if name == "gradients" else range(snap.n_layers)
        paints = []
        for l in range(snap.n_layers):
            if l not in shown:
                paints.append(None)
                continue
            values = edge_values(snap, l, colour_by, mode)
            scale = self.scales.setdefault((name, l), StableScale()).update(values)
            emphasis = None  # in "selected" mode everything drawn is the selection's
            if selected and mode != "selected":
                emphasis = selected_mask(values.shape, l, selected).ravel()
            visible = visible_mask(values, l, mode, k, selected).ravel()
            over = l == 0 and mode in OVER_IMAGE_MODES and np.count_nonzero(visible) <= OVER_IMAGE_MAX
            paints.append(LayerPaint(edge_bins(values, scale), visible, np.abs(values.ravel()) / scale,
                                     emphasis, over_image=over))
        return paints

    def unchanged(self, paints) -> bool:
        """Return True if these paints would draw exactly what was drawn last."""
        old = self._signature
        new = [None if p is None else p.signature() for p in paints]
        if old is None or len(old) != len(new):
            return False
        for a, b in zip(old, new):
            if (a is None) != (b is None):
                return False
            if a is not None and not all(
                    (x is None and y is None) or (x is not None and y is not None and np.array_equal(x, y))
                    for x, y in zip(a, b)):
                return False
        return True

    def remember(self, paints, crisp=None) -> None:
        """Record what was drawn: the bins always, priorities when it was painted (crisp given)."""
        self.bins = [None if p is None else p.bins for p in paints]
        self._signature = [None if p is None else p.signature() for p in paints]
        if crisp is None:
            return
        self.priorities = []
        for p, sharp in zip(paints, crisp):
            if p is None:
                self.priorities.append(None)
                continue
            prio = np.where(p.visible, np.minimum(p.strength, 1.0), -np.inf)
            prio[sharp] += 2  # sharp lines lie over the haze, strongest on top
            if p.emphasis is not None:
                prio[p.emphasis & p.visible] += 4
            self.priorities.append(prio)

    def forget_drawing(self) -> None:
        """Make the next frame paint again (new colours for the same bins, a new view)."""
        self._signature = None
