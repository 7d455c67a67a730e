"""The app's colour scales, shared by every view so a weight looks the same everywhere.

Weights use a diverging blue–orange scale (safe for the common forms of colour blindness)
that fades to the background colour at zero, so small weights recede and strong ones stand
out; activations use grey from black (0) to white (1), as in the classic lesson.
"""
from __future__ import annotations

import numpy as np

# Anchor colours, from strongly negative through zero to strongly positive.
NEGATIVE = (64, 160, 255)  # bright blue
NEGATIVE_MID = (33, 90, 170)
POSITIVE_MID = (190, 100, 20)
POSITIVE = (255, 170, 40)  # bright orange
DARK_BACKGROUND = (22, 24, 30)
LIGHT_BACKGROUND = (250, 250, 250)
SELECTION = (80, 220, 120)  # green: never used by the weight scale
# Right and wrong answers (confusion matrix, worst examples): green and crimson, never the
# weight scale's blue and orange, which everywhere else mean negative and positive.
RIGHT, WRONG = (70, 190, 110), (235, 75, 115)
LIGHT_RIGHT, LIGHT_WRONG = (25, 135, 65), (200, 30, 80)
# On a light background the bright anchors lack contrast (orange on white): deeper ones.
LIGHT_NEGATIVE = (20, 85, 200)
LIGHT_NEGATIVE_MID = (120, 165, 230)
LIGHT_POSITIVE_MID = (240, 160, 80)
LIGHT_POSITIVE = (205, 95, 0)


def is_dark(background) -> bool:
    """Return True if a background colour is dark (light text and bright anchors go on it)."""
    r, g, b = background[:3]
    return 0.299 * r + 0.587 * g + 0.114 * b < 128


def diverging_lut(n: int = 257, background=DARK_BACKGROUND, dark: bool | None = None) -> np.ndarray:
    """Return an (n, 3) uint8 table from strong negative (row 0) to strong positive (row n-1).

    dark: use the anchors for a dark background (default: decided from `background`).
    """
    if dark is None:
        dark = is_dark(background)
    anchors = ((NEGATIVE, NEGATIVE_MID, POSITIVE_MID, POSITIVE) if dark else
               (LIGHT_NEGATIVE, LIGHT_NEGATIVE_MID, LIGHT_POSITIVE_MID, LIGHT_POSITIVE))
    stops = np.array([anchors[0], anchors[1], background, anchors[2], anchors[3]], dtype=float)
    positions = np.array([0.0, 0.3, 0.5, 0.7, 1.0])
    t = np.linspace(0.0, 1.0, n)
    rgb = np.stack([np.interp(t, positions, stops[:, c]) for c in range(3)], axis=1)
    return np.round(rgb).astype(np.uint8)


def symmetric_scale(values, percentile: float = 99.0) -> float:
    """Return a robust |value| scale for a diverging map (a high percentile, never 0)."""
    values = np.abs(np.asarray(values, dtype=np.float64)).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 1.0
    scale = float(np.percentile(values, percentile))
    return scale if scale > 0 else float(values.max()) or 1.0


def to_bins(values, scale: float, n_bins: int) -> np.ndarray:
    """Return the bin (0..n_bins-1) of each value on a diverging scale clipped at ±scale."""
    t = (np.asarray(values, dtype=np.float64) / scale + 1.0) * 0.5
    # a diverged network's NaN shows as zero, ±inf at the ends (a NaN cast to int is arbitrary)
    np.nan_to_num(t, copy=False, nan=0.5, posinf=1.0, neginf=0.0)
    return np.clip((t * n_bins).astype(np.int64), 0, n_bins - 1)


def diverging_colormap(background=DARK_BACKGROUND):
    """Return the weight scale as a pyqtgraph ColorMap (imported lazily: needs Qt)."""
    import pyqtgraph as pg

    lut = diverging_lut(257, background)
    return pg.ColorMap(np.linspace(0.0, 1.0, len(lut)), lut)
