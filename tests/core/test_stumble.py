"""The mini-batch gradient against the true gradient over the whole training set."""
import math

import numpy as np
import pytest
from toys import tiny_dataset

from core.lesson.stumble import angle_degrees, angles_by_batch_size, compare_step, full_gradient, mean_cost
from core.network import Network


@pytest.fixture
def data():
    ds = tiny_dataset(n_train=230, n_test=10)
    return ds.inputs("train").astype(np.float64), ds.train_labels.astype(np.int64)


@pytest.fixture
def net():
    return Network((64, 7, 4), "sigmoid", "quadratic", seed=2, dtype=np.float64)


def test_full_gradient_equals_the_mean_of_every_examples_gradient(net, data):
    x, y = data
    full, cost = full_gradient(net, x, y, chunk=50)  # chunks of unequal size: 50, …, 30
    direct = np.mean([net.backprop(x[i:i + 1], y[i:i + 1]).flat for i in range(len(x))], axis=0)
    np.testing.assert_allclose(full, direct, rtol=1e-10, atol=1e-13)
    assert cost == pytest.approx(float(net.example_costs(net.forward(x).activations[-1], y).mean()), rel=1e-12)
    # and a finite difference of the mean cost agrees on one weight
    k, h = 17, 1e-6
    plus, minus = net.copy(), net.copy()
    plus.params[k] += h
    minus.params[k] -= h
    assert (mean_cost(plus, x, y) - mean_cost(minus, x, y)) / (2 * h) == pytest.approx(full[k], rel=1e-5)


def test_angle_matches_the_law_of_cosines(net, data):
    x, y = data
    full, _ = full_gradient(net, x, y)
    batch = net.backprop(x[:10], y[:10]).flat
    a, b = batch, full
    # |a − b|² = |a|² + |b|² − 2|a||b| cos θ, with plain Python sums
    na, nb = math.sqrt(sum(v * v for v in a)), math.sqrt(sum(v * v for v in b))
    diff = sum((p - q) ** 2 for p, q in zip(a, b))
    expected = math.degrees(math.acos((na * na + nb * nb - diff) / (2 * na * nb)))
    assert angle_degrees(a, b) == pytest.approx(expected, abs=1e-6)
    assert angle_degrees(a, a) == pytest.approx(0, abs=1e-5) and angle_degrees(a, -a) == pytest.approx(180)
    assert math.isnan(angle_degrees(a, np.zeros_like(a)))


def test_compare_step_costs_follow_each_direction(net, data):
    x, y = data
    params = net.params.copy()
    batch = net.backprop(x[:10], y[:10]).flat
    result = compare_step(net, params, batch, 0.5, x, y)
    full, cost = full_gradient(net, x, y)
    np.testing.assert_allclose(result.full_grad, full)
    assert result.cost_before == pytest.approx(cost)
    stepped = net.copy()
    stepped.set_params(params - 0.5 * batch)
    assert result.cost_after_batch == pytest.approx(mean_cost(stepped, x, y))
    stepped.set_params(params - 0.5 * full)
    assert result.cost_after_full == pytest.approx(mean_cost(stepped, x, y))
    assert result.cost_after_full < result.cost_before  # a small step along the true gradient goes down
    np.testing.assert_array_equal(net.params, params)  # the network given is left alone
    assert result.angle == pytest.approx(angle_degrees(batch, full))


def test_the_angle_shrinks_as_the_batch_grows(net, data):
    x, y = data
    full, _ = full_gradient(net, x, y)
    rows = angles_by_batch_size(net, net.params, full, x, y, sizes=(1, 10, 100, 230), repeats=6)
    sizes, angles = [r[0] for r in rows], [r[1] for r in rows]
    assert sizes == [1, 10, 100, 230]
    assert angles[0] > angles[1] > angles[2] > angles[3]
    assert angles[3] == pytest.approx(0, abs=1e-5)  # the whole set: the true gradient itself
