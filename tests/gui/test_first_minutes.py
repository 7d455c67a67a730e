"""What a learner meets in the first minutes: the pace of Play, the training keys, the first hint."""
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, QStandardPaths, Qt

from gui.training.inputs import DEFAULT_SPEED


@pytest.fixture(scope="module")
def small_mnist():
    from core.data import load_mnist

    return load_mnist().subset(3000, 500)


def make_window(qtbot, dataset, settings, restore=False):
    """Return the controller of a new window, shown at 1280x800."""
    from gui.app import open_window

    QStandardPaths.setTestModeEnabled(True)
    c = open_window(dataset, restore_settings=restore, offer_restore=False, settings=settings)
    w = c.view
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    return c


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


@pytest.fixture
def controller(qtbot, small_mnist, settings):
    c = make_window(qtbot, small_mnist, settings)
    yield c
    c.view.close()


def sync(qtbot, controller):
    """Return the trainer's step count once every command sent so far has been applied."""
    box = []
    controller.worker.call(lambda tr: box.append(tr.step_count))
    qtbot.waitUntil(lambda: bool(box), timeout=5000)
    return box[0]


def test_the_pace_of_play_is_watchable_at_first_and_remembered(qtbot, small_mnist, settings):
    first = make_window(qtbot, small_mnist, settings, restore=True).view
    training = first.panels["training"]
    assert training.speed_setting() == DEFAULT_SPEED
    training.set_speed(50)
    training.fastest_action.trigger()
    first.close()
    second = make_window(qtbot, small_mnist, settings, restore=True).view
    assert second.panels["training"].speed_setting() == 0
    second.panels["training"].fastest_action.trigger()
    assert second.panels["training"].speed_setting() == 50
    second.close()


def test_right_arrow_steps_after_the_learner_touched_a_slider(controller, qtbot):
    window = controller.view
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    slider = window.panels["training"].live.learning_rate.slider
    slider.setFocus()
    qtbot.waitUntil(slider.hasFocus)
    before = slider.value()
    qtbot.keyClick(slider, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: sync(qtbot, controller) == 1, timeout=5000)
    assert slider.value() == before


def test_after_a_reset_the_status_bar_gives_the_untrained_networks_test_accuracy(controller, qtbot, small_mnist):
    from core.network import Network

    window = controller.view
    controller.step(5)
    qtbot.waitUntil(lambda: controller.latest().step == 5, timeout=5000)
    controller.reset()
    qtbot.waitUntil(lambda: controller.latest().step == 0 and controller.latest().test_accuracy is not None,
                    timeout=5000)
    net = Network(controller.latest().sizes, seed=0)
    expected = float(np.mean(net.predict(small_mnist.inputs("test")) == small_mnist.labels("test")))
    qtbot.waitUntil(lambda: window.status.labels["accuracy"].text() == f"test accuracy {expected:.2%}", timeout=5000)


def test_file_dialogs_start_in_the_documents_folder_then_where_the_last_file_went(controller, qtbot, tmp_path,
                                                                                 monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    asked = []

    def save_dialog(parent, caption, start, filters):
        asked.append(start)
        return str(tmp_path / "mine" / "net.npz"), filters

    (tmp_path / "mine").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda parent, caption, start, filters: (asked.append(start)
                                                                                                 or ("", "")))
    documents = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    controller.actions.save_network_as()
    controller.actions.open_network()
    controller.actions.export_history()
    start = Path(documents) if Path(documents).is_dir() else Path.home()  # no Documents folder: the home
    assert asked[0] == str(start / "network.npz")
    assert asked[1] == str(tmp_path / "mine")
    assert asked[2] == str(tmp_path / "mine" / "history.csv")
