"""Paint a first-layer neuron's weights by hand, or build the lesson's edge detector, and see what it does."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.lesson.edits import SetBias
from core.lesson.painting import THRESHOLD_BIAS, SetIncoming, clear_edit, edge_detector_edit, most_exciting, response
from core.lesson.patterns import shared_scale
from gui.lesson.paint_canvas import WeightCanvas
from gui.widgets.jobs import BackgroundRunner
from gui.widgets.support import Throttle, grey_pixmap, mosaic

TOOLS = (("paint+", "Paint +", "Paint positive weights of the chosen value"),
         ("paint-", "Paint −", "Paint negative weights of the chosen value"),
         ("erase", "Erase", "Set the weights you paint over to 0"),
         ("region", "Edge region", "Drag a region: positive weights in it, negative around it, 0 elsewhere"))
N_TOP = 9
TOP_SCALE = 2  # screen pixels per image pixel of the favourite test images
TOP_MS = 250  # the favourite test images follow the weights at most four times a second


class PaintWeightsView(QWidget):
    """A brush for the selected first-layer neuron's 28×28 weights, with its response shown at once.

    Every stroke, preset and clear is one edit for the training worker (undoable with Ctrl+Z);
    training may go on from the edited network.

    Signals:
        editRequested(object edit): apply this core.lesson edit.
        undoRequested(): undo the latest edit.
    """

    editRequested = Signal(object)
    undoRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = None
        self._dataset = None
        self._test_x = None  # (N, n_in) float32, made when first needed
        self.index = 0  # the neuron of layer 1 being painted
        self._top_key = None
        self.top_indices = np.zeros(0, dtype=np.intp)

        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.canvas = WeightCanvas(parent=self)
        self.canvas.strokeFinished.connect(self._on_stroke)
        self.canvas.regionChosen.connect(self._on_region)
        self.canvas.previewChanged.connect(self._show_response)
        self.tools = QButtonGroup(self)
        tool_row = QGridLayout()  # two by two: four in a row would not fit a narrow dock
        for k, (key, text, tip) in enumerate(TOOLS):
            button = QPushButton(text, self)
            button.setCheckable(True)
            button.setToolTip(tip)
            button.setProperty("tool", key)
            self.tools.addButton(button, k)
            tool_row.addWidget(button, k // 2, k % 2)
        self.tools.button(0).setChecked(True)
        self.tools.idClicked.connect(lambda _: self._tool_changed())
        self.value = QDoubleSpinBox(self)
        self.value.setRange(0.05, 20.0)
        self.value.setSingleStep(0.25)
        self.value.setValue(1.0)
        self.value.setToolTip("The size of the weights a stroke or the edge preset writes")
        self.value.valueChanged.connect(lambda _: self._tool_changed())
        self.radius = QSpinBox(self)
        self.radius.setRange(0, 3)
        self.radius.setToolTip("Brush radius in pixels (0: one pixel)")
        self.radius.valueChanged.connect(lambda _: self._tool_changed())
        self.clear_button = QPushButton("Set all to 0", self)
        self.clear_button.clicked.connect(self.clear_weights)
        self.bias_button = QPushButton(f"Bias {THRESHOLD_BIAS:g}".replace("-", "−"), self)
        self.bias_button.setToolTip("The lesson's threshold: the neuron lights up only when its weighted sum passes 10")
        self.bias_button.clicked.connect(self.set_threshold_bias)
        undo = QPushButton("Undo", self)
        undo.setToolTip("Undo the latest edit (Ctrl+Z)")
        undo.clicked.connect(self.undoRequested.emit)
        settings = QGridLayout()
        settings.addWidget(QLabel("weight", self), 0, 0)
        settings.addWidget(self.value, 0, 1)
        settings.addWidget(QLabel("brush radius", self), 0, 2)
        settings.addWidget(self.radius, 0, 3)
        buttons = QHBoxLayout()
        for button in (self.clear_button, self.bias_button, undo):
            buttons.addWidget(button)
        self.readout = QLabel(self)
        self.readout.setTextFormat(Qt.RichText)
        self.readout.setWordWrap(True)
        self.top_title = QLabel(f"The {N_TOP} test images that excite it most", self)
        self.top_images = QLabel(self)
        self.top_caption = QLabel(self)
        self.top_caption.setWordWrap(True)
        self.hint = QLabel("The lesson's edge detector: choose <i>Edge region</i> and drag a thin stripe; then"
                           f" <i>Bias {THRESHOLD_BIAS:g}</i>. The neuron now fires only when the stripe is bright"
                           " and its surround dark.", self)
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addLayout(tool_row)
        layout.addLayout(settings)
        layout.addWidget(self.canvas, 0, Qt.AlignHCenter)
        layout.addLayout(buttons)
        layout.addWidget(self.readout)
        layout.addWidget(self.hint)
        layout.addWidget(self.top_title)
        layout.addWidget(self.top_images, 0, Qt.AlignHCenter)
        layout.addWidget(self.top_caption)
        layout.addStretch(1)
        self._runner = BackgroundRunner(self)
        self._runner.finished.connect(self._on_top)
        self._top_throttle = Throttle(TOP_MS, self._request_top, self)
        self._tool_changed()
        self._show()

    # -- inputs ------------------------------------------------------------------------------
    def set_snapshot(self, snap) -> None:
        """Show the neuron's weights in the newest snapshot."""
        if snap is self._snap:
            return
        self._snap = snap
        self.index = min(self.index, snap.sizes[1] - 1)
        self._show()

    def set_dataset(self, dataset) -> None:
        self._dataset, self._test_x, self._top_key = dataset, None, None
        self._top_throttle.request()

    def set_neuron(self, layer: int, index: int) -> None:
        """Paint neuron `index` if it is in the first hidden layer (other layers keep the last one)."""
        if layer == 1 and index != self.index:
            self.index = int(index)
            self._show()

    # -- actions (the buttons call these; so can a tour or a test) --------------------------------
    def clear_weights(self) -> None:
        if self._paintable():
            self.editRequested.emit(clear_edit(self._snap.sizes, 1, self.index))

    def set_threshold_bias(self) -> None:
        if self._paintable():
            self.editRequested.emit(SetBias(self._snap.sizes, 1, self.index, THRESHOLD_BIAS))

    def make_edge_detector(self, top: int, left: int, bottom: int, right: int) -> None:
        if self._paintable():
            self.editRequested.emit(edge_detector_edit(self._snap.sizes, self.index, self._shape(),
                                                       (top, left, bottom, right), self.value.value()))

    def tool(self) -> str:
        return self.tools.checkedButton().property("tool")

    def set_tool(self, key: str) -> None:
        for button in self.tools.buttons():
            button.setChecked(button.property("tool") == key)
        self._tool_changed()

    # -- internals -----------------------------------------------------------------------------
    def _shape(self):
        return tuple(self._snap.image_shape)

    def _paintable(self) -> bool:
        snap = self._snap
        return snap is not None and len(snap.image_shape) == 2 and \
            snap.image_shape[0] * snap.image_shape[1] == snap.sizes[0]

    def _tool_changed(self):
        tool = self.tool()
        self.canvas.mode = "region" if tool == "region" else "paint"
        self.canvas.value = {"paint+": 1.0, "paint-": -1.0, "erase": 0.0, "region": 1.0}[tool] * self.value.value()
        self.canvas.radius = self.radius.value()

    def _on_stroke(self, cells, value):
        if self._paintable():
            what = "erase" if value == 0 else "paint"
            self.editRequested.emit(SetIncoming(self._snap.sizes, 1, self.index, tuple(int(c) for c in cells),
                                                (float(value),) * len(cells), what=what))

    def _on_region(self, top, left, bottom, right):
        self.make_edge_detector(top, left, bottom, right)

    def _show(self):
        snap = self._snap
        if snap is None:
            self.title.setText("No network yet.")
            return
        if not self._paintable():
            self.title.setText(f"This network reads {snap.sizes[0]} inputs, not an image: there is no picture"
                               " of weights to paint.")
            self.canvas.setEnabled(False)
            return
        self.canvas.setEnabled(True)
        w = snap.weights[0][self.index]
        self.title.setText(f"<b>Neuron {self.index} of layer 1</b>: its {w.size} incoming weights, one per pixel."
                           " Paint on them; each stroke is one edit (Ctrl+Z undoes it).")
        self.canvas.set_weights(w, self._shape(), max(shared_scale(snap.weights[0]), abs(self.value.value())))
        self._show_response()
        self._top_throttle.request()

    def _show_response(self):
        snap = self._snap
        if snap is None or not self._paintable():
            return
        b = float(snap.biases[0][self.index])
        z, a = response(self.canvas.shown_weights(), b, snap.activations[0], snap.activation)
        preview = " (with the stroke being painted)" if self.canvas.is_dragging() else ""
        self.readout.setText(f"On the current image{preview}: z = Σ w·x + b = <b>{z:+.3f}</b>"
                             f" (bias {b:+.3f}), a = {snap.activation}(z) = <b>{a:.3f}</b>")

    def _request_top(self):
        snap, ds = self._snap, self._dataset
        if snap is None or ds is None or not self._paintable() or ds.n_inputs != snap.sizes[0]:
            return
        w = np.array(snap.weights[0][self.index], dtype=np.float32)
        b = float(snap.biases[0][self.index])
        key = (self.index, w.tobytes(), b)
        if key == self._top_key:
            return
        self._top_key = key
        if self._test_x is None:
            self._test_x = ds.inputs("test")
        x = self._test_x
        self._runner.submit(lambda: most_exciting(w, b, x, N_TOP))

    def _on_top(self, result):
        indices, zs = result
        snap, ds = self._snap, self._dataset
        if snap is None or ds is None:
            return
        self.top_indices = np.asarray(indices)
        images = ds.images("test")[self.top_indices].astype(np.float32) / 255.0
        self.top_images.setPixmap(grey_pixmap(mosaic(images, 3, gap=2), TOP_SCALE))
        names = snap.class_names
        labels = ds.labels("test")[self.top_indices]
        self.top_caption.setText("z: " + ", ".join(f"{float(z):+.1f} ({names[int(k)]})" for z, k in zip(zs, labels)))

    def wait_idle(self, msecs: int = 10000) -> bool:
        """Block until the favourite images are computed (for tests and scripts)."""
        return self._runner.wait(msecs)
