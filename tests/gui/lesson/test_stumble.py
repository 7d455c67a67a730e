"""The stumbling-downhill panel compares the last step with the true gradient off the GUI thread."""
import numpy as np
import pytest
from toys import tiny_dataset, trained

from core.lesson.stumble import angle_degrees, full_gradient
from core.snapshot import make_snapshot
from gui.lesson.stumble import StumbleView


@pytest.fixture
def view(qtbot):
    widget = StumbleView()
    qtbot.addWidget(widget)
    widget.resize(900, 420)
    widget.show()
    return widget


def test_the_comparison_reports_the_angle_costs_and_the_batch_size_table(view, qtbot):
    ds = tiny_dataset(n_train=300, n_test=20)
    net, tr, before = trained(ds, steps=4, batch_size=10)
    snap = make_snapshot(net, ds.train_images[0], int(ds.train_labels[0]), batch=tr.last_record.batch,
                         batch_grad=tr.last_gradient.copy(), batch_params=before, learning_rate=2.0, step=4)
    view.set_dataset(ds)
    view.set_snapshot(snap)
    with qtbot.waitSignal(view.comparisonReady, timeout=30000) as blocker:
        view.compare_button.click()
    batch_grad, full_grad = blocker.args
    at_start = net.copy()
    at_start.set_params(before)
    expected, _ = full_gradient(at_start, ds.inputs("train"), ds.train_labels.astype(np.int64))
    np.testing.assert_allclose(full_grad, expected, rtol=1e-5, atol=1e-8)
    angle = angle_degrees(snap.batch_grad, expected)
    assert view.result.angle == pytest.approx(angle, abs=1e-3)
    assert f"{angle:.1f}°" in view.numbers.text()
    sizes = [row[0] for row in view.angles]
    assert sizes == [1, 10, 100, 300]  # batch sizes past the training set: the whole set, once
    assert view.angles[0][1] > view.angles[2][1]
    assert view.compare_button.isEnabled()


def test_without_a_step_it_says_to_train_first(view):
    ds = tiny_dataset(n_train=50, n_test=10)
    net, tr, before = trained(ds, steps=1)
    view.set_dataset(ds)
    view.set_snapshot(make_snapshot(net, ds.train_images[0], 1))
    assert not view.compare_button.isEnabled() and "Train at least one step" in view.status.text()
    view.compare()
    assert view.result is None
