"""Thread-safe hand-over from the training thread to the GUI: no backlog can grow.

- `Mailbox`: the newest value only (a newer snapshot replaces an older one).
- `StepFeed`: the per-step numbers the charts need, drained by the GUI in bulk.
"""
from __future__ import annotations

import threading

import numpy as np

from core.engine.ring import FeedBatch


class Mailbox:
    """Holds the latest value only; `take` returns it once (None if nothing new)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._value = None
        self._fresh = False

    def put(self, value) -> None:
        with self._lock:
            self._value, self._fresh = value, True

    def take(self):
        """Return the newest value if it has not been taken yet, else None."""
        with self._lock:
            if not self._fresh:
                return None
            self._fresh = False
            return self._value

    def peek(self):
        """Return the newest value, taken or not."""
        with self._lock:
            return self._value

    @property
    def running(self) -> bool:
        """Whether the newest value is a picture of training that runs."""
        value = self._value
        return bool(value is not None and value.running)


class RecipeMailbox(Mailbox):
    """A Mailbox whose snapshots may come as recipes: each is made when first looked at, and once.

    The engine publishes 60 recipes a second; making a Snapshot runs the example forward and
    back, and making those the frame loop never showed cost the window a tenth of its time.
    """

    def __init__(self):
        super().__init__()
        self._recipe = None  # the newest value, not made yet

    def put_recipe(self, recipe) -> None:
        with self._lock:
            self._value, self._recipe, self._fresh = None, recipe, True

    def put(self, value) -> None:
        with self._lock:
            self._value, self._recipe, self._fresh = value, None, True

    def _made(self):
        if self._recipe is not None:
            self._value, self._recipe = self._recipe.make(), None
        return self._value

    def take(self):
        with self._lock:
            if not self._fresh:
                return None
            self._fresh = False
            return self._made()

    def peek(self):
        with self._lock:
            return self._made()

    @property
    def running(self) -> bool:
        recipe = self._recipe
        return bool(recipe.progress.get("running")) if recipe is not None else super().running


class StepFeed:
    """Accumulates step records for the charts until the GUI drains them.

    Bounded: if nobody drains it (a stalled GUI), it keeps every other record once full,
    so memory stays flat and the shape of the curve survives.
    """

    def __init__(self, capacity: int = 200_000):
        self._lock = threading.Lock()
        self._capacity = capacity
        self._rows = []
        self._evaluations = []
        self._cleared = False
        self._truncated = None

    def append(self, step: int, cost: float, grad_norms) -> None:
        with self._lock:
            self._rows.append((step, cost, grad_norms))
            if len(self._rows) >= self._capacity:
                self._rows = self._rows[::2]

    def add_evaluation(self, **evaluation) -> None:
        with self._lock:
            self._evaluations.append(evaluation)

    def clear(self) -> None:
        with self._lock:
            self._rows, self._evaluations, self._cleared, self._truncated = [], [], True, None

    def truncate_after(self, step: int, epoch: float) -> None:
        """Drop what was gathered after `step` and tell the charts to do the same."""
        with self._lock:
            self._rows = [r for r in self._rows if r[0] <= step]
            self._evaluations = [e for e in self._evaluations if e.get("epoch", 0) <= epoch]
            earlier = self._truncated
            self._truncated = (int(step), float(epoch)) if earlier is None or step < earlier[0] else earlier

    def drain(self) -> FeedBatch | None:
        """Return everything gathered since the last drain (None if nothing)."""
        with self._lock:
            rows, evaluations, cleared, truncated = self._rows, self._evaluations, self._cleared, self._truncated
            self._rows, self._evaluations, self._cleared, self._truncated = [], [], False, None
        if not rows and not evaluations and not cleared and truncated is None:
            return None
        if rows:
            steps = np.fromiter((r[0] for r in rows), np.int64, len(rows))
            costs = np.fromiter((r[1] for r in rows), np.float64, len(rows))
            norms = np.array([r[2] for r in rows], dtype=np.float64)
        else:
            steps, costs, norms = np.zeros(0, np.int64), np.zeros(0), np.zeros((0, 0))
        return FeedBatch(steps, costs, norms, evaluations, cleared, truncated)
