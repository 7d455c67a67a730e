"""A slider over the recorded training steps: look back at any of them, then resume or go live."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSlider, QWidget
from superqt.utils import QSignalThrottler

from gui.widgets.steady_label import SteadyLabel
from gui.widgets.theme import follow_theme, palette

SCRUB_PERIOD_MS = 33  # ~30 Hz: each scrub makes every panel redraw a past network


class Timeline(QWidget):
    """Scrub through the recorded trajectory; the panels show the network as it was.

    Signals:
        stepScrubbed(int step, int row_index): show the parameters recorded at `step`
            (row `row_index` of the trajectory), read-only.
        resumeRequested(int step): fork training from the step being viewed.
        backToLive(): stop looking back; show the live network again.
    """

    stepScrubbed = Signal(int, int)
    resumeRequested = Signal(int)
    backToLive = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._steps = np.zeros(0, dtype=np.int64)
        self._live_step = 0
        self._viewing = None  # the step being viewed, None when live
        self._pending = None  # a row scrubbed to but not yet announced
        self._dark = True
        # leading edge at once, then at most one announcement per period while dragging
        self._throttle = QSignalThrottler(QSignalThrottler.EmissionPolicy.Leading, parent=self)
        self._throttle.setTimeout(SCRUB_PERIOD_MS)
        self._throttle.triggered.connect(self._announce)

        self.live_button = QPushButton("● Live", checkable=True, checked=True)
        self.live_button.setToolTip("Show the network as it trains now")
        self.live_button.clicked.connect(self.go_live)
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setEnabled(False)
        self.slider.setToolTip("Drag to look at the network as it was at an earlier step")
        self.slider.valueChanged.connect(self._on_slider)
        self.slider.sliderReleased.connect(self._throttle.flush)
        self.label = SteadyLabel(min_width=200)  # the live step, 20+ times a second: no relayout
        self.resume_button = QPushButton("Resume from here")
        self.resume_button.setToolTip("Go back to this step and train on from it (later steps are dropped)")
        self.resume_button.setEnabled(False)
        self.resume_button.clicked.connect(self._resume)

        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        row.addWidget(self.live_button)
        row.addWidget(self.slider, 1)
        row.addWidget(self.label)
        row.addWidget(self.resume_button)
        follow_theme(self)  # shows the state

    # -- inputs ---------------------------------------------------------------------------------
    def set_steps(self, steps) -> None:
        """Set the steps the trajectory holds (ascending); keeps viewing the same step if it is still there."""
        self._steps = np.asarray(steps, dtype=np.int64).copy()
        n = len(self._steps)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(n - 1, 0))
        self.slider.setEnabled(n > 0)
        if self._viewing is None:
            self.slider.setValue(max(n - 1, 0))
        elif n:
            # The trajectory thins as it grows: keep the viewed step, or the nearest one kept.
            row = self.row_of(self._viewing)
            self.slider.setValue(row)
            moved = int(self._steps[row]) != self._viewing
            self._viewing = int(self._steps[row])
            if moved:  # the viewed step was thinned away: show the one now under the slider
                self._pending = row
                self._throttle.throttle()
                self._throttle.flush()  # at once, even within a period
        self.slider.blockSignals(False)
        self._show_state()

    def set_live_step(self, step: int) -> None:
        """Tell the timeline which step live training has reached."""
        self._live_step = int(step)
        if self._viewing is None:
            self._show_state()

    def set_dark(self, dark: bool) -> None:
        """Match the colour of the "viewing" note to a dark or light background."""
        self._dark = bool(dark)
        self._show_state()

    # -- state ----------------------------------------------------------------------------------
    @property
    def is_live(self) -> bool:
        return self._viewing is None

    @property
    def viewing_step(self):
        """Return the step being viewed, or None when live."""
        return self._viewing

    def row_of(self, step: int) -> int:
        """Return the trajectory row recorded at `step`, or the nearest one."""
        if not len(self._steps):
            return 0
        right = int(np.searchsorted(self._steps, step))
        candidates = [r for r in (right - 1, right) if 0 <= r < len(self._steps)]
        return min(candidates, key=lambda r: abs(int(self._steps[r]) - step))

    def scrub_to_row(self, row: int) -> None:
        """Look at trajectory row `row` (as if the slider had been dragged there)."""
        self.slider.setValue(int(row))
        self._throttle.flush()

    def go_live(self) -> None:
        """Leave the past and follow live training again."""
        self._throttle.cancel()
        self._throttle.flush(restart_timer=False)  # with nothing pending: only stops the period
        self._pending = None
        was_viewing = self._viewing is not None
        self._viewing = None
        self.slider.blockSignals(True)
        self.slider.setValue(self.slider.maximum())
        self.slider.blockSignals(False)
        self._show_state()
        if was_viewing:
            self.backToLive.emit()

    # -- internals --------------------------------------------------------------------------------
    def _on_slider(self, row: int) -> None:
        if not len(self._steps):
            return
        self._pending = row
        self._viewing = int(self._steps[row])
        self._show_state()
        self._throttle.throttle()

    def _announce(self) -> None:
        if self._pending is None:
            return
        row, self._pending = self._pending, None
        self.stepScrubbed.emit(int(self._steps[row]), int(row))

    def _resume(self) -> None:
        if self._viewing is not None:
            step = self._viewing
            self.resumeRequested.emit(step)
            self.go_live()

    def _show_state(self) -> None:
        live = self._viewing is None
        self.live_button.setChecked(live)
        self.resume_button.setEnabled(not live)
        if live:
            self.label.setText(f"live · step {self._live_step:,}")
            self.label.setStyleSheet("")
        else:
            self.label.setText(f"viewing step {self._viewing:,} (read-only)")
            colour = palette(self._dark).hex("good")
            self.label.setStyleSheet(f"font-weight: bold; color: {colour};")
