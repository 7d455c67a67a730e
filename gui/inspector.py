"""The neuron inspector: what one neuron computes, what backpropagation asks of it, what it responds to."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from core.neuron_stats import back_projection, layer_outputs, network_from, neuron_report

from . import colors
from .inspector_plots import ActivationCurve, WeightBars, WeightImage
from .inspector_support import BackgroundRunner, Throttle, fmt
from .inspector_testset import TestSetPanel
from .inspector_text import (gradient_html, neuron_title, nudge_html, source_namer, symbol, terms_html,
                             three_ways_html)

REFRESH_MS = 100  # text that changes faster than ~10 times a second cannot be read anyway
TEST_SET_MS = 1000  # recompute the test-set activations at most once a second while training


@dataclass(frozen=True)
class TestSetActivations:
    """Every neuron's activation over the test set, for one parameter vector."""

    params: np.ndarray  # the snapshot's params they were computed with (compared by identity)
    sizes: tuple
    step: int
    zs: list  # zs[l - 1] is (N_test, n_l): the weighted sums of neuron layer l
    activations: list  # activations[l - 1] is (N_test, n_l)


def _section(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    label.setContentsMargins(0, 10, 0, 2)
    return label


def _note(name: str = "") -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setObjectName(name)
    return label


class NeuronInspector(QWidget):
    """Shows the selected neuron `(layer, index)` for the newest snapshot.

    `report` holds the numbers shown (a core.neuron_stats.NeuronReport, None for an input
    pixel); `value_labels[name]` are the labels that show them. No signals: it only shows.
    """

    VALUES = (("bias", "bias b"), ("z", "weighted sum z = Σ w<sub>i</sub>a<sub>i</sub> + b"),
              ("a", "activation a"), ("slope", "slope ∂a/∂z"), ("nudge", "nudge ∂C/∂a"),
              ("grad_bias", "∂C/∂b"))

    def __init__(self, parent=None, dark: bool = True):
        super().__init__(parent)
        self._snap = self._dataset = self.report = self._stats = None
        self._stats_params = None  # params of the test-set computation in flight
        self.layer, self.index = 1, 0
        self._dark = dark
        content = QWidget()
        box = QVBoxLayout(content)
        self.title = _section("")
        self.title.setObjectName("title")
        self.message = _note("message")
        box.addWidget(self.title)
        box.addWidget(self.message)
        self.weights_section = _section("Incoming weights")
        self.weights_note = _note("weights_note")
        self.weight_image = WeightImage(dark)
        self.weight_bars = WeightBars(dark)
        self.projection_note = _note("projection_note")
        self.projection_image = WeightImage(dark, label="carried-back weight")
        self.example_section = _section("This example: weighted sum and activation")
        self.example_note = _note("example_note")
        self.value_labels, self.name_labels = {}, {}
        forward_grid, backprop_grid = QGridLayout(), QGridLayout()
        for row, (key, text) in enumerate(self.VALUES):
            name, value = QLabel(text), QLabel("–")
            value.setObjectName(f"value_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid = forward_grid if row < 4 else backprop_grid
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1)
            grid.setColumnStretch(0, 1)
            self.value_labels[key], self.name_labels[key] = value, name
        self.terms = _note("terms")
        self.curve = ActivationCurve(dark)
        self.backprop_section = _section("What backpropagation asks of it")
        self.nudge_note = _note("nudge_note")
        self.gradients = _note("gradients")
        self.three_ways = _note("three_ways")
        self.testset_section = _section("Over the test set")
        self.testset = TestSetPanel(dark)
        widgets = [self.weights_section, self.weights_note, self.weight_image, self.weight_bars,
                   self.projection_note, self.projection_image, self.example_section, self.example_note,
                   forward_grid, self.terms, self.curve, self.backprop_section, backprop_grid,
                   self.nudge_note, self.gradients,
                   self.three_ways, self.testset_section, self.testset]
        for w in widgets:
            if isinstance(w, QGridLayout):
                box.addLayout(w)
            else:
                box.addWidget(w)
        box.addStretch(1)
        self._neuron_widgets = [w for w in widgets if isinstance(w, QWidget)]
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._throttle = Throttle(REFRESH_MS, self.refresh, self)
        self._stats_throttle = Throttle(TEST_SET_MS, self.update_test_set, self)
        self._runner = BackgroundRunner(self)
        self._runner.finished.connect(self._on_test_set)
        self._runner.failed.connect(lambda message: self.testset.show_message(f"Could not compute: {message}"))
        self.refresh()

    # -- inputs --------------------------------------------------------------------------------
    def set_snapshot(self, snap) -> None:
        """Store the newest snapshot; the view refreshes shortly after (throttled)."""
        if snap is self._snap:
            return
        self._snap = snap
        self._throttle.request()
        self._stats_throttle.request()

    def set_dataset(self, dataset) -> None:
        self._dataset = dataset
        self._stats = None
        self._throttle.request()
        self._stats_throttle.request()

    def set_neuron(self, layer: int, index: int) -> None:
        """Inspect neuron `index` of neuron layer `layer` (0 = input pixels)."""
        self.layer, self.index = int(layer), int(index)
        self.refresh()

    def set_dark(self, dark: bool) -> None:
        self._dark = bool(dark)
        for view in (self.weight_image, self.projection_image, self.weight_bars, self.curve, self.testset):
            view.set_dark(self._dark)
        self.refresh()

    def showEvent(self, event):
        super().showEvent(event)
        self._stats_throttle.request()  # hidden docks skip the test-set work until they are seen

    # -- drawing -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the selected neuron for the stored snapshot now."""
        snap = self._snap
        valid = snap is not None and 0 <= self.layer <= snap.n_layers and 0 <= self.index < snap.sizes[self.layer]
        for w in self._neuron_widgets:
            w.setVisible(valid and self.layer > 0)
        for key in self.value_labels:
            self.value_labels[key].setVisible(valid and self.layer > 0)
            self.name_labels[key].setVisible(valid and self.layer > 0)
        self.report = None
        if snap is None:
            self.title.setText("Neuron inspector")
            self._say("Waiting for the network.")
            return
        if not valid:
            self.title.setText("Neuron inspector")
            self._say(f"Layer {self.layer} has no neuron {self.index} in this network"
                                 f" ({'-'.join(map(str, snap.sizes))}); select one in the diagram.")
            return
        self.title.setText(neuron_title(snap, self.layer, self.index))
        if self.layer == 0:
            value = float(snap.activations[0][self.index])
            self._say(f"Brightness of this pixel in the current example: a = {value:.4f}"
                                 " (0 = black paper, 1 = white ink). Select a neuron to see what it computes.")
            return
        self._say("")
        self.report = report = neuron_report(snap, self.layer, self.index)
        self._show_weights(snap)
        self._show_example(snap, report)
        self._show_backprop(snap, report)
        self._show_test_set()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _show_weights(self, snap):
        w = np.asarray(snap.weights[self.layer - 1][self.index])
        h, wd = snap.image_shape
        is_image = h * wd == snap.sizes[0]
        first = self.layer == 1 and is_image
        self.weight_image.setVisible(first)
        self.weight_bars.setVisible(not first)
        self.projection_note.setVisible(not first and is_image)
        self.projection_image.setVisible(not first and is_image)
        if first:
            self.weights_note.setText(f"Its {len(w)} weights, one per pixel, laid out as the image: the"
                                      " pixel pattern it picks up on. Orange pixels push z up, blue push it down.")
            self.weight_image.set_values(w.reshape(h, wd), colors.symmetric_scale(w))
            return
        self.weights_note.setText(f"Its {len(w)} weights from the neurons of the layer before"
                                  " (orange positive, blue negative).")
        self.weight_bars.set_values(w)
        if is_image:
            carried = back_projection(snap.weights, self.layer, self.index)
            self.projection_note.setText(
                "Its weights carried back to the input pixels through the layers before"
                " (w · W ⋯ W<sub>0</sub>). <i>A linear approximation</i>: it ignores the activation"
                " functions on the way, so it hints at, but does not prove, what the neuron responds to.")
            self.projection_image.set_values(carried.reshape(h, wd), colors.symmetric_scale(carried))

    def _show_example(self, snap, report):
        if snap.example_split == "drawn" or snap.label is None:
            where = "the drawn digit" if snap.example_split == "drawn" else "the current input"
        else:
            split = {"train": "training image", "test": "test image"}.get(snap.example_split, "example")
            where = f"{split} {snap.example_index}" if snap.example_index >= 0 else "the example"
            where += f", label “{snap.class_names[snap.label]}”"
        self.example_note.setText(f"For {where}:")
        f = symbol(report.function)
        self.name_labels["a"].setText(f"activation a = {f}(z)")
        self.name_labels["slope"].setText(f"slope ∂a/∂z = {f}′(z)" if report.function != "softmax"
                                          else "slope ∂a/∂z = a(1 − a)")
        for key, value in (("bias", report.bias), ("z", report.z), ("a", report.a), ("slope", report.slope)):
            self.value_labels[key].setText(fmt(value))
        self.terms.setText(terms_html(report, source_namer(snap, self.layer), self._dark))
        self.curve.set_point(report.function, report.z, report.a)

    def _show_backprop(self, snap, report):
        label = None if snap.label is None else snap.class_names[snap.label]
        for key, value in (("nudge", report.nudge), ("grad_bias", report.grad_bias)):
            self.value_labels[key].setText("–" if value is None else fmt(value))
        self.nudge_note.setText(nudge_html(report, label, self._dark))
        names = source_namer(snap, self.layer)
        self.gradients.setText(gradient_html(report, names, self._dark))
        self.gradients.setVisible(report.grad_weights is not None)
        self.three_ways.setVisible(report.is_output)
        if report.is_output:
            self.three_ways.setText(three_ways_html(report, names, self._dark))

    # -- the test set, off the GUI thread ------------------------------------------------------
    def update_test_set(self) -> None:
        """Start computing the test-set activations for the stored snapshot if they are out of date."""
        snap, ds = self._snap, self._dataset
        if snap is None or not self.isVisible():
            return
        if ds is None:
            self.testset.show_message("Open a dataset to see how this neuron responds to the test images.")
            return
        if ds.n_inputs != snap.sizes[0]:
            self.testset.show_message("The dataset's images do not fit this network's input layer.")
            return
        if snap.params is getattr(self._stats, "params", None) or snap.params is self._stats_params:
            return
        self._stats_params = snap.params
        x = ds.inputs("test")

        def compute():
            net = network_from(snap)
            return TestSetActivations(snap.params, snap.sizes, snap.step, *layer_outputs(net, x))

        self._runner.submit(compute)
        if self._stats is None:
            self.testset.show_message("Computing the test-set activations…")

    def wait_for_test_set(self, msecs: int = 10000) -> bool:
        """Block until the test-set computation in flight is done (for scripts and tests)."""
        return self._runner.wait(msecs)

    def _on_test_set(self, stats: TestSetActivations):
        self._stats, self._stats_params = stats, None
        self._show_test_set()
        if self._snap is not None and self._snap.params is not stats.params:
            self._stats_throttle.request()  # training moved on meanwhile

    def _show_test_set(self):
        stats, snap, ds = self._stats, self._snap, self._dataset
        if stats is None or snap is None or ds is None or self.layer == 0:
            return
        if stats.sizes != snap.sizes:
            return
        values = stats.activations[self.layer - 1][:, self.index]
        zs = stats.zs[self.layer - 1][:, self.index]
        current = self.report.a if self.report is not None else None
        function = self.report.function if self.report is not None else snap.activation
        self.testset.show_stats(values, zs, function, ds.test_images, ds.test_labels, ds.class_names,
                                stats.step, current)
