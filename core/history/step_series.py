"""Everything the training charts plot, kept in full and decimated on request for display."""
from __future__ import annotations

import numpy as np

from core.history.series import GrowingArray, TrailingMean, minmax_indices

SPLITS = ("train", "test")


class TrainingSeries:
    """Each step's mini-batch cost and per-layer gradient norms, and each evaluation.

    Steps arrive in increasing order; a block that starts at or before the last kept step
    (after a reset, or training resumed from an earlier point) first forgets the steps from
    there on, so the record always describes one run.
    """

    def __init__(self):
        self._steps = GrowingArray((), np.int64)
        self._costs = GrowingArray((), np.float64)
        self._mean = TrailingMean()  # running sums for the moving average of the cost
        self._grads = GrowingArray((0,), np.float64)  # (n, n_layers)
        self._grad_mean = TrailingMean((0,))
        self._evals = {split: GrowingArray((3,), np.float64) for split in SPLITS}  # epoch, accuracy, cost

    # -- recording ------------------------------------------------------------------------
    def append_steps(self, steps, costs, layer_grad_norms) -> None:
        """Record steps (n,), their costs (n,) and per-layer gradient norms (n, L)."""
        steps = np.asarray(steps, dtype=np.int64).reshape(-1)
        n = len(steps)
        if n == 0:
            return
        costs = np.asarray(costs, dtype=np.float64).reshape(n)
        grads = np.asarray(layer_grad_norms, dtype=np.float64).reshape(n, -1)
        if len(self) and steps[0] <= self._steps.values()[-1]:
            self.truncate_from_step(int(steps[0]))
        if grads.shape[1] != self.n_layers:
            if len(self):  # another architecture: the old curves describe another network
                self.clear_steps()
            self._grads = GrowingArray((grads.shape[1],), np.float64)
            self._grad_mean = TrailingMean((grads.shape[1],))
        self._steps.append(steps)
        self._costs.append(costs)
        self._mean.append(costs)
        self._grads.append(grads)
        self._grad_mean.append(grads)

    def add_evaluation(self, split: str, epoch: float, accuracy: float, cost: float) -> None:
        """Record accuracy (0..1) and mean cost on a split at a (fractional) epoch."""
        if split not in self._evals:
            raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
        record = self._evals[split]
        if len(record) and epoch <= record.values()[-1, 0]:
            record.truncate(int(np.searchsorted(record.values()[:, 0], epoch, side="left")))
        record.append([[epoch, accuracy, cost]])

    def truncate_from_step(self, step: int) -> None:
        """Forget every recorded step ≥ step."""
        keep = int(np.searchsorted(self._steps.values(), step, side="left"))
        for array in (self._steps, self._costs, self._mean, self._grads, self._grad_mean):
            array.truncate(keep)

    def truncate_after(self, step: int, epoch: float) -> None:
        """Forget the steps after `step` and the evaluations after `epoch` (training resumed from there)."""
        self.truncate_from_step(int(step) + 1)
        for record in self._evals.values():
            if len(record):
                record.truncate(int(np.searchsorted(record.values()[:, 0], epoch, side="right")))

    def clear_steps(self) -> None:
        for array in (self._steps, self._costs, self._mean, self._grads, self._grad_mean):
            array.clear()

    def clear(self) -> None:
        self.clear_steps()
        for record in self._evals.values():
            record.clear()

    # -- reading --------------------------------------------------------------------------
    def __len__(self):
        return len(self._steps)

    @property
    def n_layers(self) -> int:
        return self._grads.values().shape[1]

    @property
    def steps(self) -> np.ndarray:
        return self._steps.values()

    @property
    def costs(self) -> np.ndarray:
        return self._costs.values()

    @property
    def grad_norms(self) -> np.ndarray:
        return self._grads.values()

    def evaluations(self, split: str) -> np.ndarray:
        """Return the (k, 3) rows (epoch, accuracy, cost) recorded on a split."""
        return self._evals[split].values()

    def index_range(self, x_low=None, x_high=None) -> tuple:
        """Return (lo, hi): the slice of steps inside [x_low, x_high], one more on each side."""
        steps = self._steps.values()
        lo = 0 if x_low is None else max(0, int(np.searchsorted(steps, x_low, side="left")) - 1)
        hi = len(steps) if x_high is None else min(len(steps), int(np.searchsorted(steps, x_high, side="right")) + 1)
        return lo, max(lo, hi)

    def cost_points(self, lo: int, hi: int, max_points: int) -> tuple:
        """Return (steps, costs) of [lo, hi) decimated to about max_points, extremes kept."""
        idx = minmax_indices(self._costs.values(), max_points, lo, hi)
        return self._steps.values()[idx], self._costs.values()[idx]

    def average_points(self, lo: int, hi: int, window: int, max_points: int) -> tuple:
        """Return (steps, trailing mean of the last `window` costs) at about max_points evenly spaced steps."""
        idx = self._even_indices(lo, hi, max_points)
        return self._steps.values()[idx], self._mean.at(idx, window)

    def grad_average_points(self, lo: int, hi: int, window: int, max_points: int) -> tuple:
        """Return (steps (k,), trailing mean of each layer's gradient norm (k, L)) like average_points."""
        idx = self._even_indices(lo, hi, max_points)
        return self._steps.values()[idx], self._grad_mean.at(idx, window).reshape(len(idx), self.n_layers)

    @staticmethod
    def _even_indices(lo, hi, max_points):
        if hi <= lo:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.linspace(lo, hi - 1, min(hi - lo, max_points)).astype(np.int64))

    def average_at(self, index: int, window: int) -> float:
        return float(self._mean.at([index], window)[0])

    def nearest_index(self, step: float) -> int | None:
        """Return the index of the recorded step nearest `step` (None when nothing is recorded)."""
        steps = self._steps.values()
        if not len(steps):
            return None
        i = int(np.clip(np.searchsorted(steps, step), 1, len(steps) - 1)) if len(steps) > 1 else 0
        if i and abs(steps[i - 1] - step) <= abs(steps[i] - step):
            i -= 1
        return i
