"""Files and never losing work: save/open through the window, refusals, autosave, other datasets."""
import gzip
import struct

import numpy as np
import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QMessageBox

from core.data import load_idx_dataset


def write_idx(path, array):
    """Write an IDX file (gzip) the way the MNIST files are laid out."""
    codes = {np.uint8: 0x08}
    header = struct.pack(">BBBB", 0, 0, codes[array.dtype.type], array.ndim)
    header += b"".join(struct.pack(">I", n) for n in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(">u1").tobytes())


def fashion_like_folder(folder, n_train=300, n_test=60, side=20, classes=5, seed=0):
    """Write a small learnable dataset in the four-file layout, with class names."""
    rng = np.random.default_rng(seed)

    def make(n):
        labels = rng.integers(0, classes, n).astype(np.uint8)
        images = rng.integers(0, 40, (n, side, side)).astype(np.uint8)
        for i, label in enumerate(labels):
            images[i, :, label * 4:label * 4 + 4] = 250  # a bright stripe whose place is the class
        return images, labels

    (tri, trl), (tei, tel) = make(n_train), make(n_test)
    folder.mkdir(parents=True, exist_ok=True)
    write_idx(folder / "train-images-idx3-ubyte.gz", tri)
    write_idx(folder / "train-labels-idx1-ubyte.gz", trl)
    write_idx(folder / "t10k-images-idx3-ubyte.gz", tei)
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", tel)
    (folder / "classes.txt").write_text("\n".join(["T-shirt", "Trouser", "Pullover", "Dress", "Coat"][:classes]))
    return folder


@pytest.fixture
def controller(open_app):
    """Return the controller of a window on a small MNIST, with the warnings it showed in `warnings`."""
    c = open_app()
    c.view.show()
    yield c
    c.view.close()


def peek(c):
    return c.latest()


def test_save_then_open_restores_network_counters_and_settings(controller, qtbot, tmp_path):
    w = controller
    w.worker.set_learning_rate(1.5)
    w.worker.set_optimizer("momentum")
    w.worker.step(7)
    qtbot.waitUntil(lambda: peek(w).step == 7, timeout=5000)
    saved = peek(w)
    path = tmp_path / "mine.npz"
    with qtbot.waitSignal(w.saved, timeout=5000):
        w.actions.network_path = str(path)
        w.actions.save_network()
    w.worker.step(3)
    qtbot.waitUntil(lambda: peek(w).step == 10, timeout=5000)
    after_ten = peek(w).params.copy()
    with qtbot.waitSignal(w.loaded, timeout=5000):
        w.actions.open_network(str(path))
    loaded = peek(w)
    assert (loaded.step, loaded.optimizer, loaded.extra["base_learning_rate"]) == (7, "momentum", 1.5)
    np.testing.assert_array_equal(loaded.params, saved.params)
    # training on from the file gives exactly what training on without saving gave
    w.worker.step(3)
    qtbot.waitUntil(lambda: peek(w).step == 10, timeout=5000)
    np.testing.assert_array_equal(peek(w).params, after_ten)
    assert str(path) in w.session.recent_files()
    w.actions.recent_menu.parent().aboutToShow.emit()  # the File menu opens: the file is listed
    assert "mine.npz" in [act.text() for act in w.actions.recent_menu.actions()]


@pytest.mark.parametrize("damage", ["truncate", "garbage", "other_architecture"])
def test_bad_checkpoints_are_refused_and_the_session_is_untouched(controller, qtbot, tmp_path, damage):
    from core.checkpoint import save_checkpoint
    from core.network import Network

    w = controller
    w.worker.step(4)
    qtbot.waitUntil(lambda: peek(w).step == 4, timeout=5000)
    before = peek(w)
    path = tmp_path / "bad.npz"
    if damage == "other_architecture":
        save_checkpoint(path, Network((784, 30, 10)))
        w.worker.rebuild((16, 16), "sigmoid", "quadratic", 0)  # same shape as before, new seed-0 net
        qtbot.waitUntil(lambda: peek(w).step == 0, timeout=5000)
        before = peek(w)
        save_checkpoint(path, Network((100, 30, 10)))  # another dataset shape
    else:
        save_checkpoint(path, Network())
        raw = path.read_bytes()
        path.write_bytes(raw[: len(raw) // 2] if damage == "truncate" else b"\x00garbage" * 50)
    with qtbot.waitSignal(w.worker.error, timeout=5000) as blocker:
        w.actions.open_network(str(path))
    assert "bad.npz" in blocker.args[0] or "inputs" in blocker.args[0]
    qtbot.waitUntil(lambda: len(w.warnings) == 1, timeout=5000)
    now = peek(w)
    assert now.step == before.step and now.sizes == before.sizes
    np.testing.assert_array_equal(now.params, before.params)


def test_autosave_on_exit_and_restore_on_the_next_start(qtbot, tmp_path, monkeypatch):
    from core.data import load_mnist
    from gui.app import open_window

    QStandardPaths.setTestModeEnabled(True)
    # a folder of its own: the test-mode data folder is shared by every test run on the machine
    monkeypatch.setattr("gui.session.data_folder", lambda: tmp_path)
    ds = load_mnist().subset(2000, 300)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    first = open_window(ds, restore_settings=False, offer_restore=False, settings=settings)
    qtbot.addWidget(first.view)
    first.session.autosave_path().unlink(missing_ok=True)
    first.worker.step(6)
    qtbot.waitUntil(lambda: first.worker.mailbox.peek().step == 6, timeout=5000)
    params = first.worker.mailbox.peek().params.copy()
    first.view.close()
    assert first.session.autosave_path().is_file()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    second = open_window(ds, restore_settings=True, offer_restore=False, settings=settings)
    qtbot.addWidget(second.view)
    with qtbot.waitSignal(second.loaded, timeout=5000):
        second.session.offer_restore()
    snap = second.worker.mailbox.peek()
    assert snap.step == 6
    np.testing.assert_array_equal(snap.params, params)
    second.view.close()
    second.session.autosave_path().unlink(missing_ok=True)


def test_a_fashion_mnist_layout_folder_opens_and_trains(controller, qtbot, tmp_path):
    folder = fashion_like_folder(tmp_path / "fashion")
    w = controller
    with qtbot.waitSignal(w.worker.rebuilt, timeout=5000):
        w.actions.open_dataset(str(folder))
    snap = peek(w)
    assert snap.sizes == (400, 16, 16, 5)
    assert snap.class_names == ("T-shirt", "Trouser", "Pullover", "Dress", "Coat")
    assert snap.image_shape == (20, 20)
    w.worker.set_learning_rate(3.0)
    w.worker.step(60)
    qtbot.waitUntil(lambda: peek(w).step == 60, timeout=10000)
    w.worker.evaluate()
    qtbot.waitUntil(lambda: peek(w).test_accuracy is not None, timeout=5000)
    assert peek(w).test_accuracy > 0.6  # chance is 0.2
    qtbot.wait(300)  # every panel renders the new shape without error
    assert w.shown().sizes == (400, 16, 16, 5)
    # clothes, not digits: the drawing panel says "input", and so does its menu entry
    assert w.view.docks["draw"].windowTitle() == "Draw an input"
    assert "digit" not in w.view.panels["draw"].hint.text()


def test_a_broken_dataset_folder_is_refused_with_a_message(controller, qtbot, tmp_path):
    folder = fashion_like_folder(tmp_path / "broken")
    raw = (folder / "t10k-labels-idx1-ubyte.gz").read_bytes()
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(raw[:20])
    before = peek(controller).sizes
    controller.actions.open_dataset(str(folder))
    assert len(controller.warnings) == 1 and "t10k-labels" in controller.warnings[0]
    assert peek(controller).sizes == before
    assert load_idx_dataset  # the reader the window uses


def test_exports_write_png_svg_and_csv(controller, qtbot, tmp_path):
    from gui.menus import save_widget_image

    controller.worker.step(5)
    qtbot.waitUntil(lambda: peek(controller).step == 5, timeout=5000)
    qtbot.wait(200)
    save_widget_image(controller.view.diagram, tmp_path / "diagram.png")
    save_widget_image(controller.view.panels["charts"], tmp_path / "charts.svg")
    assert (tmp_path / "diagram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (tmp_path / "charts.svg").read_bytes()[:2000]
    controller.export_history(str(tmp_path / "history.csv"))
    qtbot.waitUntil(lambda: (tmp_path / "history.csv").is_file(), timeout=5000)
    lines = (tmp_path / "history.csv").read_text().splitlines()
    # the header, the untrained network's two evaluations (train and test, at step 0) and 5 steps
    assert lines[0].startswith("kind,step") and len(lines) == 8
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["evaluation"] * 2 + ["step"] * 5
