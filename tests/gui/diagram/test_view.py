"""The network diagram: colours follow the weights' bins, clicks and hovers name the right
neuron or connection, and each mode draws the connections it promises."""
import numpy as np
import pytest
from PySide6 import QtCore

from core.network import Network
from core.snapshot import make_snapshot
from gui.diagram.edges import (
    N_BINS,
    StableScale,
    bin_colours,
    changed_edges,
    edge_bins,
    edge_rgba,
    nearest_connection,
    strongest_mask,
)
from gui.diagram.layout import make_layout
from gui.diagram.style import activation_levels
from gui.diagram.view import NetworkView

SIZES = (784, 16, 16, 10)


@pytest.fixture(scope="module")
def net():
    return Network(SIZES, seed=3)


@pytest.fixture(scope="module")
def example(mnist):
    return mnist.test_images[0], int(mnist.test_labels[0])


@pytest.fixture
def view(qtbot, net, example):
    v = NetworkView()
    qtbot.addWidget(v)
    v.resize(1000, 700)
    v.show()
    qtbot.waitExposed(v)
    v.set_snapshot(make_snapshot(net, *example))
    v.update_now()
    return v


# -- colours follow the bins ------------------------------------------------------------------------
def test_a_new_snapshot_recolours_exactly_the_connections_whose_bins_changed(view, net, example):
    before = view.edge_bins()
    scales = [view.edge_scale(l) for l in range(3)]
    moved = net.copy()
    rng = np.random.default_rng(0)
    expected = []
    for layer, w in enumerate(moved.weights):
        flat = w.ravel()
        width = 2 * scales[layer] / N_BINS  # one colour bin
        picks = rng.choice(flat.size, 12, replace=False)
        inside = edge_bins(flat, scales[layer])
        centre = (inside + 0.5) * width - scales[layer]  # each weight's bin centre
        flat[picks[:6]] = centre[picks[:6]] + 0.3 * width * np.sign(rng.standard_normal(6))  # same bin
        # three bins further from zero: a different bin (and colour) for sure
        flat[picks[6:]] = centre[picks[6:]] + 3 * width * np.where(centre[picks[6:]] >= 0, 1, -1)
        expected.append(np.sort(picks[6:][edge_bins(flat[picks[6:]], scales[layer]) != inside[picks[6:]]]))
    view.set_snapshot(make_snapshot(moved, *example))
    view.update_now()
    after = view.edge_bins()
    for layer in range(3):
        assert view.edge_scale(layer) == scales[layer]  # a few moved weights do not move the scale
        assert np.array_equal(changed_edges(before[layer], after[layer]), expected[layer])
        assert len(expected[layer]) == 6
        recoloured = np.any(edge_rgba(before[layer]) != edge_rgba(after[layer]), axis=1)
        assert np.array_equal(np.flatnonzero(recoloured), expected[layer])


def test_every_bin_has_its_own_colour():
    for dark in (True, False):
        rgba = bin_colours(N_BINS, dark)
        assert len({tuple(c) for c in rgba}) == N_BINS


def test_the_scale_moves_only_when_the_values_outgrow_it():
    scale = StableScale()
    rng = np.random.default_rng(1)
    w = rng.standard_normal(5000) * 0.1
    first = scale.update(w)
    assert scale.update(w * 1.1) == first
    assert scale.update(w * 3.0) > first * 2


def test_an_unchanged_picture_is_not_painted_again(view, net, mnist):
    renders = view.edge_renders
    # another image through the same weights: in "all" mode the connections keep their colours
    view.set_snapshot(make_snapshot(net, mnist.test_images[1], int(mnist.test_labels[1])))
    view.update_now()
    assert view.edge_renders == renders
    view.set_mode("contributions")  # w·a depends on the image: now they change
    view.update_now()
    assert view.edge_renders == renders + 1


# -- the mouse ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("neuron", [(2, 5), (3, 7), (1, 0), (0, 14 * 28 + 14)])
def test_clicking_a_neuron_emits_its_layer_and_index(qtbot, view, neuron):
    with qtbot.waitSignal(view.neuronSelected, timeout=2000) as blocker:
        qtbot.mouseClick(view.viewport, QtCore.Qt.MouseButton.LeftButton, pos=view.neuron_pos(*neuron))
    assert tuple(blocker.args) == neuron
    assert view.selected_neuron() == neuron


def test_clicking_a_connection_emits_it(qtbot, view):
    view.set_mode("selected")
    view.select_neuron(2, 4)  # only its 16 incoming and 10 outgoing connections are drawn
    view.update_now()
    for conn in [(1, 4, 9), (2, 6, 4)]:
        pos = view.connection_pos(*conn, t=0.6)
        assert view.item_at(pos) == ("connection", conn)
        with qtbot.waitSignal(view.connectionSelected, timeout=2000) as blocker:
            qtbot.mouseClick(view.viewport, QtCore.Qt.MouseButton.LeftButton, pos=pos)
        assert tuple(blocker.args) == conn


def test_tooltips_carry_the_right_values(qtbot, view):
    snap = view.snapshot
    text = view.tooltip_at(view.neuron_pos(2, 3))
    assert "Hidden layer 2, neuron 3" in text
    assert f"a = {snap.activations[2][3]:.4f}" in text
    assert f"b = {snap.biases[1][3]:.4f}" in text
    assert f"z = {snap.zs[1][3]:.4f}" in text
    assert f"∂C/∂a = {snap.nudges[2][3]:.4g}" in text
    out = view.tooltip_at(view.neuron_pos(3, snap.label))
    assert f"class “{snap.class_names[snap.label]}”" in out
    pixel = view.tooltip_at(view.neuron_pos(0, 5 * 28 + 9))
    assert "row 5, column 9" in pixel and f"a = {snap.activations[0][5 * 28 + 9]:.3f}" in pixel
    view.set_mode("selected")
    view.select_neuron(3, 2)
    view.update_now()
    conn = view.tooltip_at(view.connection_pos(2, 2, 11, t=0.5))
    assert f"w = {snap.weights[2][2, 11]:.4f}" in conn
    assert f"∂C/∂w = {snap.grad_views(snap.example_grad)[0][2][2, 11]:.4g}" in conn
    # the pointer shows the same text
    qtbot.mouseMove(view.viewport, view.neuron_pos(2, 3))
    qtbot.waitUntil(lambda: view.last_tooltip.startswith("Hidden layer 2, neuron 3"), timeout=2000)


def test_hovering_a_neuron_says_which(qtbot, view):
    with qtbot.waitSignal(view.neuronHovered, timeout=2000) as blocker:
        qtbot.mouseMove(view.viewport, view.neuron_pos(1, 6))
    assert tuple(blocker.args) == (1, 6)


# -- modes --------------------------------------------------------------------------------------------
def test_strongest_keeps_exactly_k_per_neuron(view):
    view.set_mode("strongest")
    view.set_strongest_k(3)
    view.update_now()
    for layer in range(3):
        shown = view.visible_edges(layer)
        assert (shown.sum(axis=1) == 3).all()
        w = np.abs(view.snapshot.weights[layer])
        top = np.argsort(w, axis=1)[:, -3:]
        assert all(set(np.flatnonzero(shown[j])) == set(top[j]) for j in range(len(w)))


def test_selected_shows_only_the_selected_neurons_connections(view):
    view.set_mode("selected")
    view.select_neuron(1, 2)
    view.update_now()
    into, out_of, beyond = (view.visible_edges(l) for l in range(3))
    assert np.array_equal(np.flatnonzero(into.any(axis=1)), [2]) and into[2].all()
    assert np.array_equal(np.flatnonzero(out_of.any(axis=0)), [2]) and out_of[:, 2].all()
    assert not beyond.any()


def test_contributions_leave_out_the_dark_pixels(view):
    view.set_mode("contributions")
    view.update_now()
    dark = view.snapshot.activations[0] == 0
    shown = view.visible_edges(0)
    assert dark.any() and not shown[:, dark].any()
    assert shown[:, ~dark].mean() > 0.99  # a lit pixel sends something along (nearly) every line


def test_gradient_colouring_uses_the_examples_gradient(view):
    snap = view.snapshot
    view.set_colour_by("gradients")
    view.update_now()
    grads = snap.grad_views(snap.example_grad)[0]
    for layer in range(3):
        scale = view.edge_scale(layer)
        assert np.array_equal(view.edge_bins()[layer], edge_bins(grads[layer], scale))
        assert not np.array_equal(view.edge_bins()[layer], edge_bins(snap.weights[layer], scale))


def test_walking_back_reveals_one_layer_at_a_time(view):
    view.set_colour_by("gradients")
    view.set_reveal_depth(0)
    view.update_now()
    assert all(b is None for b in view.edge_bins())
    assert "Output layer" in view.legend.explanation.text()
    for depth in (1, 2, 3):
        view.walk_back()
        view.update_now()
        assert view.reveal_depth() == depth
        shown = [b is not None for b in view.edge_bins()]
        assert shown == [l >= 3 - depth for l in range(3)]
    assert "dark pixel" in view.legend.explanation.text()


def test_a_drawn_digit_without_a_label_has_nothing_to_backpropagate(view, net, example):
    view.set_snapshot(make_snapshot(net, example[0], None, example_split="drawn"))
    view.set_colour_by("gradients")
    view.update_now()
    assert "no label" in view.legend.explanation.text()
    assert view.edge_bins()[0] is not None  # falls back to the weights


def test_light_palette_redraws(view):
    renders = view.edge_renders
    view.set_dark(False)
    view.update_now()
    assert view.edge_renders == renders + 1


# -- pure parts ---------------------------------------------------------------------------------------
def test_strongest_mask_picks_the_largest_magnitudes():
    values = np.array([[0.1, -0.9, 0.3, 0.0], [2.0, 0.5, -0.4, -3.0]])
    assert strongest_mask(values, 2).tolist() == [[False, True, True, False], [True, False, False, True]]


def test_layout_orders_connections_like_the_weight_matrix():
    lay = make_layout(SIZES, 1200, 800)
    x0, y0, x1, y1 = lay.segments(1)
    j, i = 5, 11
    flat = j * 16 + i
    assert (x0[flat], y0[flat]) == tuple(lay.centres[1][i])
    assert (x1[flat], y1[flat]) == tuple(lay.centres[2][j])
    for layer, index in [(0, 0), (0, 783), (0, 400), (2, 9), (3, 0)]:
        assert lay.neuron_at(*lay.centres[layer][index]) == (layer, index)


def test_nearest_connection_is_the_one_drawn_on_top():
    lay = make_layout((4, 3, 2), 800, 600, image_shape=None)
    x0, y0, x1, y1 = lay.segments(1)
    point = (0.5 * (x0[0] + x1[0]), 0.5 * (y0[0] + y1[0]))  # the middle of connection (0, 0)
    priorities = [None, np.full(6, -np.inf)]
    priorities[1][0] = 0.2
    assert nearest_connection(lay, *point, 3.0, priorities) == (1, 0, 0)
    priorities[1][0] = -np.inf  # not drawn: nothing there
    assert nearest_connection(lay, *point, 3.0, priorities) is None


def test_relu_activations_are_scaled_by_the_layers_largest():
    levels, text = activation_levels(np.array([0.0, 1.0, 4.0]), "relu")
    assert levels.tolist() == [0.0, 0.25, 1.0] and "largest (4)" in text


def test_a_diverged_networks_nan_and_inf_get_defined_colours():
    import warnings

    from gui.diagram.style import GREY_LEVELS, grey_fill
    from gui.widgets.colours import to_bins

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # casting NaN to an int warns, and gives an arbitrary bin
        bins = to_bins(np.array([np.nan, np.inf, -np.inf, 0.0, 0.5, -9.0]), 1.0, 10)
        greys = grey_fill(np.array([np.nan, np.inf, -np.inf, 0.5]))
    assert bins.tolist() == [5, 9, 0, 5, 7, 0]
    assert greys.tolist() == [0, GREY_LEVELS - 1, 0, round(0.5 * (GREY_LEVELS - 1))]


def test_after_a_reset_the_legend_gives_the_fresh_networks_scale(view, net, example):
    fresh = [view.edge_scale(layer) for layer in range(3)]
    caption = view.legend.edges.toolTip()
    trained = net.copy()
    for w in trained.weights:
        w *= 6  # a trained network's weights are several times larger
    view.set_snapshot(make_snapshot(trained, *example, step=8000))
    view.update_now()
    assert view.edge_scale(0) > fresh[0]
    view.set_snapshot(make_snapshot(net, *example, step=0))  # Ctrl+R: the same seeded weights again
    view.update_now()
    assert [view.edge_scale(layer) for layer in range(3)] == fresh
    assert view.legend.edges.toolTip() == caption


def stepped_snapshot(net, example, step=1):
    """Return (snapshot after one hand-made step, the network before it)."""
    before = net.copy()
    after = net.copy()
    rng = np.random.default_rng(step)
    for w in after.weights:
        w += 0.05 * rng.standard_normal(w.shape).astype(w.dtype)
    return make_snapshot(after, *example, step=step, batch_params=before.params), before


def test_colouring_by_change_shows_the_last_steps_delta_w_and_delta_a(view, net, example):
    from core.lesson.step_change import step_change

    snap, before = stepped_snapshot(net, example)
    view.set_snapshot(snap)
    view.set_colour_by("changes")
    view.update_now()
    change = step_change(snap)
    for layer in range(3):
        delta = snap.weights[layer] - before.weights[layer]
        np.testing.assert_allclose(change.weights[layer], delta, atol=1e-6)
        assert np.array_equal(view.edge_bins()[layer], edge_bins(change.weights[layer], view.edge_scale(layer)))
    assert "Δw" in view.legend.edges.toolTip() and "Δa" in view.legend.neurons.toolTip()
    # the outputs the step moved most are marked for a moment
    assert view.highlighting()
    marked = [index for layer, index, text, bold in view.canvas.diagram.labels if text[-1] in "▲▼"]
    assert sorted(marked) == sorted(change.largest_outputs(2)) and marked


def test_without_a_step_the_change_colouring_says_so_and_shows_the_weights(view, net, example):
    view.set_colour_by("changes")
    view.set_snapshot(make_snapshot(net, *example, step=0))
    view.update_now()
    assert "Connections: weight w" in view.legend.edges.toolTip()
    assert "no change to colour by" in view.legend.explanation.text()
    assert not view.highlighting()


def test_in_a_small_window_no_connection_is_drawn_beside_the_input_image(view):
    view.resize(530, 380)  # the diagram's share of a 1280×800 window
    view.update_now()
    raster = view.canvas.ensure_raster()
    left, top, width, height = raster.clip_rect
    x0, y0, x1, y1 = raster.visible_start(0)
    assert (x0 >= left + width - 1e-6).all()  # the fan starts at the image's right edge…
    leaving = (y1 < top) | (y1 > top + height)
    assert leaving.any()  # …even for the lines to neurons above or below the image


def test_while_training_runs_the_connections_are_recoloured_in_two_turns(qtbot, view, net, example, monkeypatch):
    """The haze on one turn, the crisp lines on the next: each half of a recolouring is a short
    turn of the event loop. The result is the same as recolouring in one go."""
    from gui.widgets import turns

    taken = []

    class Recording(turns.Turns):
        def take(self, job, force=False):
            taken.append(job)
            return True

    monkeypatch.setattr(turns, "TURNS", Recording())
    moved = Network(SIZES, seed=11)
    renders = view.edge_renders
    view.set_snapshot(make_snapshot(moved, *example, running=True))
    qtbot.waitUntil(lambda: view.edge_renders > renders, timeout=5000)
    assert taken.count("connections") == 2
    live_bins = [b.copy() for b in view.edge_bins()]

    paused = NetworkView()
    qtbot.addWidget(paused)
    paused.resize(1000, 700)
    paused.show()
    qtbot.waitExposed(paused)
    for shown in (net, moved):  # the same history (the colour scales remember it), paused
        paused.set_snapshot(make_snapshot(shown, *example))
        paused.update_now()
    for live, still in zip(live_bins, paused.edge_bins()):
        np.testing.assert_array_equal(live, still)
