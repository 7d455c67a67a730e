"""The neuron inspector shows the core's numbers for the selected neuron and the current example."""
import numpy as np
import pytest
from toys import snapshot, toy_dataset, trained

from core.lesson.neuron_stats import (
    back_projection,
    cost_terms,
    layer_outputs,
    most_active,
    neuron_report,
    next_misclassified,
    weighted_sum,
)


@pytest.fixture(scope="module")
def toy():
    ds = toy_dataset()
    net, tr, before = trained(ds)
    return ds, net, tr, before


@pytest.fixture
def inspector(qtbot):
    from gui.inspector.panel import NeuronInspector

    widget = NeuronInspector()
    qtbot.addWidget(widget)
    widget.resize(420, 700)
    widget.show()
    return widget


def shown(widget, key):
    return float(widget.value_labels[key].text())


def finite_difference(f, x0, h=1e-6):
    return (f(x0 + h) - f(x0 - h)) / (2 * h)


@pytest.mark.parametrize("layer, index", [(1, 2), (2, 4), (3, 1), (3, 3)])
def test_the_numbers_shown_equal_the_cores(inspector, toy, layer, index):
    ds, net, _, _ = toy
    snap = snapshot(net, ds, "train", 7)
    inspector.set_snapshot(snap)
    inspector.set_neuron(layer, index)
    x, y = ds.images("train")[7:8], ds.labels("train")[7:8]  # uint8, converted as the snapshot does
    g = net.backprop(x, y)
    z, a = g.forward.zs[layer - 1][0, index], g.forward.activations[layer][0, index]
    report = inspector.report
    assert report.z == pytest.approx(z, abs=1e-12) and report.a == pytest.approx(a, abs=1e-12)
    assert report.nudge == pytest.approx(g.activations[layer][0, index], abs=1e-12)
    assert report.grad_bias == pytest.approx(g.biases[layer - 1][index], abs=1e-12)
    assert report.bias == net.biases[layer - 1][index]
    # the labels show the same numbers (4 significant digits)
    for key, value in [("z", z), ("a", a), ("nudge", g.activations[layer][0, index]),
                       ("grad_bias", g.biases[layer - 1][index]), ("bias", net.biases[layer - 1][index])]:
        assert shown(inspector, key) == pytest.approx(value, rel=1e-3, abs=1e-12), key
    assert inspector.title.text().startswith("Output layer" if layer == 3 else f"Hidden layer {layer}")


def test_the_gradient_agrees_with_finite_differences(toy):
    """An oracle independent of backprop: nudge the bias and watch the cost."""
    ds, net, _, _ = toy
    snap = snapshot(net, ds, "test", 3)
    x, y = ds.images("test")[3:4], ds.labels("test")[3:4]
    for layer, index in [(1, 0), (2, 3), (3, 2)]:
        report = neuron_report(snap, layer, index)
        twin = net.copy()

        def cost_with_bias(b):
            twin.biases[layer - 1][index] = b
            return twin.cost_of(x, y)

        expected = finite_difference(cost_with_bias, float(net.biases[layer - 1][index]))
        assert report.grad_bias == pytest.approx(expected, rel=1e-5, abs=1e-9)


def test_the_weighted_sum_is_written_out_term_by_term(toy):
    ds, net, _, _ = toy
    snap = snapshot(net, ds, "train", 2)
    report = neuron_report(snap, 2, 1, k=3)
    ws = report.weighted_sum
    assert ws.z == pytest.approx(report.z, abs=1e-12)
    assert np.allclose(ws.terms, net.weights[1][1] * snap.activations[1])
    assert list(ws.top) == list(np.argsort(-np.abs(ws.terms))[:3])
    direct = weighted_sum([1.0, -2.0, 0.25], [0.5, 0.5, 1.0], 0.1, k=2)  # terms 0.5, -1, 0.25
    assert direct.z == pytest.approx(-0.15) and list(direct.top) == [1, 0]


def test_an_output_neuron_shows_the_three_ways_to_raise_it(inspector, toy):
    ds, net, _, _ = toy
    snap = snapshot(net, ds, "train", 0)
    j = snap.label
    inspector.set_snapshot(snap)
    inspector.set_neuron(3, j)
    report = inspector.report
    assert report.is_output and inspector.three_ways.isVisibleTo(inspector)
    assert "higher" in inspector.nudge_note.text()  # the labelled output should go up
    # way 1: ∂a/∂b, checked against finite differences of the output itself
    x = ds.images("train")[0:1]
    twin = net.copy()

    def output_with_bias(b):
        twin.biases[2][j] = b
        return float(twin.feedforward(x)[0, j])

    slope = finite_difference(output_with_bias, float(net.biases[2][j]))
    assert report.slope == pytest.approx(slope, rel=1e-6)
    assert float(inspector.backprop.bias_way.text().split("=")[-1]) == pytest.approx(slope, rel=1e-3)
    # way 2: ∂a/∂wᵢ = ∂a/∂z · aᵢ for the most active input of the layer before
    a_prev = snap.activations[2]
    i = int(np.argmax(np.abs(a_prev)))
    table = inspector.backprop.weight_way
    assert table.text(0, 0) == f"hidden 2 · {i}"
    assert float(table.text(0, 2)) == pytest.approx(slope * a_prev[i], rel=1e-3)
    # way 3: ∂a/∂aᵢ = ∂a/∂z · wᵢ through the strongest weight, with the direction to move aᵢ
    k = int(np.argmax(np.abs(net.weights[2][j])))
    table = inspector.backprop.input_way
    assert float(table.text(0, 2)) == pytest.approx(slope * net.weights[2][j, k], rel=1e-3)
    assert table.text(0, 3) == ("raise it" if net.weights[2][j, k] > 0 else "lower it")
    inspector.set_neuron(2, 0)
    assert not inspector.three_ways.isVisibleTo(inspector)


def test_cross_entropy_outputs_ask_for_a_minus_y(inspector):
    ds = toy_dataset()
    net, _, _ = trained(ds, cost="cross_entropy")
    snap = snapshot(net, ds, "train", 5)
    inspector.set_snapshot(snap)
    for j in range(4):
        inspector.set_neuron(3, j)
        y = 1.0 if j == snap.label else 0.0
        assert inspector.report.grad_bias == pytest.approx(snap.activations[-1][j] - y, abs=1e-12)


def test_a_drawn_digit_has_no_nudges(inspector, toy):
    ds, net, _, _ = toy
    inspector.set_snapshot(snapshot(net, ds, x=ds.images("test")[0]))
    inspector.set_neuron(1, 0)
    assert inspector.report.nudge is None
    assert inspector.value_labels["nudge"].text() == "–"
    assert "no label" in inspector.nudge_note.text()


def test_an_input_pixel_shows_its_value_only(inspector, toy):
    ds, net, _, _ = toy
    snap = snapshot(net, ds, "train", 1)
    inspector.set_snapshot(snap)
    inspector.set_neuron(0, 9)
    assert inspector.report is None
    assert f"{snap.activations[0][9]:.4f}" in inspector.message.text()
    assert "row 1, column 1" in inspector.title.text()
    assert not inspector.weight_image.isVisibleTo(inspector)


def test_deeper_neurons_show_bars_and_a_labelled_back_projection(inspector, toy):
    ds, net, _, _ = toy
    inspector.set_snapshot(snapshot(net, ds, "train", 1))
    inspector.set_neuron(1, 0)
    assert inspector.weight_image.isVisibleTo(inspector) and not inspector.weight_bars.isVisibleTo(inspector)
    inspector.set_neuron(3, 2)
    assert inspector.weight_bars.isVisibleTo(inspector) and inspector.projection_image.isVisibleTo(inspector)
    assert "linear approximation" in inspector.projection_note.text()
    expected = net.weights[2][2] @ net.weights[1] @ net.weights[0]
    assert np.allclose(back_projection(net.weights, 3, 2), expected)
    assert np.allclose(inspector.projection_image.image.image.ravel(), expected)


def test_test_set_activations_and_the_top_nine(inspector, toy, qtbot):
    ds, net, tr, before = toy
    inspector.set_dataset(ds)
    inspector.set_snapshot(snapshot(net, ds, "train", 1, trainer=tr, before=before))
    inspector.set_neuron(2, 3)
    inspector.update_test_set()
    qtbot.waitUntil(lambda: len(inspector.testset.top_indices) == 9, timeout=10000)
    a = net.forward(ds.inputs("test")).activations[2][:, 3]
    top = inspector.testset.top_indices
    assert np.allclose(np.sort(a[top])[::-1], np.sort(a)[::-1][:9], atol=1e-6)
    assert inspector.testset.bars.opts["height"].sum() == len(a)
    assert "step 5" in inspector.testset.status.text()


def test_most_active_breaks_saturated_ties_by_z():
    a = np.array([1.0, 0.5, 1.0, 1.0])
    z = np.array([20.0, 0.0, 30.0, 18.0])
    assert list(most_active(a, z, 3)) == [2, 0, 3]


def test_layer_outputs_match_forward(toy):
    ds, net, _, _ = toy
    zs, acts = layer_outputs(net, ds.inputs("test"), chunk=7)
    fw = net.forward(ds.inputs("test"))
    for mine, theirs in zip(acts, fw.activations[1:]):
        assert np.allclose(mine, theirs, atol=1e-6)
    for mine, theirs in zip(zs, fw.zs):
        assert np.allclose(mine, theirs, atol=1e-5)


def test_cost_terms_sum_to_the_example_cost(toy):
    ds, net, _, _ = toy
    snap = snapshot(net, ds, "test", 4)
    terms = cost_terms(snap.activations[-1], snap.label, snap.cost)
    assert terms.sum() == pytest.approx(snap.example_cost, rel=1e-9)


def test_next_misclassified_wraps_round(toy):
    ds, net, _, _ = toy
    x, y = ds.inputs("test"), ds.labels("test")
    wrong = np.flatnonzero(net.predict(x) != y)
    assert wrong.size  # a barely trained network gets some wrong
    assert next_misclassified(net, x, y, 0, chunk=5) == wrong[0]
    assert next_misclassified(net, x, y, int(wrong[-1]) + 1, chunk=5) == wrong[0]
    assert next_misclassified(net, x, y, int(wrong[0]) + 1, chunk=5) == (wrong[1] if len(wrong) > 1 else wrong[0])


def wheel_down(widget, qtbot):
    """Send a wheel notch (down) to widget at its centre, as the pointer resting on it would."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_inspector_over_its_plots(qtbot, toy):
    from PySide6.QtWidgets import QScrollArea

    from gui.inspector.panel import NeuronInspector

    ds, net, _, _ = toy
    scroller = QScrollArea()
    qtbot.addWidget(scroller)
    inspector = NeuronInspector()
    scroller.setWidget(inspector)
    scroller.setWidgetResizable(True)
    scroller.resize(420, 300)
    scroller.show()
    qtbot.waitExposed(scroller)
    inspector.set_dataset(ds)
    inspector.set_snapshot(snapshot(net, ds, "train", 7))
    inspector.set_neuron(2, 1)
    bar = scroller.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    for plot in (inspector.weight_bars, inspector.forward.curve, inspector.testset.histogram):
        bar.setValue(0)
        scroller.ensureWidgetVisible(plot, 0, 0)
        start = bar.value()
        wheel_down(plot.viewport(), qtbot)
        assert bar.value() > start, plot


def test_with_room_the_weights_formula_and_nudges_stand_side_by_side(qtbot, toy):
    from PySide6.QtWidgets import QScrollArea

    from gui.inspector.panel import NeuronInspector

    ds, net, _, _ = toy
    scroller = QScrollArea()
    qtbot.addWidget(scroller)
    inspector = NeuronInspector()
    scroller.setWidget(inspector)
    scroller.setWidgetResizable(True)
    scroller.resize(1000, 420)  # a bottom dock of a 1280×800 window, about
    scroller.show()
    qtbot.waitExposed(scroller)
    inspector.set_snapshot(snapshot(net, ds, "train", 7))
    inspector.set_neuron(1, 2)
    qtbot.waitUntil(lambda: inspector.wide)
    parts = (inspector.weights_part, inspector.forward_part, inspector.backprop_part)
    lefts = [part.geometry().left() for part in parts]
    assert lefts == sorted(lefts) and len(set(lefts)) == 3
    for widget in (inspector.forward.sum_line, inspector.forward.curve, inspector.backprop.value_labels["nudge"]):
        bottom = widget.mapTo(scroller.viewport(), widget.rect().bottomLeft()).y()
        assert 0 < bottom <= scroller.viewport().height(), widget  # in sight without scrolling
    scroller.resize(330, 420)  # a side column: one under the other, the formula first
    qtbot.waitUntil(lambda: not inspector.wide)
    assert inspector.forward_part.geometry().top() < inspector.backprop_part.geometry().top() \
        < inspector.weights_part.geometry().top()


def test_the_weight_axis_label_carries_no_multiplier_to_clip(qtbot):
    from gui.inspector.plots import WeightBars, WeightImage

    bars, image = WeightBars(), WeightImage()
    for widget in (bars, image):
        qtbot.addWidget(widget)
        widget.show()
    values = np.linspace(-0.4, 0.5, 16)  # a fresh network's weights: all within ±1
    bars.set_values(values)
    image.set_values(np.full((28, 28), 0.002, np.float32), 0.005)
    axes = [bars.getPlotItem().getAxis("left"), image.bar.getAxis("left"), image.bar.getAxis("right")]
    qtbot.waitUntil(lambda: bars.getPlotItem().getAxis("left").range[1] < 1)
    labels = [axis.labelString() for axis in axes]
    assert "weight" in labels[0] and "weight" in labels[1]
    assert not any("(x" in label for label in labels), labels
