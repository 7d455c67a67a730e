"""Painting a neuron's weights: strokes become edits the worker applies, undo restores, the readout follows."""
import numpy as np
import pytest
from toys import tiny_dataset

from core.lesson.edits import SetBias
from core.lesson.painting import THRESHOLD_BIAS, SetIncoming, response
from core.network import Network
from core.snapshot import make_snapshot
from gui.lesson.paint import PaintWeightsView
from gui.training.worker import TrainingWorker


@pytest.fixture
def view(qtbot):
    widget = PaintWeightsView()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def snapshot(sizes=(784, 16, 10), seed=0):
    net = Network(sizes, seed=seed)
    return net, make_snapshot(net, np.random.default_rng(seed).random(sizes[0]), 3)


def test_a_stroke_emits_one_edit_of_exactly_the_painted_cells(view, qtbot):
    net, snap = snapshot()
    view.set_snapshot(snap)
    view.set_neuron(1, 4)
    view.value.setValue(2.5)
    view.set_tool("paint-")
    with qtbot.waitSignal(view.editRequested, timeout=1000) as blocker:
        view.canvas.press(3, 3)
        view.canvas.drag(3, 4)
        view.canvas.drag(3, 5)
        view.canvas.release()
    edit = blocker.args[0]
    assert isinstance(edit, SetIncoming) and (edit.layer, edit.index) == (1, 4)
    assert sorted(edit.frm) == [3 * 28 + 3, 3 * 28 + 4, 3 * 28 + 5]
    assert set(edit.values) == {-2.5}


def test_the_readout_previews_the_stroke_being_painted(view):
    net, snap = snapshot()
    view.set_snapshot(snap)
    view.set_tool("paint+")
    view.canvas.press(10, 10)
    w = np.array(snap.weights[0][0], dtype=np.float64)
    w[10 * 28 + 10] = 1.0
    z, _ = response(w, snap.biases[0][0], snap.activations[0])
    assert f"{z:+.3f}" in view.readout.text() and "being painted" in view.readout.text()


def test_presets_emit_the_edge_detector_the_clear_and_the_bias(view, qtbot):
    net, snap = snapshot()
    view.set_snapshot(snap)
    view.set_neuron(1, 2)
    view.set_tool("region")
    with qtbot.waitSignal(view.editRequested, timeout=1000) as blocker:
        view.canvas.press(20, 12)
        view.canvas.drag(5, 11)
        view.canvas.release()
    weights = np.zeros(784)
    weights[list(blocker.args[0].frm)] = blocker.args[0].values
    picture = weights.reshape(28, 28)
    assert (picture[5:21, 11:13] == 1).all() and picture[4, 11] == -1 and picture[21, 13] == -1
    assert picture[0, 0] == 0
    with qtbot.waitSignal(view.editRequested, timeout=1000) as blocker:
        view.bias_button.click()
    assert blocker.args[0] == SetBias((784, 16, 10), 1, 2, THRESHOLD_BIAS)
    with qtbot.waitSignal(view.editRequested, timeout=1000) as blocker:
        view.clear_button.click()
    assert set(blocker.args[0].values) == {0.0} and len(blocker.args[0].frm) == 784


def test_painted_weights_reach_the_network_undo_restores_them_and_training_goes_on(view, qtbot):
    ds = tiny_dataset(n_train=200, n_test=40)
    worker = TrainingWorker(ds, sizes=(64, 6, 4), seed=1, learning_rate=1.0, batch_size=10)
    worker.start()
    try:
        view.editRequested.connect(worker.apply_edit)
        view.undoRequested.connect(worker.undo_edit)
        view.set_dataset(ds)
        before = worker.mailbox.peek()
        view.set_snapshot(before)
        view.set_neuron(1, 1)
        view.set_tool("paint+")
        view.canvas.press(2, 2)
        view.canvas.release()
        qtbot.waitUntil(lambda: worker.mailbox.peek().weights[0][1][2 * 8 + 2] == 1.0, timeout=5000)
        edited = worker.mailbox.peek()
        changed = np.flatnonzero(edited.params != before.params)
        assert len(changed) == 1
        view.set_snapshot(edited)
        view.wait_idle()
        qtbot.waitUntil(lambda: len(view.top_indices) == 9, timeout=5000)
        view.undoRequested.emit()
        qtbot.waitUntil(lambda: np.array_equal(worker.mailbox.peek().params, before.params), timeout=5000)
        worker.apply_edit(SetIncoming((64, 6, 4), 1, 1, (0,), (3.0,)))
        worker.step(3)
        qtbot.waitUntil(lambda: worker.mailbox.peek().step == 3, timeout=5000)
    finally:
        worker.stop()
        assert worker.wait(5000)


def test_the_favourite_test_images_are_those_with_the_largest_weighted_sum(view, qtbot):
    ds = tiny_dataset(n_train=50, n_test=40)
    net = Network((64, 5, 4), seed=0)
    snap = make_snapshot(net, ds.test_images[0], int(ds.test_labels[0]), image_shape=(8, 8),
                         class_names=ds.class_names)
    view.set_dataset(ds)
    view.set_snapshot(snap)
    qtbot.waitUntil(lambda: len(view.top_indices) == 9, timeout=5000)
    z = ds.inputs("test") @ snap.weights[0][0].astype(np.float64) + snap.biases[0][0]
    assert list(view.top_indices) == list(np.argsort(-z, kind="stable")[:9])
