"""Axis ranges for live charts that hold their data with round ends and move only now and then.

A chart that refits its range to every new batch of points re-lays out its axis (tick labels,
grid) each time; a range that steps between round values keeps that cost rare.
"""
from __future__ import annotations

import math

import numpy as np


def nice_step(value: float) -> float:
    """Return the smallest of 1, 2, 5 × 10ⁿ that is ≥ value (> 0)."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    decade = 10.0 ** math.floor(math.log10(value))
    for mantissa in (1, 2, 5, 10):
        if mantissa * decade >= value * (1 - 1e-12):
            return mantissa * decade
    return 10 * decade


def finite_bounds(*arrays) -> tuple | None:
    """Return (min, max) over the finite values of the arrays, or None if there are none."""
    lo, hi = math.inf, -math.inf
    for a in arrays:
        a = np.asarray(a, dtype=float)
        a = a[np.isfinite(a)]
        if a.size:
            lo, hi = min(lo, float(a.min())), max(hi, float(a.max()))
    return (lo, hi) if lo <= hi else None


def sticky_range(current, lo: float, hi: float, divisions: int = 8, slack: float = 0.5,
                 limits=(-math.inf, math.inf), headroom: float = 0.0, min_span: float = 0.0) -> tuple:
    """Return a view range (a, b) that holds [lo, hi], with ends on multiples of a round step.

    `current` (a, b) or None is kept while it holds the data and the data fill at least
    `slack` of it; otherwise a new range is made, a little wider than the data. `limits`
    bound the ends where the data cannot go beyond them (0–100 for a percentage).
    `headroom` (a fraction of the data's span) is left above data that keep growing, such as
    epochs, so that the range moves less often. `min_span`: the narrowest range shown, so that
    two accuracies 0.01 % apart are not drawn as far apart as 20 % and 95 %.
    """
    if hi < lo:
        lo, hi = hi, lo
    if current is not None:
        a, b = current
        if a <= lo and hi <= b and max(hi - lo, min_span) >= slack * (b - a):
            return current
    span = hi - lo
    if span < min_span:  # widen about the middle, shifted to stay within the limits
        mid = (lo + hi) / 2
        lo, hi = mid - min_span / 2, mid + min_span / 2
        shift = max(0.0, limits[0] - lo) - max(0.0, hi - limits[1])
        lo, hi = lo + shift, hi + shift
        span = hi - lo
    if span <= 0:  # a single value: give it some room
        span = abs(lo) * 0.1 or 1.0
        lo, hi = lo - span / 2, hi + span / 2
    lo, hi = lo - 0.02 * span, hi + max(0.02, headroom) * span
    step = nice_step((hi - lo) / divisions)
    a, b = math.floor(lo / step) * step, math.ceil(hi / step) * step
    return max(a, limits[0]), min(b, limits[1])
