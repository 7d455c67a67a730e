"""Start-up always reaches a usable, trainable window, whatever the settings file, the autosave and the dataset."""
import os
import time

import numpy as np
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QMessageBox
from toys import tiny_dataset

CORRUPT_SETTINGS = """[net]
hidden=100000
activation=swish
cost=3
seed=18446744073709551616
learning_rate=nan
batch_size=0
optimizer=lbfgs

[files]
autosave_time=not-a-time
recent=@Invalid()

[window]
geometry=@ByteArray(garbage)
state=12
dark=perhaps

[view]
diagram_mode=upside-down
"""


def test_a_corrupt_settings_file_a_corrupt_autosave_and_a_tiny_dataset_still_give_a_trainable_window(
        qtbot, tmp_path, monkeypatch):
    from gui.app import open_window

    QStandardPaths.setTestModeEnabled(True)
    monkeypatch.setattr("gui.session.data_folder", lambda: tmp_path)
    (tmp_path / "settings.ini").write_text(CORRUPT_SETTINGS)
    (tmp_path / "autosave.npz").write_bytes(np.random.default_rng(0).bytes(3000))  # not a checkpoint at all
    stale = tmp_path / ".autosave.npz.k1ll3d.tmp"  # left by a save the app was killed in
    stale.write_bytes(bytes(5000))
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    offers, warnings = [], []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: offers.append(a[2]) or QMessageBox.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    dataset = tiny_dataset(n_train=50, n_test=20)  # fewer images than the default batch of 100

    controller = open_window(dataset, restore_settings=True, offer_restore=True,
                             settings=QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    window = controller.view
    qtbot.addWidget(window)
    window.show()

    # every bad remembered setting was dropped with a one-line notice, and the batch clamped
    notices = controller.startup_notices
    assert sum("the remembered" in line for line in notices) == 7, notices
    assert any("batches of 50" in line for line in notices)
    assert all("\n" not in line for line in notices)
    assert not stale.exists()
    # the restore was still offered (a corrupt time is no reason to skip it) and the bad file refused
    qtbot.waitUntil(lambda: len(offers) == 1 and len(warnings) == 1, timeout=10000)
    assert offers[0].startswith("An earlier session was saved automatically")
    assert "autosave.npz" in warnings[0] and "not a zip archive" in warnings[0]
    # and the window trains: the defaults, batches of the whole (tiny) training set
    snap = controller.latest()
    assert snap.sizes == (64, 16, 16, 4) and snap.batch_size == 50 and snap.optimizer == "sgd"
    controller.worker.step(3)
    qtbot.waitUntil(lambda: controller.latest().step == 3, timeout=20000)
    assert np.isfinite(controller.latest().params).all()
    window.close()


def test_a_failure_in_training_shows_its_details_and_the_window_trains_on(qtbot, tmp_path, monkeypatch):
    from engine_toys import raise_memory_error

    from gui.app import open_window

    QStandardPaths.setTestModeEnabled(True)
    monkeypatch.setattr("gui.session.data_folder", lambda: tmp_path)
    controller = open_window(tiny_dataset(n_train=200, n_test=20), restore_settings=False, offer_restore=False,
                             settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat), persist=False)
    qtbot.addWidget(controller.view)
    controller.view.show()
    controller.worker.play()
    with qtbot.waitSignal(controller.worker.failed, timeout=20000):
        controller.worker.call(raise_memory_error)
    box = controller.fault_box
    assert box.isVisible() and not box.isModal()
    assert "MemoryError" in box.text() and "paused" in box.text()
    assert "raise_memory_error" in box.detailedText() and "Traceback" in box.detailedText()
    qtbot.waitUntil(lambda: not controller.latest().running, timeout=10000)
    step = controller.latest().step
    controller.worker.step(2)
    qtbot.waitUntil(lambda: controller.latest().step == step + 2, timeout=20000)
    box.close()
    controller.view.close()


def test_the_gradient_ranking_says_when_no_mini_batch_was_trained_yet(qtbot):
    from core.network import Network
    from core.snapshot import make_snapshot
    from gui.analysis.ranking import GradientRanking

    ds = tiny_dataset(n_train=50, n_test=20)
    net = Network((64, 6, 4), seed=0)
    snap = make_snapshot(net, ds.train_images[0], int(ds.train_labels[0]), step=752)
    ranking = GradientRanking()
    qtbot.addWidget(ranking)
    ranking.show()
    ranking.set_snapshot(snap)  # just opened: a step count, but no last mini-batch
    qtbot.waitUntil(lambda: ranking.model.rowCount() == net.n_params)
    text = ranking.summary.text()
    assert text.startswith("No mini-batch has been trained since this network was opened")
    assert "Gradient of the current example" in text
