"""`main.py record`: a GIF and an MP4 of a fresh network learning, one frame per mini-batch; bad options refused."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.recording import ClipWriter, RecordingError, count_frames

ROOT = Path(__file__).resolve().parents[2]


def run_main(*args, timeout=240):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env=env)


@pytest.mark.parametrize("name, steps, what", [("clip.gif", 4, "diagram"), ("clip.mp4", 3, "sample")])
def test_record_writes_a_clip_with_one_frame_per_mini_batch(tmp_path, name, steps, what):
    path = tmp_path / name
    done = run_main("record", str(path), "--steps", str(steps), "--fps", "8", "--size", "800x500", "--what", what)
    assert done.returncode == 0, done.stderr
    assert f"saved {path} ({steps} frames)" in done.stdout
    assert count_frames(path) == steps


@pytest.mark.parametrize("args, says", [
    (["clip.avi", "--steps", "3"], ".gif or an .mp4"),
    (["clip.gif", "--steps", "0"], "--steps must be"),
    (["clip.gif", "--steps", "3", "--fps", "0"], "frame rate"),
    (["clip.gif", "--steps", "3", "--what", "everything"], "invalid choice"),
    (["clip.gif", "--steps", "3", "--size", "big"], "--size must look like"),
    (["no/such/folder/clip.gif", "--steps", "3"], "no folder"),
])
def test_bad_options_get_a_clear_error_and_exit_2(tmp_path, args, says):
    done = run_main("record", *[str(tmp_path / a) if a.endswith((".gif", ".avi")) else a for a in args], timeout=60)
    assert done.returncode == 2
    assert says in done.stderr and "Traceback" not in done.stderr


def test_a_clip_refuses_a_frame_of_another_size(tmp_path):
    writer = ClipWriter(tmp_path / "a.gif", 10)
    writer.append(np.zeros((20, 30, 3), np.uint8))
    with pytest.raises(RecordingError, match="30×20"):
        writer.append(np.zeros((21, 30, 3), np.uint8))
    assert writer.close() == 1


def test_file_record_records_the_diagram_while_training_up_to_its_length_limit(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings, QStandardPaths
    from PySide6.QtWidgets import QMessageBox

    from core.data import load_mnist
    from gui.app import open_window

    QStandardPaths.setTestModeEnabled(True)
    controller = open_window(load_mnist().subset(1000, 200), restore_settings=False, offer_restore=False,
                             settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat), persist=False)
    window = controller.view
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    recording = controller.actions.recording
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[-1]))
    assert not recording.start(str(tmp_path / "clip.avi"), "diagram", 10, 1)  # refused, with a message
    assert ".gif or an .mp4" in warnings[0] and not recording.indicator.isVisible()
    path = tmp_path / "clip.gif"
    with qtbot.waitSignal(controller.worker.runningChanged, timeout=5000):
        controller.play()
    assert recording.start(str(path), "diagram", 10, 0.5)
    assert recording.indicator.isVisible() and "REC" in recording.indicator.text()
    assert recording.stop_action.isEnabled() and not recording.record_action.isEnabled()
    done = qtbot.waitSignal(recording.recorder.finished, timeout=10000)
    done.wait()
    controller.pause()
    assert done.args == [str(path), 5]  # 0.5 s at 10 frames a second
    assert count_frames(path) == 5
    assert not recording.indicator.isVisible() and recording.record_action.isEnabled()
    window.close()


def test_a_widget_that_changes_size_mid_recording_is_scaled_into_the_clip(qtbot, tmp_path):
    from PySide6.QtWidgets import QLabel

    from gui.lecture.recording import Recorder

    label = QLabel("the diagram")
    label.resize(200, 120)
    qtbot.addWidget(label)
    label.show()
    recorder = Recorder(label, tmp_path / "clip.gif", fps=10, limit_seconds=0.5)  # captions 0.0 s … 0.4 s: no two alike
    failed = []
    recorder.failed.connect(failed.append)
    with qtbot.waitSignal(recorder.finished, timeout=10000) as done:
        recorder.start()
        label.resize(300, 260)  # the window grew (or went full screen) while recording
    assert failed == []
    assert done.args[1] == 5 and count_frames(done.args[0]) == 5
    assert recorder.writer.frame_size[0] == 200
