"""The matrix view computes each layer as f(W a + b) and reports the rows the pointer is on."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication

from core.network import Network
from core.snapshot import make_snapshot
from gui.lesson.matrix import MatrixView


def snapshot(sizes=(784, 16, 16, 10), activation="sigmoid", cost="quadratic", seed=0, label=3):
    rng = np.random.default_rng(seed)
    net = Network(sizes, activation, cost, seed=seed)
    net.params[:] += rng.normal(0.0, 0.2, net.params.shape).astype(net.dtype)
    return net, make_snapshot(net, rng.random(sizes[0]), label)


@pytest.fixture
def view(qtbot):
    widget = MatrixView()
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("sizes, activation, cost", [
    ((784, 16, 16, 10), "sigmoid", "quadratic"),
    ((784, 16, 16, 10), "relu", "cross_entropy"),
    ((30, 8, 5), "tanh", "quadratic"),
    ((30, 8, 6, 4, 5), "leaky_relu", "cross_entropy"),
])
def test_result_equals_the_layers_activations(view, sizes, activation, cost):
    net, snap = snapshot(sizes, activation, cost)
    view.set_snapshot(snap)
    for layer in range(len(sizes) - 1):
        view.set_layer(layer)
        assert view.layer() == layer
        # the snapshot's float32 forward pass against the view's float64 one
        np.testing.assert_allclose(view.result(), snap.activations[layer + 1], rtol=1e-4, atol=1e-5)
        p = view.products()
        np.testing.assert_allclose(p["z"], snap.zs[layer], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(p["wa"] + p["b"], p["z"])


def test_layer_chooser_follows_the_architecture(view):
    net, snap = snapshot((30, 8, 6, 4, 5))
    view.set_snapshot(snap)
    assert view.layer_box.count() == 4
    view.layer_box.setCurrentIndex(2)
    assert view.layer() == 2 and view.result().shape == (4,)
    view.set_layer(7)  # no such layer: ignored
    assert view.layer() == 2
    net, small = snapshot((30, 5, 5))
    view.set_snapshot(small)
    assert view.layer_box.count() == 2 and view.layer() == 1
    np.testing.assert_allclose(view.result(), small.activations[2], rtol=1e-5, atol=1e-6)


def row_scene_position(view, row, box=None):
    """Return the scene position of the middle of a row of W (or of a column's view box)."""
    QApplication.processEvents()  # let a rebuilt layout settle before mapping
    box = box or view.plots.weights_plot.vb
    x = box.viewRange()[0]
    return box.mapViewToScene(QPointF(sum(x) / 2, row + 0.5))


def row_position(view, row, box=None):
    """Return the viewport position of the middle of a row of W (or of a column's view box)."""
    return view.plots.mapFromScene(row_scene_position(view, row, box))


def test_hovering_a_row_names_its_neuron(view, qtbot):
    net, snap = snapshot()
    view.set_snapshot(snap)
    view.set_layer(1)
    # The scene reports pointer moves through this signal; emitting it stands in for the
    # pointer (a real move is not delivered if the cursor already sits there from another test).
    moved = view.plots.scene().sigMouseMoved
    with qtbot.waitSignal(view.neuronHovered) as blocker:
        moved.emit(row_scene_position(view, 5))
    assert blocker.args == [2, 5]
    column = view.plots.getItem(1, 3)  # the "= z" column's view box shares the rows
    with qtbot.waitSignal(view.neuronHovered) as blocker:
        moved.emit(row_scene_position(view, 9, column))
    assert blocker.args == [2, 9]
    assert "Neuron 9 of layer 2" in view.detail.text()
    with qtbot.waitSignal(view.neuronHovered) as blocker:
        moved.emit(QPointF(-10, -10))  # off the matrix
    assert blocker.args == [2, -1]
    with qtbot.waitSignal(view.neuronHovered) as blocker:
        moved.emit(row_scene_position(view, 2))
    with qtbot.waitSignal(view.neuronHovered) as blocker:
        view.leaveEvent(None)
    assert blocker.args == [2, -1]


def test_clicking_a_row_selects_its_neuron(view, qtbot):
    net, snap = snapshot()
    view.set_snapshot(snap)
    with qtbot.waitSignal(view.neuronSelected) as blocker:
        qtbot.mouseClick(view.plots.viewport(), Qt.LeftButton, pos=row_position(view, 12))
    assert blocker.args == [1, 12]


def test_a_row_of_the_first_layer_shows_as_an_image(view):
    net, snap = snapshot()
    view.set_snapshot(snap)
    view.set_selected_neuron(1, 7)
    np.testing.assert_allclose(view.row_image(), np.asarray(snap.weights[0][7]).reshape(28, 28))
    view.set_selected_neuron(2, 3)  # another layer's neuron: no row of this matrix
    assert "Hover" in view.detail.text()
    view.set_layer(1)
    assert view.row_image() is None  # 16 inputs are not an image


def test_new_snapshots_and_themes(view):
    net, snap = snapshot()
    view.set_snapshot(snap)
    view.set_dark(False)
    net.params[:] *= 0.5
    second = make_snapshot(net, snap.activations[0], 3)
    view.set_snapshot(second)
    view.render_now()  # the throttled redraw, now
    np.testing.assert_allclose(view.result(), second.activations[1], rtol=1e-5, atol=1e-6)


def test_a_narrow_panel_gives_w_more_of_its_width(view, qtbot):
    from gui.lesson.matrix_plots import COLUMN_WIDTH, NARROW, NARROW_COLUMN_WIDTH

    net, snap = snapshot()
    view.set_snapshot(snap)
    plots, w_box = view.plots, view.plots.weights_plot.vb
    qtbot.waitUntil(lambda: plots.width() >= NARROW)
    assert plots.ci.layout.columnMaximumWidth(1) == COLUMN_WIDTH
    view.resize(560, 500)  # the bottom dock at 1280×800: W had a sliver beside the four columns and the row's picture
    qtbot.waitUntil(lambda: plots.ci.layout.columnMaximumWidth(1) == NARROW_COLUMN_WIDTH)
    qtbot.waitUntil(lambda: w_box.width() >= 0.18 * plots.width())
    for key in ("wa", "b", "z", "a_out"):  # the cells' values still fit their narrower column
        texts = plots.cell_texts(key)
        assert texts and all(QFontMetricsF(font).horizontalAdvance(text) < NARROW_COLUMN_WIDTH for text, font, _ in texts)
