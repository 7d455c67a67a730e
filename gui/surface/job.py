"""One cost-surface computation, run off the GUI thread on read-only inputs.

A SurfaceRequest holds everything the job needs (a Snapshot, the evaluation sample, the
trajectory, the settings); `compute_surface` runs it as a gui.widgets.jobs job and reports
as it goes: the plane and projected path first, then a coarse grid, the gradient and 1-D
profile, refinements, the full grid. A newer request supersedes an older one: the job stops
at the next chunk, and the runner delivers nothing stale that got through.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.landscape.grid import GridEvaluator
from core.landscape.planes import (
    Plane,
    auto_extent,
    evaluation_sample,
    parameter_plane,
    pca_plane,
    random_plane,
    sample_gradient,
)
from core.landscape.progressive import gradient_profile, progressive_grid

# The smallest auto extent per plane kind, in that plane's coordinates: random directions
# are scaled to the weights (±1 is "as large as the weights", as in Li et al.), parameter
# planes move single weights, PCA coordinates are distances along the trajectory.
MIN_EXTENT = {"random": 1.5, "parameters": 1.0, "pca": 0.1}


@dataclass(frozen=True)
class SurfaceRequest:
    """What to compute; arrays are read-only and never change after the request is made."""

    id: int
    snapshot: object  # core.snapshot.Snapshot: θ₀, architecture, learning rate, batch gradient
    kind: str  # "pca", "random", "parameters"
    resolution: int
    parameters: tuple | None = None  # flat indices, for kind "parameters"
    normalisation: str = "filter"
    seed: int = 0
    extent: tuple | None = None  # (α_min, α_max, β_min, β_max); None: auto from the trajectory
    dataset: object = None  # core.data.Dataset, used when `sample` is None
    sample: tuple | None = None  # (x, y) evaluation sample, reused between requests
    sample_size: int = 1000
    trajectory: tuple | None = None  # (steps (K,), rows (K, P))
    plane: Plane | None = None  # a plane already built for the same inputs, to reuse
    previous: Plane | None = None  # the plane on screen: a new PCA plane keeps its orientation
    coarse: int = 11


@dataclass(frozen=True)
class SurfaceFrame:
    """The static part of a result: plane, grid axes and the projected trajectory."""

    id: int
    plane: Plane
    alphas: np.ndarray
    betas: np.ndarray
    path: np.ndarray  # (K, 2) trajectory in plane coordinates, ending at the current point (0, 0)
    path_steps: np.ndarray  # (K,) training step of each path point
    sample: tuple  # the (x, y) the cost was evaluated on


@dataclass(frozen=True)
class SurfaceProfile:
    """The gradient at θ₀ and the cost along it."""

    id: int
    cost: float  # mean cost at θ₀ over the sample
    slopes: np.ndarray  # (∂C/∂α, ∂C/∂β): the arrow points along minus this
    in_plane: float  # |∇C projected onto the plane| / |∇C|
    steps: np.ndarray  # t along −∇C
    costs: np.ndarray  # C(θ₀ − t·∇C)
    learning_rate: float


def build_plane(request: SurfaceRequest, rows) -> Plane:
    """Return the plane a request asks for, through the snapshot's current parameters."""
    snap = request.snapshot
    if request.kind == "pca":
        previous = request.previous if request.previous is not None and request.previous.kind == "pca" else None
        plane = pca_plane(snap.params, rows, seed=request.seed, previous=previous)
        if max(plane.explained) > 0:
            return plane
        # No trajectory to follow yet (training has not moved): random directions say more
        # than unit-length random vectors would.
        return random_plane(snap.params, snap.sizes, request.seed)
    if request.kind == "parameters":
        return parameter_plane(snap.params, snap.sizes, *request.parameters)
    return random_plane(snap.params, snap.sizes, request.seed, request.normalisation)


def trajectory_path(plane: Plane, trajectory, snap):
    """Return (coords (K, 2), steps (K,)) of the trajectory, ending at the current point."""
    steps, rows = trajectory if trajectory is not None else (np.zeros(0, int), np.zeros((0, plane.n_params)))
    coords = plane.project(rows) if len(rows) else np.zeros((0, 2))
    if not len(rows) or not np.array_equal(rows[-1], snap.params):
        coords = np.vstack([coords, [[0.0, 0.0]]])
        steps = np.append(steps, snap.step)
    return coords, np.asarray(steps)


def compute_surface(req: SurfaceRequest, job) -> None:
    """Compute one request, reporting ("frame", SurfaceFrame), ("grid", GridUpdate) and ("profile", SurfaceProfile)."""
    snap = req.snapshot
    sample = req.sample or evaluation_sample(req.dataset.inputs("train"), req.dataset.labels("train"), req.sample_size)
    x, y = sample
    rows = req.trajectory[1] if req.trajectory is not None else np.zeros((0, len(snap.params)))
    plane = req.plane or build_plane(req, rows)
    path, path_steps = trajectory_path(plane, req.trajectory, snap)
    a0, a1, b0, b1 = req.extent or auto_extent(path, minimum=MIN_EXTENT.get(plane.kind, 0.1))
    alphas, betas = np.linspace(a0, a1, req.resolution), np.linspace(b0, b1, req.resolution)
    if job.superseded:
        return
    job.report(("frame", SurfaceFrame(req.id, plane, alphas, betas, path, path_steps, sample)))
    evaluator = GridEvaluator(snap, plane, x, y, alphas, betas)
    for update in progressive_grid(evaluator, coarse=req.coarse):
        if job.superseded:
            return
        if update is None:
            continue
        job.report(("grid", update))
        if update.stage == "coarse":  # the picture is up: now the gradient and its profile
            job.report(("profile", gradient_along(req, plane, x, y)))


def gradient_along(req: SurfaceRequest, plane: Plane, x, y) -> SurfaceProfile:
    """Return the gradient at the request's point, seen in the plane, and the cost along it."""
    snap = req.snapshot
    cost, grad = sample_gradient(snap, snap.params, x, y)
    lr = snap.learning_rate if snap.learning_rate > 0 else 1.0
    steps, costs = gradient_profile(snap, snap.params, grad, x, y, lr)
    return SurfaceProfile(req.id, cost, plane.slopes(grad), plane.in_plane(grad), steps, costs, snap.learning_rate)
