"""The neuron inspector: what one neuron computes, what backpropagation asks of it, what it responds to."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QLabel, QVBoxLayout, QWidget

from core.lesson.neuron_stats import back_projection, layer_outputs, network_from, neuron_report
from gui.inspector.plots import WeightBars, WeightImage
from gui.inspector.sections import BackpropSection, ForwardSection, prose
from gui.inspector.testset import TestSetPanel
from gui.widgets import colours
from gui.widgets.jobs import BackgroundRunner
from gui.widgets.names import neuron_title, source_namer
from gui.widgets.number_table import set_text
from gui.widgets.room_watch import RoomWatcher
from gui.widgets.support import PANEL_REFRESH_MS, Throttle, nice_scale
from gui.widgets.theme import follow_theme
from gui.widgets.wheel import pass_wheel_on

TEST_SET_MS = 1000  # recompute the test-set activations at most once a second while training
WIDE_ENOUGH = 680  # px: from this width the weights, the formula and the nudges stand side by side


@dataclass(frozen=True, eq=False)  # compared by identity: one object per computation
class TestSetActivations:
    """Every neuron's activation over the test set, for one parameter vector."""

    params: np.ndarray  # the snapshot's params they were computed with (compared by identity)
    dataset: object  # the Dataset whose test images they are
    sizes: tuple
    step: int
    zs: list  # zs[l - 1] is (N_test, n_l): the weighted sums of neuron layer l
    activations: list  # activations[l - 1] is (N_test, n_l)


def _show(widget: QWidget, visible: bool) -> None:
    """Show or hide a widget, touching it only on a change (each change re-lays out the scroll area)."""
    if widget.isHidden() == bool(visible):
        widget.setVisible(bool(visible))


def _column(*widgets) -> QWidget:
    """Return a widget holding widgets one under the other, without margins."""
    column = QWidget()
    box = QVBoxLayout(column)
    box.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        box.addWidget(widget)
    return column


def _section(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    label.setContentsMargins(0, 10, 0, 2)
    return label


class NeuronInspector(QWidget):
    """Shows the selected neuron `(layer, index)` for the newest snapshot.

    `report` holds the numbers shown (a core.neuron_stats.NeuronReport, None for an input
    pixel); `value_labels[name]` are the labels that show them. No signals: it only shows.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = self._dataset = self.report = self._stats = None
        self._stats_params = None  # params of the test-set computation in flight
        # what the pictures show, to skip redrawing them
        self._weights_params = self._weights_key = self._testset_key = None
        self.layer, self.index = 1, 0
        self._dark = True
        self.title = _section("Neuron inspector")
        self.title.setObjectName("title")
        self.message = prose()
        self.weights_note = prose()
        self.weight_image = WeightImage()
        self.weight_bars = WeightBars()
        self.projection_note = prose(
            "Its weights carried back to the input pixels through the layers before (w · W ⋯ W₀)."
            " <i>A linear approximation</i>: it ignores the activation functions on the way, so it"
            " hints at, but does not prove, what the neuron responds to.")
        self.projection_image = WeightImage(label="carried-back weight")
        self.forward = ForwardSection()
        self.backprop = BackpropSection()
        self.value_labels = {**self.forward.value_labels, **self.backprop.value_labels}
        self.testset = TestSetPanel()
        # At a glance: the formula, its curve and the nudges (and the weights beside them when there
        # is room); the long parts (tables, the carried-back picture, the test set) below.
        self.forward_part = _column(_section("This example: weighted sum and activation"), self.forward)
        self.backprop_part = _column(_section("What backpropagation asks of it"), self.backprop)
        self.weights_part = _column(_section("Incoming weights"), self.weights_note, self.weight_image,
                                    self.weight_bars)
        self.glance = QWidget()
        self._glance_box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self.glance)
        self._glance_box.setContentsMargins(0, 0, 0, 0)
        self.wide = None
        self._arrange_glance(False)
        self.backprop_more = _column(self.backprop.gradients, self.backprop.three_ways)
        self._neuron_widgets = [
            self.glance, self.forward.terms_part, self.backprop_more, self.projection_note, self.projection_image,
            _section("Over the test set"), self.testset]
        box = QVBoxLayout(self)  # the window's dock scrolls a panel taller than it
        for w in [self.title, self.message] + self._neuron_widgets:
            box.addWidget(w)
        box.addStretch(1)
        self._room = RoomWatcher(self, self._fit_room)
        for view in self.findChildren(pg.GraphicsView):  # none of them zooms: the wheel scrolls the panel
            pass_wheel_on(view)
        self._throttle = Throttle(PANEL_REFRESH_MS, self.refresh, self)  # as the current example's
        self._stats_throttle = Throttle(TEST_SET_MS, self.update_test_set, self)
        self._runner = BackgroundRunner(self)
        self._runner.finished.connect(self._on_test_set)
        self._runner.failed.connect(lambda message: self.testset.show_message(f"Could not compute: {message}"))
        follow_theme(self)

    def _arrange_glance(self, wide: bool) -> None:
        """Put the weights, the formula and the nudges side by side (wide) or one under the other."""
        if wide == self.wide:
            return
        self.wide = wide
        box = self._glance_box
        order = (self.weights_part, self.forward_part, self.backprop_part) if wide else \
            (self.forward_part, self.backprop_part, self.weights_part)
        for part in order:
            box.removeWidget(part)
        for part in order:
            box.addWidget(part, 1, Qt.AlignmentFlag.AlignTop if wide else Qt.AlignmentFlag(0))
        box.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
        box.setSpacing(18 if wide else 6)

    def _fit_room(self, width: int) -> None:
        self._arrange_glance(width >= WIDE_ENOUGH)

    @property
    def three_ways(self) -> QWidget:
        return self.backprop.three_ways

    @property
    def nudge_note(self) -> QLabel:
        return self.backprop.nudge_note

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
        self._stats = self._stats_params = self._testset_key = None
        self._throttle.request()
        self._stats_throttle.request()

    def set_neuron(self, layer: int, index: int) -> None:
        """Inspect neuron `index` of neuron layer `layer` (0 = input pixels)."""
        self.layer, self.index = int(layer), int(index)
        self.refresh()

    def set_dark(self, dark: bool) -> None:
        self._dark = bool(dark)
        self._weights_key = self._testset_key = None
        self.refresh()

    def showEvent(self, event):
        super().showEvent(event)
        self._stats_throttle.request()  # hidden docks skip the test-set work until they are seen

    # -- drawing -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the selected neuron for the stored snapshot now."""
        snap = self._snap
        valid = snap is not None and 0 <= self.layer <= snap.n_layers and 0 <= self.index < snap.sizes[self.layer]
        self._apply_visibility(snap, valid and self.layer > 0)
        self.report = None
        if snap is None:
            self._say("Waiting for the network.")
            return
        if not valid:
            set_text(self.title, "Neuron inspector")
            self._say(f"Layer {self.layer} has no neuron {self.index} in this network"
                      f" ({'-'.join(map(str, snap.sizes))}); select one in the diagram.")
            return
        set_text(self.title, neuron_title(snap, self.layer, self.index))
        if self.layer == 0:
            value = float(snap.activations[0][self.index])
            self._say(f"Brightness of this pixel in the current example: a = {value:.4f}"
                      " (0 = black paper, 1 = white ink). Select a neuron to see what it computes.")
            return
        self._say("")
        self.report = report = neuron_report(snap, self.layer, self.index)
        names = source_namer(snap, self.layer)
        self._show_weights(snap)
        self.forward.show_report(report, self._where(snap), names)
        self.backprop.show_report(report, None if snap.label is None else snap.class_names[snap.label], names)
        self._show_test_set()

    def _apply_visibility(self, snap, neuron: bool) -> None:
        """Show the sections that fit the selection, touching only widgets whose visibility changes."""
        plan = {w: neuron for w in self._neuron_widgets}
        if neuron:
            h, w = snap.image_shape
            is_image = h * w == snap.sizes[0]
            first = self.layer == 1 and is_image
            plan.update({self.weight_image: first, self.weight_bars: not first,
                         self.projection_note: not first and is_image, self.projection_image: not first and is_image})
            _show(self.backprop.gradients, snap.example_grad is not None)
            _show(self.backprop.three_ways, self.layer == snap.n_layers)
        for w, visible in plan.items():
            _show(w, visible)

    def _say(self, text: str) -> None:
        set_text(self.message, text)
        _show(self.message, bool(text))

    @staticmethod
    def _where(snap) -> str:
        if snap.label is None:
            return "For the drawn input:" if snap.example_split == "drawn" else "For the current input:"
        split = {"train": "training image", "test": "test image"}.get(snap.example_split, "example")
        where = f"{split} {snap.example_index}" if snap.example_index >= 0 else "the example"
        return f"For {where}, label “{snap.class_names[snap.label]}”:"

    def _show_weights(self, snap):
        key = (snap.image_shape, self.layer, self.index, self._dark)
        if self._weights_params is snap.params and self._weights_key == key:
            return  # same parameters and neuron: the pictures are up to date
        self._weights_params, self._weights_key = snap.params, key
        w = np.asarray(snap.weights[self.layer - 1][self.index])
        h, wd = snap.image_shape
        is_image = h * wd == snap.sizes[0]
        if self.layer == 1 and is_image:
            set_text(self.weights_note, f"Its {len(w)} weights, one per pixel, laid out as the image: the pixel"
                                        " pattern it picks up on. Orange pixels push z up, blue push it down.")
            # a rounded scale keeps the colour bar's axis still while training nudges the weights
            self.weight_image.set_values(w.reshape(h, wd), nice_scale(colours.symmetric_scale(w)))
            return
        set_text(self.weights_note, f"Its {len(w)} weights from the neurons of the layer before"
                                    " (orange positive, blue negative).")
        self.weight_bars.set_values(w)
        if is_image:
            carried = back_projection(snap.weights, self.layer, self.index)
            self.projection_image.set_values(carried.reshape(h, wd), nice_scale(colours.symmetric_scale(carried)))

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

        def compute():
            x = ds.inputs("test")  # converted on first use: tens of ms, so not on the GUI thread
            net = network_from(snap)
            return TestSetActivations(snap.params, ds, snap.sizes, snap.step, *layer_outputs(net, x))

        self._runner.submit(compute)
        if self._stats is None:
            self.testset.show_message("Computing the test-set activations…")

    def _on_test_set(self, stats: TestSetActivations):
        self._stats_params = None
        if stats.dataset is not self._dataset:  # computed for a dataset since replaced
            self._stats_throttle.request()
            return
        self._stats = stats
        self._show_test_set()
        if self._snap is not None and self._snap.params is not stats.params:
            self._stats_throttle.request()  # training moved on meanwhile

    def _show_test_set(self):
        stats, snap, ds = self._stats, self._snap, self._dataset
        if stats is None or snap is None or ds is None or self.layer == 0:
            return
        if stats.sizes != snap.sizes or stats.dataset is not ds:
            return
        key = (stats, self.layer, self.index)
        if key == self._testset_key:
            self.testset.set_current(self.report.a if self.report is not None else None)
            return
        self._testset_key = key
        values = stats.activations[self.layer - 1][:, self.index]
        zs = stats.zs[self.layer - 1][:, self.index]
        current = self.report.a if self.report is not None else None
        function = self.report.function if self.report is not None else snap.activation
        self.testset.show_stats(values, zs, function, ds.test_images, ds.test_labels, ds.class_names,
                                stats.step, current)
