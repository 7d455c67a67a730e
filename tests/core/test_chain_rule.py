"""The chain rule for one connection must reproduce backpropagation's numbers exactly."""
import math
import re

import numpy as np
import pytest

from core.lesson import chain_rule as cr
from core.network import Network
from core.snapshot import make_snapshot

SIZES = [(12, 5, 4), (20, 7, 6, 3), (9, 4, 4, 4, 5)]
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
COSTS = ("quadratic", "cross_entropy")


def example(sizes, activation, cost, seed=0, dtype=np.float64):
    """Return a network with non-trivial parameters, one input, its label and the snapshot."""
    rng = np.random.default_rng(seed)
    net = Network(sizes, activation, cost, seed=seed, dtype=dtype)
    net.params[:] += rng.normal(0.0, 0.3, net.params.shape).astype(dtype)  # non-zero biases too
    x = rng.random(sizes[0])
    label = int(rng.integers(sizes[-1]))
    return net, x, label, make_snapshot(net, x, label)


def connections(sizes, rng, per_layer=6):
    for layer in range(len(sizes) - 1):
        for _ in range(per_layer):
            yield layer, int(rng.integers(sizes[layer + 1])), int(rng.integers(sizes[layer]))


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("cost", COSTS)
def test_factors_multiply_to_the_backprop_gradient(sizes, activation, cost):
    net, x, label, snap = example(sizes, activation, cost)
    g = net.backprop(x[None, :], np.array([label]))  # the same single example, straight from the network
    rates = cr.cost_rates(snap)
    for layer, j, i in connections(sizes, np.random.default_rng(1)):
        c = cr.chain_rule(snap, layer, j, i, rates=rates)
        expected = g.weights[layer][j, i]
        assert c.dz_dw * c.da_dz * c.dc_da == pytest.approx(c.product)
        assert c.product == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert c.backprop == pytest.approx(expected, rel=1e-12, abs=1e-15)
        assert c.matches
        assert c.da_dz * c.dc_da == pytest.approx(c.dc_dz, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("cost", COSTS)
def test_hidden_term_by_term_sum_is_backprops_nudge(sizes, activation, cost):
    net, x, label, snap = example(sizes, activation, cost, seed=2)
    nudges = net.backprop(x[None, :], np.array([label])).activations
    for layer, j, i in connections(sizes[:-1], np.random.default_rng(3)):
        c = cr.chain_rule(snap, layer, j, i)
        assert len(c.terms) == sizes[layer + 2]
        assert c.term_sum == pytest.approx(nudges[layer + 1][0, j], rel=1e-9, abs=1e-12)
        assert c.term_sum == pytest.approx(snap.nudges[layer + 1][j], rel=1e-9, abs=1e-12)
        assert c.dc_da == pytest.approx(c.term_sum, rel=1e-12, abs=1e-15)
        for term in c.terms:
            assert term.weight == snap.weights[layer + 1][term.k, j]
            assert term.term == pytest.approx(term.weight * term.dcost_dz)
            if term.slope is not None:
                assert term.dcost_dz == pytest.approx(term.slope * term.dcost_dact, rel=1e-9, abs=1e-15)


def test_output_factors_are_the_lessons_formulas():
    net, x, label, snap = example((10, 6, 4), "sigmoid", "quadratic")
    j, i = (label + 1) % 4, 2
    c = cr.chain_rule(snap, 1, j, i)
    a = float(snap.activations[2][j])
    assert c.is_output and not c.combined and c.terms == ()
    assert c.dz_dw == snap.activations[1][i]
    assert c.da_dz == pytest.approx(a * (1 - a))
    assert c.target == 0.0
    assert c.dc_da == pytest.approx(2 * (a - 0.0))
    assert c.backprop_dc_da == pytest.approx(c.dc_da)


def test_softmax_output_runs_through_the_labelled_neuron():
    net, x, label, snap = example((10, 6, 4), "tanh", "cross_entropy")
    out = snap.activations[-1]
    for j in range(4):
        c = cr.chain_rule(snap, 1, j, 0)
        y = float(j == label)
        assert c.combined and c.through == label
        assert c.dc_dz == pytest.approx(out[j] - y)  # the combined δ = a − y
        assert c.dc_da == pytest.approx(-1.0 / out[label])
        assert c.da_dz == pytest.approx(out[label] * (y - out[j]))


def test_classic_float32_network_on_mnist(mnist):
    net = Network((784, 16, 16, 10), "sigmoid", "quadratic", seed=0)
    x, label = mnist.inputs("train")[7], int(mnist.train_labels[7])
    snap = make_snapshot(net, x, label)
    rates = cr.cost_rates(snap)
    for layer, j, i in [(2, label, 3), (2, 0, 15), (1, 4, 9), (0, 3, int(np.argmax(x)))]:
        c = cr.chain_rule(snap, layer, j, i, rates=rates)
        assert c.matches, (layer, j, i, c.product, c.backprop)
        if c.terms:
            assert c.term_sum == pytest.approx(snap.nudges[layer + 1][j], rel=1e-4, abs=1e-7)


def test_flat_index_agrees_with_the_snapshots_views():
    net, x, label, snap = example((9, 4, 4, 5), "relu", "quadratic")
    weights, _ = snap.grad_views(np.arange(snap.params.size))
    for layer, j, i in connections(snap.sizes, np.random.default_rng(0)):
        assert cr.flat_index(snap.sizes, layer, j, i) == weights[layer][j, i]


def test_sensitivity_compares_two_real_gradients():
    net, x, label, snap = example((20, 7, 6, 3), "sigmoid", "quadratic")
    grad_w = snap.grad_views(snap.example_grad)[0]
    s = cr.sensitivity(snap, (2, label, 1), (0, 3, 5))
    assert s.grad_first == grad_w[2][label, 1] and s.grad_second == grad_w[0][3, 5]
    assert s.ratio == pytest.approx(abs(grad_w[2][label, 1]) / abs(grad_w[0][3, 5]))
    bigger = max(s.ratio, 1 / s.ratio)
    assert f"{bigger:.3g}×" in s.sentence()
    assert cr.sensitivity(snap, (0, 3, 5), (2, label, 1)).ratio == pytest.approx(1 / s.ratio)


def test_sensitivity_when_a_gradient_is_zero():
    net, x, label, snap = example((12, 5, 4), "sigmoid", "quadratic")
    zero = np.zeros_like(snap.example_grad)
    assert math.isnan(cr.sensitivity(snap, (0, 0, 0), (1, 0, 0), flat=zero).ratio)
    flat = zero.copy()
    flat[cr.flat_index(snap.sizes, 1, 0, 0)] = 0.5
    assert math.isinf(cr.sensitivity(snap, (1, 0, 0), (0, 0, 0), flat=flat).ratio)
    assert "not at all" in cr.sensitivity(snap, (0, 0, 0), (1, 0, 0), flat=flat).sentence()


def test_lessons_example_reads_as_32_times():
    s = cr.Sensitivity((2, 0, 0), (2, 0, 1), 3.2, -0.1)
    assert s.ratio == pytest.approx(32.0)
    assert s.sentence() == "The cost is 32× more sensitive to the first weight than to the second."


def test_strongest_connection_has_the_largest_gradient():
    net, x, label, snap = example((20, 7, 6, 3), "tanh", "quadratic")
    layer, j, i = cr.strongest_connection(snap, 2, label)
    grad = np.abs(snap.grad_views(snap.example_grad)[0][2])
    assert j == label and grad[j, i] == grad[label].max()
    hidden = np.abs(snap.grad_views(snap.example_grad)[0][1])
    assert hidden[cr.strongest_connection(snap, 1)[1:]] == hidden.max()


def test_unlabelled_examples_and_missing_connections_are_refused():
    net, x, label, _ = example((12, 5, 4), "sigmoid", "quadratic")
    drawn = make_snapshot(net, x, None)
    with pytest.raises(cr.ChainRuleError, match="no label"):
        cr.chain_rule(drawn, 0, 0, 0)
    snap = make_snapshot(net, x, label)
    for bad in [(2, 0, 0), (0, 5, 0), (1, 0, 5), (-1, 0, 0)]:
        with pytest.raises(cr.ChainRuleError):
            cr.chain_rule(snap, *bad)


# -- the view ------------------------------------------------------------------------------
def shown(value) -> str:
    """Return a number as the view prints it, without markup."""
    from gui.lesson.chain_rule import number

    return re.sub("<[^>]+>", "", number(value))


@pytest.fixture
def view(qtbot):
    from gui.lesson.chain_rule import ChainRuleView

    widget = ChainRuleView()
    qtbot.addWidget(widget)
    widget.resize(420, 700)
    widget.show()
    return widget


def test_view_shows_the_factors_and_backprops_value(view):
    net, x, label, snap = example((20, 7, 6, 3), "sigmoid", "quadratic")
    view.set_snapshot(snap)
    view.select_connection(2, label, 4)
    c = view.chain()
    assert (c.weight_layer, c.to, c.from_) == (2, label, 4)
    assert c.product == pytest.approx(snap.grad_views(snap.example_grad)[0][2][label, 4])
    text = view.text()
    for value in (c.dz_dw, c.da_dz, c.dc_da):
        assert shown(value) in text
    assert "what backpropagation computed" in text and "✓ equal" in text


def test_view_lists_the_hidden_sum_term_by_term(view):
    net, x, label, snap = example((20, 7, 6, 3), "tanh", "cross_entropy")
    view.set_snapshot(snap)
    view.select_connection(1, 2, 3)
    c = view.chain()
    assert len(c.terms) == 3
    text = view.text()
    assert "term by term" in text
    for term in c.terms:
        assert shown(term.weight) in text
    assert shown(c.term_sum) in text


def test_view_compares_the_last_two_selected_weights(view):
    net, x, label, snap = example((20, 7, 6, 3), "sigmoid", "quadratic")
    view.set_snapshot(snap)
    assert view.sensitivity() is None
    for conn in [(0, 1, 1), (2, label, 0), (1, 3, 2)]:
        view.select_connection(*conn)
    assert view.connections() == ((2, label, 0), (1, 3, 2))
    s = view.sensitivity()
    assert s.first == (1, 3, 2) and s.second == (2, label, 0)  # the newest is "this one"
    grad_w = snap.grad_views(snap.example_grad)[0]
    assert s.ratio == pytest.approx(abs(grad_w[1][3, 2]) / abs(grad_w[2][label, 0]))
    assert "more sensitive" in view.text()


def test_following_a_term_selects_the_connection_one_layer_up(view, qtbot):
    from PySide6.QtCore import QUrl

    net, x, label, snap = example((20, 7, 6, 3), "sigmoid", "quadratic")
    view.set_snapshot(snap)
    view.select_connection(1, 2, 3)
    with qtbot.waitSignal(view.connectionSelected) as blocker:
        view.browser.anchorClicked.emit(QUrl("conn:2:1:2"))
    assert blocker.args == [2, 1, 2]
    assert view.chain().weight_layer == 2 and view.connections()[-1] == (2, 1, 2)


def test_neuron_pair_selects_the_connection_between_them(view):
    net, x, label, snap = example((20, 7, 6, 3), "sigmoid", "quadratic")
    view.set_snapshot(snap)
    assert view.set_neuron_pair((2, 4), (1, 6))
    assert view.connections()[-1] == (1, 4, 6)
    assert not view.set_neuron_pair((0, 1), (2, 1))


def test_view_without_selection_or_label(view):
    net, x, label, snap = example((20, 7, 6, 3), "relu", "quadratic")
    view.set_snapshot(snap)
    view.select_connection(0, 7, 19)  # out of range for this network: ignored
    assert view.connections() == ()
    view.render_now()
    assert view.chain().to == label and view.chain().is_output  # the strongest into the answer
    view.set_snapshot(make_snapshot(net, x, None))
    view.render_now()
    assert view.chain() is None and "no label" in view.text()


def test_selection_survives_new_snapshots_but_not_a_new_architecture(view):
    net, x, label, snap = example((20, 7, 6, 3), "sigmoid", "quadratic")
    view.set_snapshot(snap)
    view.select_connection(1, 5, 6)
    view.set_snapshot(make_snapshot(net, x, (label + 1) % 3))
    assert view.connections() == ((1, 5, 6),)
    small, x2, label2, snap2 = example((20, 4, 3), "sigmoid", "quadratic")
    view.set_snapshot(snap2)
    assert view.connections() == ()
    view.set_dark(False)
    assert view.chain() is not None


def test_snapshots_arriving_fast_are_drawn_once_at_the_end_of_the_interval(view, qtbot):
    net, x, label, snap = example((20, 7, 6, 3), "sigmoid", "quadratic")
    view.set_snapshot(snap)
    view.select_connection(2, label, 4)  # drawn at once
    first = view.chain()
    later = []
    for scale in (0.9, 0.8, 0.7):
        net.params[:] *= scale
        later.append(make_snapshot(net, x, label))
        view.set_snapshot(later[-1])
    assert view.chain() is first  # nothing redrawn yet: the redraw waits for the interval's end
    qtbot.waitUntil(lambda: view.chain() is not first, timeout=2000)
    newest = cr.chain_rule(later[-1], 2, label, 4)
    assert view.chain().product == pytest.approx(newest.product)
