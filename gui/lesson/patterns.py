"""Every neuron of a layer side by side, each drawn as the picture of its incoming weights."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import QComboBox, QGraphicsRectItem, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from superqt.utils import qthrottled

from core.lesson.patterns import compose, page_layout, shared_scale, tile_shape, weight_tiles
from gui.widgets import colours
from gui.widgets.theme import follow_theme, palette

RENDER_INTERVAL_MS = 100  # while training runs, the mosaic is redrawn at most ten times a second
PAGE_SIZE = 64  # neurons on one page: 28×28 tiles stay big enough to read in a bottom dock
GAP = 2  # cells between tiles
GAP_COLOUR = {True: (70, 74, 84), False: (200, 200, 205)}


def mosaic_rgb(mosaic, scale: float, lut, gap_rgb, layout, background) -> np.ndarray:
    """Return the mosaic (H, W) coloured on the diverging scale ±scale, gaps (NaN) in gap_rgb.

    The free places after the last tile of the last row take the background colour.
    """
    rgb = lut[colours.to_bins(mosaic, scale, len(lut))]
    rgb[np.isnan(mosaic)] = gap_rgb
    used = layout.n_tiles % layout.columns
    if used:
        top, left = layout.origin(layout.n_tiles)
        rgb[max(0, top - layout.gap):, max(0, left - layout.gap):] = background
    return rgb


class WeightPatternsView(QWidget):
    """Shows every neuron of one layer as a tile of its incoming weights, on one shared colour scale.

    Signals:
        neuronSelected(int layer, int index): a tile was clicked.
        neuronHovered(int layer, int index): the pointer is over a tile (index −1: over none).
    """

    neuronSelected = Signal(int, int)
    neuronHovered = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = None
        self._layer = 1  # the neuron layer on show (its weights come from layer − 1)
        self._page = 0
        self._hovered = -1
        self._selected = -1
        self._dark = True
        self._dirty = False
        self._layout = None
        self._scale = 1.0
        self._wanted = None  # a selection made before the first snapshot
        self.mosaic = None  # the (H, W) weights on show, NaN in the gaps (for tests and tools)

        self._chooser = QComboBox(self)
        self._chooser.setToolTip("Which layer's neurons to show")
        self._chooser.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self._chooser.currentIndexChanged.connect(self._chosen)
        self._prev = QPushButton("◀", self)
        self._next = QPushButton("▶", self)
        for button, step in ((self._prev, -1), (self._next, 1)):
            button.setFixedWidth(28)
            button.clicked.connect(lambda _=False, s=step: self.set_page(self._page + s))
        self._page_label = QLabel(self)
        self._scale_label = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Neurons of:", self))
        top.addWidget(self._chooser)
        top.addWidget(self._prev)
        top.addWidget(self._page_label)
        top.addWidget(self._next)
        top.addStretch(1)
        top.addWidget(self._scale_label)

        self._plot = pg.GraphicsLayoutWidget(self)
        self._box = self._plot.addViewBox(lockAspect=True, enableMouse=False)
        self._box.invertY(True)
        self._image = pg.ImageItem(axisOrder="row-major")
        self._box.addItem(self._image)
        self._marks = (QGraphicsRectItem(), QGraphicsRectItem())
        for rect, z in zip(self._marks, (10, 11)):
            rect.setZValue(z)
            rect.setVisible(False)
            self._box.addItem(rect, ignoreBounds=True)
        self._plot.scene().sigMouseMoved.connect(self._moved)
        self._plot.scene().sigMouseClicked.connect(self._clicked)
        self._plot.setMinimumHeight(120)

        self.detail = QLabel(self)
        self.detail.setTextFormat(Qt.RichText)
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self._plot, 1)
        layout.addWidget(self.detail)
        self._render_soon = qthrottled(self._render, RENDER_INTERVAL_MS, leading=False, parent=self)
        follow_theme(self)

    # -- inputs ------------------------------------------------------------------------------
    def set_snapshot(self, snap) -> None:
        """Store the newest snapshot; the mosaic is redrawn at the panel's own rate (cheap at 60 Hz)."""
        if snap is self._snap:
            return
        rebuilt = self._snap is None or snap.sizes != self._snap.sizes
        self._snap = snap
        if rebuilt:
            self._refill_chooser()
            self._set_layer_now(min(self._layer, len(snap.sizes) - 1))
            if self._wanted is not None:
                wanted, self._wanted = self._wanted, None
                self.set_neuron(*wanted)
        elif not self.isVisible():
            self._dirty = True
        else:
            self._render_soon()

    def set_layer(self, layer: int) -> None:
        """Show the neurons of neuron layer `layer` (1 = the first hidden layer)."""
        if self._snap is not None and not 1 <= layer < len(self._snap.sizes):
            return
        self._set_layer_now(int(layer))

    def set_page(self, page: int) -> None:
        """Show page `page` (0-based) of the layer's neurons, PAGE_SIZE at a time."""
        page = max(0, min(int(page), self.page_count() - 1))
        if page != self._page:
            self._page = page
            self._hovered = -1
            self._render()

    def set_neuron(self, layer: int, index: int) -> None:
        """Outline the selected neuron (chosen anywhere in the app); turn to its layer and page."""
        if self._snap is None:
            self._wanted = (int(layer), int(index))  # applied when the first snapshot comes
            return
        if not 1 <= layer < len(self._snap.sizes):
            self._selected = -1
            self._update_marks()
            self._show_detail()
            return
        if layer != self._layer:
            self._set_layer_now(layer)
        self._selected = int(index)
        self._page = min(self._selected // PAGE_SIZE, self.page_count() - 1)
        self._render()

    def set_dark(self, dark: bool) -> None:
        """Switch between the dark and the light colour scheme."""
        self._dark = bool(dark)
        self._lut = palette(self._dark).weight_lut(257)
        self._plot.setBackground(palette(self._dark).background)
        self._marks[0].setPen(pg.mkPen(palette(self._dark).muted, width=1.5, style=Qt.DashLine))
        self._marks[1].setPen(pg.mkPen(colours.SELECTION, width=2.5))
        self._render()

    # -- what is shown -------------------------------------------------------------------------
    def layer(self) -> int:
        return self._layer

    def page(self) -> int:
        return self._page

    def page_count(self) -> int:
        return 1 if self._snap is None else max(1, math.ceil(self._snap.sizes[self._layer] / PAGE_SIZE))

    def scale(self) -> float:
        """Return the |weight| at which the colour scale saturates (one for every tile)."""
        return self._scale

    def neuron_at(self, row: float, col: float) -> int:
        """Return the neuron whose tile holds mosaic cell (row, col), or −1."""
        return -1 if self._layout is None else self._layout.neuron_at(row, col)

    def tile_origin(self, index: int) -> tuple:
        """Return the (row, col) of neuron `index`'s tile in the mosaic on show (it must be on this page)."""
        return self._layout.origin(index - self._layout.first)

    @property
    def mosaic_view(self) -> QWidget:
        """The widget the mosaic is drawn in: it takes the pointer and the clicks."""
        return self._plot.viewport()

    def tile_point(self, index: int, inset: float = 14.0) -> QPoint:
        """Return the point `inset` mosaic cells into neuron `index`'s tile, in `mosaic_view` pixels."""
        r, c = self.tile_origin(index)
        return self._plot.mapFromScene(self._box.mapViewToScene(QPointF(c + inset, r + inset)))

    def selected_index(self) -> int:
        """Return the selected neuron's index in the layer shown, or −1 (none, or another layer's)."""
        return self._selected

    def selection_outlined(self) -> bool:
        """Return whether the selected neuron's tile is outlined (it is on the page shown)."""
        return self._marks[1].isVisible()

    # -- internals -----------------------------------------------------------------------------
    def _refill_chooser(self):
        sizes = self._snap.sizes
        self._chooser.blockSignals(True)
        self._chooser.clear()
        for layer in range(1, len(sizes)):
            kind = "output" if layer == len(sizes) - 1 else "hidden"
            self._chooser.addItem(f"layer {layer} ({kind}, {sizes[layer]})")
        self._chooser.blockSignals(False)

    def _is_image(self) -> bool:
        shape = self._snap.image_shape
        return len(shape) == 2 and shape[0] * shape[1] == self._snap.sizes[0]

    def _chosen(self, index: int):
        if index >= 0:
            self.set_layer(index + 1)

    def _set_layer_now(self, layer: int):
        if layer != self._layer:
            self._selected = -1
        self._layer, self._page, self._hovered = layer, 0, -1
        if self._snap is not None:
            self._chooser.blockSignals(True)
            self._chooser.setCurrentIndex(layer - 1)
            self._chooser.blockSignals(False)
        self._render()

    def showEvent(self, event):
        super().showEvent(event)
        if self._dirty:
            self._render()

    def _render(self):
        self._dirty = False
        snap = self._snap
        if snap is None:
            self.detail.setText("No network yet.")
            return
        w = snap.weights[self._layer - 1]
        image_shape = snap.image_shape if self._layer == 1 and self._is_image() else None
        tile = tile_shape(w.shape[1], image_shape)
        pages = self.page_count()
        self._page = min(self._page, pages - 1)
        layout = page_layout(w.shape[0], tile, self._page, PAGE_SIZE, GAP, aspect=self._aspect())
        relaid = layout != self._layout
        self._layout = layout
        self._scale = shared_scale(w)
        self.mosaic = compose(weight_tiles(w, image_shape), layout)
        background = palette(self._dark).background
        self._image.setImage(mosaic_rgb(self.mosaic, self._scale, self._lut, GAP_COLOUR[self._dark], layout,
                                        background),
                             autoLevels=False, levels=None)
        height, width = layout.shape
        if relaid:
            self._image.setRect(QRectF(0, 0, width, height))
            self._box.setRange(QRectF(0, 0, width, height), padding=0.01)
        for button in (self._prev, self._next):
            button.setVisible(pages > 1)
        self._page_label.setVisible(pages > 1)
        self._prev.setEnabled(self._page > 0)
        self._next.setEnabled(self._page < pages - 1)
        last = layout.first + layout.n_tiles - 1
        self._page_label.setText(f"{layout.first}–{last} of {w.shape[0]}")
        self._scale_label.setText(
            f"<span style='color:{palette(self._dark).hex('muted')}'>one colour scale for all: blue −{self._scale:.2g}"
            f" … orange +{self._scale:.2g}</span>")
        self._update_marks()
        self._show_detail()

    def _aspect(self) -> float:
        """Return the width/height of the room the mosaic has (tiles are laid out to fill it)."""
        size = self._plot.size()
        return max(0.5, min(6.0, size.width() / max(size.height(), 1))) if self.isVisible() else 2.5

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if self._snap is not None:
            self._render_soon()

    def _update_marks(self):
        for rect, index in zip(self._marks, (self._hovered, self._selected)):
            on_page = self._layout is not None and 0 <= index - self._layout.first < self._layout.n_tiles
            rect.setVisible(on_page)
            if on_page:
                r, c = self.tile_origin(index)
                th, tw = self._layout.tile
                rect.setRect(QRectF(c - 0.5, r - 0.5, tw + 1, th + 1))

    def _show_detail(self):
        snap, index = self._snap, self._hovered if self._hovered >= 0 else self._selected
        if snap is None or index < 0 or index >= snap.sizes[self._layer]:
            self.detail.setText("Each tile is one neuron's incoming weights (orange +, blue −)."
                                 " Hover for its activation on the current image; click to select it.")
            return
        z, a = float(snap.zs[self._layer - 1][index]), float(snap.activations[self._layer][index])
        which = "hovered" if index == self._hovered else "selected"
        self.detail.setText(f"Neuron {index} of layer {self._layer} ({which}): on the current image"
                             f" z = {z:+.3f}, activation a = <b>{a:.3f}</b>")

    def _cell_at(self, scene_pos):
        if not self._box.sceneBoundingRect().contains(scene_pos):
            return -1
        point = self._box.mapSceneToView(scene_pos)
        return self.neuron_at(point.y(), point.x())

    def _moved(self, scene_pos):
        index = self._cell_at(scene_pos)
        if index != self._hovered:
            self._hovered = index
            self._update_marks()
            self._show_detail()
            self.neuronHovered.emit(self._layer, index)

    def _clicked(self, event):
        if event.button() == Qt.LeftButton:
            index = self._cell_at(event.scenePos())
            if index >= 0:
                self._selected = index
                self._update_marks()
                self._show_detail()
                self.neuronSelected.emit(self._layer, index)

    def leaveEvent(self, event):
        self._moved(pg.Point(-1e9, -1e9))
        super().leaveEvent(event)
