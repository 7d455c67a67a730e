"""How a network does on a whole split: confusion matrix, a cell's examples, the worst mistakes.

One chunked forward pass over the split keeps every output, so everything a view asks
afterwards (a cell's images, the worst-classified ones) is an index lookup, not a new pass.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.network import Network

WORST_BY = ("probability", "cost")


@dataclass(frozen=True)
class SplitEvaluation:
    """The network's output on every example of a split, and what follows from it."""

    split: str
    labels: np.ndarray  # (N,) true classes
    outputs: np.ndarray  # (N, K) output activations
    predictions: np.ndarray  # (N,) argmax of the outputs
    costs: np.ndarray  # (N,) cost of each example
    confusion: np.ndarray  # (K, K) counts, rows = true class, columns = predicted class
    step: int = 0  # the training step the parameters came from

    @property
    def n(self) -> int:
        return len(self.labels)

    @property
    def accuracy(self) -> float:
        return float(np.trace(self.confusion)) / self.n if self.n else 0.0

    @property
    def mean_cost(self) -> float:
        return float(self.costs.mean()) if self.n else 0.0

    def true_class_output(self) -> np.ndarray:
        """Return each example's output activation for its true class, (N,)."""
        return self.outputs[np.arange(self.n), self.labels]

    def cell(self, true: int, predicted: int) -> np.ndarray:
        """Return the indices (into the split) of the examples of class `true` predicted as `predicted`."""
        return np.flatnonzero((self.labels == true) & (self.predictions == predicted))

    def worst(self, n: int = 100, by: str = "probability", mistakes_only: bool = False) -> np.ndarray:
        """Return the indices of the n worst-classified examples, worst first.

        by="probability": lowest output for the true class; by="cost": highest cost.
        """
        if by not in WORST_BY:
            raise ValueError(f"by must be one of {', '.join(WORST_BY)}, got {by!r}")
        badness = -self.true_class_output() if by == "probability" else self.costs
        pool = np.flatnonzero(self.predictions != self.labels) if mistakes_only else np.arange(self.n)
        n = min(n, len(pool))
        if n == 0:
            return pool[:0]
        # argpartition first: a full sort of 10,000 values per request is wasted work.
        top = pool[np.argpartition(-badness[pool], n - 1)[:n]] if n < len(pool) else pool
        return top[np.argsort(-badness[top], kind="stable")]


def confusion_matrix(labels, predictions, n_classes: int) -> np.ndarray:
    """Return the (K, K) count matrix: entry [t, p] counts examples of class t predicted as p."""
    labels = np.asarray(labels, dtype=np.int64)
    predictions = np.asarray(predictions, dtype=np.int64)
    return np.bincount(labels * n_classes + predictions, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes)


def network_from(sizes, activation, cost, params) -> Network:
    """Return a new Network of this architecture holding a copy of `params`."""
    net = Network(sizes, activation, cost, seed=0, dtype=np.asarray(params).dtype)
    net.set_params(params)
    return net


def network_from_snapshot(snap) -> Network:
    """Return a new Network with the snapshot's architecture and parameters (a private copy)."""
    return network_from(snap.sizes, snap.activation, snap.cost, snap.params)


def evaluate_split(net: Network, x, labels, split: str = "test", chunk: int = 2500, step: int = 0,
                   should_stop=None) -> SplitEvaluation | None:
    """Return every output, prediction and cost of `net` on (x, labels), a chunk at a time.

    Chunks keep the hidden activations small and cache-friendly; should_stop() (optional)
    is asked between chunks and makes the function return None.
    """
    labels = np.asarray(labels)
    n, k = len(labels), net.sizes[-1]
    outputs = np.empty((n, k), dtype=net.dtype)
    costs = np.empty(n, dtype=np.float64)
    for start in range(0, n, chunk):
        if should_stop is not None and should_stop():
            return None
        out = net.feedforward(x[start:start + chunk])
        outputs[start:start + chunk] = out
        costs[start:start + chunk] = net.example_costs(out, labels[start:start + chunk])
    predictions = outputs.argmax(axis=1) if n else np.zeros(0, dtype=np.intp)
    for a in (outputs, costs, predictions):
        a.flags.writeable = False
    return SplitEvaluation(split, labels, outputs, predictions, costs,
                           confusion_matrix(labels, predictions, k), step)


def evaluate_snapshot(snap, dataset, split: str = "test", should_stop=None) -> SplitEvaluation | None:
    """Return the evaluation of the snapshot's parameters on a split of the dataset."""
    return evaluate_split(network_from_snapshot(snap), dataset.inputs(split), dataset.labels(split),
                          split, step=snap.step, should_stop=should_stop)
