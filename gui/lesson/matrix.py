"""One layer in matrix form, a⁽ˡ⁺¹⁾ = f(W a⁽ˡ⁾ + b), with the current example's numbers."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget
from superqt.utils import qthrottled

from core import activations as act
from gui.lesson.chain_rule import FUNCTION_NAMES, number
from gui.lesson.matrix_plots import MatrixPlots
from gui.widgets.theme import follow_theme, hex_colour, palette

RENDER_INTERVAL_MS = 66  # redraw at most ~15 times a second while training runs


def layer_products(snap, weight_layer: int) -> dict:
    """Return W, the input, W·a, b, z and f(z) for one weight layer, in float64."""
    w = np.asarray(snap.weights[weight_layer], dtype=np.float64)
    a_in = np.asarray(snap.activations[weight_layer], dtype=np.float64)
    b = np.asarray(snap.biases[weight_layer], dtype=np.float64)
    wa = w @ a_in
    z = wa + b
    last = weight_layer == len(snap.sizes) - 2
    name = snap.output_activation if last else snap.activation
    return dict(w=w, a_in=a_in, wa=wa, b=b, z=z, a_out=act.apply(name, z.copy()), function=name)


class MatrixView(QWidget):
    """Shows a layer as a heat-mapped matrix W, the input a, W·a, the biases b, z and the result f(z).

    Rows of W are the neurons of layer l+1, columns the neurons (pixels) of layer l; the input
    sits above W so each value lies over the column of weights it multiplies.

    Signals:
        neuronHovered(int layer, int index): the pointer is over a row (index −1: over none).
        neuronSelected(int layer, int index): a row was clicked.
    """

    neuronHovered = Signal(int, int)
    neuronSelected = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = None
        self._layer = 0
        self._products = None
        self._hovered = -1
        self._selected = -1
        self._dark = True
        self._dirty = False
        self._chooser = QComboBox(self)
        self._chooser.setToolTip("Which layer of weights to show")
        self._chooser.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # its items come later
        self._chooser.currentIndexChanged.connect(self._chosen)
        self._formula = QLabel(self)
        self._legend = QLabel(self)
        self._legend.setWordWrap(True)
        self._detail = QLabel(self)
        self._detail.setTextFormat(Qt.RichText)
        self._detail.setWordWrap(True)
        self._plots = MatrixPlots(self)
        self._plots.rowHovered.connect(self._on_hover)
        self._plots.rowClicked.connect(self._on_click)
        top = QHBoxLayout()
        top.addWidget(QLabel("Layer:", self))
        top.addWidget(self._chooser)
        top.addSpacing(12)
        top.addWidget(self._formula, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self._legend)
        layout.addWidget(self._plots, 1)
        layout.addWidget(self._detail)
        # at most one redraw per interval, at its end, however many snapshots arrive
        self._render_soon = qthrottled(self._render, RENDER_INTERVAL_MS, leading=False, parent=self)
        follow_theme(self)

    # -- inputs ------------------------------------------------------------------------------
    def set_snapshot(self, snap) -> None:
        """Store the newest snapshot; the matrix is redrawn soon (cheap to call at 60 Hz)."""
        if snap is self._snap:
            return
        rebuilt = self._snap is None or snap.sizes != self._snap.sizes
        self._snap = snap
        self._products = None
        if rebuilt:
            self._refill_chooser()
            self._layer = min(self._layer, snap.n_layers - 1)
            self._hovered = self._selected = -1
            self._set_layer_now(self._layer)
        else:
            self._dirty = True
            if self.isVisible():
                self._render_soon()

    def set_layer(self, weight_layer: int) -> None:
        """Show weight layer `weight_layer` (neuron layer weight_layer → weight_layer + 1)."""
        if self._snap is not None and not 0 <= weight_layer < self._snap.n_layers:
            return
        self._set_layer_now(int(weight_layer))

    def set_selected_neuron(self, layer: int, index: int) -> None:
        """Outline neuron (layer, index) if it is a row of the layer on show (e.g. chosen in the diagram)."""
        self._selected = index if layer == self._layer + 1 else -1
        self._plots.set_marks(self._hovered, self._selected)
        self._show_detail()

    def set_dark(self, dark: bool) -> None:
        """Switch between the dark and the light colour scheme."""
        self._dark = bool(dark)
        self._render()

    # -- what is shown ------------------------------------------------------------------------
    @property
    def layer_box(self) -> QComboBox:
        """Return the control that picks the weight layer."""
        return self._chooser

    @property
    def detail(self) -> QLabel:
        """Return the line that spells out the hovered or selected row."""
        return self._detail

    @property
    def plots(self) -> MatrixPlots:
        return self._plots

    def render_now(self) -> None:
        """Redraw now rather than at the next throttled turn."""
        self._render()

    def layer(self) -> int:
        return self._layer

    def result(self):
        """Return f(W a + b) for the layer on show, recomputed from the weights (None: no snapshot)."""
        products = self._compute()
        return None if products is None else products["a_out"]

    def products(self):
        """Return the dict of W, a_in, wa, b, z, a_out on show (None: no snapshot)."""
        return self._compute()

    def row_image(self):
        """Return the hovered (else selected) row of the first layer's W as shown, image-shaped, or None."""
        return self._plots.row_image()

    # -- internals -----------------------------------------------------------------------------
    def _compute(self):
        if self._products is None and self._snap is not None:
            self._products = layer_products(self._snap, self._layer)
        return self._products

    def _refill_chooser(self):
        sizes = self._snap.sizes
        self._chooser.blockSignals(True)
        self._chooser.clear()
        for l in range(len(sizes) - 1):
            kind = "output" if l == len(sizes) - 2 else "hidden"
            self._chooser.addItem(f"{l} → {l + 1} ({kind}): {sizes[l + 1]}×{sizes[l]}")
        self._chooser.blockSignals(False)

    def _chosen(self, index: int):
        if index >= 0:
            self.set_layer(index)

    def _set_layer_now(self, weight_layer: int):
        self._layer = weight_layer
        self._products = None
        self._hovered = self._selected = -1
        if self._snap is not None:
            self._chooser.blockSignals(True)
            self._chooser.setCurrentIndex(weight_layer)
            self._chooser.blockSignals(False)
            image = self._snap.image_shape if weight_layer == 0 and (
                int(np.prod(self._snap.image_shape)) == self._snap.sizes[0]) else None
            self._plots.build(self._snap.sizes[weight_layer + 1], self._snap.sizes[weight_layer], image,
                              weight_layer)
        self._render()

    def showEvent(self, event):
        super().showEvent(event)
        if self._dirty:
            self._render()

    def _render(self):
        self._dirty = False
        t = palette(self._dark)
        products = self._compute()
        if products is None:
            self._formula.setText("No network yet.")
            return
        lo, hi = self._layer, self._layer + 1
        f = FUNCTION_NAMES.get(products["function"], products["function"])
        n_out, n_in = products["w"].shape
        self._formula.setText(
            f"<b>a<sup>({hi})</sup> = {f}(W<sup>({hi})</sup> a<sup>({lo})</sup> + b<sup>({hi})</sup>)</b>"
            f" &nbsp; W is {n_out}×{n_in}")
        self._legend.setText(
            f"<span style='color:{hex_colour(t.muted)}'>Row j of W holds neuron j's weights; each input value "
            f"sits above the column it multiplies. Orange +, blue −; activations black 0 → white 1. "
            f"Scroll over W to zoom, drag to pan.</span>")
        self._plots.show_values(products, self._activation_levels(products))
        self._plots.set_marks(self._hovered, self._selected)
        self._show_detail()

    def _activation_levels(self, products) -> tuple:
        """Return the grey scale limits for the input and the result (sigmoid 0..1, tanh −1..1, …)."""
        def levels(name, values):
            low, high = act.RANGES.get(name, (None, None))
            low = float(min(values.min(), 0.0)) if low is None else low
            high = float(max(values.max(), 1e-9)) if high is None else high
            return low, high if high > low else low + 1.0
        snap = self._snap
        name_in = snap.activation if self._layer > 0 else "sigmoid"  # pixels lie in 0..1
        return levels(name_in, products["a_in"]), levels(products["function"], products["a_out"])

    def _on_hover(self, row: int):
        if row != self._hovered:
            self._hovered = row
            self._plots.set_marks(self._hovered, self._selected)
            self._show_detail()
            self.neuronHovered.emit(self._layer + 1, row)

    def _on_click(self, row: int):
        self._selected = row
        self._plots.set_marks(self._hovered, self._selected)
        self._show_detail()
        self.neuronSelected.emit(self._layer + 1, row)

    def leaveEvent(self, event):
        self._on_hover(-1)
        super().leaveEvent(event)

    def _show_detail(self):
        products = self._compute()
        row = self._hovered if self._hovered >= 0 else self._selected
        self._plots.show_row(products, row)
        if products is None or row < 0:
            self._detail.setText("Hover over a row to see its sum; click it to select the neuron.")
            return
        hi = self._layer + 1
        f = FUNCTION_NAMES.get(products["function"], products["function"])
        self._detail.setText(
            f"Neuron {row} of layer {hi}: Σ<sub>i</sub> w<sub>{row},i</sub> a<sub>i</sub> = {number(products['wa'][row])}"
            f", &nbsp;+ b<sub>{row}</sub> = {number(products['b'][row])} &nbsp;→&nbsp; z = {number(products['z'][row])}"
            f" &nbsp;→&nbsp; a = {f}(z) = <b>{number(products['a_out'][row])}</b>")

