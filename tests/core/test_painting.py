"""Painting a first-layer neuron: exact weights, exact undo, the lesson's edge detector and threshold."""
import numpy as np
import pytest

from core import activations as act
from core.lesson.edits import EditError, EditHistory, SetBias, incoming_indices
from core.lesson.painting import (
    THRESHOLD_BIAS,
    SetIncoming,
    brush_cells,
    clear_edit,
    edge_detector,
    edge_detector_edit,
    most_exciting,
    response,
)
from core.network import Network

SIZES = (784, 16, 16, 10)


@pytest.fixture
def net():
    return Network(SIZES, seed=0)


def test_painting_writes_exactly_the_painted_weights_and_undo_restores_them(net):
    history = EditHistory()
    before = net.params.copy()
    cells = brush_cells((28, 28), 10, 12, radius=1)
    assert set(cells) == {10 * 28 + 12, 9 * 28 + 12, 11 * 28 + 12, 10 * 28 + 11, 10 * 28 + 13,
                          9 * 28 + 11, 9 * 28 + 13, 11 * 28 + 11, 11 * 28 + 13}
    edit = SetIncoming(SIZES, 1, 5, tuple(cells.tolist()), (0.75,) * len(cells))
    history.apply(edit, net.params)
    w = net.weights[0]
    np.testing.assert_array_equal(w[5, cells], np.float32(0.75))
    changed = np.flatnonzero(net.params != before)
    np.testing.assert_array_equal(np.sort(changed), np.sort(incoming_indices(SIZES, 1, 5)[cells]))
    # a second stroke, then undo both: bit for bit the original
    history.apply(SetIncoming(SIZES, 1, 5, (0, 1), (-2.0, -2.0), what="paint"), net.params)
    history.undo(net.params)
    assert net.weights[0][5, 0] == before[incoming_indices(SIZES, 1, 5)[0]]
    history.undo(net.params)
    np.testing.assert_array_equal(net.params, before)
    history.redo(net.params)
    np.testing.assert_array_equal(net.weights[0][5, cells], np.float32(0.75))


def test_clear_sets_every_incoming_weight_to_zero_and_nothing_else(net):
    before = net.params.copy()
    record = clear_edit(SIZES, 1, 3).apply(net.params)
    assert not net.weights[0][3].any()
    others = np.setdiff1d(np.arange(net.params.size), incoming_indices(SIZES, 1, 3))
    np.testing.assert_array_equal(net.params[others], before[others])
    SetIncoming.undo(net.params, record)
    np.testing.assert_array_equal(net.params, before)


def test_bad_paint_is_refused(net):
    with pytest.raises(EditError):
        SetIncoming(SIZES, 1, 3, (784,), (1.0,)).apply(net.params)
    with pytest.raises(EditError):
        SetIncoming(SIZES, 1, 3, (1, 2), (1.0,)).apply(net.params)
    with pytest.raises(EditError):
        SetIncoming(SIZES, 1, 16, (1,), (1.0,)).apply(net.params)


def test_edge_detector_is_a_positive_stripe_in_a_negative_surround():
    w = edge_detector((28, 28), 5, 10, 20, 11, strength=1.5).reshape(28, 28)
    stripe = np.zeros((28, 28), bool)
    stripe[5:21, 10:12] = True
    band = np.zeros((28, 28), bool)
    band[4:22, 9:13] = True
    band &= ~stripe
    assert (w[stripe] == 1.5).all() and (w[band] == -1.5).all()
    assert not w[~(stripe | band)].any()
    # the region may be dragged in any direction and over the edge of the image
    np.testing.assert_array_equal(edge_detector((28, 28), 20, 11, 5, 10, 1.5), w.ravel())
    corner = edge_detector((28, 28), -3, -3, 1, 1).reshape(28, 28)
    assert (corner[:2, :2] == 1).all() and corner[2, 2] == -1 and not corner[4:, :].any()


def test_edge_detector_with_the_threshold_bias_fires_on_an_edge_only(net):
    history = EditHistory()
    region = (4, 13, 23, 14)  # a vertical stripe 20 × 2 = 40 pixels
    history.apply(edge_detector_edit(SIZES, 2, (28, 28), region), net.params)
    history.apply(SetBias(SIZES, 1, 2, THRESHOLD_BIAS), net.params)
    w, b = net.weights[0][2], net.biases[0][2]
    assert b == THRESHOLD_BIAS

    def image(bright_rows, bright_cols):
        x = np.zeros((28, 28), np.float32)
        x[bright_rows, bright_cols] = 1.0
        return x.ravel()

    bright_stripe = image(slice(4, 24), slice(13, 15))
    short_stripe = image(slice(4, 9), slice(13, 15))  # only 10 pixels: the sum does not pass 10
    bright_everywhere = np.ones(784, np.float32)  # stripe and surround both bright: no edge
    z_edge, a_edge = response(w, b, bright_stripe)
    assert z_edge == pytest.approx(40 - 10) and a_edge > 0.99
    assert response(w, b, short_stripe)[0] == pytest.approx(10 - 10)
    assert response(w, b, bright_everywhere)[1] < 0.01
    assert response(w, b, np.zeros(784))[0] == pytest.approx(-10)
    # the network computes the same
    fw = net.forward(np.stack([bright_stripe, bright_everywhere]))
    np.testing.assert_allclose(fw.zs[0][:, 2], [30, response(w, b, bright_everywhere)[0]], rtol=1e-5)


def test_response_and_most_exciting_match_a_direct_computation():
    rng = np.random.default_rng(2)
    x = rng.random((50, 20)).astype(np.float32)
    w, b = rng.normal(size=20), 0.3
    z, a = response(w, b, x)
    np.testing.assert_allclose(z, [float(np.dot(xi, w)) + b for xi in x], rtol=1e-6)
    np.testing.assert_allclose(a, act.sigmoid(np.array(z)), rtol=1e-6)
    best, zs = most_exciting(w, b, x, k=4)
    assert list(best) == list(np.argsort(-z)[:4])
    np.testing.assert_allclose(zs, z[best], rtol=1e-5)
