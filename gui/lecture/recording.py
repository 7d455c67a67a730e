"""Record the diagram, the window or a panel while training runs, into a GIF or an MP4 (File ▸ Record…).

Each frame is the widget as grabbed, with a thin caption line under it saying the step (and,
recording live, the clip's time), so a clip shown in a slide says where in training it is and
no two frames are alike (GIF writers merge identical neighbours).
"""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
)

from core.recording import ClipWriter, RecordingError

CAPTION_HEIGHT = 22


def frame_of(widget, caption: str, size=None) -> np.ndarray:
    """Return the widget as an (h, w, 3) uint8 RGB array, with `caption` in a line underneath.

    size: the (width, height) the frame must have (a clip's frames are all one size): a widget
    that has changed size since (the window resized, presentation mode) is scaled to fit it.
    """
    shot = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    shot.setDevicePixelRatio(1.0)
    if size is None:
        w, h = shot.width() // 2 * 2, shot.height()
    else:
        w, h = size[0], size[1] - CAPTION_HEIGHT
        if (shot.width(), shot.height()) != (w, h):
            shot = shot.scaled(w, h, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    image = QImage(w, h + CAPTION_HEIGHT, QImage.Format.Format_RGB888)
    image.fill(QColor(24, 26, 31))
    painter = QPainter(image)
    try:
        painter.drawImage((w - shot.width()) // 2, (h - shot.height()) // 2, shot)
        font = QFont(painter.font())
        font.setPixelSize(13)
        painter.setFont(font)
        painter.setPen(QColor(225, 228, 234))
        painter.drawText(QRect(8, h, w - 16, CAPTION_HEIGHT), Qt.AlignmentFlag.AlignVCenter, caption)
    finally:
        painter.end()
    bits = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    rows = bits.reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def step_caption(snap) -> str:
    """Return the caption of a frame showing this snapshot."""
    if snap is None:
        return ""
    epochs = snap.step / snap.steps_per_epoch if getattr(snap, "steps_per_epoch", 0) else 0.0
    return f"step {snap.step:,} · epoch {epochs:.2f}"


class Recorder(QObject):
    """Grabs a widget a number of times a second into a ClipWriter, up to a length limit.

    Signals: tick(float seconds recorded); finished(str path, int frames) once the file is
    written; failed(str message).
    """

    tick = Signal(float)
    finished = Signal(str, int)
    failed = Signal(str)

    def __init__(self, widget, path, fps: float, limit_seconds: float, caption=lambda: "", parent=None):
        super().__init__(parent)
        self.widget, self.caption = widget, caption
        self.writer = ClipWriter(path, fps)  # raises RecordingError for a wrong type or rate
        self.limit = float(limit_seconds)
        self._start = None
        self._timer = QTimer(self)
        self._timer.setInterval(round(1000 / fps))
        self._timer.timeout.connect(self.grab)

    def start(self) -> None:
        self._start = time.monotonic()
        self.grab()
        self._timer.start()

    def is_recording(self) -> bool:
        return self._timer.isActive()

    def grab(self) -> None:
        """Add one frame; stop at the length limit."""
        seconds = self.writer.frames / self.writer.fps  # the clip's own clock: frames differ even when training is paused
        try:
            caption = f"{self.caption()} · {seconds:.1f} s".lstrip(" ·")
            self.writer.append(frame_of(self.widget, caption, self.writer.frame_size))
        except (OSError, ValueError, RuntimeError) as exc:
            self._timer.stop()
            self.writer.close()
            self.failed.emit(f"Recording stopped: {exc}")
            return
        elapsed = time.monotonic() - self._start
        self.tick.emit(elapsed)
        if self.writer.frames >= self.limit * self.writer.fps:
            self.stop()

    def stop(self) -> None:
        """Stop and finish the file."""
        if self._timer.isActive():
            self._timer.stop()
        try:
            frames = self.writer.close()
        except (OSError, ValueError, RuntimeError) as exc:
            self.failed.emit(f"Could not write {self.writer.path}: {exc}")
            return
        self.finished.emit(str(self.writer.path), frames)


class RecordingIndicator(QLabel):
    """A red "● REC 0:07 / 0:30" in the status bar while a recording runs."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setStyleSheet("color: #ff5555; font-weight: bold; padding: 0 6px;")
        self.hide()

    def show_time(self, seconds: float, limit: float) -> None:
        self.setText(f"● REC {int(seconds) // 60}:{int(seconds) % 60:02d} / {int(limit) // 60}:{int(limit) % 60:02d}")
        self.show()


FRAME_RATES = (5, 10, 15, 25)


class RecordDialog(QDialog):
    """Asks what to record (the diagram, the window or a panel), the frame rate and the longest length."""

    def __init__(self, panels, parent=None):
        """panels: (name, title) of the panels that can be recorded."""
        super().__init__(parent)
        self.setWindowTitle("Record a clip")
        form = QFormLayout(self)
        self.what = QComboBox()
        self.what.addItem("The diagram", "diagram")
        self.what.addItem("The whole window", "window")
        for name, title in panels:
            self.what.addItem(f"Panel: {title}", name)
        self.fps = QComboBox()
        for rate in FRAME_RATES:
            self.fps.addItem(f"{rate} frames a second", rate)
        self.fps.setCurrentIndex(FRAME_RATES.index(10))
        self.limit = QSpinBox()
        self.limit.setRange(1, 600)
        self.limit.setValue(30)
        self.limit.setSuffix(" s at most")
        form.addRow("Record", self.what)
        form.addRow("Frame rate", self.fps)
        form.addRow("Length", self.limit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Choose file and record")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def choice(self) -> tuple:
        """Return (what, frames a second, limit in seconds)."""
        return self.what.currentData(), self.fps.currentData(), self.limit.value()


class RecordingControl:
    """The File menu's Record… and Stop recording, the recorder and its indicator for one window."""

    def __init__(self, window, controller, menu, panels):
        """panels: (name, title) of the window's panels, offered in the dialog."""
        self.w, self.controller, self.panels = window, controller, list(panels)
        self.recorder = None
        self.indicator = RecordingIndicator()
        window.statusBar().addPermanentWidget(self.indicator)
        self.record_action = QAction("&Record…", window)
        self.record_action.triggered.connect(self.ask)
        self.stop_action = QAction("S&top recording", window)
        self.stop_action.triggered.connect(self.stop)
        self.stop_action.setEnabled(False)
        menu.addAction(self.record_action)
        menu.addAction(self.stop_action)

    def ask(self) -> None:
        dialog = RecordDialog(self.panels, self.w)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        what, fps, limit = dialog.choice()
        path, _ = QFileDialog.getSaveFileName(self.w, "Record to", "training.gif",
                                              "Animated GIF (*.gif);;MP4 video (*.mp4)")
        if path:
            self.start(path, what, fps, limit)

    def start(self, path: str, what: str, fps: float, limit: float) -> bool:
        """Record `what` ("diagram", "window" or a panel name) into path; return whether it started."""
        if what not in ("diagram", "window"):
            self.controller.show_panel(what)
        widget = {"diagram": self.w.diagram, "window": self.w}.get(what) or self.w.panels[what]
        try:
            self.recorder = Recorder(widget, path, fps, limit, lambda: step_caption(self.controller.shown()), self.w)
        except RecordingError as exc:
            QMessageBox.warning(self.w, "Cannot record", str(exc))
            return False
        self.recorder.tick.connect(lambda seconds: self.indicator.show_time(seconds, limit))
        self.recorder.finished.connect(self._finished)
        self.recorder.failed.connect(self._failed)
        self.record_action.setEnabled(False)
        self.stop_action.setEnabled(True)
        self.recorder.start()
        return True

    def stop(self) -> None:
        if self.recorder is not None and self.recorder.is_recording():
            self.recorder.stop()

    def _done(self) -> None:
        self.indicator.hide()
        self.record_action.setEnabled(True)
        self.stop_action.setEnabled(False)

    def _finished(self, path: str, frames: int) -> None:
        self._done()
        self.w.statusBar().showMessage(f"Saved {path} ({frames} frames)", 10000)

    def _failed(self, message: str) -> None:
        self._done()
        QMessageBox.warning(self.w, "Recording", message)
