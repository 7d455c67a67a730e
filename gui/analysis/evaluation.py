"""How the network does on the whole test set: a confusion matrix to click, and its worst mistakes."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.lesson.evaluation import evaluate_snapshot
from gui.analysis.evaluation_parts import ConfusionGrid, ExampleGallery
from gui.widgets.jobs import BackgroundRunner
from gui.widgets.room_watch import RoomWatcher

WORST_COUNT = 200
WORST_CHOICES = (("lowest output for the true class", "probability"), ("highest cost", "cost"))


class EvaluationView(QWidget):
    """Confusion matrix (true × predicted) of the snapshot's network, with the images behind each cell.

    Evaluates off the GUI thread when "Evaluate" is pressed and after every finished epoch.

    Signals:
        exampleRequested(str split, int index): an image was clicked; show it as the current example.
    """

    exampleRequested = Signal(str, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = self._dataset = self.result = None
        self._epoch_seen = None
        self._stale = False  # an evaluation is due as soon as the view is visible
        # the application's pool, so that waiting for background work (screenshots, closing) includes it
        self._runner = BackgroundRunner(self, pool=QThreadPool.globalInstance())
        self._runner.finished.connect(self._on_finished)
        self._runner.failed.connect(lambda _message: self._on_finished(None))  # shown as "no result"
        self._cell = None

        self.evaluate_button = QPushButton("Evaluate")
        self.evaluate_button.setToolTip("Run the network on every image of the split and count its answers")
        self.evaluate_button.clicked.connect(self.evaluate)
        self.split = QComboBox()
        self.split.addItems(["test set", "training set"])
        self.split.currentIndexChanged.connect(lambda _: self.evaluate())
        self.auto = QCheckBox("after each epoch")
        self.auto.setChecked(True)
        self.status = QLabel("Press Evaluate to see how the network does on every test image.")
        self.status.setWordWrap(True)

        self.grid = ConfusionGrid()
        self.grid.cellClicked.connect(self.show_cell)
        self.cell_gallery = ExampleGallery()
        self.worst_gallery = ExampleGallery()
        for gallery in (self.cell_gallery, self.worst_gallery):
            gallery.exampleClicked.connect(self.exampleRequested)
        self.worst_by = QComboBox()
        for text, _ in WORST_CHOICES:
            self.worst_by.addItem(f"ranked by {text}")
        self.worst_by.currentIndexChanged.connect(lambda _: self._show_worst())
        worst_page = QWidget()
        worst_layout = QVBoxLayout(worst_page)
        worst_layout.setContentsMargins(0, 4, 0, 0)
        worst_layout.addWidget(self.worst_by)
        worst_layout.addWidget(self.worst_gallery, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.cell_gallery, "Selected cell")
        self.tabs.addTab(worst_page, "Worst classified")
        self.splitter = QSplitter()
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(self.tabs)
        self.splitter.setChildrenCollapsible(False)
        self._room = RoomWatcher(self, self._arrange)

        top = QHBoxLayout()
        top.addWidget(self.evaluate_button)
        top.addWidget(self.split)
        top.addWidget(self.auto)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.splitter, 1)

    # -- inputs -----------------------------------------------------------------------------------
    def set_snapshot(self, snap) -> None:
        """Remember the newest snapshot; evaluate again when an epoch has finished since the last."""
        if snap is self._snap:
            return
        self._snap = snap
        if self._epoch_seen is None or snap.step == 0:
            self._epoch_seen = snap.epoch
        elif snap.epoch != self._epoch_seen:
            self._epoch_seen = snap.epoch
            if self.auto.isChecked():
                self._request()
        if self.result is None and self._dataset is not None:
            self._request()
        elif (self.auto.isChecked() and not snap.running and self._dataset is not None
              and self.result is not None and self.result.step != snap.step):
            self._request()  # paused or stepping by hand: a 10,000-image pass costs ~20 ms
        self._show_status()

    def set_dataset(self, ds) -> None:
        """Use a (new) dataset: forget results about the old one."""
        self._dataset = ds
        self.result = None
        self.grid.set_matrix(None, ds.class_names)
        for gallery in (self.cell_gallery, self.worst_gallery):
            gallery.set_examples(None, ds, np.zeros(0, int))
        self._request()

    # -- evaluation ---------------------------------------------------------------------------------
    def evaluate(self) -> None:
        """Evaluate the newest snapshot now (in the background)."""
        self._stale = True
        self._start()

    def _request(self) -> None:
        self._stale = True
        if self.isVisible():
            self._start()

    def showEvent(self, event):
        super().showEvent(event)
        if self._stale:
            self._start()

    def _arrange(self, room: int) -> None:
        # (called by the RoomWatcher on every resize of this panel or its dock)
        # Side by side in a wide dock, stacked in a tall or narrow one: the grid stays square
        # and legible, and the panel scrolls down rather than sideways.
        margins = self.layout().contentsMargins()
        # a widget's least width is its minimum hint or its set minimum (the grid has only the latter)
        least = [max(w.minimumSizeHint().width(), w.minimumWidth()) for w in (self.grid, self.tabs)]
        side_by_side = sum(least) + self.splitter.handleWidth() + margins.left() + margins.right()
        wide = room > 1.2 * self.height() and room >= side_by_side
        self.splitter.setOrientation(Qt.Horizontal if wide else Qt.Vertical)

    def _fits(self) -> bool:
        snap, ds = self._snap, self._dataset
        return (snap is not None and ds is not None and snap.sizes[0] == ds.n_inputs
                and snap.sizes[-1] == ds.n_classes)

    def _start(self) -> None:
        if not self._fits():
            return
        self._stale = False
        snap, dataset, split = self._snap, self._dataset, self._split_name()
        self.evaluate_button.setEnabled(False)
        self._runner.submit(lambda: evaluate_snapshot(snap, dataset, split))  # one at a time, the newest next

    def _on_finished(self, result) -> None:
        self.evaluate_button.setEnabled(True)
        if result is not None and result.split == self._split_name():
            self.result = result
            self.grid.set_matrix(result.confusion, self._dataset.class_names)
            self._show_worst()
            if self._cell is not None:
                self.show_cell(*self._cell)
        self._show_status()

    def wait_idle(self, msecs: int = 5000) -> bool:
        """Block until no evaluation is in flight (for tests and shutdown)."""
        return self._runner.wait(msecs)

    # -- showing ---------------------------------------------------------------------------------
    def show_cell(self, true: int, predicted: int) -> None:
        """Show the images of class `true` that the network called `predicted`."""
        if self.result is None:
            return
        self._cell = (true, predicted)
        self.grid.set_selected(true, predicted)
        names = self._dataset.class_names
        indices = self.result.cell(true, predicted)
        verdict = "correct" if true == predicted else "mistakes"
        self.tabs.setTabText(0, f"{names[true]} → {names[predicted]} ({len(indices):,} {verdict})")
        self.cell_gallery.set_examples(self.result, self._dataset, indices)
        self.tabs.setCurrentIndex(0)

    def _show_worst(self) -> None:
        if self.result is None:
            return
        by = WORST_CHOICES[self.worst_by.currentIndex()][1]
        self.worst_gallery.set_examples(self.result, self._dataset, self.result.worst(WORST_COUNT, by))

    def _split_name(self) -> str:
        return "test" if self.split.currentIndex() == 0 else "train"

    def _show_status(self) -> None:
        r = self.result
        if r is None:
            return
        text = (f"{self._split_name().capitalize()} accuracy {100 * r.accuracy:.2f} %"
                f" ({int(np.trace(r.confusion)):,} of {r.n:,} right), mean cost {r.mean_cost:.4f},"
                f" at step {r.step:,}")
        if self._snap is not None and self._snap.step != r.step:
            text += " (the network has trained since: press Evaluate to update)"
        self.status.setText(text + ". Rows: the true class; columns: the network's answer. Click a cell.")
