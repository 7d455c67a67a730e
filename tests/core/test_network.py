"""The network's forward pass and backpropagation, checked against finite differences."""
import itertools

import numpy as np
import pytest

from core.network import Network, NetworkError, parse_sizes

COMBOS = list(itertools.product(["sigmoid", "tanh", "relu", "leaky_relu"], ["quadratic", "cross_entropy"]))


def random_problem(activation, cost, sizes=(6, 5, 4, 3), n=7, seed=0):
    rng = np.random.default_rng(seed)
    net = Network(sizes, activation, cost, seed=seed, dtype=np.float64)
    net.params[...] = rng.standard_normal(net.n_params) * 0.8
    x = rng.random((n, sizes[0]))
    y = rng.integers(0, sizes[-1], n)
    return net, x, y


def numeric_gradient(f, vector, h=1e-6):
    grad = np.empty_like(vector)
    for i in range(vector.size):
        old = vector.flat[i]
        vector.flat[i] = old + h
        plus = f()
        vector.flat[i] = old - h
        minus = f()
        vector.flat[i] = old
        grad.flat[i] = (plus - minus) / (2 * h)
    return grad


def rel_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300)


@pytest.mark.parametrize("activation,cost", COMBOS)
def test_backprop_matches_finite_differences(activation, cost):
    for seed, sizes in enumerate([(6, 5, 4, 3), (4, 3), (5, 7, 2, 6, 4)]):
        net, x, y = random_problem(activation, cost, sizes, seed=seed)
        g = net.backprop(x, y)
        numeric = numeric_gradient(lambda: net.cost_of(x, y), net.params)
        assert rel_error(g.flat, numeric) < 1e-6
        assert g.cost == pytest.approx(net.cost_of(x, y), rel=1e-12)


@pytest.mark.parametrize("activation,cost", COMBOS)
def test_nudges_are_per_example_cost_gradients_wrt_activations(activation, cost):
    net, x, y = random_problem(activation, cost, seed=3)
    g = net.backprop(x, y)
    # The input layer's nudge: ∂C_x/∂x for one example, by finite differences on the input.
    x0 = x[2].copy()
    numeric = numeric_gradient(lambda: float(net.example_costs(net.feedforward(x0), y[2:3])[0]), x0)
    assert rel_error(g.activations[0][2], numeric) < 1e-6
    # Hidden layers: ∂C/∂b_j (mean) equals the mean over examples of ∂C_x/∂a_j · f'(z_j).
    from core import activations as act

    for layer in range(1, net.n_layers):
        fw = g.forward
        d = g.activations[layer] * act.derivative(net.activation, fw.zs[layer - 1], fw.activations[layer])
        assert np.allclose(d.mean(axis=0), g.biases[layer - 1], rtol=1e-9, atol=1e-12)
    assert [a.shape for a in g.activations] == [(len(x), n) for n in net.sizes]


def test_quadratic_cost_is_the_lessons_sum_of_squares():
    net = Network((4, 3), "sigmoid", "quadratic", dtype=np.float64)
    x = np.array([[0.1, 0.2, 0.3, 0.4]])
    out = net.feedforward(x)[0]
    expected = (out[0] - 0) ** 2 + (out[1] - 1) ** 2 + (out[2] - 0) ** 2
    assert net.cost_of(x, np.array([1])) == pytest.approx(expected)


def test_cross_entropy_outputs_are_a_probability_distribution():
    net = Network((784, 16, 10), "relu", "cross_entropy", seed=1)
    out = net.feedforward(np.random.default_rng(0).random((5, 784)))
    assert np.allclose(out.sum(axis=1), 1.0, atol=1e-5)
    assert (out > 0).all()


def test_seeded_initialisation_is_deterministic_and_scaled():
    a, b, c = Network(seed=5), Network(seed=5), Network(seed=6)
    assert np.array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)
    assert a.params.dtype == np.float32 and a.weights[0].shape == (16, 784)
    assert abs(a.weights[0].std() - 1 / np.sqrt(784)) < 0.003
    relu = Network(activation="relu", seed=5)
    assert relu.weights[0].std() == pytest.approx(np.sqrt(2 / 784), rel=0.05)
    biases = np.concatenate(a.biases)  # the lesson's N(0, 1) for sigmoid networks
    assert abs(biases.mean()) < 0.5 and 0.6 < biases.std() < 1.4 and not np.array_equal(a.biases[0], c.biases[0])
    assert all((bias == 0).all() for bias in relu.biases)


def test_weights_are_views_of_the_flat_parameter_vector():
    net = Network((3, 2, 2))
    net.weights[1][0, 1] = 7.0
    assert 7.0 in net.params
    net.params[...] = 0
    assert net.weights[0].sum() == 0


def test_predict_and_uint8_images():
    net = Network(seed=0)
    images = np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    pred = net.predict(images.reshape(3, -1))
    assert pred.shape == (3,) and np.array_equal(pred, net.feedforward(images).argmax(axis=1))


@pytest.mark.parametrize("bad", [np.zeros((2, 5)), np.zeros((2, 3, 4, 5))])
def test_wrong_input_shape_is_refused_clearly(bad):
    with pytest.raises(NetworkError, match="784"):
        Network().forward(bad)


def test_labels_out_of_range_are_refused():
    with pytest.raises(NetworkError, match="labels"):
        Network((4, 3)).backprop(np.zeros((2, 4)), np.array([0, 3]))


@pytest.mark.parametrize("kwargs", [dict(activation="swish"), dict(cost="hinge"), dict(sizes=(784,)),
                                    dict(sizes=(784, 0, 10)), dict(dtype=np.int32)])
def test_bad_configuration_is_refused(kwargs):
    with pytest.raises(NetworkError):
        Network(**kwargs)


def test_parse_sizes():
    assert parse_sizes("16,16") == (784, 16, 16, 10)
    assert parse_sizes(" 128, 64 ", 100, 5) == (100, 128, 64, 5)
    assert parse_sizes("") == (784, 10)
    for bad in ["16,,16", "x", "0", "-3"]:
        with pytest.raises(NetworkError):
            parse_sizes(bad)


@pytest.mark.parametrize("activation,cost", COMBOS)
def test_training_fast_path_equals_backprop(activation, cost):
    from core.network import Workspace

    for dtype, tol in [(np.float64, 1e-12), (np.float32, 1e-5)]:
        net, x, y = random_problem(activation, cost, (8, 6, 5, 4), n=9, seed=4)
        net = net.copy() if dtype == np.float64 else Network(net.sizes, activation, cost, dtype=np.float32)
        x = x.astype(dtype)
        ref = net.backprop(x, y)
        grad = np.full_like(net.params, np.nan)
        ws = Workspace(net, 16)
        cost_fast = net.gradient_into(x, y, grad, ws)
        assert cost_fast == pytest.approx(ref.cost, rel=tol)
        assert np.allclose(grad, ref.flat, rtol=tol * 10, atol=tol)
        # a smaller batch through the same workspace
        cost_small = net.gradient_into(x[:3], y[:3], grad, ws)
        assert np.allclose(grad, net.backprop(x[:3], y[:3]).flat, rtol=tol * 10, atol=tol)
        assert cost_small == pytest.approx(net.cost_of(x[:3], y[:3]), rel=tol)


def test_one_workspace_serves_several_gradient_vectors_and_networks():
    from core.network import Workspace

    net, x, y = random_problem("sigmoid", "quadratic", (8, 6, 5, 4), n=9, seed=2)
    ws = Workspace(net, 4)  # grows when a larger batch comes
    first, second = np.zeros_like(net.params), np.zeros_like(net.params)
    net.gradient_into(x, y, first, ws)
    net.gradient_into(x[:5], y[:5], second, ws)
    assert np.allclose(first, net.backprop(x, y).flat) and np.allclose(second, net.backprop(x[:5], y[:5]).flat)
    other, x2, y2 = random_problem("relu", "cross_entropy", (8, 3, 4), n=6, seed=3)
    grad = np.zeros_like(other.params)
    other.gradient_into(x2, y2, grad, ws)
    assert np.allclose(grad, other.backprop(x2, y2).flat)
    with pytest.raises(NetworkError, match="gradient vector"):
        net.gradient_into(x, y, np.zeros(3), ws)
    with pytest.raises(NetworkError, match="labels"):
        net.gradient_into(x[:2], np.array([0, -1]), first, ws)


@pytest.mark.parametrize("activation,cost", COMBOS)
def test_fast_path_with_raw_pixels_and_given_targets_equals_backprop(activation, cost):
    """Raw 0–255 pixels with input_scale=1/255, and one-hot targets passed in, give backprop's gradient."""
    from core.network import Workspace

    rng = np.random.default_rng(7)
    net = Network((12, 7, 5), activation, cost, seed=2, dtype=np.float64)
    pixels = rng.integers(0, 256, (10, 12)).astype(np.float64)
    y = rng.integers(0, 5, 10)
    ref = net.backprop(pixels / 255.0, y)
    grad = np.full_like(net.params, np.nan)
    targets = np.eye(5)[y]
    cost_fast = net.gradient_into(pixels, y, grad, Workspace(net, 10), input_scale=1 / 255, targets=targets)
    assert cost_fast == pytest.approx(ref.cost, rel=1e-12)
    assert np.allclose(grad, ref.flat, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("activation,cost", COMBOS)
def test_fast_path_gain_scales_the_gradient_and_not_the_cost(activation, cost):
    """gain=g writes g × ∇C (what plain SGD subtracts) and still returns the unscaled cost."""
    from core.network import Workspace

    net, x, y = random_problem(activation, cost, (8, 6, 5, 4), n=9, seed=5)
    ref = net.backprop(x, y)
    ws, grad = Workspace(net, 9), np.full_like(net.params, np.nan)
    for gain in (3.0, 0.125, 3.0):  # a change of gain, and back, through the same workspace
        cost_fast = net.gradient_into(x, y, grad, ws, gain=gain)
        assert cost_fast == pytest.approx(ref.cost, rel=1e-12)
        assert np.allclose(grad, gain * ref.flat, rtol=1e-10, atol=1e-13)
