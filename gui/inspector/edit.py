"""Edit the selected neuron by hand (bias, a weight, a scale, off/on) and see the effect first."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import qthrottled

from core.lesson.edits import ScaleIncoming, SetBias, SetWeight, SwitchOff, SwitchOn, is_switched_off, neuron_name
from core.lesson.evaluation import network_from_snapshot
from gui.widgets.colours import POSITIVE
from gui.widgets.theme import follow_theme, palette

PREVIEW_MS = 100  # the preview follows training at most ten times a second


class OutputComparison(QWidget):
    """Each output neuron's activation before (grey) and after (orange) an edit."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.before = self.after = None
        self.class_names = ()
        self.label = None
        self.dark = True
        self.setMinimumHeight(90)
        follow_theme(self)

    def set_outputs(self, before, after, class_names, label) -> None:
        self.before, self.after, self.class_names, self.label = before, after, tuple(class_names), label
        self.update()

    def sizeHint(self):
        return QSize(260, 110)

    def set_dark(self, dark: bool) -> None:
        self.dark = bool(dark)
        self.update()

    def paintEvent(self, event):
        painter = QPainter(self)
        colours = palette(self.dark)
        painter.fillRect(self.rect(), colours.qcolor("background"))
        if self.before is None:
            return
        fg = colours.qcolor("foreground")
        k = len(self.before)
        text_h = self.fontMetrics().height()
        width, height = self.width() / k, self.height() - text_h - 6
        for c in range(k):
            x = c * width
            for j, (values, colour) in enumerate(((self.before, (130, 130, 130)), (self.after, POSITIVE))):
                v = float(np.clip(values[c], 0.0, 1.0))
                painter.fillRect(QRectF(x + width * (0.15 + 0.35 * j), 2 + height * (1 - v), width * 0.33,
                                        max(height * v, 1)), QColor(*colour))
            font = painter.font()
            font.setBold(c == self.label)
            painter.setFont(font)
            painter.setPen(fg)
            painter.drawText(QRectF(x, height + 4, width, text_h), Qt.AlignCenter, self.class_names[c][:3])


class EditPanel(QWidget):
    """Edit one neuron: set its bias or an incoming weight, scale its weights, switch it off or on.

    The panel only proposes: it emits edits (core.edits objects) for the training worker to
    apply between steps; the snapshots that follow show the result.

    Signals:
        editRequested(object edit): apply this core.edits.Edit.
        undoRequested(), redoRequested(): undo / redo the latest edit.
    """

    editRequested = Signal(object)
    undoRequested = Signal()
    redoRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = None
        self.neuron = None  # (layer, index)
        self._net = None  # a private Network for previews, rebuilt when the snapshot changes
        self._net_snap = None
        self._preview_kind = "bias"
        self._saved = {}  # (sizes, layer, index) → values before it was switched off
        self._refresh_soon = qthrottled(self.refresh, PREVIEW_MS, leading=False, parent=self)

        self.title = QLabel("Select a neuron in the diagram to edit it.")
        self.title.setWordWrap(True)
        self.bias = self._spin(-50, 50, 0.1)
        self.source = QSpinBox()
        self.source.valueChanged.connect(self._on_source)
        self.weight = self._spin(-50, 50, 0.1)
        self.factor = self._spin(-10, 10, 0.25, 1.0)
        self.source_name = QLabel()
        self.set_bias_button = self._button("Set bias", lambda: self._emit("bias"))
        self.set_weight_button = self._button("Set weight", lambda: self._emit("weight"))
        self.scale_button = self._button("Scale", lambda: self._emit("scale"))
        self.switch_button = self._button("Switch off", lambda: self._emit("switch"))
        self.switch_button.setToolTip("Off: its outgoing weights become 0, so the next layer no longer hears it"
                                      " (an output: its weights 0 and its bias very negative)")
        for spin, kind in ((self.bias, "bias"), (self.weight, "weight"), (self.factor, "scale")):
            spin.valueChanged.connect(lambda _=0, k=kind: self._preview(k))
        self.switch_button.installEventFilter(self)
        self.effect = QLabel()
        self.effect.setWordWrap(True)
        self.bars = OutputComparison()

        self.bias_now, self.weight_now = QLabel("bias"), QLabel("weight")
        grid = QGridLayout()
        grid.addWidget(self.bias_now, 0, 0)
        grid.addWidget(self.bias, 0, 1)
        grid.addWidget(self.set_bias_button, 0, 2)
        grid.addWidget(QLabel("weight from"), 1, 0)
        grid.addWidget(self.source, 1, 1)
        grid.addWidget(self.source_name, 1, 2)
        grid.addWidget(self.weight_now, 2, 0)
        grid.addWidget(self.weight, 2, 1)
        grid.addWidget(self.set_weight_button, 2, 2)
        grid.addWidget(QLabel("scale inputs ×"), 3, 0)
        grid.addWidget(self.factor, 3, 1)
        grid.addWidget(self.scale_button, 3, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        buttons.addWidget(self._button("Undo", lambda: self.undoRequested.emit(), enabled=True))
        buttons.addWidget(self._button("Redo", lambda: self.redoRequested.emit(), enabled=True))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        effect = QLabel("Effect on the current example (grey: now, orange: after the edit):")
        effect.setWordWrap(True)
        layout.addWidget(effect)
        layout.addWidget(self.bars, 1)
        layout.addWidget(self.effect)

    @staticmethod
    def _spin(low, high, step, value=0.0):
        spin = QDoubleSpinBox()
        spin.setRange(low, high)
        spin.setDecimals(3)
        spin.setSingleStep(step)
        spin.setValue(value)
        spin.setKeyboardTracking(False)
        return spin

    def _button(self, text, slot, enabled=False):
        button = QPushButton(text)
        button.clicked.connect(slot)
        button.setEnabled(enabled)
        return button

    # -- inputs -----------------------------------------------------------------------------------
    def set_snapshot(self, snap) -> None:
        """Remember the newest snapshot; the preview follows a moment later."""
        if snap is self._snap:
            return
        first = self._snap is None or self._snap.sizes != snap.sizes
        self._snap = snap
        if first and self.neuron is not None:
            self.set_neuron(*self.neuron)
        else:
            self._refresh_soon()

    def set_neuron(self, layer: int, index: int) -> None:
        """Edit neuron `index` of neuron layer `layer` (0 = input pixels … L = outputs)."""
        self.neuron = (int(layer), int(index))
        snap = self._snap
        if snap is None or not (0 <= layer < len(snap.sizes) and 0 <= index < snap.sizes[layer]):
            self._enable(False, False)
            return
        has_inputs = layer > 0
        self._enable(has_inputs, True)
        for spin, value in ((self.bias, snap.biases[layer - 1][index] if has_inputs else 0.0), (self.factor, 1.0)):
            spin.blockSignals(True)
            spin.setValue(float(value))
            spin.blockSignals(False)
        if has_inputs:
            self.source.blockSignals(True)
            self.source.setRange(0, snap.sizes[layer - 1] - 1)
            self.source.blockSignals(False)
            self._on_source(self.source.value())
        self._preview("bias" if has_inputs else "switch")

    # -- edits ---------------------------------------------------------------------------------------
    def pending_edit(self, kind: str):
        """Return the edit the `kind` control would make now (None without a neuron)."""
        snap = self._snap
        if snap is None or not self._valid():
            return None
        layer, index = self.neuron
        sizes = snap.sizes
        if kind == "bias":
            return SetBias(sizes, layer, index, self.bias.value())
        if kind == "weight":
            return SetWeight(sizes, layer - 1, index, self.source.value(), self.weight.value())
        if kind == "scale":
            return ScaleIncoming(sizes, layer, index, self.factor.value())
        if is_switched_off(snap.params, sizes, layer, index):
            saved = self._saved.get((sizes, layer, index))
            return SwitchOn(sizes, layer, index, saved, seed=snap.seed)
        return SwitchOff(sizes, layer, index)

    def _valid(self) -> bool:
        layer, index = self.neuron if self.neuron is not None else (-1, -1)
        return self._snap is not None and 0 <= layer < len(self._snap.sizes) and 0 <= index < self._snap.sizes[layer]

    def _emit(self, kind: str) -> None:
        edit = self.pending_edit(kind)
        if edit is None:
            return
        if isinstance(edit, SwitchOff):  # remember what to give back when it is switched on again
            self._saved[(edit.sizes, edit.layer, edit.index)] = tuple(
                float(v) for v in self._snap.params[edit.indices()])
        self.editRequested.emit(edit)

    def _on_source(self, frm: int) -> None:
        snap = self._snap
        if snap is None or self.neuron is None or self.neuron[0] == 0:
            return
        layer, index = self.neuron
        self.source_name.setText(neuron_name(snap.sizes, layer - 1, frm, snap.class_names, snap.image_shape))
        self.weight.blockSignals(True)
        self.weight.setValue(float(snap.weights[layer - 1][index, frm]))
        self.weight.blockSignals(False)
        self._preview("weight")

    def eventFilter(self, obj, event):
        if obj is self.switch_button and event.type() == event.Type.Enter:
            self._preview("switch")
        return False

    def _enable(self, inputs: bool, any_neuron: bool) -> None:
        for w in (self.bias, self.source, self.weight, self.factor, self.set_bias_button,
                  self.set_weight_button, self.scale_button):
            w.setEnabled(inputs)
        self.switch_button.setEnabled(any_neuron)

    # -- preview ---------------------------------------------------------------------------------------
    def _preview(self, kind: str) -> None:
        self._preview_kind = kind
        self.refresh()

    def refresh(self) -> None:
        """Show the current example's output now and after the pending edit."""
        snap = self._snap
        if snap is None or not self._valid():
            return
        layer, index = self.neuron
        name = neuron_name(snap.sizes, layer, index, snap.class_names, snap.image_shape)
        where = "" if name == f"neuron {index} of layer {layer}" else f" (layer {layer}, neuron {index})"
        self.title.setText(f"<b>{name}</b>{where} · step {snap.step:,}")
        if layer > 0:
            self.bias_now.setText(f"bias (now {snap.biases[layer - 1][index]:+.3f})")
            self.weight_now.setText(f"weight (now {snap.weights[layer - 1][index, self.source.value()]:+.3f})")
        off = is_switched_off(snap.params, snap.sizes, layer, index)
        self.switch_button.setText("Switch on" if off else "Switch off")
        edit = self.pending_edit(self._preview_kind)
        if self._net_snap is not snap:
            self._net, self._net_snap = network_from_snapshot(snap), snap
        net = self._net
        record = edit.apply(net.params)
        after = net.feedforward(snap.activations[0])[0]
        edit.undo(net.params, record)  # the private network goes back to the snapshot's values
        before = snap.activations[-1]
        self.bars.set_outputs(before, after, snap.class_names, snap.label)
        names = snap.class_names
        said, now = int(np.argmax(before)), int(np.argmax(after))
        text = f"<i>{edit.describe()}</i>: the answer {names[said]} ({before[said]:.2f})"
        text += (f" stays {names[now]} ({after[now]:.2f})" if now == said
                 else f" becomes <b>{names[now]}</b> ({after[now]:.2f})")
        if snap.label is not None:
            label = snap.label
            text += f"; the correct {names[label]}: {before[label]:.3f} → {after[label]:.3f}"
        self.effect.setText(text + ". The effect on test accuracy shows once it is applied.")
