"""The last mini-batch: its images, and each example's gradient for a few parameters next to their average."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.data import PIXEL_SCALE
from core.lesson.neuron_stats import chosen_parameters, network_from, per_example_gradients
from gui.widgets.jobs import BackgroundRunner
from gui.widgets.names import source_namer
from gui.widgets.support import Throttle, grey_pixmap, mosaic

MAX_IMAGES = 100  # images drawn; the table lists every example
MOSAIC_SIDE = 300  # pixels the image grid may take
N_WEIGHTS = 3  # strongest incoming weights shown next to the bias (keeps the table readable in a dock)
SUMMARY = ("value before", "average", "step used", "change made")


@dataclass(frozen=True)
class BatchGradients:
    """Per-example gradients of the chosen parameters for one mini-batch."""

    batch_params: np.ndarray  # identity tells which snapshot's batch this is
    neuron: tuple
    chosen: list  # [(name, flat index, source index or None)]
    per_example: np.ndarray  # (N, K)


class BatchView(QWidget):
    """The mini-batch the last step trained on: its images and the "average over the examples" table.

    Every gradient in the table is computed at the parameters the step started from
    (`snap.batch_params`), so the average row equals the gradient the step used
    (`snap.batch_grad`). No signals.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = self._dataset = self.result = None
        self.layer, self.index = 1, 0
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.RichText)
        self.images = QLabel()
        self.images.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.images_caption = QLabel()
        self.images_caption.setWordWrap(True)
        left = QVBoxLayout()
        left.addWidget(self.images)
        left.addWidget(self.images_caption)
        left.addStretch(1)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 4)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.check = QLabel()
        self.check.setWordWrap(True)
        self.check.setTextFormat(Qt.TextFormat.RichText)
        self.check.setObjectName("check")
        right = QVBoxLayout()
        right.addWidget(self.table, 1)
        right.addWidget(self.check)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.addLayout(left)
        self.body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.intro)
        layout.addLayout(self.body, 1)
        self._runner = BackgroundRunner(self)
        self._runner.finished.connect(self._on_gradients)
        self._runner.failed.connect(lambda message: self.check.setText(f"Could not compute: {message}"))
        self._throttle = Throttle(500, self.update_gradients, self)
        self.refresh()

    # -- inputs --------------------------------------------------------------------------------
    def set_snapshot(self, snap) -> None:
        """Store the newest snapshot; a new mini-batch is worked out shortly after (throttled)."""
        if snap is self._snap:
            return
        self._snap = snap
        self._throttle.request()

    def set_dataset(self, dataset) -> None:
        self._dataset = dataset
        self._throttle.request()

    def set_neuron(self, layer: int, index: int) -> None:
        self.layer, self.index = int(layer), int(index)
        self.update_gradients()

    def showEvent(self, event):
        super().showEvent(event)
        self._throttle.request()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        # side by side in a wide dock (the bottom area), stacked in a tall one
        wide = event.size().width() > 1.3 * event.size().height()
        self.body.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)

    # -- computing -----------------------------------------------------------------------------
    def _problem(self) -> str:
        snap, ds = self._snap, self._dataset
        if snap is None:
            return "Waiting for the network."
        if snap.batch is None or snap.batch_grad is None or snap.batch_params is None:
            return "No mini-batch yet: take a training step."
        if ds is None or ds.n_inputs != snap.sizes[0] or int(np.max(snap.batch)) >= len(ds.train_labels):
            return "The mini-batch's examples are not in the open dataset."
        if self.layer == 0:
            return ("An input pixel has no bias or incoming weights: select a neuron of a hidden or the"
                    " output layer to see its parameters' gradients.")
        if not (1 <= self.layer <= snap.n_layers and 0 <= self.index < snap.sizes[self.layer]):
            return "The selected neuron is not in this network."
        return ""

    def update_gradients(self) -> None:
        """Start computing the per-example gradients if the batch or the neuron changed."""
        if not self.isVisible():
            return  # a hidden view does no work; showing it asks again
        problem = self._problem()
        if problem:
            self.result = None
            self.refresh(problem)
            return
        snap, ds = self._snap, self._dataset
        neuron = (self.layer, self.index)
        if self.result is not None and self.result.batch_params is snap.batch_params and self.result.neuron == neuron:
            return
        weights_before, _ = snap.grad_views(snap.batch_params)
        chosen = chosen_parameters(snap.sizes, weights_before, self.layer, self.index, N_WEIGHTS)
        batch = snap.batch

        def compute():
            # the batch's pixels as the trainer saw them (ds.inputs would convert the whole
            # training set on first use: a GUI freeze of most of a second)
            x = np.multiply(ds.images("train")[batch].reshape(len(batch), -1), PIXEL_SCALE, dtype=np.float32)
            y = ds.labels("train")[batch]
            net = network_from(snap, snap.batch_params)
            rows = per_example_gradients(net, net.as_input(x), y, [flat for _, flat, _ in chosen])
            return BatchGradients(snap.batch_params, neuron, chosen, rows)

        self._runner.submit(compute)

    def _on_gradients(self, result: BatchGradients):
        self.result = result
        self.refresh()

    # -- drawing -------------------------------------------------------------------------------
    @property
    def average(self):
        return None if self.result is None else self.result.per_example.mean(axis=0)

    def refresh(self, problem: str = "") -> None:
        """Show the stored result (or say why there is none)."""
        snap, result = self._snap, self.result
        if problem or result is None or snap is None or result.batch_params is not snap.batch_params:
            self.intro.setText(problem or "Working out each example's gradient…")
            if problem:
                self.table.setRowCount(0)
                self.images.clear()
                self.images_caption.clear()
                self.check.clear()
            return
        self._show_intro(snap)
        self._show_images(snap)
        self._show_table(snap, result)

    def _show_intro(self, snap):
        from gui.widgets.names import neuron_title

        n = len(snap.batch)
        rule = ("−η × that average" if snap.optimizer == "sgd"
                else f"what {snap.optimizer} made of that average")
        self.intro.setText(
            f"<b>The mini-batch of step {snap.step:,}</b>: {n} training examples. Each example's cost has"
            f" its own gradient; the step used their <b>average</b> and moved every parameter by {rule}."
            f" Below, for <b>{neuron_title(snap, self.layer, self.index)}</b>: its bias and its"
            f" {N_WEIGHTS} strongest incoming weights"
            + (" (named by the pixel (row, column) they come from)" if self.layer == 1 else "")
            + ", with every gradient taken at the parameters before the step.")

    def _show_images(self, snap):
        ds = self._dataset
        shown = snap.batch[:MAX_IMAGES]
        images = ds.train_images[shown] / 255.0
        columns = int(np.ceil(np.sqrt(len(shown) * 2.0)))  # a wider-than-tall grid
        h, w = images.shape[1:]
        scale = max(1, MOSAIC_SIDE // (columns * (w + 1)))
        self.images.setPixmap(grey_pixmap(mosaic(images, columns), scale))
        more = f" (the first {MAX_IMAGES} of {len(snap.batch)})" if len(snap.batch) > MAX_IMAGES else ""
        self.images_caption.setText(f"The batch's images{more}, in the table's order: left to right,"
                                    " then top to bottom.")

    def _show_table(self, snap, result):
        names = source_namer(snap, self.layer)
        short = (lambda i: names(i).removeprefix("pixel ")) if self.layer == 1 else names
        headers = ["example: label"] + ["∂C/∂b" if source is None else f"∂C/∂w\n{short(source)}"
                                          for _, _, source in result.chosen]
        flat = np.array([f for _, f, _ in result.chosen])
        summary = [snap.batch_params[flat], self.average, snap.batch_grad[flat], snap.params[flat] - snap.batch_params[flat]]
        rows = [(SUMMARY[k], summary[k]) for k in range(len(SUMMARY))]
        labels = self._dataset.train_labels[snap.batch]
        rows += [(f"#{int(i)}: {snap.class_names[int(c)]}", g)
                 for i, c, g in zip(snap.batch, labels, result.per_example)]
        table = self.table
        table.setUpdatesEnabled(False)
        # Columns are sized to their contents once, after the fill: in ResizeToContents mode
        # every cell set re-measured its whole column, and a 100-example batch took a second.
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setRowCount(len(rows))
        bold = QFont(self.font())
        bold.setBold(True)
        for r, (name, values) in enumerate(rows):
            cells = [name] + [f"{v:.2e}" if v else "0" for v in values]  # a silent input's weight gets exactly 0
            for c, text in enumerate(cells):
                item = table.item(r, c)
                if item is None:  # made once per cell; later batches only change the text
                    item = QTableWidgetItem()
                    item.setTextAlignment((Qt.AlignmentFlag.AlignLeft if c == 0 else Qt.AlignmentFlag.AlignRight)
                                          | Qt.AlignmentFlag.AlignVCenter)
                    if r < len(SUMMARY):
                        item.setFont(bold)
                    table.setItem(r, c, item)
                item.setText(text)
        table.verticalHeader().setVisible(False)
        table.resizeColumnsToContents()
        table.setUpdatesEnabled(True)
        gap = float(np.max(np.abs(self.average - snap.batch_grad[flat])))
        scale = float(np.max(np.abs(snap.batch_grad[flat]))) or 1.0
        agree = "equals" if gap <= 1e-4 * scale + 1e-7 else "DIFFERS FROM"
        self.check.setText(f"<b>average</b>: the mean of the {len(snap.batch)} example rows; it {agree} the"
                           f" <b>step used</b>, the gradient the step was given (largest difference {gap:.1e},"
                           " float rounding). <b>value before</b>: the parameter when the step began;"
                           " <b>change made</b>: after − before"
                           + (" = −η × step used." if snap.optimizer == "sgd" else "."))
