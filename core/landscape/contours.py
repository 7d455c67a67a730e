"""Contour lines of a grid of values (marching squares, vectorised), as line segments.

Segments come back as one (M, 2, 2) array per level so a view can draw each level as a
single path (connect="pairs") instead of one item per segment.
"""
from __future__ import annotations

import numpy as np

# Edges of a cell with corners v00 = v[i, j], v10 = v[i+1, j], v11 = v[i+1, j+1], v01 = v[i, j+1]:
# 0 = (00, 10), 1 = (10, 11), 2 = (01, 11), 3 = (00, 01). Case bit k is set when corner k
# (00, 10, 11, 01) lies above the level; each case lists the edges its segments join.
_CASES = {1: [(3, 0)], 2: [(0, 1)], 3: [(3, 1)], 4: [(1, 2)], 6: [(0, 2)], 7: [(3, 2)],
          8: [(2, 3)], 9: [(0, 2)], 11: [(1, 2)], 12: [(3, 1)], 13: [(0, 1)], 14: [(3, 0)],
          # Saddles (two opposite corners above) have two segments; the cell centre decides
          # which corners connect: codes 16, 17 are 5 and 10 with the centre above the level.
          5: [(3, 0), (1, 2)], 16: [(0, 1), (2, 3)], 10: [(0, 1), (2, 3)], 17: [(3, 0), (1, 2)]}
_FIRST = np.zeros((18, 2), np.intp)
_SECOND = np.zeros((18, 2), np.intp)
for _code, _pairs in _CASES.items():
    _FIRST[_code] = _pairs[0]
    if len(_pairs) > 1:
        _SECOND[_code] = _pairs[1]


def _crossing(a, b, level):
    """Return where on [0, 1] the level crosses between values a and b (0.5 if they are equal)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (level - a) / (b - a)
    return np.where(np.isfinite(t), np.clip(t, 0.0, 1.0), 0.5)


def contour_segments(values, level, xs=None, ys=None) -> np.ndarray:
    """Return the segments (M, 2, 2) of the contour `level` of values[i, j] at (xs[i], ys[j]).

    xs, ys: coordinates of the grid lines (default: the indices); non-finite cells are skipped.
    """
    v = np.asarray(values, dtype=np.float64)
    n, m = v.shape
    xs = np.arange(n, dtype=np.float64) if xs is None else np.asarray(xs, dtype=np.float64)
    ys = np.arange(m, dtype=np.float64) if ys is None else np.asarray(ys, dtype=np.float64)
    if n < 2 or m < 2:
        return np.zeros((0, 2, 2))
    above = v > level
    case = (above[:-1, :-1] * 1 + above[1:, :-1] * 2 + above[1:, 1:] * 4 + above[:-1, 1:] * 8)
    finite = np.isfinite(v)
    finite = finite[:-1, :-1] & finite[1:, :-1] & finite[1:, 1:] & finite[:-1, 1:]
    i, j = np.nonzero((case > 0) & (case < 15) & finite)  # only cells the level passes through
    if len(i) == 0:
        return np.zeros((0, 2, 2))
    code = case[i, j]
    v00, v10, v11, v01 = v[i, j], v[i + 1, j], v[i + 1, j + 1], v[i, j + 1]
    saddle = (code == 5) | (code == 10)
    centre_high = (v00 + v10 + v11 + v01) / 4 > level
    code = np.where(saddle & centre_high, np.where(code == 5, 16, 17), code)
    fi, fj = i.astype(np.float64), j.astype(np.float64)
    edges = np.stack([np.stack([fi + _crossing(v00, v10, level), fj], -1),  # (K, 4, 2)
                      np.stack([fi + 1.0, fj + _crossing(v10, v11, level)], -1),
                      np.stack([fi + _crossing(v01, v11, level), fj + 1.0], -1),
                      np.stack([fi, fj + _crossing(v00, v01, level)], -1)], 1)
    rows = np.arange(len(i))
    seg = np.stack([edges[rows, _FIRST[code, 0]], edges[rows, _FIRST[code, 1]]], 1)
    if saddle.any():
        k = rows[saddle]
        seg = np.concatenate([seg, np.stack([edges[k, _SECOND[code[k], 0]], edges[k, _SECOND[code[k], 1]]], 1)])
    out = np.empty_like(seg)
    out[..., 0] = np.interp(seg[..., 0], np.arange(n), xs)
    out[..., 1] = np.interp(seg[..., 1], np.arange(m), ys)
    return out


def contour_levels(values, n=10, log=False) -> np.ndarray:
    """Return n levels strictly inside the finite range of values (evenly spaced, or in log)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if log:
        v = v[v > 0]
    if v.size == 0 or v.min() == v.max():
        return np.zeros(0)
    low, high = (np.log(v.min()), np.log(v.max())) if log else (v.min(), v.max())
    levels = np.linspace(low, high, n + 2)[1:-1]
    return np.exp(levels) if log else levels
