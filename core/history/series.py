"""Growing numeric series for live charts: cheap appends, trailing means, min–max decimation.

A chart keeps every point of a long run (appends must cost O(1) amortised) but draws only
about as many points as it has pixels, so decimation keeps each bucket's extremes: spikes
survive, and the picture of 100,000 steps looks the same as if every point were drawn.
"""
from __future__ import annotations

import numpy as np


class GrowingArray:
    """Rows of shape `row_shape` appended in blocks; capacity doubles when full."""

    def __init__(self, row_shape=(), dtype=np.float64, capacity=1024):
        self._data = np.zeros((max(int(capacity), 1), *row_shape), dtype=dtype)
        self._n = 0

    def append(self, block) -> None:
        """Append rows (a block of shape (n, *row_shape))."""
        block = np.asarray(block, dtype=self._data.dtype)
        n = len(block)
        if self._n + n > len(self._data):
            capacity = len(self._data)
            while capacity < self._n + n:
                capacity *= 2
            grown = np.zeros((capacity, *self._data.shape[1:]), dtype=self._data.dtype)
            grown[:self._n] = self._data[:self._n]
            self._data = grown
        self._data[self._n:self._n + n] = block
        self._n += n

    def truncate(self, n: int) -> None:
        """Forget every row from index n on."""
        self._n = max(0, min(int(n), self._n))

    def clear(self) -> None:
        self._n = 0

    @property
    def capacity(self) -> int:
        return len(self._data)

    def values(self) -> np.ndarray:
        """Return a read-only view of the rows appended so far."""
        view = self._data[:self._n]
        view.flags.writeable = False  # a view: the buffer itself stays writable for appends
        return view

    def __len__(self):
        return self._n


class TrailingMean:
    """Per-point mean of the last `window` values of a growing series (NaN/inf ignored).

    Keeps running sums of the finite values and of their count, so the mean over any
    stretch costs two subtractions and one NaN never poisons later averages.
    """

    def __init__(self, row_shape=()):
        self._sums = GrowingArray(row_shape, np.float64)  # _sums[i] = sum of finite values[0..i]
        self._counts = GrowingArray(row_shape, np.int64)

    def append(self, values) -> None:
        """Append values (n, *row_shape); each column is averaged on its own."""
        values = np.asarray(values, dtype=np.float64)
        finite = np.isfinite(values)
        sums = np.cumsum(np.where(finite, values, 0.0), axis=0)
        counts = np.cumsum(finite, axis=0)
        if len(self._sums):
            sums += self._sums.values()[-1]
            counts += self._counts.values()[-1]
        self._sums.append(sums)
        self._counts.append(counts)

    def truncate(self, n: int) -> None:
        self._sums.truncate(n)
        self._counts.truncate(n)

    def clear(self) -> None:
        self.truncate(0)

    def at(self, indices, window: int) -> np.ndarray:
        """Return the mean of values[max(0, i-window+1) .. i] for each index i."""
        indices = np.asarray(indices, dtype=np.int64)
        sums, counts = self._sums.values(), self._counts.values()
        start = indices - int(window)
        before = (start >= 0).reshape(-1, *[1] * (sums.ndim - 1))
        s = sums[indices] - np.where(before, sums[np.maximum(start, 0)], 0.0)
        c = counts[indices] - np.where(before, counts[np.maximum(start, 0)], 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(c > 0, s / np.maximum(c, 1), np.nan)

    def __len__(self):
        return len(self._sums)


def trailing_mean(values, window: int) -> np.ndarray:
    """Return the mean of the last `window` values at each point (fewer at the start)."""
    tm = TrailingMean()
    tm.append(values)
    return tm.at(np.arange(len(tm)), window)


def minmax_indices(y, max_points: int, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Return sorted indices into y[start:stop] (offset by start) keeping each bucket's min and max.

    At most `max_points` indices (plus the two ends) come back; a slice already small
    enough comes back whole.
    """
    stop = len(y) if stop is None else min(stop, len(y))
    start = max(0, start)
    n = stop - start
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if n <= max_points:
        return np.arange(start, stop, dtype=np.int64)
    buckets = max(1, max_points // 2 - 1)
    width = -(-n // buckets)  # ceil: every bucket but the last is full
    full = n // width
    rows = np.asarray(y[start:start + full * width]).reshape(full, width)
    lows = rows.argmin(axis=1) + np.arange(full) * width
    highs = rows.argmax(axis=1) + np.arange(full) * width
    if full * width < n:  # the short last bucket
        tail = np.asarray(y[start + full * width:stop])
        lows = np.append(lows, full * width + tail.argmin())
        highs = np.append(highs, full * width + tail.argmax())
    # per bucket, the earlier of its two extremes first: the whole list comes out sorted
    picked = np.empty(2 * len(lows) + 2, dtype=np.int64)
    picked[0], picked[-1] = 0, n - 1
    picked[1:-1:2] = np.minimum(lows, highs)
    picked[2:-1:2] = np.maximum(lows, highs)
    keep = np.empty(len(picked), dtype=bool)
    keep[0] = True
    keep[1:] = picked[1:] != picked[:-1]
    return picked[keep] + start


FINE_MANTISSAS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)


def nice_ceiling(value: float, mantissas=FINE_MANTISSAS) -> float:
    """Return the smallest of mantissas × 10ⁿ (by default 1, 1.2, 1.5, 2, … 8) that is ≥ value (> 0)."""
    if value <= 0:
        return 1.0
    decade = 10.0 ** np.floor(np.log10(value))
    for mantissa in (*mantissas, 10):
        if mantissa * decade >= value * (1 - 1e-12):
            return float(mantissa * decade)
    return float(10 * decade)


class StepRate:
    """Steps per second from successive (time, step) readings, over about the last second."""

    def __init__(self, span: float = 1.0):
        self.span = span
        self._readings = []  # (time, step), oldest first

    def update(self, t: float, step: int) -> float | None:
        """Record a reading and return the rate (None until two readings span some time)."""
        if self._readings and (step < self._readings[-1][1] or t < self._readings[-1][0]):
            self._readings.clear()  # a reset or a jump back in time: start measuring again
        if not self._readings or step != self._readings[-1][1]:
            self._readings.append((t, step))  # a repeated step keeps the time it was first seen
        while len(self._readings) > 2 and t - self._readings[1][0] >= self.span:
            self._readings.pop(0)
        return self.rate(t)

    def rate(self, now: float | None = None) -> float | None:
        """Return the recent rate, or None when it cannot be told yet."""
        if len(self._readings) < 2:
            return None
        (t0, s0), (t1, s1) = self._readings[0], self._readings[-1]
        if now is not None and now - t1 > max(self.span, 2 * (t1 - t0)):
            return 0.0  # no new step for a while: training has stopped
        return (s1 - s0) / (t1 - t0) if t1 > t0 else None

    def clear(self) -> None:
        self._readings.clear()
