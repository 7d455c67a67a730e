"""Cost-surface planes, projection and grid evaluation, checked against the network itself."""
import itertools

import numpy as np
import pytest

from core.landscape.contours import contour_levels, contour_segments
from core.landscape.grid import GridEvaluator, naive_grid
from core.landscape.planes import (
    Plane,
    PlaneError,
    auto_extent,
    describe_parameter,
    evaluation_sample,
    parameter_index,
    parameter_plane,
    pca_plane,
    random_plane,
    sample_gradient,
    weight_views,
)
from core.landscape.progressive import coarse_indices, describe_step, gradient_profile, progressive_grid
from core.network import Network

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu"]
COSTS = ["quadratic", "cross_entropy"]
ARCHITECTURES = [(12, 7, 5, 4), (9, 4), (10, 6, 5, 4, 3)]


def problem(activation="sigmoid", cost="quadratic", sizes=(12, 7, 5, 4), n=37, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    net = Network(sizes, activation, cost, seed=seed, dtype=dtype)
    net.params[...] = rng.standard_normal(net.n_params) * 0.6
    x = rng.random((n, sizes[0]))
    y = rng.integers(0, sizes[-1], n)
    return net, x, y


def planes_for(net, rng):
    """Planes of every kind: random (both normalisations), pca, two parameters, a skewed one."""
    rows = net.params + rng.standard_normal((6, net.n_params)) * 0.3
    last = net.n_params - 1
    return [random_plane(net.params, net.sizes, seed=3),
            random_plane(net.params, net.sizes, seed=4, normalisation="layer"),
            pca_plane(net.params, rows),
            parameter_plane(net.params, net.sizes, 2, 5),
            parameter_plane(net.params, net.sizes, last, last - 2),  # output layer only
            Plane("skew", net.params.astype(float), rng.standard_normal(net.n_params) * 0.5,
                  rng.standard_normal(net.n_params) * 0.2)]


@pytest.mark.parametrize("activation,cost", list(itertools.product(ACTIVATIONS, COSTS)))
def test_fast_grid_equals_naive_grid(activation, cost):
    rng = np.random.default_rng(1)
    for k, sizes in enumerate(ARCHITECTURES):
        net, x, y = problem(activation, cost, sizes, seed=k)
        alphas, betas = np.linspace(-1.3, 1.0, 7), np.linspace(-1.0, 1.2, 6)
        for plane in planes_for(net, rng):
            naive = naive_grid(net, plane, x, y, alphas, betas)  # float64 oracle
            # chunk_floats=40 forces several example blocks per pass: the blocked path too
            for chunk in (1 << 17, 40):
                fast = GridEvaluator(net, plane, x, y, alphas, betas, chunk_floats=chunk).grid()
                assert np.abs(fast - naive).max() < 1e-5, (sizes, plane.kind, chunk)


def test_separable_sigmoid_path_is_used_and_falls_back_outside_float32_range():
    net, x, y = problem()
    plane = random_plane(net.params, net.sizes, seed=0)
    alphas = np.linspace(-1, 1, 5)
    assert GridEvaluator(net, plane, x, y, alphas, alphas).separable
    wide = np.linspace(-400, 400, 5)  # exponents beyond float32: the direct path must answer
    ev = GridEvaluator(net, plane, x, y, wide, wide)
    assert not ev.separable
    assert np.abs(ev.grid() - naive_grid(net, plane, x, y, wide, wide)).max() < 1e-5


def test_grid_at_origin_equals_network_cost(mnist):
    net = Network((784, 16, 16, 10), seed=0)  # float32, as the app trains it
    x, y = evaluation_sample(mnist.inputs("train"), mnist.labels("train"), 300)
    axis = np.linspace(-1, 1, 5)  # 0 is the middle point
    for plane in (random_plane(net.params, net.sizes, seed=2),
                  parameter_plane(net.params, net.sizes, 10, 12_000)):
        grid = GridEvaluator(net, plane, x, y, axis, axis).grid()
        assert grid[2, 2] == pytest.approx(net.cost_of(x, y), abs=1e-6)


def test_projecting_the_origin_gives_zero_for_every_plane():
    net, _, _ = problem()
    for plane in planes_for(net, np.random.default_rng(0)):
        assert np.allclose(plane.project(net.params), 0.0, atol=1e-12)


def test_projection_recovers_coordinates_on_a_skewed_plane():
    net, _, _ = problem()
    plane = planes_for(net, np.random.default_rng(0))[-1]  # neither orthogonal nor unit
    coords = np.array([[0.3, -1.2], [2.0, 0.5], [0.0, 0.0]])
    thetas = np.stack([plane.point(a, b) for a, b in coords])
    assert np.allclose(plane.project(thetas), coords, atol=1e-9)


def test_pca_plane_reproduces_a_trajectory_lying_in_a_plane():
    rng = np.random.default_rng(5)
    origin = rng.standard_normal(500)
    u = rng.standard_normal(500)
    v = rng.standard_normal(500) + 0.3 * u  # not orthogonal to u
    t = np.linspace(0, 1, 40)
    coords = np.stack([3 * (1 - t) ** 2 - 0.5 * t, np.sin(4 * t) * (1 - t)], 1)
    rows = origin + coords[:, :1] * u + coords[:, 1:] * v
    rows[-1] = origin  # the trajectory ends at the current point
    plane = pca_plane(origin, rows)
    back = plane.project(rows)
    rebuilt = np.stack([plane.point(a, b) for a, b in back])
    assert np.abs(rebuilt - rows).max() < 1e-9
    assert np.allclose(plane.project(origin), 0.0)
    assert sum(plane.explained) == pytest.approx(1.0)
    assert plane.explained[0] >= plane.explained[1] > 0
    assert abs(plane.d1 @ plane.d2) < 1e-12 and np.linalg.norm(plane.d1) == pytest.approx(1.0)


def test_pca_plane_of_a_too_short_trajectory_is_completed_with_orthogonal_random_directions():
    origin = np.zeros(50)
    plane = pca_plane(origin, np.stack([origin + 1.0, origin]))  # one direction only
    assert plane.explained == (1.0, 0.0)
    assert abs(plane.d1 @ plane.d2) < 1e-12
    assert plane.labels[1] == "random 2"


def test_parameter_plane_changes_only_the_two_parameters():
    net, x, y = problem()
    i, j = parameter_index(net.sizes, 1, 3, 5), parameter_index(net.sizes, 0, 6, 11)
    assert net.weights[1][3, 5] == net.params[i] and net.weights[0][6, 11] == net.params[j]
    plane = parameter_plane(net.params, net.sizes, i, j)
    moved = plane.point(0.7, -1.1) - net.params
    assert np.flatnonzero(moved).tolist() == sorted([i, j])
    assert moved[i] == pytest.approx(0.7) and moved[j] == pytest.approx(-1.1)
    assert plane.labels == ("w1[3,5]", "w0[6,11]")
    # The grid is the cost as a function of those two weights, the others held still.
    twin = net.copy()
    twin.weights[1][3, 5] += 0.7
    twin.weights[0][6, 11] -= 1.1
    grid = GridEvaluator(net, plane, x, y, [0.7], [-1.1]).grid()
    assert grid[0, 0] == pytest.approx(twin.cost_of(x, y), abs=1e-6)


def test_parameter_names_and_bad_parameters():
    sizes = (4, 3, 2)
    assert describe_parameter(sizes, 0) == "w0[0,0]"
    assert describe_parameter(sizes, 12) == "b0[0]"
    assert describe_parameter(sizes, parameter_index(sizes, 1, 1, 2)) == "w1[1,2]"
    with pytest.raises(PlaneError):
        parameter_index(sizes, 2, 0, 0)
    with pytest.raises(PlaneError):
        parameter_plane(np.zeros(23), sizes, 3, 3)


@pytest.mark.parametrize("normalisation", ["filter", "layer"])
def test_random_plane_is_seeded_and_scaled_to_the_weights(normalisation):
    net, _, _ = problem()
    plane = random_plane(net.params, net.sizes, seed=7, normalisation=normalisation)
    again = random_plane(net.params, net.sizes, seed=7, normalisation=normalisation)
    assert np.array_equal(plane.d1, again.d1) and not np.array_equal(plane.d1, plane.d2)
    axis = 1 if normalisation == "filter" else None
    for d in (plane.d1, plane.d2):
        for dw, w in zip(weight_views(net.sizes, d), net.weights):
            assert np.allclose(np.linalg.norm(dw, axis=axis), np.linalg.norm(w, axis=axis))
        _, biases = net.views(d.copy())
        assert all(not b.any() for b in biases)


def test_progressive_grid_starts_coarse_and_ends_with_the_full_grid():
    net, x, y = problem()
    plane = random_plane(net.params, net.sizes, seed=1)
    axis = np.linspace(-1, 1, 23)
    ticks = iter(range(10_000))  # a clock that advances one "second" per reading: every chunk reports
    updates = [u for u in progressive_grid(GridEvaluator(net, plane, x, y, axis, axis), coarse=6,
                                           update_every=1, clock=lambda: next(ticks)) if u is not None]
    full = GridEvaluator(net, plane, x, y, axis, axis).grid()
    assert updates[0].stage == "coarse" and updates[-1].stage == "done"
    assert any(u.stage == "refining" for u in updates)
    ic = coarse_indices(23, 6)
    assert updates[0].computed == len(ic) ** 2
    assert np.allclose(updates[0].values[np.ix_(ic, ic)], full[np.ix_(ic, ic)])
    assert np.array_equal(updates[-1].values, full) and updates[-1].fraction == 1.0
    fractions = [u.fraction for u in updates]
    assert fractions == sorted(fractions)


def test_gradient_profile_passes_through_the_current_cost_and_the_learning_rate_step():
    net, x, y = problem()
    cost, grad = sample_gradient(net, net.params, x, y)
    assert cost == pytest.approx(net.cost_of(x, y), abs=1e-5)
    lr = 0.5
    t, costs = gradient_profile(net, net.params, grad, x, y, lr)
    zero, step = np.flatnonzero(t == 0), np.flatnonzero(np.isclose(t, lr))
    assert len(zero) == 1 and len(step) == 1
    assert costs[zero[0]] == pytest.approx(net.cost_of(x, y), abs=1e-5)
    stepped = net.copy()
    stepped.params[...] -= lr * grad
    assert costs[step[0]] == pytest.approx(stepped.cost_of(x, y), abs=1e-5)
    assert costs[zero[0] + 1] < costs[zero[0]]  # downhill along −g


def test_evaluation_sample_is_fixed_and_the_right_size():
    x, y = np.arange(200.0).reshape(100, 2), np.arange(100) % 10
    a, b = evaluation_sample(x, y, 30, seed=1), evaluation_sample(x, y, 30, seed=1)
    assert a[0].shape == (30, 2) and np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert np.array_equal((a[0][:, 0] // 2) % 10, a[1])  # images still match their labels


def test_auto_extent_frames_the_trajectory_and_the_origin():
    coords = np.array([[-4.0, 0.1], [-2.0, 0.05], [-0.5, -0.02]])
    a0, a1, b0, b1 = auto_extent(coords)
    assert a0 < -4.0 and a1 > 0.0 and b0 < -0.02 and b1 > 0.1
    assert (b1 - b0) >= 0.4 * (a1 - a0) - 1e-12  # not squashed to a stripe
    assert auto_extent(np.zeros((0, 2)), minimum=1.0) == (-0.75, 0.75, -0.75, 0.75)


def test_contour_segments_lie_on_the_level():
    xs, ys = np.linspace(-2, 2, 41), np.linspace(-1, 3, 31)
    values = xs[:, None] ** 2 + (ys[None, :] - 1) ** 2
    segments = contour_segments(values, 1.0, xs, ys)
    assert len(segments) > 20
    radius = np.hypot(segments[..., 0], segments[..., 1] - 1)
    assert np.abs(radius - 1.0).max() < 0.02  # linear interpolation of a circle
    assert len(contour_segments(values, -1.0, xs, ys)) == 0
    levels = contour_levels(values, 5, log=True)
    assert len(levels) == 5 and values.min() < levels[0] < levels[-1] < values.max()


def test_describe_step_tells_overshoot_from_undershoot():
    t = np.linspace(-0.5, 2.5, 61)  # learning rate 1: one step lands at t = 1
    assert describe_step(t, (t - 1.0) ** 2, 1.0) == "near the lowest point on this line"
    assert describe_step(t, (t - 0.6) ** 2, 1.0).startswith("past the lowest point")
    assert describe_step(t, (t - 2.0) ** 2, 1.0).startswith("short of the lowest point")
    assert describe_step(t, (t - 0.2) ** 2, 1.0).startswith("uphill")


def two_leg_trajectory(n=60, dim=400, seed=3):
    """Return rows of a path that jumps along u first, then creeps a long way along v."""
    rng = np.random.default_rng(seed)
    u, v = np.linalg.qr(rng.standard_normal((dim, 2)))[0].T
    base = rng.standard_normal(dim)
    coords = [(-4.5 + 1.5 * i, 0.0) for i in range(4)]  # the jump: 4.5 along u in three steps
    coords += [(0.0, 0.03 * k) for k in range(1, n - 3)]  # then a long creep along v
    rows = np.array([base + a * u + b * v for a, b in coords]) + 1e-3 * rng.standard_normal((len(coords), dim))
    return rows, u, v


def test_a_pca_plane_puts_the_start_of_the_path_on_the_left_of_the_current_point():
    for seed in range(6):
        rows, _, _ = two_leg_trajectory(seed=seed)
        plane = pca_plane(rows[25], rows[:26], seed=seed)
        alpha, beta = plane.project(rows[0])
        assert alpha < 0 and abs(beta) < 1e-6, seed  # α runs from the start to where the network is now


def test_recomputed_pca_planes_keep_their_orientation_while_the_main_axes_turn():
    rows, u, v = two_leg_trajectory()
    alone = [pca_plane(rows[k], rows[:k + 1]) for k in (25, len(rows) - 1)]
    assert alone[0].explained[0] > 0.8 and alone[1].explained[1] > 0.5  # the main axis turned across the travel
    previous = None
    for k in range(25, len(rows)):
        plane = pca_plane(rows[k], rows[:k + 1], previous=previous)
        alpha, beta = plane.project(rows[0])
        assert alpha < 0 and abs(beta) < 1e-6  # the start stays on the left, level with θ₀
        if previous is not None:  # from one recompute to the next the picture barely turns
            assert plane.d1 @ previous.d1 > 0.95 and plane.d2 @ previous.d2 > 0.9, k
        back = plane.project(rows[:k + 1])  # the same slice: the path is still reproduced
        rebuilt = np.stack([plane.point(a, b) for a, b in back])
        assert np.abs(rebuilt - rows[:k + 1]).max() < 0.05
        previous = plane
