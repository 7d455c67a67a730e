"""Show the network inputs from outside the data and say what its answer tells us."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from core.lesson.probes import blank, caption, class_average, reading, rotated, shifted, uniform_noise
from gui.widgets.support import grey_pixmap
from gui.widgets.theme import follow_theme, palette

PREVIEW_SCALE = 4


class ProbesView(QWidget):
    """Buttons that feed the network noise, a blank image, the current image moved or turned, a class's average.

    Signals:
        inputRequested(object x): show the network this (n_in,) float32 input in [0, 1].
        backToData(): show the data again (the current mini-batch).
    """

    inputRequested = Signal(object)
    backToData = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = None
        self._dataset = None
        self._dark = True
        self._base = None  # the last dataset image shown: what "shift" and "rotate" start from
        self._base_answer = None  # the network's answer for it
        self._sent = None  # (kind, x) of the last probe sent
        self._noise_seed = 0
        self.noun = "digit"

        self.intro = QLabel("Show the network something that is not in the data. It must still answer with one"
                            " of its classes.", self)
        self.intro.setWordWrap(True)
        self.noise_button = QPushButton("Random noise", self)
        self.noise_button.clicked.connect(lambda: self.show_probe("noise"))
        self.blank_button = QPushButton("Blank image", self)
        self.blank_button.clicked.connect(lambda: self.show_probe("blank"))
        self.shift_button = QPushButton("Shift the current image", self)
        self.shift_button.clicked.connect(lambda: self.show_probe("shift"))
        self.down, self.right = self._spin(-10, 10, 0, "rows down"), self._spin(-10, 10, 4, "columns right")
        self.rotate_button = QPushButton("Rotate the current image", self)
        self.rotate_button.clicked.connect(lambda: self.show_probe("rotate"))
        self.degrees = self._spin(-180, 180, 30, "degrees anticlockwise")
        self.degrees.setSingleStep(5)
        self.degrees.setSuffix("°")
        self.down.setPrefix("↓ ")
        self.right.setPrefix("→ ")
        self.average_button = QPushButton("Average image of", self)
        self.average_button.clicked.connect(lambda: self.show_probe("average"))
        self.which_class = QComboBox(self)
        self.back_button = QPushButton("Back to the data", self)
        self.back_button.clicked.connect(self._back)
        grid = QGridLayout()
        grid.addWidget(self.noise_button, 0, 0)
        grid.addWidget(self.blank_button, 0, 1)
        grid.addWidget(self.shift_button, 1, 0)
        grid.addWidget(self.down, 1, 1)
        grid.addWidget(self.right, 1, 2)
        grid.addWidget(self.rotate_button, 2, 0)
        grid.addWidget(self.degrees, 2, 1)
        grid.addWidget(self.average_button, 3, 0)
        grid.addWidget(self.which_class, 3, 1, 1, 2)
        self.preview = QLabel(self)
        self.answer = QLabel(self)
        self.answer.setTextFormat(Qt.RichText)
        self.answer.setWordWrap(True)
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.intro)
        layout.addLayout(grid)
        layout.addWidget(self.preview, 0, Qt.AlignHCenter)
        layout.addWidget(self.answer)
        layout.addWidget(self.caption)
        layout.addWidget(self.back_button, 0, Qt.AlignLeft)
        layout.addStretch(1)
        follow_theme(self)

    def _spin(self, low, high, value, tip):
        spin = QSpinBox(self)
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setToolTip(tip)
        return spin

    # -- inputs ------------------------------------------------------------------------------
    def set_dataset(self, dataset) -> None:
        self._dataset = dataset
        self.which_class.clear()
        self.which_class.addItems([str(name) for name in dataset.class_names])

    def set_noun(self, noun: str) -> None:
        """Name what the data holds ("digit", or "class" for a dataset of other things)."""
        self.noun = noun

    def set_snapshot(self, snap) -> None:
        """Remember a dataset image as the base for moving; show the answer when the snapshot is of a probe."""
        self._snap = snap
        if snap.example_split != "drawn":
            if self._image_like(snap):
                self._base = np.array(snap.image, dtype=np.float32)
                self._base_answer = snap.class_names[snap.prediction]
            return
        if self._sent is None or np.asarray(snap.activations[0]).shape != self._sent[1].shape \
                or not np.allclose(snap.activations[0], self._sent[1], atol=1e-6):
            return  # a drawing from the drawing panel, not ours
        kind = self._sent[0]
        k, confidence = reading(snap.activations[-1])
        name = snap.class_names[k]
        colour = palette(self._dark).hex("selection")
        self.answer.setText(f'The network reads: <b style="color:{colour}">{name}</b> (output {confidence:.2f})')
        self.caption.setText(caption(kind, name, confidence, self.noun,
                                     self._base_answer if kind in ("shift", "rotate") else None))

    def set_dark(self, dark: bool) -> None:
        self._dark = bool(dark)

    # -- actions -----------------------------------------------------------------------------
    def show_probe(self, kind: str) -> None:
        """Make the probe `kind` (noise, blank, shift, rotate, average) and ask the network to read it."""
        snap = self._snap
        if snap is None or not self._image_like(snap):
            self.caption.setText("This network does not read images, so there is no picture to show it.")
            return
        shape = tuple(snap.image_shape)
        if kind == "noise":
            self._noise_seed += 1
            image = uniform_noise(shape, self._noise_seed)
        elif kind == "blank":
            image = blank(shape)
        elif kind in ("shift", "rotate"):
            if self._base is None or self._base.shape != shape:
                self.caption.setText("Show a training or test image first: it is the one that is moved.")
                return
            image = (shifted(self._base, self.down.value(), self.right.value()) if kind == "shift"
                     else rotated(self._base, self.degrees.value()))
        elif kind == "average":
            ds = self._dataset
            if ds is None or ds.n_inputs != snap.sizes[0]:
                return
            image = class_average(ds.images("train"), ds.labels("train"), self.which_class.currentIndex())
        else:
            raise ValueError(f"unknown probe {kind!r}")
        x = np.clip(image, 0.0, 1.0).astype(np.float32).reshape(-1)
        self._sent = (kind, x)
        self.preview.setPixmap(grey_pixmap(image, PREVIEW_SCALE))
        self.answer.setText("")
        self.caption.setText("")
        self.inputRequested.emit(x.copy())

    def _back(self):
        self._sent = None
        self.answer.setText("")
        self.caption.setText("")
        self.backToData.emit()

    @staticmethod
    def _image_like(snap) -> bool:
        shape = snap.image_shape
        return len(shape) == 2 and shape[0] * shape[1] == snap.sizes[0]
