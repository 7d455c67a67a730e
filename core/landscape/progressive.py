"""What the cost-surface panel asks of a grid: a coarse picture at once, refinements, the
full grid — and the cost along the gradient from the current point.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from core.landscape.grid import GridEvaluator
from core.landscape.planes import Plane


@dataclass(frozen=True)
class GridUpdate:
    """The best picture of the grid so far: computed points exact, the rest interpolated."""

    values: np.ndarray  # (len(alphas), len(betas))
    computed: int
    total: int
    stage: str  # "coarse", "refining" or "done"

    @property
    def fraction(self) -> float:
        return self.computed / self.total if self.total else 1.0


def coarse_indices(n: int, k: int) -> np.ndarray:
    """Return about k indices spread evenly over 0..n-1, both ends included."""
    return np.unique(np.round(np.linspace(0, n - 1, max(2, min(n, k)))).astype(np.intp))


def interpolation_matrix(n: int, index) -> np.ndarray:
    """Return M (n, len(index)) such that M @ v interpolates values v at `index` linearly onto 0..n-1."""
    eye = np.eye(len(index))
    return np.stack([np.interp(np.arange(n), index, eye[c]) for c in range(len(index))], axis=1)


def progressive_grid(evaluator: GridEvaluator, coarse=11, update_every=0.1, clock=time.perf_counter):
    """Yield GridUpdates: a coarse grid first, refinements every `update_every` s, then the grid.

    Between updates it yields None after every chunk, so a caller can stop at any moment by
    no longer iterating. No point is computed twice: the coarse points are grid points.
    """
    n_a, n_b = len(evaluator.alphas), len(evaluator.betas)
    ic, jc = coarse_indices(n_a, coarse), coarse_indices(n_b, coarse)
    ia, jb = (v.ravel() for v in np.meshgrid(ic, jc, indexing="ij"))
    coarse_values = np.empty(len(ia))
    for _ in evaluator.run(ia, jb, coarse_values):
        yield None
    coarse_values = coarse_values.reshape(len(ic), len(jc))
    estimate = interpolation_matrix(n_a, ic) @ coarse_values @ interpolation_matrix(n_b, jc).T
    estimate[np.ix_(ic, jc)] = coarse_values
    done = np.zeros((n_a, n_b), bool)
    done[np.ix_(ic, jc)] = True
    yield GridUpdate(estimate.copy(), len(ia), n_a * n_b, "coarse")
    rest_i, rest_j = np.nonzero(~done)  # row-major, the order `run` keeps
    rest = np.empty(len(rest_i))
    last = clock()
    for count in evaluator.run(rest_i, rest_j, rest):
        if clock() - last >= update_every and count < len(rest):
            estimate[rest_i[:count], rest_j[:count]] = rest[:count]
            last = clock()
            yield GridUpdate(estimate.copy(), len(ia) + count, n_a * n_b, "refining")
        else:
            yield None
    estimate[rest_i, rest_j] = rest
    yield GridUpdate(estimate, n_a * n_b, n_a * n_b, "done")


def gradient_profile(model, origin, gradient, x, y, learning_rate, n=61, before=0.5, after=2.5):
    """Return (t, C(θ₀ − t·g)) for t from −before·η to after·η (η the learning rate).

    t = η is where a plain gradient step with this gradient lands; with n=61 and the default
    span it is a sample point, as is t = 0.
    """
    origin = np.asarray(origin, dtype=np.float64)
    plane = Plane("profile", origin, -np.asarray(gradient, dtype=np.float64), np.zeros_like(origin))
    t = np.linspace(-before * learning_rate, after * learning_rate, n)
    return t, GridEvaluator(model, plane, x, y, t, [0.0]).grid()[:, 0]


def describe_step(steps, costs, learning_rate, tolerance=0.05) -> str:
    """Return what one step of the learning rate does on the profile C(θ₀ − t·∇C).

    "Near" the lowest point means within `tolerance` of the drop available along the line.
    """
    steps, costs = np.asarray(steps, dtype=np.float64), np.asarray(costs, dtype=np.float64)
    now, landed = np.interp(0.0, steps, costs), np.interp(learning_rate, steps, costs)
    ahead = steps >= 0
    lowest = int(np.argmin(np.where(ahead, costs, np.inf)))
    if landed > now:
        return "uphill: the step is too large"
    if landed <= costs[lowest] + tolerance * (now - costs[lowest]):
        return "near the lowest point on this line"
    if steps[lowest] < learning_rate:
        return "past the lowest point on this line (overshoot)"
    return "short of the lowest point on this line"
