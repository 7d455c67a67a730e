"""The inspector's test-set section: one neuron's activations over the test set, and its favourite images."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from core.lesson.neuron_stats import activation_histogram, most_active
from gui.widgets.support import grey_pixmap, style_plot
from gui.widgets.theme import follow_theme, palette

N_TOP = 9
IMAGE_SCALE = 3


class TestSetPanel(QWidget):
    """A histogram of one neuron's activation over the test set and the nine test images that activate it most."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel("")
        self.status.setObjectName("testset_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.histogram = pg.PlotWidget()
        self.histogram.setFixedHeight(150)
        self.histogram.setMenuEnabled(False)
        self.histogram.setMouseEnabled(False, False)
        self.histogram.hideButtons()
        plot = self.histogram.getPlotItem()
        plot.setLabel("bottom", "activation a")
        plot.setLabel("left", "test images")
        self.bars = pg.BarGraphItem(x0=[], x1=[], height=[], y0=0)
        plot.addItem(self.bars)
        self.marker = pg.InfiniteLine(angle=90, label="this example", labelOpts={"position": 0.88})
        plot.addItem(self.marker)
        layout.addWidget(self.histogram)
        self.top_title = QLabel(f"The {N_TOP} test images that activate it most")
        layout.addWidget(self.top_title)
        grid = QGridLayout()
        grid.setSpacing(4)
        self.images, self.captions = [], []
        for k in range(N_TOP):
            image, caption = QLabel(), QLabel()
            image.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption.setObjectName(f"top_caption_{k}")
            r, c = divmod(k, 3)
            grid.addWidget(image, 2 * r, c)
            grid.addWidget(caption, 2 * r + 1, c)
            self.images.append(image)
            self.captions.append(caption)
        layout.addLayout(grid)
        self.top_indices = np.zeros(0, dtype=np.intp)
        self._dark = True
        follow_theme(self)

    def show_message(self, text: str) -> None:
        """Say why there is nothing to show (no dataset, still computing, …) and clear the pictures."""
        self.status.setText(text)
        self.bars.setOpts(x0=[], x1=[], height=[])
        for image, caption in zip(self.images, self.captions):
            image.clear()
            caption.clear()
        self.top_indices = np.zeros(0, dtype=np.intp)

    def show_stats(self, values, zs, function: str, images, labels, class_names, step: int,
                   current: float | None) -> None:
        """Show the activations `values` (N,) and weighted sums `zs` of the test images (N, H, W) at `step`."""
        self.status.setText(f"Over the {len(values):,} test images, with the parameters of step {step:,}"
                            " (refreshed about once a second while training runs).")
        counts, edges = activation_histogram(values, function)
        self.bars.setOpts(x0=edges[:-1], x1=edges[1:], height=counts, y0=0)
        self.histogram.setXRange(edges[0], edges[-1], padding=0.02)
        self.histogram.setYRange(0, max(1, counts.max()), padding=0.05)
        self.set_current(current)
        self.top_indices = most_active(values, zs, N_TOP)
        for k, (image, caption) in enumerate(zip(self.images, self.captions)):
            if k < len(self.top_indices):
                i = int(self.top_indices[k])
                image.setPixmap(grey_pixmap(np.asarray(images[i]) / 255.0, IMAGE_SCALE))
                caption.setText(f"“{class_names[int(labels[i])]}”  a = {values[i]:.3f}\nz = {zs[i]:+.2f}")
                image.setToolTip(f"test image {i}, label {class_names[int(labels[i])]}")
            else:
                image.clear()
                caption.clear()

    def set_current(self, current: float | None) -> None:
        """Mark the current example's activation on the histogram (None: no mark)."""
        if current is not None and np.isfinite(current):
            self.marker.setValue(current)
            self.marker.show()
        else:
            self.marker.hide()

    def set_dark(self, dark: bool) -> None:
        self._dark = dark
        self.histogram.setBackground(palette(dark).background)
        plot = self.histogram.getPlotItem()
        style_plot(plot, dark)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setLabel(axis.labelText, color=palette(dark).foreground)
        self.bars.setOpts(brush=pg.mkBrush(*palette(dark).muted), pen=pg.mkPen(None))
        self.marker.setPen(pg.mkPen(palette(dark).selection, width=2))
        self.marker.label.setColor(palette(dark).foreground)
