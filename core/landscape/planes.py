"""Planes through parameter space for looking at the cost: θ(α, β) = θ₀ + α·d₁ + β·d₂.

The cost is a function of every parameter at once; a plane picks two directions d₁, d₂
through the current point θ₀ and shows the cost as an ordinary function of two numbers.
Three kinds of plane, as in the lesson:

- "parameters": d₁, d₂ are unit vectors of two chosen weights, so the picture is exact —
  the cost as a function of those two weights with every other weight held still.
- "pca": the two directions along which the recorded trajectory moved most (Li et al. 2018,
  "Visualizing the Loss Landscape of Neural Nets"), through the current point.
- "random": two random directions, each weight row (or layer) scaled to the norm of the
  weights it perturbs, so that α = 1 means "a change as large as the weights themselves".

Grid evaluation lives in core/landscape_grid.py; this module only builds planes and maps
parameter vectors to plane coordinates.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.network import Network, parameter_layout, parameter_views

PLANE_KINDS = ("pca", "random", "parameters")
NORMALISATIONS = ("filter", "layer")
PCA_MAX_ROWS = 128  # trajectory rows used to find the principal directions (evenly thinned)


class PlaneError(ValueError):
    """A plane was asked for with something it cannot use."""


def _frozen64(vector) -> np.ndarray:
    out = np.array(vector, dtype=np.float64, copy=True).reshape(-1)
    out.flags.writeable = False
    return out


@dataclass(frozen=True)
class Plane:
    """The plane θ₀ + α·d₁ + β·d₂ (all float64, read-only) and what its axes mean."""

    kind: str  # one of PLANE_KINDS
    origin: np.ndarray  # θ₀, (P,)
    d1: np.ndarray  # (P,)
    d2: np.ndarray  # (P,)
    labels: tuple = ("α", "β")  # short axis names
    explained: tuple | None = None  # pca: share of the trajectory's squared distance from θ₀ along d₁, d₂
    parameters: tuple | None = None  # parameters: the flat indices of the two weights

    @property
    def n_params(self) -> int:
        return self.origin.size

    def point(self, alpha, beta) -> np.ndarray:
        """Return the parameter vector θ₀ + α·d₁ + β·d₂ (float64)."""
        return self.origin + float(alpha) * self.d1 + float(beta) * self.d2

    def project(self, thetas, chunk=64) -> np.ndarray:
        """Return the (α, β) of the plane point nearest each θ (least squares), shape (K, 2).

        For orthonormal planes this is two dot products; random planes are not orthonormal,
        so solve the 2×2 normal equations (pseudo-inverse: a degenerate plane still answers).
        """
        thetas = np.asarray(thetas)
        single = thetas.ndim == 1
        thetas = thetas.reshape(-1, self.n_params)
        basis = np.stack([self.d1, self.d2])  # (2, P)
        rhs = np.empty((2, len(thetas)))
        for start in range(0, len(thetas), chunk):  # bounded float64 temporaries
            block = thetas[start:start + chunk].astype(np.float64) - self.origin
            rhs[:, start:start + chunk] = basis @ block.T
        coords = (np.linalg.pinv(basis @ basis.T) @ rhs).T
        return coords[0] if single else coords

    def in_plane(self, vector) -> float:
        """Return the share of a vector's length that lies in the plane (1: all of it)."""
        v = np.asarray(vector, dtype=np.float64)
        norm = np.linalg.norm(v)
        if norm == 0:
            return 0.0
        a, b = self.project(self.origin + v)
        return float(np.linalg.norm(a * self.d1 + b * self.d2) / norm)

    def slopes(self, gradient) -> np.ndarray:
        """Return (∂C/∂α, ∂C/∂β) at θ₀ given the full gradient: the downhill arrow is minus this."""
        g = np.asarray(gradient, dtype=np.float64)
        return np.array([g @ self.d1, g @ self.d2])


def parameter_index(sizes, weight_layer: int, to_index: int, from_index: int) -> int:
    """Return the flat index of weights[weight_layer][to_index, from_index]."""
    layout = parameter_layout(sizes)
    if not 0 <= weight_layer < len(layout):
        raise PlaneError(f"weight layer {weight_layer} does not exist (the network has {len(layout)})")
    n_in, n_out = sizes[weight_layer], sizes[weight_layer + 1]
    if not (0 <= to_index < n_out and 0 <= from_index < n_in):
        raise PlaneError(f"weight layer {weight_layer} has no connection {from_index} → {to_index}")
    return layout[weight_layer][0] + to_index * n_in + from_index


def describe_parameter(sizes, index: int) -> str:
    """Return a short name for a flat parameter index: "w1[3,7]" or "b2[4]"."""
    for layer, ((start, w_end, b_end), n_in) in enumerate(zip(parameter_layout(sizes), sizes[:-1])):
        if start <= index < w_end:
            to_index, from_index = divmod(index - start, n_in)
            return f"w{layer}[{to_index},{from_index}]"
        if w_end <= index < b_end:
            return f"b{layer}[{index - w_end}]"
    raise PlaneError(f"parameter {index} does not exist")


def steepest_weights(sizes, vector, k=2) -> tuple:
    """Return the flat indices of the k weights (not biases) with the largest |vector| entries."""
    vector = np.abs(np.asarray(vector, dtype=np.float64))
    index = np.concatenate([np.arange(start, w_end) for start, w_end, _ in parameter_layout(sizes)])
    order = index[np.argsort(vector[index], kind="stable")[::-1][:k]]
    return tuple(int(i) for i in order)


def parameter_plane(origin, sizes, first: int, second: int) -> Plane:
    """Return the plane of two single parameters (flat indices): exact, no projection."""
    origin = _frozen64(origin)
    if first == second:
        raise PlaneError("pick two different parameters")
    d1, d2 = np.zeros_like(origin), np.zeros_like(origin)
    for d, index in ((d1, first), (d2, second)):
        if not 0 <= index < origin.size:
            raise PlaneError(f"parameter {index} does not exist")
        d[index] = 1.0
    return Plane("parameters", origin, _frozen64(d1), _frozen64(d2),
                 (describe_parameter(sizes, first), describe_parameter(sizes, second)),
                 parameters=(int(first), int(second)))


def random_plane(origin, sizes, seed=0, normalisation="filter") -> Plane:
    """Return two seeded random directions scaled to the weights they perturb (biases left still).

    "filter": each neuron's incoming weight row of d gets the norm of that row of θ₀ (Li et
    al.'s filter normalisation for fully-connected layers); "layer": each weight matrix does.
    Bias components are zero, as in Li et al., so the picture is about the weights.
    """
    if normalisation not in NORMALISATIONS:
        raise PlaneError(f"unknown normalisation {normalisation!r}; choose from {', '.join(NORMALISATIONS)}")
    origin = _frozen64(origin)
    rng = np.random.default_rng(seed)
    axis = 1 if normalisation == "filter" else None
    directions = []
    for _ in range(2):
        d = np.zeros_like(origin)
        for dw, w in zip(weight_views(sizes, d), weight_views(sizes, origin)):
            dw[...] = rng.standard_normal(dw.shape)
            d_norm = np.linalg.norm(dw, axis=axis, keepdims=axis is not None)
            w_norm = np.linalg.norm(w, axis=axis, keepdims=axis is not None)
            dw *= w_norm / np.where(d_norm > 0, d_norm, 1.0)
        directions.append(_frozen64(d))
    name = "filter" if normalisation == "filter" else "layer"
    return Plane("random", origin, *directions, (f"random 1 ({name})", f"random 2 ({name})"))


def weight_views(sizes, flat) -> list:
    """Return the weight matrices (n_out, n_in) of a flat parameter vector, as views."""
    return parameter_views(sizes, flat)[0]


def _thin_rows(rows, limit):
    """Return at most `limit` rows, evenly spaced, always keeping the first and the last."""
    if len(rows) <= limit:
        return rows
    keep = np.unique(np.round(np.linspace(0, len(rows) - 1, limit)).astype(int))
    return rows[keep]


def pca_plane(origin, rows, seed=0, max_rows=PCA_MAX_ROWS, previous: Plane | None = None) -> Plane:
    """Return the top two principal directions of the trajectory `rows` about θ₀ = origin.

    The directions minimise the squared distance of the trajectory to a plane through θ₀
    (no mean subtraction: the plane must pass through the current point), so a trajectory
    that lies in such a plane is reproduced exactly. If the trajectory spans fewer than two
    directions, the missing ones are seeded random directions orthogonal to the rest.
    The axes drawn are turned within that plane (`along_travel`): α from the trajectory's start
    to θ₀, β across, keeping the sense of `previous` (the plane shown before), so the picture
    holds still from one recompute to the next; `orient` orders and signs the principal
    directions when the start gives no direction.
    """
    origin = _frozen64(origin)
    rows = np.asarray(rows)
    if rows.ndim != 2 or (len(rows) and rows.shape[1] != origin.size):
        raise PlaneError(f"trajectory rows must have {origin.size} parameters, got shape {rows.shape}")
    # Work in the trajectory's own precision (float32 in the app: half the memory traffic);
    # the final orthonormalisation is float64 either way.
    work = np.result_type(rows.dtype, np.float32)
    diffs = _thin_rows(rows, max_rows).astype(work) - origin.astype(work)  # (K, P)
    gram = (diffs @ diffs.T).astype(np.float64)  # (K, K): cheaper than an SVD of (K, P) when K ≪ P
    values, vectors = np.linalg.eigh(gram) if len(diffs) else (np.zeros(0), np.zeros((0, 0)))
    order = np.argsort(values)[::-1]
    total = float(values.clip(min=0).sum())
    found, explained = [], []
    for k in order[:2]:
        if values[k] > total * 1e-12 and values[k] > 0:
            found.append((vectors[:, k].astype(work) @ diffs).astype(np.float64))
            explained.append(float(values[k]) / total)
    rng = np.random.default_rng(seed)
    while len(found) < 2:  # too short a trajectory: complete the plane with random directions
        found.append(rng.standard_normal(origin.size))
        explained.append(0.0)
    basis, _ = np.linalg.qr(np.stack(found, axis=1))  # orthonormal, exactly spans `found`
    d1, d2 = basis[:, 0], basis[:, 1]
    labels = [f"PC{i + 1} ({share:.0%})" if share > 0 else f"random {i + 1}" for i, share in enumerate(explained)]
    start = rows[0].astype(np.float64) - origin if len(rows) else np.zeros_like(origin)
    if min(explained) > 0:
        travel = along_travel(basis.T, start, previous)
        if travel is not None:  # the slice is the same; only its axes turn within it
            d1, d2 = travel
            shares = [float(np.sum((diffs.astype(np.float64) @ d) ** 2)) / total for d in (d1, d2)]
            return Plane("pca", origin, _frozen64(d1), _frozen64(d2),
                         (f"start → now ({shares[0]:.0%})", f"across ({shares[1]:.0%})"), explained=tuple(shares))
    comparable = min(explained) > 0 and min(explained) >= COMPARABLE * max(explained)
    order, signs = orient(np.stack([d1, d2]), start, previous, swappable=comparable)
    d1, d2 = signs[0] * basis[:, order[0]], signs[1] * basis[:, order[1]]
    return Plane("pca", origin, _frozen64(d1), _frozen64(d2), tuple(labels[i] for i in order),
                 explained=tuple(explained[i] for i in order))


def along_travel(basis, start, previous: Plane | None = None):
    """Return (α, β) directions of the plane spanned by `basis` (2, P): α from the start to θ₀, β across.

    The principal axes turn within their plane as a trajectory grows (90° over a few dozen
    steps early on), so a picture drawn on them turned too; the direction of travel does not.
    β keeps the previous plane's sense, or puts most of the path above the line. None when the
    start lies (almost) nowhere in the plane.
    """
    start = np.asarray(start, dtype=np.float64)
    inside = basis @ start  # the start's coordinates in the plane
    if np.linalg.norm(inside) <= 1e-9 * max(1.0, np.linalg.norm(start)):
        return None
    alpha = -(inside @ basis)  # from the start towards θ₀ (the origin): the start is on the left
    alpha /= np.linalg.norm(alpha)
    u = np.array([-inside[1], inside[0]]) / np.linalg.norm(inside)  # in-plane, perpendicular
    beta = u @ basis
    if previous is not None and previous.d2.size == beta.size and abs(beta @ previous.d2) >= ALIGNED:
        beta = beta if beta @ previous.d2 > 0 else -beta
    return alpha, beta


ALIGNED = 0.1  # |cosine| with the previous direction above which its sense decides the new β's
COMPARABLE = 0.25  # the lesser direction's share at least this × the greater's: they may trade axes


def orient(directions, start, previous: Plane | None = None, swappable=True) -> tuple:
    """Return (order, signs) that give two orthonormal directions a stable orientation on screen.

    The start is always on the left. With a previous plane, while the two directions explain
    comparable shares (`swappable`), the one nearer the old α stays α (the main directions
    trade places as a trajectory grows), and β keeps the sense of the old β it matches (the
    start below when it matches none), so a recompute does not mirror or turn the picture.
    """
    d = np.asarray(directions, dtype=np.float64)  # (2, P)
    start = np.asarray(start, dtype=np.float64)
    order = [0, 1]
    overlap = None
    if previous is not None and previous.d1.size == d.shape[1]:
        overlap = d @ np.stack([previous.d1, previous.d2]).T  # (new, old) cosines
        # the old picture's horizontal direction stays horizontal: whichever new direction is
        # closer to it becomes α (comparing whole assignments let an unrelated old β decide)
        if swappable and abs(overlap[1, 0]) > abs(overlap[0, 0]):
            order = [1, 0]
    signs = []
    for axis, k in enumerate(order):
        cosine = overlap[k, axis] if overlap is not None else 0.0
        if axis == 1 and abs(cosine) >= ALIGNED:
            signs.append(1.0 if cosine > 0 else -1.0)
        else:
            signs.append(-1.0 if d[k] @ start > 0 else 1.0)
    return tuple(order), tuple(signs)


def auto_extent(coords, minimum=0.05, margin=0.25, min_aspect=0.4) -> tuple:
    """Return (α_min, α_max, β_min, β_max) framing the origin and the projected trajectory.

    Each axis spans at least `min_aspect` of the other (a flat trajectory should not squash
    the picture to a stripe) and at least `minimum`; `margin` of the span pads each side.
    """
    coords = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    coords = np.vstack([coords[np.isfinite(coords).all(axis=1)], [[0.0, 0.0]]])
    low, high = coords.min(axis=0), coords.max(axis=0)
    span = np.maximum(high - low, minimum)
    span = np.maximum(span, min_aspect * span.max())
    centre = (low + high) / 2
    half = span * (0.5 + margin)
    return (float(centre[0] - half[0]), float(centre[0] + half[0]),
            float(centre[1] - half[1]), float(centre[1] + half[1]))


def evaluation_sample(x, y, n=1000, seed=0):
    """Return a fixed, seeded sample of n examples (copies) on which the cost is evaluated."""
    y = np.asarray(y)
    n = min(int(n), len(y))
    index = np.sort(np.random.default_rng(seed).choice(len(y), n, replace=False))
    return np.array(x[index], dtype=np.float32), y[index].astype(np.intp)


def sample_gradient(model, params, x, y) -> tuple:
    """Return (cost, gradient) of the mean cost over (x, y) at `params` for model's architecture."""
    net = Network(model.sizes, model.activation, model.cost, dtype=np.float32)
    net.set_params(np.asarray(params, dtype=np.float32))
    g = net.backprop(x, y, nudges=False)
    return g.cost, g.flat
