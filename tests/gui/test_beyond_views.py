"""Widgets beyond the lesson: gradient ranking, evaluation, timeline, edit panel, experiments."""
import threading

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from core.lesson.edits import SetBias, SwitchOff, SwitchOn, is_switched_off, locate
from core.network import Network
from core.snapshot import make_snapshot
from core.trainer import Trainer
from gui.analysis import experiments
from gui.analysis.evaluation import EvaluationView
from gui.analysis.experiments import CompareView
from gui.analysis.ranking import GradientRanking
from gui.inspector.edit import EditPanel
from gui.timeline import Timeline


@pytest.fixture(scope="module")
def small(mnist):
    """A classic network after 100 steps, a small dataset, and its last mini-batch."""
    ds = mnist.subset(1000, 600)
    net = Network((784, 16, 16, 10), seed=0)
    tr = Trainer(net, ds, batch_size=10, learning_rate=3.0)
    for _ in range(100):
        tr.step()
    batch = tr.next_batch().copy()
    return net, ds, batch


def snapshot_of(net, ds, batch, **progress):
    grad = net.backprop(ds.inputs("train")[batch], ds.train_labels[batch]).flat.copy()
    return make_snapshot(net, ds.test_images[0], int(ds.test_labels[0]), batch_grad=grad, batch=batch,
                         batch_params=net.params, step=100, batch_size=len(batch), **progress)


def click_row(qtbot, view, row):
    index = view.model().index(row, 1)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view.visualRect(index).center())


# -- gradient ranking ------------------------------------------------------------------------
def test_ranking_is_sorted_by_gradient_magnitude_and_matches_backprop(qtbot, small):
    net, ds, batch = small
    snap = snapshot_of(net, ds, batch)
    expected = net.backprop(ds.inputs("train")[batch], ds.train_labels[batch]).flat
    w = GradientRanking()
    qtbot.addWidget(w)
    w.show()
    w.set_snapshot(snap)
    qtbot.waitUntil(lambda: w.model.rowCount() == net.n_params)
    rows = np.array([w.model.gradient_at(r) for r in range(net.n_params)])
    np.testing.assert_array_equal(rows, expected[w.model.order])
    assert (np.diff(np.abs(rows)) <= 0).all()
    assert sorted(w.model.order.tolist()) == list(range(net.n_params))
    top = int(np.argmax(np.abs(expected)))
    assert w.model.order[0] == top
    assert w.model.index(0, 3).data() == f"{expected[top]:+.2e}"
    shares = [float(w.model.index(r, 4).data().rstrip("%")) for r in range(3)]
    np.testing.assert_allclose(shares, 100 * expected[w.model.order[:3]] ** 2 / np.sum(expected.astype(float) ** 2),
                               atol=0.006)


def test_clicking_a_ranking_row_names_the_weight_or_neuron(qtbot, small):
    net, ds, batch = small
    snap = snapshot_of(net, ds, batch)
    w = GradientRanking()
    qtbot.addWidget(w)
    w.resize(600, 400)
    w.show()
    w.set_snapshot(snap)
    qtbot.waitUntil(lambda: w.model.rowCount() == net.n_params)
    kinds = [locate(snap.sizes, int(i)).kind for i in w.model.order[:200]]
    weight_row, bias_row = kinds.index("weight"), kinds.index("bias")
    a = locate(snap.sizes, int(w.model.order[weight_row]))
    with qtbot.waitSignal(w.connectionSelected) as blocker:
        click_row(qtbot, w.table, weight_row)
    assert blocker.args == [a.layer, a.to, a.frm]
    assert snap.weights[a.layer][a.to, a.frm] == snap.params[w.model.order[weight_row]]
    b = locate(snap.sizes, int(w.model.order[bias_row]))
    with qtbot.waitSignal(w.neuronSelected) as blocker:
        click_row(qtbot, w.table, bias_row)
    assert blocker.args == [b.layer + 1, b.to]


# -- evaluation ------------------------------------------------------------------------------------
def test_clicking_a_confusion_cell_shows_its_images(qtbot, small):
    net, ds, batch = small
    view = EvaluationView()
    qtbot.addWidget(view)
    view.resize(800, 500)
    view.show()
    view.set_dataset(ds)
    view.set_snapshot(snapshot_of(net, ds, batch))
    qtbot.waitUntil(lambda: view.result is not None, timeout=10000)
    result = view.result
    assert result.confusion.sum() == len(ds.test_labels)
    np.testing.assert_array_equal(result.predictions, net.predict(ds.inputs("test")))
    off = result.confusion.copy()
    np.fill_diagonal(off, 0)
    t, p = np.unravel_index(np.argmax(off), off.shape)
    x, y = view.grid.cell_center(int(t), int(p))
    qtbot.mouseClick(view.grid, Qt.LeftButton, pos=QPoint(round(x), round(y)))
    shown = view.cell_gallery.gallery_model.indices
    assert len(shown) == result.confusion[t, p] > 0
    assert (ds.test_labels[shown] == t).all() and (result.predictions[shown] == p).all()
    tile = view.cell_gallery.visualRect(view.cell_gallery.model().index(0, 0)).center()
    with qtbot.waitSignal(view.exampleRequested) as blocker:
        qtbot.mouseClick(view.cell_gallery.viewport(), Qt.LeftButton, pos=tile)
    assert blocker.args == ["test", int(shown[0])]
    worst = view.worst_gallery.gallery_model.indices
    assert result.true_class_output()[worst[0]] == result.true_class_output().min()


def evaluated_view(qtbot, small):
    """Return an EvaluationView that has evaluated a snapshot at epoch 0, and that snapshot."""
    net, ds, batch = small
    view = EvaluationView()
    qtbot.addWidget(view)
    view.show()
    view.set_dataset(ds)
    snap = snapshot_of(net, ds, batch, epoch=0)
    view.set_snapshot(snap)
    qtbot.waitUntil(lambda: view.result is not None, timeout=10000)
    return view, snap


def test_a_finished_epoch_evaluates_again(qtbot, small):
    view, snap = evaluated_view(qtbot, small)
    view.set_snapshot(snap.with_progress(step=200, epoch=1))
    qtbot.waitUntil(lambda: view.result.step == 200, timeout=10000)


def test_pausing_on_a_new_step_evaluates_again_but_running_does_not(qtbot, small):
    view, snap = evaluated_view(qtbot, small)
    assert view.wait_idle()
    first = view.result.step
    view.set_snapshot(snap.with_progress(step=first + 30, running=True))
    qtbot.wait(200)
    assert view.result.step == first  # mid-epoch while training runs: keeps the last result
    view.set_snapshot(snap.with_progress(step=first + 31, running=False))
    qtbot.waitUntil(lambda: view.result.step == first + 31, timeout=10000)


# -- timeline ----------------------------------------------------------------------------------------
def test_timeline_emits_the_scrubbed_step_and_resume(qtbot):
    t = Timeline()
    qtbot.addWidget(t)
    t.set_steps(np.array([0, 5, 10, 20, 40]))
    t.set_live_step(43)
    assert t.is_live and "43" in t.label.text()
    with qtbot.waitSignal(t.stepScrubbed) as blocker:
        t.slider.setValue(3)
    assert blocker.args == [20, 3]
    assert not t.is_live and "viewing step 20" in t.label.text()
    # The trajectory thins: step 20 moves to row 2 and stays the one viewed.
    t.set_steps(np.array([0, 10, 20, 40]))
    assert t.viewing_step == 20 and t.slider.value() == 2
    with qtbot.waitSignal(t.resumeRequested) as blocker:
        t.resume_button.click()
    assert blocker.args == [20] and t.is_live


def test_timeline_throttles_a_drag_but_delivers_its_last_step(qtbot):
    t = Timeline()
    qtbot.addWidget(t)
    t.set_steps(np.arange(0, 100, 10))
    seen = []
    t.stepScrubbed.connect(lambda step, row: seen.append((step, row)))
    for row in range(1, 8):
        t.slider.setValue(row)
    qtbot.waitUntil(lambda: seen and seen[-1] == (70, 7))
    assert len(seen) < 7 and seen[0] == (10, 1)
    with qtbot.waitSignal(t.backToLive):
        t.live_button.click()
    assert t.is_live


# -- edit panel ------------------------------------------------------------------------------------------
def test_edit_panel_emits_edits_and_previews_their_effect(qtbot, small):
    net, ds, batch = small
    snap = snapshot_of(net, ds, batch)
    panel = EditPanel()
    qtbot.addWidget(panel)
    panel.set_snapshot(snap)
    panel.set_neuron(2, 3)
    assert panel.bias.value() == pytest.approx(float(snap.biases[1][3]), abs=1e-3)
    panel.bias.setValue(-4.0)
    twin = net.copy()
    twin.biases[1][3] = -4.0
    np.testing.assert_allclose(panel.bars.after, twin.feedforward(snap.activations[0])[0], rtol=1e-5)
    np.testing.assert_array_equal(panel.bars.before, snap.activations[-1])
    with qtbot.waitSignal(panel.editRequested) as blocker:
        panel.set_bias_button.click()
    assert blocker.args[0] == SetBias(snap.sizes, 2, 3, -4.0)


def test_switching_off_then_on_gives_the_neuron_its_weights_back(qtbot, small):
    net, ds, batch = small
    live = net.copy()
    panel = EditPanel()
    qtbot.addWidget(panel)
    panel.set_snapshot(make_snapshot(live, ds.test_images[1], int(ds.test_labels[1])))
    panel.set_neuron(1, 4)
    original = live.params.copy()
    with qtbot.waitSignal(panel.editRequested) as blocker:
        panel.switch_button.click()
    assert isinstance(blocker.args[0], SwitchOff)
    blocker.args[0].apply(live.params)  # what the worker does
    panel.set_snapshot(make_snapshot(live, ds.test_images[1], int(ds.test_labels[1])))
    panel.refresh()
    assert is_switched_off(live.params, live.sizes, 1, 4) and panel.switch_button.text() == "Switch on"
    with qtbot.waitSignal(panel.editRequested) as blocker:
        panel.switch_button.click()
    assert isinstance(blocker.args[0], SwitchOn)
    blocker.args[0].apply(live.params)
    assert live.params.tobytes() == original.tobytes()


# -- experiments ---------------------------------------------------------------------------------------------
def training_ends(monkeypatch):
    """Return an Event set when an experiment's training returns (it runs off the GUI thread)."""
    ended = threading.Event()
    compare_runs = experiments.compare_runs

    def recorded(*args, **kwargs):
        try:
            return compare_runs(*args, **kwargs)
        finally:
            ended.set()

    monkeypatch.setattr(experiments, "compare_runs", recorded)
    return ended


def test_compare_view_plots_runs_and_stops_them_on_close(qtbot, mnist, monkeypatch):
    ended = training_ends(monkeypatch)
    view = CompareView()
    qtbot.addWidget(view)
    # 200 epochs of 20,000 images: far longer than the test waits, even when a busy machine
    # keeps this thread from looking for seconds (200 epochs of 2,000 images were over by then)
    view.set_dataset(mnist.subset(20000, 200))
    view.n_train.setValue(20000)
    view.epochs.setValue(200)
    view.show()
    view.run()
    qtbot.waitUntil(lambda: len(view.runs) == 2 and len(view.runs[0].epochs) >= 2, timeout=20000)
    assert view.is_running and not view.run_button.isEnabled()
    assert [r.config.name for r in view.runs] == ["sigmoid + quadratic, η = 3",
                                                    "relu + cross-entropy (softmax), η = 0.1"]
    assert not ended.is_set()
    view.close()
    assert ended.is_set() and not view.is_running
    assert view.run_button.isEnabled()


def test_a_compare_view_deleted_mid_run_stops_its_training(qtbot, mnist, monkeypatch):
    ended = training_ends(monkeypatch)
    view = CompareView()
    view.set_dataset(mnist.subset(2000, 200))
    view.epochs.setValue(200)
    view.run()
    qtbot.waitUntil(lambda: len(view.runs) == 2, timeout=20000)
    assert not ended.is_set()
    view.deleteLater()
    qtbot.waitUntil(ended.is_set, timeout=20000)


def test_stop_ends_the_runs_early_and_shows_what_they_trained(qtbot, mnist):
    view = CompareView()
    qtbot.addWidget(view)
    view.set_dataset(mnist.subset(2000, 200))
    view.epochs.setValue(200)
    view.run()
    qtbot.waitUntil(lambda: len(view.runs) == 2 and len(view.runs[0].epochs) >= 2, timeout=20000)
    with qtbot.waitSignal(view.runningChanged, timeout=20000) as blocker:
        view.stop_button.click()
    assert blocker.args == [False] and not view.is_running and view.run_button.isEnabled()
    assert view.status.text().startswith("Stopped after ") and len(view.runs[0].epochs) < 200


def test_timeline_moves_to_the_nearest_step_when_the_viewed_one_is_thinned_away(qtbot):
    t = Timeline()
    qtbot.addWidget(t)
    t.set_steps(np.arange(0, 50, 5))
    t.scrub_to_row(3)  # step 15
    with qtbot.waitSignal(t.stepScrubbed) as blocker:
        t.set_steps(np.arange(0, 50, 10))
    assert blocker.args in ([10, 1], [20, 2]) and t.viewing_step == blocker.args[0]


def test_the_evaluation_panel_stacks_its_parts_rather_than_scroll_sideways(qtbot):
    from PySide6.QtWidgets import QScrollArea

    view = EvaluationView()
    area = QScrollArea()  # as the window's docks hold their panels
    area.setWidgetResizable(True)
    area.setWidget(view)
    qtbot.addWidget(area)
    area.resize(900, 300)  # wide and short: grid and tabs side by side
    area.show()
    qtbot.waitUntil(lambda: view.splitter.orientation() == Qt.Horizontal)
    area.resize(500, 300)  # the bottom dock at 1280×800: narrower than the two side by side
    qtbot.waitUntil(lambda: view.splitter.orientation() == Qt.Vertical)
    qtbot.wait(20)
    assert area.horizontalScrollBar().maximum() == 0
    area.resize(500, 900)  # tall: stacked
    qtbot.wait(20)
    assert view.splitter.orientation() == Qt.Vertical


def test_the_experiments_panel_says_what_it_trains_and_offers_the_lessons_network(qtbot, mnist):
    view = CompareView()
    qtbot.addWidget(view)
    view.set_dataset(mnist.subset(5000, 200))
    view.show()
    assert not view.lessons.isVisible()  # the comparison already trains the lesson's network
    assert "784-16-16-10 with sigmoid neurons" in view.setup.text()
    view.experiment.setCurrentIndex(1)  # shuffled labels
    assert view.lessons.isVisible()
    assert view.setup.text().startswith("Trains 784-128-10 with relu neurons")
    assert "5,000 training images for 30 epochs" in view.setup.text()
    view.lessons.setChecked(True)
    assert "784-16-16-10 with sigmoid neurons" in view.setup.text()
    assert [c.hidden for c in view.configs()] == [(16, 16), (16, 16)]
    assert [c.shuffle_labels for c in view.configs()] == [False, True]
    view.epochs.setValue(3)
    assert "for 3 epochs" in view.setup.text()


def test_the_evaluation_panel_counts_the_grid_s_set_minimum_width(qtbot):
    """A dock wider than 1.2× its height but narrower than grid and tabs side by side (540×430):
    the grid has a minimum width but no minimum size hint, and was counted as 0 px wide."""
    from PySide6.QtWidgets import QScrollArea

    view = EvaluationView()
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(view)
    qtbot.addWidget(area)
    area.resize(900, 300)  # side by side first
    area.show()
    qtbot.waitUntil(lambda: view.splitter.orientation() == Qt.Horizontal)
    area.resize(540, 430)
    qtbot.waitUntil(lambda: view.splitter.orientation() == Qt.Vertical)
    qtbot.wait(20)
    assert area.horizontalScrollBar().maximum() == 0
