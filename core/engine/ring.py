"""The per-step series (cost, gradient norm per layer, evaluations) as a ring in shared memory.

One writer (the engine) appends a row per step; one reader (the window) drains every row
written since its last drain, in bulk, with no pickling and no lock. Rows carry a kind, so a
"the run was replaced" marker and the evaluations travel in order with the steps. A reader
that falls more than `capacity` rows behind loses the oldest rows (memory stays flat); the
charts then miss a stretch of the curve, never show a wrong value.
"""
from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from multiprocessing import shared_memory

import numpy as np

from core.engine.slots import _fence

STEP, CLEAR, EVALUATION, TRUNCATE = 0.0, 1.0, 2.0, 3.0
SPLITS = ("train", "test")
MAX_LAYERS = 12  # gradient norms kept per row; deeper networks chart their first 12 layers
WIDTH = 4 + MAX_LAYERS  # kind, step, cost, layers, norms…
HEADER = 64
MAGIC = 0x4E4E5852  # "NNXR"


@dataclass(frozen=True)
class FeedBatch:
    """Per-step records and evaluations gathered since the last drain."""

    steps: np.ndarray  # (n,) int
    costs: np.ndarray  # (n,)
    grad_norms: np.ndarray  # (n, L) gradient norm of each weight layer
    evaluations: list  # dicts: split, epoch, step, accuracy, cost
    cleared: bool  # the run was reset or replaced: drop what was charted before
    truncated: tuple | None = None  # (step, epoch): training resumed there; drop what was charted after


class StepRing:
    """A shared ring of fixed-width float64 rows with a monotonic write count."""

    def __init__(self, name: str | None = None, capacity: int = 1 << 16):
        if name is None:
            size = HEADER + capacity * WIDTH * 8
            self.shm = shared_memory.SharedMemory(name=f"nnx_{secrets.token_hex(6)}", create=True, size=size)
            self._head = np.ndarray((4,), np.int64, self.shm.buf, 0)
            self._head[:] = (MAGIC, capacity, 0, 0)
        else:
            self.shm = shared_memory.SharedMemory(name=name)
            self._head = np.ndarray((4,), np.int64, self.shm.buf, 0)
            if self._head[0] != MAGIC:
                raise ValueError(f"shared memory {name!r} is not a step ring")
        self.name = self.shm.name
        self.capacity = int(self._head[1])
        self._rows = np.ndarray((self.capacity, WIDTH), np.float64, self.shm.buf, HEADER)
        # the writer's way in, cell by cell: a memoryview's item stores cost half a NumPy slice's
        self._cells = self.shm.buf[HEADER:HEADER + self.capacity * WIDTH * 8].cast("d")
        self._count = self.shm.buf[16:24].cast("q")
        self._read = int(self._head[2])  # a reader starts at the rows written from now on
        self.lost = 0  # rows a slow reader missed

    @property
    def written(self) -> int:
        return int(self._head[2])

    # -- writer ------------------------------------------------------------------------------
    def _put(self, row) -> None:
        count = int(self._head[2])
        self._rows[count % self.capacity] = row
        _fence()
        self._head[2] = count + 1

    def append(self, step: int, cost: float, grad_norms) -> None:
        # written in place, cell by cell (one call per step on the training loop: ~0.5 µs)
        cells, count = self._cells, self._count[0]
        at = (count % self.capacity) * WIDTH
        n = min(len(grad_norms), MAX_LAYERS)
        cells[at], cells[at + 1], cells[at + 2], cells[at + 3] = STEP, step, cost, n
        for i in range(n):
            cells[at + 4 + i] = grad_norms[i]
        _fence()
        self._count[0] = count + 1

    def add_evaluation(self, split: str, epoch: float, step: int, accuracy: float, cost: float) -> None:
        row = np.full(WIDTH, np.nan)
        row[:7] = (EVALUATION, step, cost, 0, SPLITS.index(split), epoch, accuracy)
        self._put(row)

    def clear(self) -> None:
        row = np.full(WIDTH, np.nan)
        row[0] = CLEAR
        self._put(row)

    def truncate_after(self, step: int, epoch: float) -> None:
        """Mark that training resumed from `step`: what was charted after it goes."""
        row = np.full(WIDTH, np.nan)
        row[:3] = (TRUNCATE, step, epoch)
        self._put(row)

    # -- reader ------------------------------------------------------------------------------
    def _copy_new(self) -> np.ndarray:
        end = int(self._head[2])
        _fence()
        start = max(self._read, end - self.capacity)
        self.lost += start - self._read
        a, b = start % self.capacity, end % self.capacity
        if end - start == 0:
            rows = self._rows[:0].copy()
        elif a < b:
            rows = self._rows[a:b].copy()
        else:
            rows = np.concatenate([self._rows[a:], self._rows[:b]])
        _fence()
        # rows the writer overwrote (or is overwriting) while they were copied are dropped
        overwritten = max(0, int(self._head[2]) + 1 - self.capacity - start)
        self.lost += min(overwritten, len(rows))
        self._read = end
        return rows[overwritten:]

    def drain(self) -> FeedBatch | None:
        """Return every row written since the last drain (None if nothing)."""
        rows = self._copy_new()
        if not len(rows):
            return None
        kinds = rows[:, 0]
        clears = np.flatnonzero(kinds == CLEAR)
        cleared = bool(len(clears))
        if cleared:
            rows, kinds = rows[clears[-1] + 1:], kinds[clears[-1] + 1:]
        truncated = None
        for t in np.flatnonzero(kinds == TRUNCATE)[::-1]:  # the latest first: earlier rows it drops go too
            step, epoch = int(rows[t, 1]), float(rows[t, 2])
            before = np.arange(len(rows)) < t
            late = ((kinds == STEP) & (rows[:, 1] > step)) | ((kinds == EVALUATION) & (rows[:, 5] > epoch))
            keep = ~(before & late)
            rows, kinds = rows[keep], kinds[keep]
            if truncated is None or step < truncated[0]:
                truncated = (step, epoch)
        steps = rows[kinds == STEP]
        layers = int(steps[:, 3].max()) if len(steps) else 0
        evaluations = [{"split": SPLITS[int(r[4])], "epoch": float(r[5]), "step": int(r[1]),
                        "accuracy": float(r[6]), "cost": float(r[2])} for r in rows[kinds == EVALUATION]]
        return FeedBatch(steps[:, 1].astype(np.int64), steps[:, 2].copy(), steps[:, 4:4 + layers].copy(),
                         evaluations, cleared, truncated)

    # -- lifetime ----------------------------------------------------------------------------
    def close(self) -> None:
        self._head = self._rows = None
        self._cells.release()
        self._count.release()
        with contextlib.suppress(BufferError):  # a view still alive: the mapping goes at exit
            self.shm.close()
