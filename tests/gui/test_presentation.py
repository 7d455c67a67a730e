"""Presentation mode's type size: fitted to the screen, changed with Ctrl+= / Ctrl+- / Ctrl+0, remembered."""
import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication

from gui.lecture.presentation import mode_scale, step_user_scale


def test_the_mode_type_follows_the_screen_height():
    assert mode_scale(800) == pytest.approx(1.6)
    assert mode_scale(1080) > mode_scale(800) > mode_scale(720)
    assert mode_scale(360) == pytest.approx(0.9)  # a 720-pixel screen at 200 %: already twice as large
    assert mode_scale(800, user=1.1) == pytest.approx(1.76)


def test_the_presenters_steps_stay_in_range_and_reset():
    assert step_user_scale(1.0, +1) == pytest.approx(1.1)
    assert step_user_scale(1.0, -1) == pytest.approx(1 / 1.1, abs=1e-3)
    assert step_user_scale(2.0, +1) == 2.0
    assert step_user_scale(1.7, 0) == 1.0


@pytest.fixture
def make_window(qtbot, tmp_path):
    from core.data import load_mnist
    from gui.app import open_window

    QStandardPaths.setTestModeEnabled(True)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    dataset = load_mnist().subset(1000, 200)
    made = []

    def make(restore_settings=True):
        controller = open_window(dataset, restore_settings=restore_settings, offer_restore=False, settings=settings,
                                 persist=False)
        w = controller.view
        w.actions = controller.actions
        qtbot.addWidget(w)
        made.append(w)
        return w

    yield make
    made[0].actions.presenter.change_type_size(0)  # the application font is shared by every test
    for w in made:
        w.close()


def _shortcut_action(window, key):
    for menu in window.menuBar().findChildren(type(window.menuBar().actions()[0].menu())):
        for act in menu.actions():
            if any(s.toString() == key for s in act.shortcuts()):
                return act
    raise AssertionError(f"no action for {key}")


def test_ctrl_plus_minus_and_zero_change_the_type_and_it_is_remembered(make_window, qtbot):
    window = make_window()
    normal = QApplication.font().pointSizeF()
    _shortcut_action(window, "Ctrl+=").trigger()
    _shortcut_action(window, "Ctrl+=").trigger()
    bigger = QApplication.font().pointSizeF()
    assert bigger == pytest.approx(normal * 1.21, rel=1e-3)
    window.close()

    again = make_window()  # the next start: the same type size
    assert QApplication.font().pointSizeF() == pytest.approx(bigger, rel=1e-3)
    _shortcut_action(again, "Ctrl+-").trigger()
    assert QApplication.font().pointSizeF() == pytest.approx(normal * 1.1, rel=1e-3)
    _shortcut_action(again, "Ctrl+0").trigger()
    assert QApplication.font().pointSizeF() == pytest.approx(normal)


def test_a_fresh_start_uses_the_default_type_and_keeps_the_remembered_choice(make_window, qtbot):
    window = make_window()
    normal = QApplication.font().pointSizeF()
    _shortcut_action(window, "Ctrl+=").trigger()
    window.close()
    fresh = make_window(restore_settings=False)  # python main.py --fresh
    assert QApplication.font().pointSizeF() == pytest.approx(normal)
    assert fresh.actions.presenter.user_scales() == {"normal": 1.0, "presentation": 1.0}
    fresh.close()
    again = make_window()
    assert QApplication.font().pointSizeF() == pytest.approx(normal * 1.1, rel=1e-3)
    again.actions.presenter.change_type_size(0)


def test_the_mode_hides_the_explanation_behind_a_toggle(make_window, qtbot):
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    legend = window.diagram.legend
    assert legend.explanation.isVisible() and not legend.explain.isVisible()
    window.actions.presenter.room = (1280, 720)
    window.actions.presentation_action.trigger()
    assert not legend.explanation.isVisible() and legend.explain.isVisible()
    legend.explain.click()
    assert legend.explanation.isVisible()
    window.actions.presentation_action.trigger()
    assert legend.explanation.isVisible() and not legend.explain.isVisible()


def active_window(make_window, qtbot):
    """Return a new window, shown and active (the clicker's keys go to the active window)."""
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def test_the_clicker_walks_the_tour_and_blanks_the_screen_in_presentation_mode(make_window, qtbot):
    from PySide6.QtCore import Qt

    window = active_window(make_window, qtbot)
    tour, clicker = window.panels["tour"], window.actions.clicker
    window.diagram.canvas.viewport().setFocus()
    qtbot.keyClick(window.diagram.canvas.viewport(), Qt.Key.Key_PageDown)
    assert not tour.is_running()  # outside the mode and the tour the keys are left alone
    window.actions.presenter.room = (1280, 720)
    window.actions.presentation_action.trigger()
    qtbot.keyClick(window.diagram.canvas.viewport(), Qt.Key.Key_PageDown)  # starts the tour where it was
    assert tour.is_running() and tour.current_index() == 0
    qtbot.keyClick(window.diagram.canvas.viewport(), Qt.Key.Key_PageDown)
    qtbot.keyClick(window.diagram.canvas.viewport(), Qt.Key.Key_PageDown)
    assert tour.current_index() == 2
    qtbot.keyClick(window.diagram.canvas.viewport(), Qt.Key.Key_PageUp)
    assert tour.current_index() == 1
    qtbot.keyClick(window.diagram.canvas.viewport(), Qt.Key.Key_B)
    assert clicker.is_blank() and clicker.blank_screen.geometry() == window.rect()
    qtbot.keyClick(window.diagram.canvas.viewport(), Qt.Key.Key_Period)
    assert not clicker.is_blank()
    qtbot.keyClick(window.diagram.canvas.viewport(), Qt.Key.Key_Period)
    assert clicker.is_blank()
    qtbot.keyClick(window.diagram.canvas.viewport(), Qt.Key.Key_PageDown)  # the first click shows the screen again
    assert not clicker.is_blank() and tour.current_index() == 1


def test_the_clicker_works_in_the_tour_without_presentation_mode(make_window, qtbot):
    from PySide6.QtCore import Qt

    window = active_window(make_window, qtbot)
    tour = window.panels["tour"]
    window.actions.controller.show_panel("tour")
    tour.start(3)
    qtbot.keyClick(window.diagram.canvas.viewport(), Qt.Key.Key_PageDown)
    assert tour.current_index() == 4
    tour.leave()
    qtbot.keyClick(window.diagram.canvas.viewport(), Qt.Key.Key_PageDown)
    assert tour.current_index() == 4 and not tour.is_running()


FULL_SCREEN_AT_200 = """
import json
from PySide6.QtCore import QSettings, QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
QStandardPaths.setTestModeEnabled(True)
from core.data import load_mnist
from gui.app import open_window
c = open_window(load_mnist().subset(500, 100), restore_settings=False, offer_restore=False,
                settings=QSettings(SETTINGS, QSettings.IniFormat), persist=False)
w = c.view
w.show()
result = {}
def report():
    screen = w.screen().geometry()
    result.update(ratio=w.devicePixelRatio(), screen=[screen.width(), screen.height()],
                  window=[w.x(), w.y(), w.width(), w.height()], full=w.isFullScreen())
    app.quit()
QTimer.singleShot(100, c.actions.presentation_action.trigger)  # F11 while the first layout is still settling
QTimer.singleShot(2500, report)
app.exec()
c.shutdown()
print(json.dumps(result))
"""


def test_full_screen_at_200_percent_scaling_stays_within_the_screen(tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2", PYTHONPATH=str(root))
    code = FULL_SCREEN_AT_200.replace("SETTINGS", repr(str(tmp_path / "settings.ini")))
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ratio"] == 2 and result["full"]
    x, y, width, height = result["window"]
    assert (x, y) == (0, 0) and [width, height] == result["screen"], result


def test_the_plots_captions_follow_the_type_size(make_window, qtbot):
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    axis = window.panels["charts"].accuracy_plot.getAxis("left")  # "accuracy %"
    surface = window.panels["surface"]  # out of view until brought forward: built later, at the new size
    _shortcut_action(window, "Ctrl+=").trigger()
    _shortcut_action(window, "Ctrl+=").trigger()
    size = QApplication.font().pointSizeF()
    qtbot.waitUntil(lambda: axis.label.font().pointSizeF() == pytest.approx(size))
    window.show_panel("surface")
    qtbot.waitUntil(lambda: surface.plots.map.getAxis("bottom").label.font().pointSizeF() == pytest.approx(size))
    _shortcut_action(window, "Ctrl+0").trigger()
    qtbot.waitUntil(lambda: axis.label.font().pointSizeF() == pytest.approx(QApplication.font().pointSizeF()))
    assert QApplication.font().pointSizeF() < size
