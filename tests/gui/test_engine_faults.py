"""The window and its engine process: first frame at once, the engine's death survived, clean close, bad input."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from engine_toys import gone
from PySide6.QtCore import QSettings, QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small_mnist():
    from core.data import load_mnist

    return load_mnist().subset(2000, 300)


@pytest.fixture
def controller(qtbot, small_mnist, tmp_path):
    from gui.app import open_window

    QStandardPaths.setTestModeEnabled(True)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    c = open_window(small_mnist, restore_settings=False, offer_restore=False, settings=settings, persist=False)
    shown = []
    c.snapshotShown.connect(lambda snap: shown.append((snap.step, not c.worker.engine_published)))
    c.first_frames = shown
    w = c.view
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield c
    w.close()


def dialog(name):
    return next((w for w in QApplication.topLevelWidgets() if w.objectName() == name and w.isVisible()), None)


def test_the_first_frame_is_drawn_before_the_engine_has_published(controller, qtbot):
    qtbot.waitUntil(lambda: len(controller.first_frames) > 0, timeout=5000)
    step, engine_not_heard_from = controller.first_frames[0]
    assert step == 0 and engine_not_heard_from
    assert controller.view.diagram.isVisible()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc and POSIX signals")
def test_a_killed_engine_is_reported_within_a_second_and_training_restarts_from_the_last_snapshot(controller, qtbot):
    window = controller.view
    controller.worker.step(4)
    qtbot.waitUntil(lambda: controller.worker.mailbox.peek().step == 4, timeout=10000)
    os.kill(controller.worker.engine_pid, signal.SIGKILL)
    killed = time.monotonic()
    qtbot.waitUntil(lambda: dialog("engineDied") is not None, timeout=3000)
    assert time.monotonic() - killed < 1.0
    box = dialog("engineDied")
    assert "signal 9" in box.text() and "step 4" in box.text()
    assert "stopped" in window.statusBar().currentMessage()
    controller.worker.step(1)  # a command to a dead engine is dropped, not an error
    restart = next(b for b in box.buttons() if b.text().startswith("Restart"))
    restart.click()
    controller.worker.step(2)
    qtbot.waitUntil(lambda: controller.worker.mailbox.peek().step == 6, timeout=20000)
    assert controller.worker.alive()


def test_closing_the_window_ends_the_engine_within_two_seconds(controller, qtbot):
    window = controller.view
    controller.worker.play()
    qtbot.waitUntil(lambda: controller.worker.mailbox.peek().step > 5, timeout=20000)
    pid = controller.worker.engine_pid
    start = time.monotonic()
    window.close()
    assert time.monotonic() - start < 2.0 + 1.0  # the engine's part is at most 2 s; the rest is the window's
    assert gone(pid)


@pytest.mark.qt_no_exception_capture
def test_an_uncaught_exception_in_the_window_shows_a_message_and_the_app_goes_on(qtbot):
    from gui.desktop import excepthook

    old = sys.excepthook
    excepthook.install()
    try:
        def broken():
            raise RuntimeError("a bug in a slot")

        later = []
        QTimer.singleShot(0, broken)
        QTimer.singleShot(50, lambda: later.append(True))
        qtbot.waitUntil(lambda: dialog("uncaughtException") is not None and bool(later), timeout=5000)
        box = dialog("uncaughtException")
        assert "RuntimeError: a bug in a slot" in box.text()
        QTimer.singleShot(0, broken)  # a second one while the first is open: no second box
        qtbot.wait(100)
        assert sum(w.objectName() == "uncaughtException" and w.isVisible()
                   for w in QApplication.topLevelWidgets()) == 1
        box.done(QMessageBox.Ok)
    finally:
        sys.excepthook = old


def test_an_unknown_panel_name_is_a_clear_error_not_an_abort():
    result = subprocess.run([sys.executable, "main.py", "--screenshot", "x.png", "--panel", "surfac"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "unknown panel 'surfac'" in result.stderr and "surface" in result.stderr and "inspector" in result.stderr


def children(pid) -> list:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc to find the engine process")
def test_when_the_app_is_killed_its_engine_and_checker_exit_by_themselves(tmp_path):
    app = subprocess.Popen([sys.executable, "main.py", "--screenshot", str(tmp_path / "x.png"), "--steps", "1000000"],
                           cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def spawned():  # the engine and its epoch checker
            return [pid for pid in children(app.pid) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]

        end = time.monotonic() + 60
        while len(spawned()) < 2 and time.monotonic() < end:
            time.sleep(0.05)
        pids = spawned()
        assert len(pids) == 2
        time.sleep(1.0)  # training
        app.kill()
        app.wait(10)
        end = time.monotonic() + 3
        while not all(gone(pid) for pid in pids) and time.monotonic() < end:
            time.sleep(0.02)
        assert all(gone(pid) for pid in pids)
    finally:
        app.kill()
