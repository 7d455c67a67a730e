"""Draw a digit with the mouse and feed it to the network as you draw."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.lesson.drawing import FIELD, to_mnist
from gui.widgets.room_watch import RoomWatcher
from gui.widgets.support import Throttle, grey_pixmap
from gui.widgets.theme import follow_theme, hex_colour, palette

CANVAS_SIDE = 280  # ten canvas pixels per MNIST pixel
SIDE_ROOM = 120  # what "The network sees:", the preview and "Clear" need beside the canvas
PEN_WIDTH = 22  # after scaling the digit to 20 pixels, strokes are about 2 pixels wide, as in MNIST
PREVIEW_SCALE = 4
EMIT_MS = 80  # feed the network about twelve times a second while drawing


class DrawingCanvas(QWidget):
    """A square to draw on with the mouse: thick, anti-aliased white strokes on black, as in MNIST.

    Signals: changed() — ink was added; strokeFinished() — the mouse button was released.
    """

    changed = Signal()
    strokeFinished = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFixedSize(CANVAS_SIDE, CANVAS_SIDE)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._image = QImage(CANVAS_SIDE, CANVAS_SIDE, QImage.Format.Format_RGB32)
        self._image.fill(QColor(0, 0, 0))
        self._last = None

    def clear(self) -> None:
        self._image.fill(QColor(0, 0, 0))
        self.update()

    def array(self) -> np.ndarray:
        """Return the canvas as (H, W) float32 ink in [0, 1]."""
        bits = np.frombuffer(self._image.constBits(), dtype=np.uint8)
        rows = bits.reshape(CANVAS_SIDE, self._image.bytesPerLine())
        return rows[:, 0:CANVAS_SIDE * 4:4].astype(np.float32) / 255.0  # one channel of grey pixels

    def draw_stroke(self, points) -> None:
        """Draw a stroke through canvas points [(x, y), …] (what a mouse drag does)."""
        points = [QPointF(float(x), float(y)) for x, y in points]
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(255, 255, 255), PEN_WIDTH, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        if len(points) == 1:
            painter.drawPoint(points[0])
        for a, b in zip(points[:-1], points[1:]):
            painter.drawLine(a, b)
        painter.end()
        self.update()
        self.changed.emit()

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.drawImage(0, 0, self._image)
        painter.setPen(QPen(QColor(90, 90, 90), 1))
        painter.drawRect(0, 0, CANVAS_SIDE - 1, CANVAS_SIDE - 1)
        painter.end()

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = event.position()
            self.draw_stroke([(self._last.x(), self._last.y())])

    def mouseMoveEvent(self, event):
        if self._last is not None and event.buttons() & Qt.MouseButton.LeftButton:
            pos = event.position()
            self.draw_stroke([(self._last.x(), self._last.y()), (pos.x(), pos.y())])
            self._last = pos

    def mouseReleaseEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton and self._last is not None:
            self._last = None
            self.strokeFinished.emit()


class DrawView(QWidget):
    """A canvas for a hand-drawn digit, what it becomes at 28×28, and the network's reading of it.

    Signals: inputDrawn(object) — a (784,) float32 array in [0, 1], prepared the way MNIST digits
    were, sent while drawing (at most ~12 times a second) and when a stroke ends;
    cleared() — the canvas was wiped.
    """

    inputDrawn = Signal(object)
    cleared = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._dark = True
        self.last_input = np.zeros(FIELD * FIELD, dtype=np.float32)
        self._accepts = True  # False when the network's input is not a 28×28 image
        self.canvas = DrawingCanvas()
        self.preview = QLabel()
        self.preview.setFixedSize(FIELD * PREVIEW_SCALE, FIELD * PREVIEW_SCALE)
        self.preview.setPixmap(grey_pixmap(self.last_input.reshape(FIELD, FIELD), PREVIEW_SCALE))
        caption = QLabel("Your drawing becomes 28×28 pixels the way MNIST digits did: its bounding box"
                         " scaled to fit 20×20 (keeping its shape), then centred by its centre of mass.")
        caption.setWordWrap(True)
        self.reading = QLabel("")
        self.reading.setWordWrap(True)
        self.reading.setTextFormat(Qt.TextFormat.RichText)
        self.clear_button = QPushButton("Clear")
        side = QVBoxLayout()
        side.addWidget(QLabel("The network sees:"))
        side.addWidget(self.preview)
        side.addWidget(self.reading)
        side.addStretch(1)
        side.addWidget(self.clear_button)
        row = self._row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.addWidget(self.canvas, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(side, 1)
        self.hint = QLabel("Draw a digit with the mouse, large, filling the square. The network reads"
                           " it as you draw.")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(row)
        layout.addWidget(caption)
        layout.addStretch(1)
        self._throttle = Throttle(EMIT_MS, self._send, self)
        self.canvas.changed.connect(self._throttle.request)
        self.canvas.strokeFinished.connect(self._throttle.flush)
        self.clear_button.clicked.connect(self.clear)
        self._room = RoomWatcher(self, self._fit)
        follow_theme(self)

    def _fit(self, room: int) -> None:
        """Show what the network sees beside the canvas, or under it in a narrow dock."""
        margins = self.layout().contentsMargins()
        beside = CANVAS_SIDE + SIDE_ROOM + self._row.spacing() + margins.left() + margins.right()
        direction = (QBoxLayout.Direction.LeftToRight if room >= beside else QBoxLayout.Direction.TopToBottom)
        if self._row.direction() != direction:
            self._row.setDirection(direction)

    def send_now(self) -> None:
        """Send the drawing to the network now rather than at the next throttled turn."""
        self._throttle.flush()

    def clear(self) -> None:
        """Wipe the canvas and say so."""
        self.canvas.clear()
        self.last_input = np.zeros(FIELD * FIELD, dtype=np.float32)
        self.preview.setPixmap(grey_pixmap(self.last_input.reshape(FIELD, FIELD), PREVIEW_SCALE))
        self.reading.setText("")
        self.cleared.emit()

    def _send(self):
        self.last_input = to_mnist(self.canvas.array())
        self.preview.setPixmap(grey_pixmap(self.last_input.reshape(FIELD, FIELD), PREVIEW_SCALE))
        if self._accepts and self.last_input.any():
            self.inputDrawn.emit(self.last_input.copy())

    def set_snapshot(self, snap) -> None:
        """Show the network's reading of the drawing when the snapshot is of it."""
        self._accepts = snap.sizes[0] == FIELD * FIELD
        if not self._accepts:
            self.reading.setText(f"This network reads {snap.sizes[0]} inputs, not a 28×28 image:"
                                 " a drawing cannot be fed to it.")
            return
        if snap.example_split != "drawn":
            return
        out = np.asarray(snap.activations[-1])
        name = snap.class_names[snap.prediction]
        colour = hex_colour(palette(self._dark).selection)
        self.reading.setText(f'The network reads: <b style="color:{colour}">{name}</b>'
                             f" (output {out[snap.prediction]:.2f})")

    def set_dark(self, dark: bool) -> None:
        self._dark = bool(dark)
