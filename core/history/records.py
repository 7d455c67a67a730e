"""Bounded records of a training run: cost per step, accuracy per epoch, the trajectory.

A long run must not grow memory without limit, yet the start of a run is what the cost
surface and the charts need most. `ThinnedSeries` keeps every `stride`-th item; when full
it drops every other kept item (the first is always kept) and doubles the stride, so it
spans the whole run at a resolution that halves as the run doubles.
"""
from __future__ import annotations

import numpy as np

PRETOUCH_BYTES = 64 << 20  # how much of a series of vectors to map when it is made


class ThinnedSeries:
    """Up to `capacity` rows of shape `row_shape`, tagged with the step they were taken at."""

    def __init__(self, capacity: int, row_shape=(), dtype=np.float32):
        if capacity < 4 or capacity % 2:
            raise ValueError("capacity must be an even number ≥ 4")
        self.capacity = capacity
        self.rows = np.zeros((capacity, *row_shape), dtype=dtype)
        if row_shape:
            # Map the pages (up to 64 MB) now rather than a dozen per append through the first
            # epoch: for 784-16-16-10's 26 MB trajectory, ~2 ms here and ~8 ms less in the
            # epoch a user sees first.
            self.rows.reshape(-1)[:PRETOUCH_BYTES // self.rows.itemsize].fill(0)
        self.steps = np.zeros(capacity, dtype=np.int64)
        self.count = 0
        self.stride = 1

    def wants(self, step: int) -> bool:
        """Return whether a row taken at `step` would be kept."""
        return step % self.stride == 0

    def append(self, step: int, row) -> bool:
        """Record `row` at `step` if the stride keeps it; return whether it was kept."""
        if not self.wants(step):
            return False
        if self.count == self.capacity:
            self._thin()
            if not self.wants(step):
                return False
        self.rows[self.count] = row
        self.steps[self.count] = step
        self.count += 1
        return True

    def _thin(self):
        self.stride *= 2
        keep = np.flatnonzero(self.steps[:self.count] % self.stride == 0)
        if len(keep) == 0 or keep[0] != 0:  # never drop the start of the run
            keep = np.unique(np.concatenate([[0], keep]))
        n = len(keep)
        self.rows[:n] = self.rows[keep]
        self.steps[:n] = self.steps[keep]
        self.count = n

    def truncate_after(self, step: int) -> None:
        """Forget rows taken after `step` (used when training resumes from an earlier point)."""
        self.count = int(np.searchsorted(self.steps[:self.count], step, side="right"))

    def clear(self):
        self.count = 0
        self.stride = 1

    def restore(self, steps, rows, stride: int) -> None:
        """Replace the content with recorded (steps, rows) kept at `stride`, thinned to fit if need be."""
        steps = np.asarray(steps, dtype=np.int64)
        self.clear()
        self.stride = max(1, int(stride))
        keep = np.arange(len(steps))
        while len(keep) > self.capacity:  # recorded with a larger capacity: thin as appending would have
            self.stride *= 2
            keep = np.flatnonzero(steps % self.stride == 0)
            if len(keep) == 0 or keep[0] != 0:
                keep = np.unique(np.concatenate([[0], keep]))
        self.rows[:len(keep)] = np.asarray(rows)[keep]
        self.steps[:len(keep)] = steps[keep]
        self.count = len(keep)

    def values(self) -> np.ndarray:
        """Return a read-only view of the kept rows."""
        view = self.rows[:self.count]
        view.flags.writeable = False  # a view: flipping it does not lock the buffer
        return view

    def step_values(self) -> np.ndarray:
        view = self.steps[:self.count]
        view.flags.writeable = False
        return view

    def __len__(self):
        return self.count


class History:
    """Cost per step, grad norm per step, and accuracies per epoch, all bounded."""

    def __init__(self, capacity: int = 1 << 18):
        self.costs = ThinnedSeries(capacity)
        self.grad_norms = ThinnedSeries(capacity)
        self.accuracy = {"train": [], "test": []}  # lists of (epoch, step, accuracy, cost)

    def record_step(self, step: int, cost: float, grad_norm: float) -> None:
        costs, norms = self.costs, self.grad_norms
        i = costs.count
        # Both series take the same steps, so they keep the same rows: write both directly,
        # and leave the rest (a step the stride skips, a full series to thin) to append.
        if i < costs.capacity and step % costs.stride == 0 and norms.count == i and norms.stride == costs.stride:
            costs.rows[i], costs.steps[i], costs.count = cost, step, i + 1
            norms.rows[i], norms.steps[i], norms.count = grad_norm, step, i + 1
        else:
            costs.append(step, cost)
            norms.append(step, grad_norm)

    def record_accuracy(self, split: str, epoch: float, step: int, accuracy: float, cost: float):
        self.accuracy[split].append((epoch, step, accuracy, cost))

    def truncate_after(self, step: int) -> None:
        """Forget everything recorded after `step`."""
        self.costs.truncate_after(step)
        self.grad_norms.truncate_after(step)
        self.accuracy = {split: [r for r in records if r[1] <= step] for split, records in self.accuracy.items()}

    def clear(self):
        self.costs.clear()
        self.grad_norms.clear()
        self.accuracy = {"train": [], "test": []}

    def to_arrays(self) -> dict:
        """Return the record as plain arrays (for a checkpoint)."""
        return {"steps": self.costs.step_values().copy(), "costs": self.costs.values().copy(),
                "grad_norms": self.grad_norms.values().copy(), "stride": np.int64(self.costs.stride),
                **{f"accuracy_{split}": np.array(records, dtype=np.float64).reshape(-1, 4)
                   for split, records in self.accuracy.items()}}

    def restore(self, arrays: dict) -> None:
        """Replace the record with one from `to_arrays` (checked by the caller)."""
        steps, stride = arrays["steps"], int(arrays["stride"])
        self.costs.restore(steps, arrays["costs"], stride)
        self.grad_norms.restore(steps, arrays["grad_norms"], stride)
        self.accuracy = {split: [(float(e), int(s), float(a), float(c)) for e, s, a, c in arrays[f"accuracy_{split}"]]
                         for split in ("train", "test")}
