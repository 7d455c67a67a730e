"""Small input controls for training settings: a log-scale rate with exact entry, a speed dial."""
from __future__ import annotations

import math

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QSlider, QSpinBox, QToolButton, QWidget
from superqt.utils import signals_blocked

# Steps per second offered by the speed control, slowest first; 0 means as fast as possible.
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 0)
DEFAULT_SPEED = 5  # a first Play the learner can follow step by step


def round_significant(value: float, digits: int = 3) -> float:
    """Return value rounded to `digits` significant digits (a readable rate from a slider)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))


def speed_text(steps_per_second: float) -> str:
    """Return how a speed reads on screen."""
    if steps_per_second <= 0:
        return "as fast as possible"
    return "1 step/s" if steps_per_second == 1 else f"{steps_per_second:g} steps/s"


class Slider(QSlider):
    """A horizontal slider that leaves the plain arrow keys to training (→ steps, Shift+→ runs the epoch).

    With the focus it moves by Ctrl+← / Ctrl+→ (or Alt+arrows), ↑ / ↓, Page Up / Page Down,
    Home and End, and of course with the mouse.
    """

    MOVE_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier

    def __init__(self, parent=None):
        super().__init__(Qt.Orientation.Horizontal, parent)

    def _moves(self, event) -> bool:
        return event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right) and bool(event.modifiers() & self.MOVE_MODIFIERS)

    def event(self, event):
        if event.type() == QEvent.Type.ShortcutOverride and (
                self._moves(event) or event.key() in (Qt.Key.Key_Home, Qt.Key.Key_End)):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event):
        if self._moves(event):
            forward = (event.key() == Qt.Key.Key_Right) != self.isRightToLeft()
            self.triggerAction(QSlider.SliderAction.SliderSingleStepAdd if forward
                               else QSlider.SliderAction.SliderSingleStepSub)
        elif event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            event.ignore()  # the window's training keys
        else:
            super().keyPressEvent(event)


class ScientificSpinBox(QDoubleSpinBox):
    """A spin box for positive values spanning decades: shows 3e-05 or 0.5, steps by ×10^0.1.

    Signals: refused(str) — typed text was not accepted, with the reason.
    """

    refused = Signal(str)

    def __init__(self, low: float, high: float, name: str, parent=None):
        super().__init__(parent)
        self._name = name
        self.setDecimals(12)  # values are rounded to decimals: keep 1e-6 exact to 6 digits
        self.setRange(low, high)
        self.setKeyboardTracking(False)  # emit on Enter / focus out / arrows, not per keystroke
        self.setCorrectionMode(QDoubleSpinBox.CorrectionMode.CorrectToPreviousValue)

    def textFromValue(self, value: float) -> str:
        return f"{value:.4g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            value = float(text)
        except ValueError:
            # "", "1e", "." may still become a number while the learner types
            ok = all(c in "0123456789.eE+-" for c in text)
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid), text, pos
        if math.isfinite(value) and self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos  # "1000" may yet become "1000e-5"

    def reason(self, text: str) -> str | None:
        """Return why `text` would be refused, or None if it is acceptable."""
        try:
            value = float(text)
        except ValueError:
            return f"{self._name}: {text!r} is not a number"
        if not (math.isfinite(value) and self.minimum() <= value <= self.maximum()):
            return f"{self._name} must lie between {self.minimum():g} and {self.maximum():g} (got {text})"
        return None

    def _check_typed(self):
        reason = self.reason(self.lineEdit().text())
        if reason:
            self.refused.emit(reason)

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._check_typed()
        super().keyPressEvent(event)

    def focusOutEvent(self, event):
        self._check_typed()
        super().focusOutEvent(event)

    def stepBy(self, steps: int) -> None:
        value = round_significant(self.value() * 10 ** (0.1 * steps), 2)
        self.setValue(min(max(value, self.minimum()), self.maximum()))


class CheckedSpinBox(QSpinBox):
    """An integer spin box that says why typed text was refused.

    Signals: refused(str) — typed text was not accepted, with the reason.
    """

    refused = Signal(str)

    def __init__(self, low: int, high: int, name: str, parent=None):
        super().__init__(parent)
        self._name = name
        self.setRange(low, high)
        self.setKeyboardTracking(False)  # "100" is one change, not 1, 10, 100

    def _typed_number(self, text: str) -> str:
        text = text.strip()
        if self.suffix() and text.endswith(self.suffix().strip()):
            text = text[:-len(self.suffix().strip())]
        return text.strip().replace(",", "")

    def validate(self, text: str, pos: int):
        state, text, pos = super().validate(text, pos)
        if state == QValidator.State.Invalid:
            try:
                int(self._typed_number(text))
            except ValueError:
                return state, text, pos
            # keep out-of-range digits on screen, so Enter can refuse them with a reason
            # (instead of silently dropping the keystroke and sending "50" for "501")
            return QValidator.State.Intermediate, text, pos
        return state, text, pos

    def _check_typed(self):
        text = self._typed_number(self.lineEdit().text())
        try:
            value = int(text)
        except ValueError:
            self.refused.emit(f"{self._name}: {text!r} is not a whole number")
            return
        if not self.minimum() <= value <= self.maximum():
            self.refused.emit(f"{self._name} must lie between {self.minimum():,} and {self.maximum():,} (got {text})")

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._check_typed()
        super().keyPressEvent(event)

    def focusOutEvent(self, event):
        self._check_typed()
        super().focusOutEvent(event)


class LogRateControl(QWidget):
    """A log-scale slider with an exact-entry box, for a value spanning decades (a learning rate).

    Signals: valueChanged(float) — the learner chose a value; refused(str) — typed text refused.
    """

    valueChanged = Signal(float)
    refused = Signal(str)
    STEPS_PER_DECADE = 100

    def __init__(self, low: float, high: float, value: float, name="value", parent=None):
        super().__init__(parent)
        self._log_low, self._log_high = math.log10(low), math.log10(high)
        self.slider = Slider()
        self.slider.setRange(0, round((self._log_high - self._log_low) * self.STEPS_PER_DECADE))
        self.slider.setPageStep(self.STEPS_PER_DECADE // 2)
        self.slider.setTracking(False)  # emit once, on release; the box previews while dragging
        self.slider.setToolTip(f"{name}, {low:g} to {high:g} on a log scale")
        self.entry = ScientificSpinBox(low, high, name.capitalize())
        self.entry.setToolTip(f"Type an exact {name} ({low:g} to {high:g})")
        self.entry.setMinimumWidth(self.entry.fontMetrics().horizontalAdvance("0.00012") + 30)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.entry)
        self.set_value(value)
        self.slider.sliderMoved.connect(self._preview)
        self.slider.valueChanged.connect(self._slider_changed)
        self.entry.valueChanged.connect(self._entry_changed)
        self.entry.refused.connect(self.refused)

    def value(self) -> float:
        return self.entry.value()

    def set_value(self, value: float) -> None:
        """Show `value` without emitting valueChanged."""
        with signals_blocked(self.slider, self.entry):
            self.entry.setValue(value)
            self.slider.setValue(self._position(self.entry.value()))

    def is_editing(self) -> bool:
        return self.entry.hasFocus() or self.slider.isSliderDown()

    def _position(self, value: float) -> int:
        return round((math.log10(value) - self._log_low) * self.STEPS_PER_DECADE)

    def _value_at(self, position: int) -> float:
        value = round_significant(10 ** (self._log_low + position / self.STEPS_PER_DECADE), 2)
        return min(max(value, self.entry.minimum()), self.entry.maximum())

    def _preview(self, position: int):
        with signals_blocked(self.entry):
            self.entry.setValue(self._value_at(position))

    def _slider_changed(self, position: int):
        value = self._value_at(position)
        with signals_blocked(self.entry):
            self.entry.setValue(value)
        self.valueChanged.emit(self.entry.value())

    def _entry_changed(self, value: float):
        with signals_blocked(self.slider):
            self.slider.setValue(self._position(value))
        self.valueChanged.emit(value)


class SpeedControl(QWidget):
    """A slider over SPEEDS, from one step a second to as fast as possible, and a switch to full speed.

    The switch remembers the pace it left, so one click (or its key) goes to full speed and back.
    Signals: speedChanged(float) — steps per second, 0 for as fast as possible;
    fastestChanged(bool) — whether the speed is now as fast as possible.
    """

    speedChanged = Signal(float)
    fastestChanged = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.slider = Slider()
        self.slider.setRange(0, len(SPEEDS) - 1)
        self.slider.setPageStep(1)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setToolTip("Training speed while playing: 1 step/s … as fast as possible "
                               "(with the focus: Ctrl+← / Ctrl+→)")
        self.label = QLabel()
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance("as fast as possible") + 4)
        self.fastest = QToolButton()  # its action (with the key) is set by the training panel
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.fastest)
        self._pace = DEFAULT_SPEED  # the last speed chosen below full speed
        self.set_speed(DEFAULT_SPEED)
        self.slider.valueChanged.connect(self._changed)

    def speed(self) -> float:
        return float(SPEEDS[self.slider.value()])

    def pace(self) -> float:
        """Return the last speed chosen below "as fast as possible" (where the switch returns to)."""
        return self._pace

    def is_fastest(self) -> bool:
        return self.speed() == 0

    def set_speed(self, steps_per_second: float, pace: float | None = None) -> None:
        """Show the preset nearest `steps_per_second` (0: as fast as possible) without emitting speedChanged.

        pace: where the full-speed switch returns to (default: the speed itself if below full speed).
        """
        with signals_blocked(self.slider):
            self.slider.setValue(self._index(steps_per_second))
        if pace is not None and pace > 0:
            self._pace = float(SPEEDS[self._index(pace)])
        elif not self.is_fastest():
            self._pace = self.speed()
        self.label.setText(speed_text(self.speed()))
        self.fastestChanged.emit(self.is_fastest())

    def set_fastest(self, on: bool) -> None:
        """Go to full speed, or back to the pace chosen before (emits speedChanged on a change)."""
        self.slider.setValue(self._index(0 if on else self._pace))
        self.fastestChanged.emit(self.is_fastest())

    @staticmethod
    def _index(steps_per_second: float) -> int:
        if steps_per_second <= 0:
            return len(SPEEDS) - 1
        finite = [math.log(s) for s in SPEEDS[:-1]]
        target = math.log(steps_per_second)
        return min(range(len(finite)), key=lambda i: abs(finite[i] - target))

    def _changed(self, index: int):
        if not self.is_fastest():
            self._pace = self.speed()
        self.label.setText(speed_text(self.speed()))
        self.speedChanged.emit(self.speed())
        self.fastestChanged.emit(self.is_fastest())
