"""The training panel: play, step, reset, speed, hyperparameters, progress and divergence."""
from __future__ import annotations

import random
import time

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from core.lesson.sensible import rate_notice, sensible_learning_rate
from core.trainer import LEARNING_RATE_RANGE
from gui.training.inputs import CheckedSpinBox, SpeedControl
from gui.training.notice import RateNotice
from gui.training.progress import DivergenceBox, ProgressDisplay
from gui.training.settings import PENDING_SECONDS, LiveSettings, NetworkSettings

MAX_STEP_N = 100_000


class TrainingPanel(QWidget):
    """Controls that drive training, and a readout of its progress.

    The panel never changes the model itself: every control emits an intent.
    Signals: playRequested(), pauseRequested(), stepRequested(int n), stepEpochRequested(),
    resetRequested(object seed or None for the same seed), learningRateChanged(float),
    batchSizeChanged(int), optimizerChanged(str), speedChanged(float steps/s, 0 = max),
    rebuildRequested(tuple hidden_sizes, str activation, str cost, int seed).
    Actions (for menus; shortcuts work window-wide): play_action (Space), step_action (→),
    step_epoch_action (Shift+→), reset_action (Ctrl+R), reset_new_seed_action (Ctrl+Shift+R),
    fastest_action (Shift+Space: as fast as possible, or back to the chosen pace).
    """

    playRequested = Signal()
    pauseRequested = Signal()
    stepRequested = Signal(int)
    stepEpochRequested = Signal()
    resetRequested = Signal(object)
    learningRateChanged = Signal(float)
    batchSizeChanged = Signal(int)
    optimizerChanged = Signal(str)
    speedChanged = Signal(float)
    rebuildRequested = Signal(tuple, str, str, int)

    def __init__(self, parent=None, confirm=None):
        super().__init__(parent)
        self._snap = None
        self._compact = False  # presentation mode: only Play, Step and the progress
        self._play_pending = None  # (wanted running state, when) until a snapshot agrees
        self._divergence_message = ""
        self._divergence_title = ""
        self._play_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self._pause_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause)
        self._make_actions()
        self.play_button = self._tool_button(self.play_action)
        self.step_button = self._tool_button(self.step_action)
        self.step_epoch_button = self._tool_button(self.step_epoch_action)
        self.step_n = CheckedSpinBox(1, MAX_STEP_N, "Steps")
        self.step_n.setValue(10)
        self.step_n.setSuffix(" batches")
        self.step_n_button = QPushButton("Step 10")
        self.step_n_button.setToolTip("Train on exactly this many mini-batches, then stop")
        self.reset_button = self._tool_button(self.reset_action)
        self.reset_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        menu = QMenu(self.reset_button)
        menu.addActions([self.reset_action, self.reset_new_seed_action])
        self.reset_button.setMenu(menu)
        self.speed = SpeedControl()
        self.speed.fastest.setDefaultAction(self.fastest_action)
        self.speed.fastest.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.progress = ProgressDisplay()
        self.divergence = DivergenceBox()
        self.live = LiveSettings()
        self.rate_notice = RateNotice()
        self.network = NetworkSettings(confirm or self._ask)
        self._build_layout()
        self.step_n.valueChanged.connect(lambda n: self.step_n_button.setText(f"Step {n:,}"))
        self.step_n.refused.connect(self.live.reason.say)
        self.step_n_button.clicked.connect(self._step_n)
        self.speed.speedChanged.connect(self.speedChanged)
        self.fastest_action.triggered.connect(self.speed.set_fastest)
        self.speed.fastestChanged.connect(self._show_fastest)
        self._show_fastest(self.speed.is_fastest())
        self.live.learningRateChanged.connect(self.learningRateChanged)
        self.live.batchSizeChanged.connect(self.batchSizeChanged)
        self.live.optimizerChanged.connect(self.optimizerChanged)
        self.network.rebuildRequested.connect(self.rebuildRequested)
        # a new optimizer or kind of neuron brings a learning rate that suits it (undoable)
        self.live.optimizerChanged.connect(lambda name: self._suit_rate(optimizer=name))
        self.network.rebuildRequested.connect(lambda _h, activation, cost, _s: self._suit_rate(activation=activation,
                                                                                            cost=cost))
        self.rate_notice.undoClicked.connect(self.live.request_learning_rate)
        self.live.learningRateChanged.connect(lambda _: self.rate_notice.hide())  # a rate of one's own: old news
        self.divergence.resetClicked.connect(lambda: self.resetRequested.emit(None))
        self.divergence.halveClicked.connect(self._halve_learning_rate)
        self._running = None
        self._show_running(False)

    # -- construction ---------------------------------------------------------------------
    def _make_actions(self):
        icon = self.style().standardIcon
        SP = QStyle.StandardPixmap

        def action(text, shortcut, tip, pixmap=None):
            act = QAction(text, self)
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # anywhere in the window
            act.setToolTip(f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})")
            if pixmap is not None:
                act.setIcon(icon(pixmap))
            self.addAction(act)
            return act

        self.play_action = action("Play", "Space", "Train continuously, or pause", SP.SP_MediaPlay)
        self.play_action.setCheckable(True)
        self.step_action = action("Step", "Right", "Train on one mini-batch", SP.SP_MediaSkipForward)
        self.step_epoch_action = action("Step epoch", "Shift+Right", "Train to the end of this epoch",
                                        SP.SP_MediaSeekForward)
        self.reset_action = action("Reset", "Ctrl+R", "Start again from the same seeded weights",
                                   SP.SP_BrowserReload)
        self.reset_new_seed_action = action("Reset with a new seed", "Ctrl+Shift+R",
                                            "Start again from freshly drawn weights")
        self.fastest_action = action("As fast as possible", "Shift+Space",
                                     "Play as fast as possible, or back to the chosen pace")
        self.fastest_action.setCheckable(True)
        self.fastest_action.setIconText("Full speed")
        self.play_action.triggered.connect(self._play_triggered)
        self.step_action.triggered.connect(lambda: self._user_step(1))
        self.step_epoch_action.triggered.connect(self._step_epoch)
        self.reset_action.triggered.connect(lambda: self.resetRequested.emit(None))
        self.reset_new_seed_action.triggered.connect(self._reset_new_seed)

    def _tool_button(self, act):
        button = QToolButton()
        button.setDefaultAction(act)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return button

    def _build_layout(self):
        self.transport = QHBoxLayout()
        for button in (self.play_button, self.step_button, self.step_epoch_button):
            self.transport.addWidget(button)
        self.more_steps = QWidget()
        row = QHBoxLayout(self.more_steps)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.step_n, 1)
        row.addWidget(self.step_n_button, 1)
        row.addWidget(self.reset_button, 1)
        self.speed_row = QWidget()
        speed_layout = QHBoxLayout(self.speed_row)
        speed_layout.setContentsMargins(0, 0, 0, 0)
        speed_layout.addWidget(QLabel("Speed"))
        speed_layout.addWidget(self.speed, 1)
        layout = QVBoxLayout(self)  # the window's dock scrolls a panel taller than it
        layout.addLayout(self.transport)
        layout.addWidget(self.more_steps)
        layout.addWidget(self.speed_row)
        layout.addSpacing(4)
        layout.addWidget(self.progress)
        layout.addWidget(self.divergence)
        layout.addWidget(self.live)
        layout.addWidget(self.rate_notice)
        layout.addWidget(self.network)
        layout.addStretch(1)

    # -- model → view ---------------------------------------------------------------------
    def set_snapshot(self, snap) -> None:
        """Show a snapshot's progress and settings (emits no intent; keeps fields being edited)."""
        if snap is self._snap:
            return
        self._snap = snap
        now = snap.extra.get("time", time.monotonic()) if snap.extra else time.monotonic()
        self.progress.show_progress(snap.step, snap.epoch, snap.epoch_progress, snap.samples_seen,
                                    snap.steps_per_epoch, now)
        if not snap.running and not snap.extra.get("pending"):
            self.progress.values["speed"].setText("paused")  # the last rate would go stale
        self._follow_running(bool(snap.running))
        if snap.learning_rate > 0 and snap.batch_size > 0:  # 0: the producer left them out
            self.live.show_values(snap.learning_rate, snap.batch_size, snap.optimizer)
        self.network.show_network(snap.sizes, snap.activation, snap.cost, snap.seed)

    def set_running(self, running: bool) -> None:
        """Show whether training is running (for a producer that reports it apart from snapshots)."""
        self._play_pending = None
        self._show_running(running)

    def set_dataset(self, dataset) -> None:
        """Refuse batch sizes larger than the dataset's training set."""
        self.live.set_batch_limit(len(dataset.labels("train")))

    def show_divergence(self, message: str, title: str = "Training stopped: the cost diverged") -> None:
        """Say that training stopped because the cost diverged; offer reset or a halved rate."""
        self.set_running(False)
        self._divergence_message, self._divergence_title = message, title
        rate = self._snap.learning_rate if self._snap is not None and self._snap.learning_rate > 0 else None
        self.divergence.show_message(message, rate or self.live.learning_rate.value(), LEARNING_RATE_RANGE[0],
                                     title)

    def show_collapse(self, message: str) -> None:
        """Say that training stopped because the run collapsed, and why; offer reset or a halved rate."""
        self.show_divergence(message, title="Training stopped: the run collapsed")

    def _suit_rate(self, optimizer=None, activation=None, cost=None):
        """Move the learning rate to a sensible one for a changed optimizer, activation or cost; say so."""
        snap = self._snap
        if snap is None:
            return
        optimizer, activation, cost = optimizer or snap.optimizer, activation or snap.activation, cost or snap.cost
        if (optimizer, activation, cost) == (snap.optimizer, snap.activation, snap.cost):
            return
        old = self.live.learning_rate.value()
        new = sensible_learning_rate(optimizer, activation, cost)
        if abs(new - old) > 1e-12 * max(abs(old), 1.0):
            self.live.request_learning_rate(new)
            self.rate_notice.say(rate_notice(optimizer, activation, cost, old, new), old)

    def set_compact(self, compact: bool) -> None:
        """Presentation mode: only Play, Step and the progress, in large type."""
        self._compact = compact
        for widget in (self.step_epoch_button, self.more_steps, self.speed_row, self.live, self.network):
            widget.setVisible(not compact)
        self._apply_button_fonts()
        self.progress.set_large(compact)

    def _apply_button_fonts(self):
        # compact: large relative to the panel's own font; normal: the inherited font itself
        for button in (self.play_button, self.step_button):
            font = QFont()
            if self._compact:
                font.setPointSizeF(self.font().pointSizeF() * 1.25)
            button.setFont(font)
            button.setIconSize(QSize(36, 36) if self._compact else QSize(16, 16))

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "step_button"):
            self._apply_button_fonts()

    # -- accessors -------------------------------------------------------------------------
    @property
    def confirm(self):
        """Return the callable(text) -> bool that confirms a new network (replaceable in tests)."""
        return self.network.confirm

    @confirm.setter
    def confirm(self, ask):
        self.network.confirm = ask

    def speed_setting(self) -> float:
        """Return the chosen speed in steps per second (0: as fast as possible)."""
        return self.speed.speed()

    def pace_setting(self) -> float:
        """Return the last speed chosen below full speed (where "Full speed" returns to)."""
        return self.speed.pace()

    def set_speed(self, steps_per_second: float, pace: float | None = None) -> None:
        """Choose a speed as if the learner had (emits speedChanged); pace: where "Full speed" returns."""
        self.speed.set_speed(steps_per_second, pace)
        self.speedChanged.emit(self.speed.speed())

    # -- view → intent ---------------------------------------------------------------------
    def _ask(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Build a new network", text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def _play_triggered(self, checked: bool):
        self._play_pending = (checked, time.monotonic())
        self._show_running(checked)
        if checked:
            self.divergence.hide()
            self.playRequested.emit()
        else:
            self.pauseRequested.emit()

    def _user_step(self, n: int):
        self.divergence.hide()
        self.stepRequested.emit(n)

    def _step_n(self):
        self._user_step(self.step_n.value())

    def _step_epoch(self):
        self.divergence.hide()
        self.stepEpochRequested.emit()

    def _reset_new_seed(self):
        current = self._snap.seed if self._snap is not None else None
        seed = current
        while seed == current:
            seed = random.randrange(2**31)
        self.divergence.hide()
        self.resetRequested.emit(seed)

    def _show_fastest(self, on: bool):
        with signals_blocked(self.fastest_action):
            self.fastest_action.setChecked(on)

    def _halve_learning_rate(self):
        half = max(self.live.learning_rate.value() / 2, LEARNING_RATE_RANGE[0])
        self.live.request_learning_rate(half)
        self.divergence.show_message(self._divergence_message, half, LEARNING_RATE_RANGE[0], self._divergence_title)

    def _follow_running(self, running: bool):
        if self._play_pending is not None:
            wanted, since = self._play_pending
            if running != wanted and time.monotonic() - since < PENDING_SECONDS:
                return  # the worker has not seen the request yet
            self._play_pending = None
        if running:
            self.divergence.hide()
        self._show_running(running)

    def _show_running(self, running: bool):
        if running == self._running and self.play_action.isChecked() == running:
            return  # snapshots arrive at 60 Hz: touch the widgets only on a change
        self._running = running
        with signals_blocked(self.play_action):
            self.play_action.setChecked(running)
        self.play_action.setIcon(self._pause_icon if running else self._play_icon)
        self.play_action.setText("Pause" if running else "Play")
        for act in (self.step_action, self.step_epoch_action):
            act.setEnabled(not running)
        self.step_n_button.setEnabled(not running)
