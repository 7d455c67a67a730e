"""The main window and its controller: all its parts, commands reaching the worker, time travel, tour, clean exit."""
import contextlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from engine_toys import poison_first_parameter
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QDockWidget

from gui.panels import PANEL_NAMES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small_mnist():
    from core.data import load_mnist

    return load_mnist().subset(3000, 500)


@pytest.fixture
def controller(qtbot, small_mnist, tmp_path):
    from gui.app import open_window

    QStandardPaths.setTestModeEnabled(True)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    c = open_window(small_mnist, restore_settings=False, offer_restore=False, settings=settings)
    w = c.view
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield c
    w.close()
    assert c.worker.isFinished()


@pytest.fixture
def window(controller):
    return controller.view


def shown_step(controller):
    return controller.shown().step if controller.shown() is not None else -1


def test_window_opens_with_every_part(controller, window, qtbot):
    docks = {d.objectName() for d in window.findChildren(QDockWidget)}
    assert docks == {f"dock_{name}" for name in PANEL_NAMES}
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "Training", "View", "Help"]
    qtbot.waitUntil(lambda: controller.shown() is not None, timeout=5000)
    assert controller.shown().sizes == (784, 16, 16, 10)
    assert controller.selected_neuron() == (1, 0)
    for name in ("training", "sample", "inspector", "charts"):
        assert name in window.visible_panels()


def test_menus_show_the_training_shortcuts(window):
    training = window.menuBar().actions()[1].menu()
    shortcuts = {a.text(): a.shortcut().toString() for a in training.actions() if a.text()}
    assert shortcuts["Play"] == "Space" and shortcuts["Step"] == "Right"


def test_step_action_trains_exactly_one_batch_and_every_view_gets_it(controller, window, qtbot):
    window.panels["training"].step_action.trigger()
    qtbot.waitUntil(lambda: shown_step(controller) == 1, timeout=5000)
    qtbot.wait(100)
    assert controller.worker.mailbox.peek().step == 1
    assert window.status.labels["step"].text() == "step 1"


def test_selecting_a_neuron_reaches_the_inspector(controller, window, qtbot):
    with qtbot.waitSignal(controller.neuronSelected) as blocker:
        window.diagram.neuronSelected.emit(2, 5)
    assert blocker.args == [2, 5]
    assert controller.selected_neuron() == (2, 5)


def test_hovering_a_matrix_row_highlights_that_neuron_in_the_diagram(window):
    window.panels["matrix"].neuronHovered.emit(1, 7)
    assert window.diagram.highlighted == (1, 7)
    window.panels["matrix"].neuronHovered.emit(1, -1)
    assert window.diagram.highlighted is None


def test_a_panel_that_needs_height_gets_it_when_brought_forward(window, qtbot):
    # the first layout settles (the docks are shared out 100 ms after the window shows)
    qtbot.waitUntil(lambda: window.docks["charts"].height() < 0.4 * window.height(), timeout=3000)
    window.show_panel("matrix")
    qtbot.waitUntil(lambda: window.docks["matrix"].height() >= 0.4 * window.height(), timeout=3000)


def test_charts_receive_every_step(controller, window, qtbot):
    controller.worker.step(25)
    qtbot.waitUntil(lambda: shown_step(controller) == 25, timeout=10000)
    qtbot.wait(100)
    assert list(window.panels["charts"].steps()) == list(range(1, 26))


def test_charts_keep_redrawing_while_training_runs_at_full_speed(controller, window, qtbot):
    charts = window.panels["charts"]
    controller.worker.set_speed(0)
    controller.worker.play()
    try:
        # the curve follows the run: it is redrawn again and again, each time with more steps
        qtbot.waitUntil(lambda: charts.redraw_count >= 2 and charts.raw_curve.xData is not None
                        and charts.raw_curve.xData[-1] > 100, timeout=15000)
        last = charts.raw_curve.xData[-1]
        qtbot.waitUntil(lambda: charts.raw_curve.xData[-1] > last, timeout=15000)
    finally:
        controller.worker.pause()


def test_scrubbing_the_timeline_shows_the_recorded_parameters(controller, window, qtbot):
    controller.worker.step(8)
    qtbot.waitUntil(lambda: shown_step(controller) == 8, timeout=10000)
    with qtbot.waitSignal(controller.worker.trajectoryReady, timeout=5000):
        controller.worker.request_trajectory()
    steps, rows = controller.trajectory
    k = int(np.flatnonzero(steps == 3)[0])
    controller.show_history_step(3, k)
    assert controller.shown().step == 3 and controller.shown().extra.get("historic")
    np.testing.assert_array_equal(controller.shown().params, rows[k])
    controller.worker.step(2)  # live training goes on underneath, the view stays on step 3
    qtbot.waitUntil(lambda: controller.worker.mailbox.peek().step == 10, timeout=5000)
    qtbot.wait(100)
    assert controller.shown().step == 3
    controller.back_to_live()
    qtbot.waitUntil(lambda: shown_step(controller) == 10, timeout=5000)


def test_every_tour_step_leaves_the_app_in_the_state_it_describes(controller, window, qtbot):
    tour = window.panels["tour"]
    window.show_panel("tour")
    steps = tour.steps()
    assert len(steps) == 11
    for index, step in enumerate(steps):
        tour.go_to(index)
        assert tour.last_error is None, (index, tour.last_error)
        qtbot.waitUntil(lambda: step.unmet(controller) == [], timeout=5000)
        if "panel" in step.expects:
            assert step.expects["panel"] in window.visible_panels()
        if "neuron" in step.expects:
            assert controller.selected_neuron() == tuple(step.expects["neuron"])


def test_divergence_pauses_and_the_panel_says_why_with_the_learning_rate(controller, window, qtbot):
    controller.worker.step(2)
    qtbot.waitUntil(lambda: shown_step(controller) == 2, timeout=5000)
    controller.worker.call(poison_first_parameter)  # runs in the engine: a function it can import by name
    with qtbot.waitSignal(controller.worker.diverged, timeout=5000):
        controller.worker.play()
    qtbot.waitUntil(lambda: window.panels["training"].divergence.isVisible(), timeout=5000)
    text = window.panels["training"].divergence.message.text()
    assert "NaN" in text and "η = 3" in text
    assert controller.is_paused()


def test_presentation_mode_enlarges_and_restores(controller, window, qtbot):
    app_font = window.font().pointSizeF()
    labels = window.diagram.canvas.diagram.font_size
    controller.actions.presentation_action.trigger()
    assert window.presentation
    assert window.panels["training"].isVisible()
    qtbot.waitUntil(lambda: window.font().pointSizeF() > app_font, timeout=3000)
    qtbot.waitUntil(lambda: window.diagram.canvas.diagram.font_size > labels, timeout=3000)  # labels too
    visible = window.visible_panels() - {"diagram"}
    assert visible <= {"training", window.presentation_panel}
    controller.actions.presentation_action.trigger()
    assert not window.presentation
    qtbot.waitUntil(lambda: window.font().pointSizeF() == pytest.approx(app_font), timeout=3000)


def test_leaving_presentation_mode_gives_back_the_normal_type_and_the_diagram_height(controller, window, qtbot):
    tp = window.panels["training"]

    def looks():
        return (tp.play_button.font().pointSizeF(), tp.progress.values["step"].font().pointSizeF(),
                tp.progress.bar.font().pointSizeF(), window.diagram.canvas.diagram.font_size)

    qtbot.wait(300)  # the docks take their sizes
    before, canvas = looks(), window.diagram.canvas.height()
    controller.actions.presentation_action.trigger()
    qtbot.waitUntil(lambda: tp.play_button.font().pointSizeF() > before[0] * 1.5, timeout=3000)
    qtbot.waitUntil(lambda: tp.font().pointSizeF() > before[0] * 1.2, timeout=3000)  # the big type reached it
    qtbot.wait(300)  # as a presenter would: the legend and docks settle in the mode
    controller.actions.presentation_action.trigger()
    qtbot.wait(300)
    assert looks() == pytest.approx(before)
    qtbot.waitUntil(lambda: window.diagram.canvas.height() >= canvas - 2, timeout=3000)  # the legend shrinks back


def test_settings_and_layout_are_remembered(qtbot, small_mnist, tmp_path):
    from gui.app import open_window

    QStandardPaths.setTestModeEnabled(True)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    first = open_window(small_mnist, restore_settings=True, offer_restore=False, settings=settings)
    qtbot.addWidget(first.view)
    first.worker.set_learning_rate(0.5)
    first.rebuild((20,), "tanh", "cross_entropy", 4)
    qtbot.waitUntil(lambda: first.latest().sizes == (784, 20, 10), timeout=5000)
    first.view.docks["surface"].show()
    first.view.close()
    second = open_window(small_mnist, restore_settings=True, offer_restore=False, settings=settings)
    qtbot.addWidget(second.view)
    snap = second.latest()
    assert (snap.sizes, snap.activation, snap.cost, snap.seed) == ((784, 20, 10), "tanh", "cross_entropy", 4)
    assert snap.extra["base_learning_rate"] == 0.5
    second.view.close()


def test_closing_while_training_exits_cleanly():
    """Closing the window mid-run stops the worker: exit 0, no Qt thread warnings."""
    code = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QSettings, QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication
QStandardPaths.setTestModeEnabled(True)
app = QApplication([])
from core.data import load_mnist
from gui.app import open_window
c = open_window(load_mnist().subset(3000, 500), restore_settings=False, offer_restore=False,
                settings=QSettings(sys.argv[1], QSettings.IniFormat))
c.view.show()
c.view.panels["training"].set_speed(0)  # mid-run at full speed (Play starts at a watchable pace)
c.play()
def close():
    print("step", c.latest().step)
    c.view.close()
    app.quit()
QTimer.singleShot(1500, close)
app.exec()
print("finished", c.worker.isFinished())
"""
    result = subprocess.run([sys.executable, "-c", code, str(ROOT / ".pytest_cache" / "close-test.ini")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "finished True" in result.stdout
    assert int(result.stdout.split("step")[1].split()[0]) > 0
    assert "QThread" not in result.stderr and "Traceback" not in result.stderr, result.stderr[-2000:]


def test_screenshot_option_trains_and_saves_a_png(tmp_path):
    out = tmp_path / "shot.png"
    result = subprocess.run([sys.executable, "main.py", "--screenshot", str(out), "--steps", "5",
                             "--size", "1280x800"], cwd=ROOT, capture_output=True, text=True, timeout=180,
                            env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen",
                                 "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-2000:]
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    assert "step 5" in result.stdout
    # a screenshot run leaves the learner's session and layout alone
    assert not list(tmp_path.rglob("autosave.npz")) and not list(tmp_path.rglob("*.conf"))


@pytest.mark.parametrize("screen,size,remembered,expected", [
    ((0, 0, 1280, 800), (1600, 900), False, "maximized"),  # the default does not fit
    ((0, 0, 1920, 1080), (1600, 900), False, "maximized"),  # a 1080p projector: every pixel
    ((0, 0, 1920, 1080), (1600, 900), True, "as is"),  # the learner's own size wins
    ((0, 0, 1280, 800), (1700, 1000), True, "maximized"),  # remembered on a bigger monitor
    ((0, 0, 2560, 1440), (1600, 900), False, (256, 144, 2048, 1152)),  # large: 80 %, centred
    ((1920, 0, 3840, 2160), (1600, 900), False, (1920 + 384, 216, 3072, 1728)),  # a second monitor
])
def test_the_window_opens_at_a_size_that_suits_the_screen(screen, size, remembered, expected):
    from gui.app import opening_geometry

    assert opening_geometry(screen, size, remembered) == expected


def test_at_1280_by_800_the_panels_in_view_need_no_sideways_scrolling(controller, window, qtbot):
    from PySide6.QtWidgets import QScrollArea

    qtbot.waitUntil(lambda: controller.shown() is not None, timeout=5000)
    qtbot.wait(400)  # the docks are shared out 100 ms after the window shows
    for name in ("training", "sample", "inspector"):
        area = window.docks[name].widget()
        assert isinstance(area, QScrollArea)
        bar = area.horizontalScrollBar()
        assert bar.maximum() == 0, f"{name}: {bar.maximum()} px to scroll sideways"
    for name, dock in window.docks.items():  # every other panel, brought to the front in turn
        if isinstance(dock.widget(), QScrollArea) and name not in ("training", "sample", "inspector"):
            window.show_panel(name)
            bar = dock.widget().horizontalScrollBar()
            # a panel out of view until now is built when it comes forward, then lays itself out
            with contextlib.suppress(qtbot.TimeoutError):
                qtbot.waitUntil(lambda bar=bar: bar.maximum() == 0, timeout=3000)
            assert bar.maximum() == 0, f"{name}: {bar.maximum()} px to scroll sideways"
    legend = window.diagram.legend.explanation
    assert legend.height() >= legend.heightForWidth(legend.width())  # its last line is not cut


def test_the_light_palette_reaches_every_plot_in_the_window(controller, window):
    import pyqtgraph as pg

    from gui.widgets.theme import DARK, LIGHT

    def plot_backgrounds():
        views = [v for v in window.findChildren(pg.GraphicsView) if v is not window.diagram.canvas]
        return {v.backgroundBrush().color().name() for v in views}, len(views)

    backgrounds, n_plots = plot_backgrounds()
    assert n_plots >= 5 and backgrounds == {DARK.hex("background")}
    controller.actions.set_dark(False)  # View ▸ Dark palette, unchecked
    assert not window.dark and not window.diagram.canvas.dark
    assert plot_backgrounds()[0] == {LIGHT.hex("background")}
    assert window.diagram.canvas.edge_item.fill == LIGHT.qcolor("background")
