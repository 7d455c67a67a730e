"""A mini-batch step against the true gradient over the whole training set.

The lesson: a mini-batch step "is not the most efficient step downhill, but a pretty good
approximation". Here that is measured: the angle between the gradient of one mini-batch
and the gradient of the mean cost over every training image, at the same parameters; the
cost after a step along each; and how the angle shrinks as the batch grows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.network import Network

BATCH_SIZES = (1, 10, 100, 1000, 10000)
CHUNK = 5000  # examples per backprop call: bounded memory on the whole training set


def full_gradient(net: Network, x, y, chunk: int = CHUNK) -> tuple:
    """Return (∇C, C): the gradient of the mean cost over all of x (N, n_in) and that mean cost, in float64."""
    n = len(x)
    if n == 0:
        raise ValueError("no examples to take the gradient over")
    total = np.zeros(net.n_params, dtype=np.float64)
    cost = 0.0
    for start in range(0, n, chunk):
        g = net.backprop(x[start:start + chunk], y[start:start + chunk], nudges=False)
        m = len(g.example_costs)
        total += g.flat.astype(np.float64) * m  # backprop gives the chunk's mean: weight it by its size
        cost += float(np.sum(g.example_costs, dtype=np.float64))
    return total / n, cost / n


def mean_cost(net: Network, x, y, chunk: int = CHUNK) -> float:
    """Return the network's mean cost over x (N, n_in) with labels y."""
    total = 0.0
    for start in range(0, len(x), chunk):
        out = net.forward(x[start:start + chunk]).activations[-1]
        total += float(np.sum(net.example_costs(out, y[start:start + chunk]), dtype=np.float64))
    return total / len(x)


def angle_degrees(a, b) -> float:
    """Return the angle between two vectors in degrees (0: same direction, 90: unrelated, 180: opposite)."""
    a, b = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        return float("nan")
    return float(np.degrees(np.arccos(np.clip(np.dot(a, b) / (na * nb), -1.0, 1.0))))


@dataclass(frozen=True)
class StepComparison:
    """One step at parameters θ: along the mini-batch gradient and along the true one."""

    angle: float  # degrees between the mini-batch gradient and the true gradient
    cost_before: float  # mean training cost at θ
    cost_after_batch: float  # … at θ − η·(mini-batch gradient)
    cost_after_full: float  # … at θ − η·(true gradient)
    batch_norm: float
    full_norm: float
    full_grad: np.ndarray  # (P,) the true gradient
    learning_rate: float
    n_examples: int


def compare_step(net: Network, params, batch_grad, learning_rate: float, x, y) -> StepComparison:
    """Return the mini-batch step from params against a step along the gradient over all of x."""
    net = net.copy()
    params = np.asarray(params)
    net.set_params(params)
    full, cost_before = full_gradient(net, x, y)
    batch_grad = np.asarray(batch_grad, dtype=np.float64)

    def cost_after(direction):
        net.set_params((params - learning_rate * direction).astype(params.dtype))
        return mean_cost(net, x, y)

    after_batch, after_full = cost_after(batch_grad), cost_after(full)
    net.set_params(params)
    return StepComparison(angle_degrees(batch_grad, full), cost_before, after_batch, after_full,
                          float(np.linalg.norm(batch_grad)), float(np.linalg.norm(full)), full, float(learning_rate),
                          len(x))


def angles_by_batch_size(net: Network, params, full_grad, x, y, sizes=BATCH_SIZES, repeats: int = 5,
                         seed: int = 0) -> list:
    """Return [(batch size, mean angle, spread)] to the true gradient over `repeats` random batches of each size."""
    net = net.copy()
    net.set_params(np.asarray(params))
    rng = np.random.default_rng(seed)
    rows = []
    for size in sorted({min(int(size), len(x)) for size in sizes}):  # sizes past the set: the whole set, once
        angles = []
        for _ in range(repeats):
            pick = rng.choice(len(x), size=size, replace=False)
            angles.append(angle_degrees(net.backprop(x[pick], y[pick], nudges=False).flat, full_grad))
        rows.append((size, float(np.mean(angles)), float(np.std(angles))))
    return rows
