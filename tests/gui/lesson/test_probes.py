"""The beyond-the-data panel sends noise, blank, moved and average images to the network and shows its answer."""
import numpy as np
import pytest
from toys import tiny_dataset

from gui.lesson.probes import ProbesView
from gui.training.worker import TrainingWorker


@pytest.fixture
def setup(qtbot):
    ds = tiny_dataset(n_train=200, n_test=40)
    worker = TrainingWorker(ds, sizes=(64, 6, 4), seed=1, learning_rate=1.0, batch_size=10)
    worker.start()
    view = ProbesView()
    qtbot.addWidget(view)
    view.set_dataset(ds)
    view.inputRequested.connect(worker.show_input)
    view.backToData.connect(lambda: worker.follow_batch(True))
    view.set_snapshot(worker.mailbox.peek())
    view.show()
    yield ds, worker, view
    worker.stop()
    assert worker.wait(5000)


def answered(qtbot, worker, view, x):
    """Wait for the worker's snapshot of input x, hand it to the view, return it."""
    qtbot.waitUntil(lambda: worker.mailbox.peek().example_split == "drawn"
                    and np.allclose(worker.mailbox.peek().activations[0], x), timeout=5000)
    snap = worker.mailbox.peek()
    view.set_snapshot(snap)
    return snap


@pytest.mark.parametrize("kind", ["noise", "blank"])
def test_noise_and_blank_run_through_the_network_and_its_answer_is_shown(setup, qtbot, kind):
    ds, worker, view = setup
    with qtbot.waitSignal(view.inputRequested, timeout=1000) as blocker:
        getattr(view, f"{kind}_button").click()
    x = blocker.args[0]
    assert x.shape == (64,) and (x.any() if kind == "noise" else not x.any())
    snap = answered(qtbot, worker, view, x)
    net_out = snap.activations[-1]
    name = ds.class_names[int(np.argmax(net_out))]
    assert "<b" in view.answer.text() and f">{name}</b>" in view.answer.text()
    assert f"{net_out.max():.2f}" in view.answer.text()
    assert name in view.caption.text() and view.caption.text().endswith(".")
    assert not view.preview.pixmap().isNull()


def test_shift_and_rotate_start_from_the_current_image(setup, qtbot):
    ds, worker, view = setup
    base = np.array(worker.mailbox.peek().image)
    view.down.setValue(1)
    view.right.setValue(2)
    with qtbot.waitSignal(view.inputRequested, timeout=1000) as blocker:
        view.shift_button.click()
    moved = blocker.args[0].reshape(8, 8)
    np.testing.assert_allclose(moved[1:, 2:], base[:-1, :-2], atol=1e-6)
    answered(qtbot, worker, view, blocker.args[0])
    assert view.caption.text()
    view.degrees.setValue(90)
    with qtbot.waitSignal(view.inputRequested, timeout=1000) as blocker:
        view.rotate_button.click()
    np.testing.assert_allclose(blocker.args[0].reshape(8, 8), np.rot90(base), atol=1e-5)


def test_average_of_a_class_and_back_to_the_data(setup, qtbot):
    ds, worker, view = setup
    view.which_class.setCurrentIndex(2)
    with qtbot.waitSignal(view.inputRequested, timeout=1000) as blocker:
        view.average_button.click()
    expected = ds.train_images[ds.train_labels == 2].mean(axis=0) / 255.0
    np.testing.assert_allclose(blocker.args[0].reshape(8, 8), expected, atol=1e-5)
    answered(qtbot, worker, view, blocker.args[0])
    with qtbot.waitSignal(view.backToData, timeout=1000):
        view.back_button.click()
    qtbot.waitUntil(lambda: worker.mailbox.peek().example_split == "train", timeout=5000)
