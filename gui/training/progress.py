"""Training progress (epoch bar, counters, steps per second) and the divergence message."""
from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.history.series import StepRate
from gui.widgets.theme import follow_theme, palette

BAR_STEPS = 1000  # resolution of the epoch progress bar


def rate_text(rate: float | None) -> str:
    if rate is None:
        return "–"
    return f"{rate:,.0f} steps/s" if rate >= 10 else f"{rate:.1f} steps/s"


class EpochBar(QWidget):
    """A progress bar that only repaints with the next frame, drawn in a few plain strokes.

    (QProgressBar.setValue repaints at once whenever its text changes, and the style's
    progress bar took 1–2 ms a paint: at 30 snapshots a second, a twentieth of the GUI thread.)
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self._fraction, self._text = 0.0, ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_progress(self, fraction: float, text: str) -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        if (fraction, text) != (self._fraction, self._text):
            self._fraction, self._text = fraction, text
            self.update()

    def fraction(self) -> float:
        return self._fraction

    def text(self) -> str:
        return self._text

    def sizeHint(self):
        return QSize(160, round(self.fontMetrics().height() * 1.5))

    def minimumSizeHint(self):
        return QSize(60, self.sizeHint().height())

    def paintEvent(self, event):
        pal = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pal.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(frame, 3, 3)
        done = QRectF(frame.x(), frame.y(), round(frame.width() * self._fraction * BAR_STEPS) / BAR_STEPS,
                      frame.height())
        painter.setBrush(pal.color(QPalette.ColorRole.Highlight))
        painter.drawRoundedRect(done, 3, 3)
        # the text in the highlight's own colour where the bar has reached, as a style draws it
        for clip, role in ((done, QPalette.ColorRole.HighlightedText),
                           (QRectF(done.right(), frame.y(), frame.right() - done.right(), frame.height()),
                            QPalette.ColorRole.Text)):
            painter.setClipRect(clip)
            painter.setPen(pal.color(role))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._text)


class ProgressDisplay(QWidget):
    """The current epoch's progress bar and the step, epoch, samples and speed counters."""

    COUNTERS = ("step", "epoch", "samples", "speed")
    CAPTIONS = {"step": "Step", "epoch": "Epochs done", "samples": "Samples seen", "speed": "Speed"}

    def __init__(self, parent=None):
        super().__init__(parent)
        self.bar = EpochBar()
        self.bar.setToolTip("How far through the training set the current epoch is")
        self.values = {name: QLabel("0") for name in self.COUNTERS}
        self.captions = {name: QLabel(self.CAPTIONS[name]) for name in self.COUNTERS}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(0)
        for i, name in enumerate(self.COUNTERS):
            row, col = divmod(i, 2)
            self.values[name].setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(self.captions[name], 2 * row, col)
            grid.addWidget(self.values[name], 2 * row + 1, col)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addLayout(grid)
        self.counters = grid
        self.values["speed"].setText("–")
        self._rate = StepRate()
        self._last = (0, 0, 0.0, 0, 0)
        self._large = False
        self.set_large(False)

    def show_progress(self, step: int, epoch: int, epoch_progress: float, samples_seen: int,
                      steps_per_epoch: int = 0, now: float | None = None) -> None:
        """Show the counters of one snapshot; `now` (seconds) times the steps for the speed."""
        now = time.monotonic() if now is None else now
        self.values["speed"].setText(rate_text(self._rate.update(now, step)))
        self._last = (step, epoch, epoch_progress, samples_seen, steps_per_epoch)
        self._show_counters()

    def _show_counters(self):
        step, epoch, epoch_progress, samples_seen, steps_per_epoch = self._last
        text = f"Epoch {epoch + 1} · {epoch_progress:.0%}"
        if steps_per_epoch and not self._large:  # presentation mode keeps the bar's text short
            batch = round(epoch_progress * steps_per_epoch)
            text += f" · batch {batch:,} of {steps_per_epoch:,}"
        self.bar.set_progress(epoch_progress, text)
        self.values["step"].setText(f"{step:,}")
        self.values["epoch"].setText(f"{epoch + epoch_progress:.2f}")
        self.values["samples"].setText(f"{samples_seen:,}")

    def steps_per_second(self) -> float | None:
        return self._rate.rate(time.monotonic())

    def set_large(self, large: bool) -> None:
        """Use big type (presentation mode) or the normal size."""
        self._large = large
        self._apply_fonts()
        self._show_counters()

    def _apply_fonts(self):
        # sizes relative to this widget's font, so they follow the window's type size
        base, size = self.font().pointSizeF(), 1.15 if self._large else 1.0
        for name in self.COUNTERS:
            value = QFont()
            value.setPointSizeF(base * size * 1.15)
            value.setBold(True)
            self.values[name].setFont(value)
            caption = QFont()
            caption.setPointSizeF(base * size * 0.9)
            self.captions[name].setFont(caption)
            self.captions[name].setForegroundRole(QPalette.ColorRole.PlaceholderText)  # captions recede
        bar_font = QFont()
        if self._large:
            bar_font.setPointSizeF(base * size)
        self.bar.setFont(bar_font)  # normal size: the inherited font, whatever it becomes
        self.bar.updateGeometry()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "_large"):
            self._apply_fonts()


class DivergenceBox(QFrame):
    """Says that training stopped because the cost diverged, and offers two ways on.

    Signals: resetClicked(), halveClicked().
    """

    resetClicked = Signal()
    halveClicked = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("divergence")
        self.title = QLabel("Training stopped: the cost diverged")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reset = QPushButton("Reset")
        self.reset.setToolTip("Start again from the seeded initial weights")
        self.halve = QPushButton("Halve the learning rate")
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset)
        buttons.addWidget(self.halve)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.reset.clicked.connect(self.resetClicked)
        self.halve.clicked.connect(self.halveClicked)
        follow_theme(self)
        self.hide()

    def show_message(self, message: str, learning_rate: float, smallest_rate: float,
                     title: str = "Training stopped: the cost diverged") -> None:
        """Show what happened, the learning rate in force, and what halving it would give."""
        self.title.setText(title)
        half = learning_rate / 2
        self.message.setText(f"{message}\nLearning rate in force: η = {learning_rate:g}. "
                             "A smaller rate takes smaller steps downhill.")
        self.halve.setText(f"Halve the learning rate (η → {half:g})")
        self.halve.setEnabled(half >= smallest_rate)
        self.show()

    def set_dark(self, dark: bool) -> None:
        colours = palette(dark)
        border, background, text = colours.hex("alert_edge"), colours.hex("alert_fill"), colours.hex("alert_text")
        self.setStyleSheet(f"QFrame#divergence {{ border: 1px solid {border}; border-radius: 4px;"
                           f" background: {background}; }} QFrame#divergence QLabel {{ color: {text}; }}")
