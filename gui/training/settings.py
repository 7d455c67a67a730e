"""The two groups of training settings: those that apply at once, and those that need a new network."""
from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox
from superqt.utils import signals_blocked

from core.activations import HIDDEN_ACTIVATIONS
from core.network import COSTS, NetworkError, parse_sizes
from core.optimizers import OPTIMIZERS
from core.trainer import BATCH_SIZE_RANGE, LEARNING_RATE_RANGE
from gui.training.inputs import CheckedSpinBox, LogRateControl
from gui.widgets.theme import follow_theme, palette

LABELS = {"sgd": "SGD", "momentum": "SGD with momentum", "adam": "Adam", "sigmoid": "sigmoid",
          "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU",
          "quadratic": "quadratic (Σ (a − y)²)", "cross_entropy": "cross-entropy (softmax output)"}
PENDING_SECONDS = 1.5  # how long a requested value may wait for the model to echo it


def combo(names) -> QComboBox:
    """Return a combo box listing `names` (shown by their LABELS, data = the name)."""
    box = QComboBox()
    for name in names:
        box.addItem(LABELS.get(name, name), name)
    return box


def set_combo(box: QComboBox, name: str) -> None:
    index = box.findData(name)
    if index >= 0 and index != box.currentIndex():
        with signals_blocked(box):
            box.setCurrentIndex(index)


class ReasonLabel(QLabel):
    """A one-line explanation of why an entry was refused (empty when all is well)."""

    def __init__(self):
        super().__init__()
        self.setWordWrap(True)
        follow_theme(self)
        self.hide()

    def set_dark(self, dark: bool) -> None:
        self.setStyleSheet(f"color: {palette(dark).hex('bad')};")

    def say(self, reason: str | None) -> None:
        self.setText(reason or "")
        self.setVisible(bool(reason))


class LiveSettings(QGroupBox):
    """Learning rate, batch size and optimizer: each change is sent at once.

    Signals: learningRateChanged(float), batchSizeChanged(int), optimizerChanged(str).
    """

    learningRateChanged = Signal(float)
    batchSizeChanged = Signal(int)
    optimizerChanged = Signal(str)

    def __init__(self, parent=None):
        super().__init__("Training — applies at once", parent)
        self.learning_rate = LogRateControl(*LEARNING_RATE_RANGE, 3.0, "learning rate")
        self.batch_size = CheckedSpinBox(*BATCH_SIZE_RANGE, "Batch size")
        self.batch_size.setValue(10)
        self.batch_size.setStepType(QSpinBox.StepType.AdaptiveDecimalStepType)
        self.optimizer = combo(OPTIMIZERS)
        self.reason = ReasonLabel()
        form = QFormLayout(self)
        form.addRow("Learning rate η", self.learning_rate)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Optimizer", self.optimizer)
        form.addRow(self.reason)
        self._pending = {}  # field -> (value the learner asked for, when)
        self.learning_rate.valueChanged.connect(lambda v: self._requested("lr", v, self.learningRateChanged))
        self.learning_rate.refused.connect(self.reason.say)
        self.batch_size.refused.connect(self.reason.say)
        self.batch_size.valueChanged.connect(lambda v: self._requested("batch", v, self.batchSizeChanged))
        self.optimizer.currentIndexChanged.connect(
            lambda i: self._requested("optimizer", self.optimizer.itemData(i), self.optimizerChanged))

    def set_batch_limit(self, largest: int) -> None:
        """Refuse batch sizes above `largest` (the training set size)."""
        with signals_blocked(self.batch_size):
            self.batch_size.setMaximum(max(1, min(BATCH_SIZE_RANGE[1], int(largest))))
        self.batch_size.setToolTip(f"Examples per mini-batch, 1 to {self.batch_size.maximum():,}")

    def show_values(self, learning_rate: float, batch_size: int, optimizer: str) -> None:
        """Show the model's values, except in a field being edited or awaiting its echo."""
        if self._follows("lr", learning_rate) and not self.learning_rate.is_editing():
            self.learning_rate.set_value(learning_rate)
        if self._follows("batch", batch_size) and not self.batch_size.hasFocus():
            with signals_blocked(self.batch_size):
                self.batch_size.setValue(batch_size)
        if self._follows("optimizer", optimizer) and not self.optimizer.view().isVisible():
            set_combo(self.optimizer, optimizer)

    def request_learning_rate(self, value: float) -> None:
        """Set the learning rate as if the learner had entered it."""
        self.learning_rate.set_value(value)
        self._requested("lr", self.learning_rate.value(), self.learningRateChanged)

    def _requested(self, field, value, signal):
        self.reason.say(None)
        self._pending[field] = (value, time.monotonic())
        signal.emit(value)

    def _follows(self, field, model_value) -> bool:
        # A snapshot taken before the worker applied a request still shows the old value:
        # do not flick the control back while the request is on its way.
        if field not in self._pending:
            return True
        wanted, since = self._pending[field]
        if wanted == model_value or time.monotonic() - since > PENDING_SECONDS:
            del self._pending[field]
            return True
        return False


class NetworkSettings(QGroupBox):
    """Hidden layer sizes, activation, cost and seed: staged, then applied as a new network.

    Signals: rebuildRequested(tuple hidden_sizes, str activation, str cost, int seed).
    """

    rebuildRequested = Signal(tuple, str, str, int)

    def __init__(self, confirm, parent=None):
        super().__init__("Network — changes need a new network", parent)
        self.confirm = confirm  # callable(text) -> bool; asks before the network is replaced
        self.hidden = QLineEdit("16,16")
        self.hidden.setPlaceholderText("e.g. 16,16 (empty: no hidden layer)")
        self.hidden.setToolTip("Neurons in each hidden layer, separated by commas")
        self.activation = combo(HIDDEN_ACTIVATIONS)
        self.cost = combo(COSTS)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Seed of the initial weights and of the order of the examples")
        self.reason = ReasonLabel()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.apply = QPushButton("Apply…")
        self.apply.setToolTip("Build a new network with these settings (training restarts)")
        self.discard = QPushButton("Discard")
        self.discard.setToolTip("Go back to the current network's settings")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.discard)
        buttons.addWidget(self.apply)
        form = QFormLayout(self)
        form.addRow("Hidden layers", self.hidden)
        form.addRow(self.reason)
        form.addRow("Activation", self.activation)
        form.addRow("Cost", self.cost)
        form.addRow("Seed", self.seed)
        form.addRow(self.status)
        form.addRow(buttons)
        self._network = ((784, 16, 16, 10), "sigmoid", "quadratic", 0)
        self._touched = set()  # fields the learner changed that the network does not have yet
        self._dark = True
        self.hidden.textEdited.connect(lambda _: self._edited("hidden"))
        self.activation.currentIndexChanged.connect(lambda _: self._edited("activation"))
        self.cost.currentIndexChanged.connect(lambda _: self._edited("cost"))
        self.seed.valueChanged.connect(lambda _: self._edited("seed"))
        self.apply.clicked.connect(self.apply_staged)
        self.discard.clicked.connect(self.discard_staged)
        follow_theme(self)

    # -- model → view ---------------------------------------------------------------------
    def show_network(self, sizes, activation: str, cost: str, seed: int) -> None:
        """Show the current network's settings, keeping the learner's unapplied edits."""
        network = (tuple(sizes), activation, cost, int(seed))
        if network == self._network:
            return
        self._network = network
        self._touched -= {f for f in self._touched if self._staged_value(f) == self._network_value(f)}
        self._show_untouched()
        self._update_status()

    def staged(self):
        """Return (sizes, activation, cost, seed) as entered, or None if the sizes are invalid."""
        try:
            sizes = parse_sizes(self.hidden.text(), self._network[0][0], self._network[0][-1])
        except NetworkError:
            return None
        return sizes, self.activation.currentData(), self.cost.currentData(), self.seed.value()

    def needs_rebuild(self) -> bool:
        staged = self.staged()
        return staged is not None and staged != self._network

    # -- view → intent --------------------------------------------------------------------
    def apply_staged(self) -> None:
        """Ask for confirmation, then request a network built from the staged settings."""
        staged = self.staged()
        if staged is None or staged == self._network:
            return
        sizes, activation, cost, seed = staged
        text = (f"Build a new {'-'.join(map(str, sizes))} network ({LABELS[activation]} hidden layers, "
                f"{LABELS[cost]} cost, seed {seed})?\n\nTraining starts again from step 0; "
                "the current network's progress is lost.")
        if self.confirm(text):
            self.rebuildRequested.emit(tuple(sizes[1:-1]), activation, cost, seed)

    def discard_staged(self) -> None:
        self._touched.clear()
        self._show_untouched()
        self._update_status()

    def set_dark(self, dark: bool) -> None:
        self._dark = dark
        self._update_status()

    # -- internals ------------------------------------------------------------------------
    def _edited(self, field):
        self._touched.add(field)
        self._update_status()

    def _network_value(self, field):
        sizes, activation, cost, seed = self._network
        return {"hidden": tuple(sizes[1:-1]), "activation": activation, "cost": cost, "seed": seed}[field]

    def _staged_value(self, field):
        if field == "hidden":
            staged = self.staged()
            return None if staged is None else tuple(staged[0][1:-1])
        return {"activation": self.activation.currentData, "cost": self.cost.currentData,
                "seed": self.seed.value}[field]()

    def _show_untouched(self):
        sizes, activation, cost, seed = self._network
        if "hidden" not in self._touched and not self.hidden.hasFocus():
            self.hidden.setText(",".join(map(str, sizes[1:-1])))
        if "activation" not in self._touched:
            set_combo(self.activation, activation)
        if "cost" not in self._touched:
            set_combo(self.cost, cost)
        if "seed" not in self._touched and not self.seed.hasFocus():
            with signals_blocked(self.seed):
                self.seed.setValue(seed)

    def _update_status(self):
        try:
            parse_sizes(self.hidden.text(), self._network[0][0], self._network[0][-1])
            self.reason.say(None)
        except NetworkError as error:
            self.reason.say(str(error))
        staged = self.staged()
        changed = staged != self._network if staged is not None else bool(self._touched)
        self.apply.setEnabled(staged is not None and changed)
        self.discard.setEnabled(bool(self._touched))
        if changed:
            colour = palette(self._dark).hex("warning")
            self.status.setText("Needs a new network: Apply builds it, and training starts again.")
            self.status.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.status.setVisible(changed)
