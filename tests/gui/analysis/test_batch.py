"""The mini-batch table: each example's gradient, and their average equals the gradient the step used."""
import numpy as np
import pytest
from toys import snapshot, toy_dataset, trained

from core.lesson.neuron_stats import bias_index, chosen_parameters, weight_index


@pytest.fixture
def view(qtbot):
    from gui.analysis.batch import BatchView

    widget = BatchView()
    qtbot.addWidget(widget)
    widget.resize(420, 700)
    widget.show()
    return widget


def column(view, header_start):
    t = view.table
    c = [t.horizontalHeaderItem(k).text() for k in range(t.columnCount())].index(header_start)
    return [t.item(r, c).text() for r in range(t.rowCount())]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_batch_average_equals_the_gradient_of_the_step_applied(view, qtbot, dtype):
    ds = toy_dataset()
    net, tr, before = trained(ds, steps=4, batch_size=12, dtype=dtype)
    snap = snapshot(net, ds, "train", 0, trainer=tr, before=before)
    # the step really applied that gradient: plain SGD moved the parameters by −η × batch_grad
    assert np.allclose(snap.params - snap.batch_params, -tr.learning_rate * snap.batch_grad, atol=1e-6)
    view.set_dataset(ds)
    view.set_snapshot(snap)
    view.set_neuron(2, 1)
    qtbot.waitUntil(lambda: view.result is not None, timeout=10000)
    flat = [f for _, f, _ in view.result.chosen]
    assert view.result.per_example.shape == (12, len(flat))
    tolerance = 1e-6 if dtype == np.float32 else 1e-12
    assert np.allclose(view.average, snap.batch_grad[flat], rtol=1e-4, atol=tolerance)
    # the table shows it: a row per example under the summary rows
    t = view.table
    assert t.rowCount() == 4 + 12
    names = [t.item(r, 0).text() for r in range(t.rowCount())]
    assert names[:4] == ["value before", "average", "step used", "change made"]
    assert names[4:] == [f"#{i}: {ds.class_names[ds.train_labels[i]]}" for i in snap.batch]
    bias = column(view, "∂C/∂b")
    if dtype == np.float64:
        assert bias[1] == bias[2]  # average and step used, digit for digit
    shown_rows = [float(v) for v in bias[4:]]
    assert np.mean(shown_rows) == pytest.approx(snap.batch_grad[flat[0]], rel=2e-2, abs=1e-6)
    assert "equals" in view.check.text()


def test_each_row_is_that_examples_own_gradient(view, qtbot):
    ds = toy_dataset()
    net, tr, before = trained(ds, steps=2, batch_size=8)
    snap = snapshot(net, ds, "train", 0, trainer=tr, before=before)
    view.set_dataset(ds)
    view.set_snapshot(snap)
    view.set_neuron(3, 2)
    qtbot.waitUntil(lambda: view.result is not None, timeout=10000)
    twin = net.copy()
    twin.set_params(snap.batch_params)
    k = 5
    i = snap.batch[k]
    g = twin.backprop(ds.images("train")[i:i + 1], ds.labels("train")[i:i + 1])
    flat = [f for _, f, _ in view.result.chosen]
    assert np.allclose(view.result.per_example[k], g.flat[flat])


def test_the_chosen_parameters_are_the_bias_and_the_strongest_weights():
    ds = toy_dataset()
    net, _, _ = trained(ds, steps=1)
    chosen = chosen_parameters(net.sizes, net.weights, 2, 3, n_weights=2)
    assert chosen[0][1] == bias_index(net.sizes, 2, 3)
    assert net.params[chosen[0][1]] == net.biases[1][3]
    strongest = np.argsort(-np.abs(net.weights[1][3]))[:2]
    assert [source for _, _, source in chosen[1:]] == list(strongest)
    for _, flat, source in chosen[1:]:
        assert flat == weight_index(net.sizes, 2, 3, source)
        assert net.params[flat] == net.weights[1][3, source]


def test_selecting_a_neuron_recomputes_and_an_input_pixel_says_why_not(view, qtbot):
    ds = toy_dataset()
    net, tr, before = trained(ds, steps=1)
    view.set_dataset(ds)
    view.set_snapshot(snapshot(net, ds, "train", 0, trainer=tr, before=before))
    view.set_neuron(1, 0)
    qtbot.waitUntil(lambda: view.result is not None and view.result.neuron == (1, 0), timeout=10000)
    view.set_neuron(2, 4)
    qtbot.waitUntil(lambda: view.result is not None and view.result.neuron == (2, 4), timeout=10000)
    view.set_neuron(0, 5)
    assert view.result is None and "input pixel" in view.intro.text()


def test_before_any_step_it_asks_for_one(view):
    ds = toy_dataset()
    net, _, _ = trained(ds, steps=1)
    view.set_dataset(ds)
    view.set_snapshot(snapshot(net, ds, "train", 0))  # no batch in the snapshot
    view.update_gradients()
    assert "take a training step" in view.intro.text()
