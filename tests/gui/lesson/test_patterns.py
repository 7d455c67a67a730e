"""The weight-patterns panel shows every neuron's weights as tiles and reports the one under the pointer."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.network import Network
from core.snapshot import make_snapshot
from gui.lesson.patterns import PAGE_SIZE, WeightPatternsView


def snapshot(sizes=(784, 16, 16, 10), seed=0):
    rng = np.random.default_rng(seed)
    net = Network(sizes, "sigmoid", "quadratic", seed=seed)
    return net, make_snapshot(net, rng.random(sizes[0]), 3)


@pytest.fixture
def view(qtbot):
    widget = WeightPatternsView()
    qtbot.addWidget(widget)
    widget.resize(900, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_each_tile_shows_its_neurons_weights(view):
    net, snap = snapshot()
    view.set_snapshot(snap)
    for j in range(16):
        r, c = view.tile_origin(j)
        np.testing.assert_array_equal(view.mosaic[r:r + 28, c:c + 28].ravel(), snap.weights[0][j])
    view.set_layer(2)
    w = snap.weights[1]  # 16 × 16: a 4×4 grid per neuron
    for j in range(16):
        r, c = view.tile_origin(j)
        np.testing.assert_array_equal(view.mosaic[r:r + 4, c:c + 4].ravel(), w[j])


def test_clicking_a_tile_selects_that_neuron(view, qtbot):
    net, snap = snapshot()
    view.set_snapshot(snap)
    with qtbot.waitSignal(view.neuronSelected, timeout=2000) as blocker:
        qtbot.mouseClick(view.mosaic_view, Qt.LeftButton, pos=view.tile_point(5))
    assert blocker.args == [1, 5]


def test_hover_shows_the_neurons_activation_on_the_current_image(view, qtbot):
    net, snap = snapshot()
    view.set_snapshot(snap)
    with qtbot.waitSignal(view.neuronHovered, timeout=2000) as blocker:
        qtbot.mouseMove(view.mosaic_view, view.tile_point(7, inset=3))
    assert blocker.args == [1, 7]
    assert f"a = <b>{snap.activations[1][7]:.3f}</b>" in view.detail.text()


def test_live_updates_follow_new_weights(view, qtbot):
    net, snap = snapshot()
    view.set_snapshot(snap)
    net.params[:] *= -2.0
    newer = make_snapshot(net, snap.activations[0], 3)
    view.set_snapshot(newer)
    r, c = view.tile_origin(0)
    qtbot.waitUntil(lambda: np.array_equal(view.mosaic[r:r + 28, c:c + 28].ravel(), newer.weights[0][0]),
                    timeout=2000)


def test_a_wide_layer_pages_and_selection_turns_to_its_page(view):
    net, snap = snapshot((784, 128, 10))
    view.set_snapshot(snap)
    assert view.page_count() == 128 // PAGE_SIZE
    assert not np.isnan(view.mosaic).all()
    view.set_neuron(1, 100)
    assert view.page() == 1
    r, c = view.tile_origin(100)
    np.testing.assert_array_equal(view.mosaic[r:r + 28, c:c + 28].ravel(), snap.weights[0][100])
    assert view.selection_outlined()
    view.set_page(0)
    assert not view.selection_outlined()  # the selected neuron is on the other page
    view.set_page(9)
    assert view.page() == 1  # clamped


def test_a_selection_made_before_the_first_snapshot_is_outlined(view):
    net, snap = snapshot()
    view.set_neuron(1, 4)
    view.set_snapshot(snap)
    assert view.selected_index() == 4 and view.selection_outlined()
    view.set_neuron(0, 100)  # a pixel: no tile to outline
    assert not view.selection_outlined()
