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
    with qtbot.waitSignal(controller.worker.answered, timeout=10000):
        controller.worker.ping()
    return controller.worker.mailbox.peek().step


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


def activate(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


@pytest.mark.parametrize("key, name", [(Qt.Key.Key_5, "surface"), (Qt.Key.Key_3, "inspector"),
                                       (Qt.Key.Key_D, "draw")])
def test_a_panel_shortcut_brings_its_panel_forward_and_never_hides_it(controller, qtbot, key, name):
    window = controller.view
    activate(qtbot, window)
    for _ in range(2):  # pressed again, it stays
        qtbot.keyClick(window.diagram, key, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: window.panel_visible(name), timeout=3000)
        qtbot.wait(50)
        assert window.panel_visible(name)


def test_time_travel_works_after_stepping_by_hand(controller, qtbot):
    training, timeline = controller.view.panels["training"], controller.view.timeline
    for _ in range(3):
        training.step_action.trigger()
        qtbot.waitUntil(lambda: controller.latest().step > 0 and not controller.latest().extra.get("pending"))
    training.step_n_button.click()  # Step 10
    qtbot.waitUntil(lambda: controller.latest().step == 13, timeout=5000)
    qtbot.waitUntil(lambda: timeline.slider.isEnabled() and timeline.slider.maximum() >= 10, timeout=5000)
    steps, rows = controller.trajectory
    timeline.scrub_to_row(2)
    qtbot.waitUntil(controller.is_historic, timeout=3000)
    assert controller.shown().step == int(steps[2])
    np.testing.assert_array_equal(controller.shown().params, rows[2])


def test_resume_from_here_keeps_the_gradient_norms_up_to_that_step(controller, qtbot):
    charts = controller.view.panels["charts"]
    controller.step(30)
    qtbot.waitUntil(lambda: len(charts.series) == 30, timeout=8000)
    controller.worker.request_trajectory()
    qtbot.waitUntil(lambda: len(controller.trajectory[0]) >= 30, timeout=5000)
    before = charts.series.grad_norms[:12].copy()
    controller.resume_from(12)
    qtbot.waitUntil(lambda: len(charts.series) == 12, timeout=5000)
    assert list(charts.series.steps) == list(range(1, 13))  # the cost chart is cut back…
    np.testing.assert_array_equal(charts.series.grad_norms, before)  # …and the gradient norms kept
    controller.step(3)
    qtbot.waitUntil(lambda: len(charts.series) == 15, timeout=5000)
    assert np.isfinite(charts.series.grad_norms).all()


def test_the_first_start_hint_goes_after_the_first_step_and_never_comes_back(qtbot, small_mnist, settings):
    first = make_window(qtbot, small_mnist, settings, restore=True)
    hint = first.view.first_hint
    assert hint.isVisible() and "F1" in hint.text() and "Space" in hint.text()
    first.step(1)
    qtbot.waitUntil(lambda: not hint.isVisible(), timeout=5000)
    first.view.close()
    second = make_window(qtbot, small_mnist, settings, restore=True)
    assert not second.view.first_hint.isVisible()
    second.view.close()


def test_the_first_start_hint_sits_above_the_picture_and_shortens_when_narrow(qtbot, settings):
    from gui.diagram.view import NetworkView
    from gui.hint import HINT_TEXT, SHORT_TEXT, FirstStepsHint

    diagram = NetworkView()
    qtbot.addWidget(diagram)
    hint = FirstStepsHint(diagram, settings, fresh=True, remember=False)
    diagram.resize(900, 500)
    diagram.show()
    qtbot.waitUntil(lambda: hint.text() == HINT_TEXT and hint.isVisible())
    canvas_top = diagram.canvas.geometry().top()
    assert diagram.toolbar.geometry().bottom() < hint.geometry().top() < hint.geometry().bottom() < canvas_top
    assert hint.width() <= diagram.width()
    diagram.resize(300, 500)  # too narrow for the whole line: the short one, the whole in the tooltip
    qtbot.waitUntil(lambda: hint.text() == SHORT_TEXT)
    assert "starts the guided tour" in hint.toolTip() and hint.width() <= diagram.width()
    hint.hide()  # after the first step the picture takes the row back
    qtbot.waitUntil(lambda: diagram.canvas.geometry().top() < canvas_top)


def test_the_tour_hands_over_to_play_at_a_watchable_pace(controller, qtbot):
    from gui.lesson.tour_steps import WATCHABLE_PACE, lesson_steps

    training = controller.view.panels["training"]
    training.fastest_action.trigger()
    (sgd,) = [step for step in lesson_steps() if step.key == "sgd"]
    sgd.apply(controller)
    assert training.speed_setting() == WATCHABLE_PACE


def test_the_first_play_runs_at_the_chosen_pace(controller, qtbot):
    qtbot.waitUntil(lambda: getattr(controller.worker, "alive", lambda: True)(), timeout=20000)
    qtbot.wait(300)
    controller.view.panels["training"].play_action.trigger()
    qtbot.waitUntil(lambda: controller.latest().step >= 2, timeout=10000)
    qtbot.wait(1000)
    controller.view.panels["training"].play_action.trigger()
    assert controller.latest().step <= 6 * DEFAULT_SPEED  # ~2 s at 5 steps/s, not thousands of steps


def test_asked_for_the_inspector_takes_most_of_its_column_and_shows_formula_curve_and_nudges(controller, qtbot):
    window = controller.view
    qtbot.wait(300)  # the first layout settles
    window.show_panel("inspector")
    inspector = window.panels["inspector"]
    dock = window.docks["inspector"]
    qtbot.waitUntil(lambda: dock.height() >= 0.55 * window.height(), timeout=3000)
    viewport = inspector.parentWidget()
    for widget in (inspector.forward.sum_line, inspector.forward.curve, inspector.backprop.value_labels["nudge"]):
        bottom = widget.mapTo(viewport, widget.rect().bottomLeft()).y()
        assert 0 < bottom <= viewport.height(), widget  # in sight at 1280×800 without scrolling
