"""The heat maps of the matrix view: W, the input above it, the column vectors beside it, one row as an image."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QGraphicsRectItem

from gui.widgets import colours
from gui.widgets.axis_labels import fit_axis_label
from gui.widgets.plot_cache import cache_static_parts
from gui.widgets.theme import follow_theme, palette

GREY_LUT = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)  # activations: black 0 → white 1
COLUMNS = (("wa", "W a"), ("b", "+ b"), ("z", "= z"), ("a_out", "f(z)"))
COLUMN_WIDTH = 64  # px of each column vector (W a, b, z, f(z)) when there is room…
NARROW_COLUMN_WIDTH = 42  # …and in a narrow panel, still wide enough for a cell's value
STRIP_HEIGHT = 58
ROW_IMAGE_WIDTH = 150
NARROW_ROW_IMAGE_WIDTH = 100
NARROW = 720  # px: a narrower plot gives W more of its width
MAX_CELL_TEXTS = 40  # write the value in each cell only when rows are tall enough to read


def text_colour(rgb) -> tuple:
    """Return black or white, whichever reads better on a cell of colour rgb."""
    r, g, b = (float(c) for c in rgb[:3])
    return (0, 0, 0) if 0.299 * r + 0.587 * g + 0.114 * b > 140 else (255, 255, 255)


def cell_text(x: float) -> str:
    """Return a short cell label: two decimals, one for large values, a true minus sign."""
    text = f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}"
    if text.strip("-0.") == "":
        text = text.lstrip("-")  # no "−0.00"
    return text.replace("-", "−")


class CellLabels(pg.GraphicsObject):
    """The value written in each cell of a one-column heat map, painted in one pass (cheap to update)."""

    def __init__(self):
        super().__init__()
        self._cells = []  # (text, rgb) per row
        self._font = QFont()
        self.legible = True  # whether the last paint wrote the values (rows tall enough)

    def set_cells(self, cells, point_size: float) -> None:
        self.prepareGeometryChange()
        self._cells = list(cells)
        self._font.setPointSizeF(point_size)
        self.update()

    def boundingRect(self):
        return QRectF(0, 0, 1, max(len(self._cells), 1))

    def text_boxes(self) -> list:
        """Return (text, font, cell rect in item coordinates) of every value written (for layout checks)."""
        if not self.legible:
            return []
        return [(text, self._font, QRectF(0, row, 1, 1)) for row, (text, _) in enumerate(self._cells)]

    def paint(self, painter, option, widget=None):
        to_device = painter.transform()
        # only when the rows are tall enough for the type: shorter rows would write over each other
        self.legible = to_device.mapRect(QRectF(0, 0, 1, 1)).height() >= QFontMetricsF(self._font).height()
        if not self.legible:
            return
        painter.resetTransform()  # write at the screen's pixel size, whatever the cell's scale
        painter.setFont(self._font)
        for row, (text, rgb) in enumerate(self._cells):
            painter.setPen(QColor(*rgb))
            painter.drawText(to_device.mapRect(QRectF(0, row, 1, 1)), Qt.AlignCenter, text)


class MatrixPlots(pg.GraphicsLayoutWidget):
    """W as an image with the input strip above and W·a, b, z, f(z) as columns beside it.

    Signals:
        rowHovered(int row): the pointer is over row `row` of W or a column (−1: over none).
        rowClicked(int row): a row was clicked.
    """

    rowHovered = Signal(int)
    rowClicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._dark = True
        self._n_out = self._n_in = 0
        self._hover_row = -1
        self._shape = None  # the image shape of a row, when the inputs are pixels
        self._scale = 1.0
        self._build()
        self.scene().sigMouseMoved.connect(self._moved)
        self.scene().sigMouseClicked.connect(self._clicked)
        follow_theme(self)

    # -- structure (built once; a new layer only reconfigures it) ------------------------------
    def _build(self):
        grid = self.ci.layout
        self._strip = self.addPlot(row=0, col=0)
        self._strip.hideAxis("bottom")
        self._strip.showAxis("top")
        self._strip.getAxis("left").setTicks([[(0.5, "input")]])
        self._w = self.addPlot(row=1, col=0)
        self._w.vb.sigResized.connect(lambda _: self._fit_row_ticks())
        self._w.hideAxis("bottom")
        for plot in (self._strip, self._w):
            plot.getAxis("left").setWidth(54)
            plot.vb.setMouseEnabled(x=True, y=False)
            plot.hideButtons()
            cache_static_parts(plot)
        # Follow W's zoom by hand: pyqtgraph's view links align by screen geometry, which is
        # wrong until the layout has settled and would cut rows off.
        self._w.vb.sigXRangeChanged.connect(lambda _, r: self._strip.vb.setXRange(*r, padding=0))
        self._strip_img, self._w_img = self._image(self._strip.vb), self._image(self._w.vb)
        self._boxes = [self._w.vb]  # every box whose y is the row index
        self._titles, self._columns, self._texts = {}, {}, {}
        for c, (key, title) in enumerate(COLUMNS, start=1):
            self._titles[key] = self.addLabel(title, row=0, col=c, justify="center")
            box = self.addViewBox(row=1, col=c, enableMouse=False)
            self._columns[key] = self._image(box)
            self._boxes.append(box)
            self._texts[key] = CellLabels()
            box.addItem(self._texts[key], ignoreBounds=True)
            grid.setColumnFixedWidth(c, COLUMN_WIDTH)
        grid.setRowFixedHeight(0, STRIP_HEIGHT)
        self._marks = []
        for box in self._boxes:
            pair = (QGraphicsRectItem(), QGraphicsRectItem())
            for rect, z in zip(pair, (10, 11)):
                rect.setZValue(z)
                rect.setVisible(False)
                box.addItem(rect, ignoreBounds=True)
            self._marks.append(pair)
        self._row_layout = pg.GraphicsLayout()
        self._row_parts = []
        for r in range(2):
            label = self._row_layout.addLabel("", row=2 * r, col=0)
            box = self._row_layout.addViewBox(row=2 * r + 1, col=0, lockAspect=True, enableMouse=False)
            box.invertY(True)
            self._row_parts.append((label, box, self._image(box)))
        self._row_column = len(COLUMNS) + 1
        self._row_layout_shown = False

    @staticmethod
    def _image(box):
        item = pg.ImageItem(axisOrder="row-major")
        item.rect_ = QRectF(0, 0, 1, 1)  # set with every image: an ImageItem scales to its current image's size
        box.addItem(item)
        box.invertY(True)
        return item

    def build(self, n_out: int, n_in: int, image_shape, weight_layer: int) -> None:
        """Set the plots up for an n_out × n_in matrix (image_shape: also show a row as an image)."""
        self._n_out, self._n_in, self._hover_row, self._shape = n_out, n_in, -1, image_shape
        lo, hi = weight_layer, weight_layer + 1
        pixels = image_shape is not None
        what = f"pixel i ({image_shape[1]} per image row)" if pixels else f"neuron i of layer {lo}"
        top = self._strip.getAxis("top")
        name = f"a<sup>({lo})</sup><sub>i</sub>"
        fit_axis_label(top, f"{name}: {what}", f"{name}: {'pixel' if pixels else 'neuron'} i", name)
        top.setTicks([[(i + 0.5, str(i)) for i in range(n_in)]] if n_in <= 32 else None)
        left = self._w.getAxis("left")
        self._fit_row_ticks()
        fit_axis_label(left, f"row j = neuron of layer {hi}", f"row j (layer {hi})", "row j")
        self._titles["a_out"].setText(f"f(z) = a<sup>({hi})</sup>")
        self._strip_img.rect_, self._w_img.rect_ = QRectF(0, 0, n_in, 1), QRectF(0, 0, n_in, n_out)
        for item in self._columns.values():
            item.rect_ = QRectF(0, 0, 1, n_out)
        for plot, rows in ((self._strip, 1), (self._w, n_out)):
            plot.vb.setLimits(xMin=0, xMax=n_in, yMin=0, yMax=rows, minXRange=min(n_in, 8))
            self._fix_range(plot.vb, (0, n_in), (0, rows))
        for box in self._boxes[1:]:
            self._fix_range(box, (0, 1), (0, n_out))
        for (hover, chosen), box in zip(self._marks, self._boxes):
            width = n_in if box is self._w.vb else 1
            for rect in (hover, chosen):
                rect.setRect(QRectF(0, 0, width, 1))
                rect.setVisible(False)
        self._show_row_layout(pixels)
        if pixels:
            for _, box, item in self._row_parts:
                item.rect_ = QRectF(0, 0, image_shape[1], image_shape[0])
                box.setRange(item.rect_, padding=0.02)
        self._apply_colours()

    def _show_row_layout(self, show: bool):
        if show != self._row_layout_shown:
            if show:
                self.addItem(self._row_layout, row=0, col=self._row_column, rowspan=2)
            else:
                self.removeItem(self._row_layout)
            self._row_layout_shown = show
        self._size_columns()

    def _size_columns(self) -> None:
        """Give the column vectors and the row's picture less width in a narrow plot, so W keeps some."""
        narrow = 0 < self.width() < NARROW
        grid = self.ci.layout
        for c in range(1, len(COLUMNS) + 1):
            grid.setColumnFixedWidth(c, NARROW_COLUMN_WIDTH if narrow else COLUMN_WIDTH)
        row_image = (NARROW_ROW_IMAGE_WIDTH if narrow else ROW_IMAGE_WIDTH) if self._row_layout_shown else 0
        grid.setColumnFixedWidth(self._row_column, row_image)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if hasattr(self, "_row_column"):  # not while the plots are being built
            self._size_columns()

    @staticmethod
    def _fix_range(box, x_range, y_range):
        box.disableAutoRange()  # the cells, not the text and outline items, set the range
        box.setRange(xRange=x_range, yRange=y_range, padding=0)

    # -- values ----------------------------------------------------------------------------
    def _fit_row_ticks(self) -> None:
        """Number every row, or every k-th when the rows are shorter than the type."""
        n_out = self._n_out
        if not n_out:
            return
        row_px = max(self._w.vb.height() / n_out, 1e-3)
        text_px = QFontMetricsF(self._w.getAxis("left").style.get("tickFont") or self.font()).height()
        step = max(1, math.ceil(text_px / row_px), math.ceil(n_out / 16) if n_out > 32 else 1)
        self._w.getAxis("left").setTicks([[(j + 0.5, str(j)) for j in range(0, n_out, step)]])

    @staticmethod
    def _set(item, image, levels, lut):
        item.setImage(image, levels=levels, lut=lut, autoLevels=False, rect=item.rect_)

    def show_values(self, p: dict, levels: tuple) -> None:
        """Colour every heat map from the layer's products; levels: grey limits for input and result."""
        lut = self._lut
        self._scale = colours.symmetric_scale(p["w"])
        self._set(self._w_img, p["w"], (-self._scale, self._scale), lut)
        self._set(self._strip_img, p["a_in"][None, :], levels[0], GREY_LUT)
        vec_scale = float(np.abs(np.concatenate([p["wa"], p["b"], p["z"]])).max()) or 1.0
        for key, _ in COLUMNS:
            values = p[key]
            if key == "a_out":
                lo, hi = levels[1]
                self._set(self._columns[key], values[:, None], (lo, hi), GREY_LUT)
                grey = np.clip((values - lo) / (hi - lo) * 255, 0, 255).astype(int)
                cell_rgb = GREY_LUT[grey]
            else:
                self._set(self._columns[key], values[:, None], (-vec_scale, vec_scale), lut)
                cell_rgb = lut[colours.to_bins(values, vec_scale, len(lut))]
            cells = [] if len(values) > MAX_CELL_TEXTS else [
                (cell_text(float(v)), text_colour(rgb)) for v, rgb in zip(values, cell_rgb)]
            self._texts[key].set_cells(cells, 8.5 if len(values) <= 20 else 7.0)

    def row_image(self):
        """Return the row of W shown as an image (H, W), or None."""
        return self._row_parts[0][2].image if self._shape is not None else None

    def show_row(self, p, row: int) -> None:
        """Show one row of W as an image, and the same weights times the input."""
        if self._shape is None:
            return
        (w_label, _, w_item), (x_label, _, x_item) = self._row_parts
        fg = self._fg()
        if p is None or not 0 <= row < len(p["w"]):
            for item in (w_item, x_item):
                item.clear()
            w_label.setText("hover over a row", color=fg)
            x_label.setText("", color=fg)
            return
        weights = p["w"][row]
        contributions = weights * p["a_in"]
        w_label.setText(f"neuron {row}'s weights", color=fg)
        self._set(w_item, weights.reshape(self._shape), (-self._scale, self._scale), self._lut)
        s = colours.symmetric_scale(contributions, 99.5)
        x_label.setText(f"× input: sum {cell_text(float(contributions.sum()))}", color=fg)
        self._set(x_item, contributions.reshape(self._shape), (-s, s), self._lut)

    def set_marks(self, hovered: int, selected: int) -> None:
        """Outline the hovered row faintly and the selected row in the selection colour."""
        for hover, chosen in self._marks:
            for rect, row in ((hover, hovered), (chosen, selected)):
                rect.setVisible(0 <= row < self._n_out)
                if rect.isVisible():
                    rect.setRect(QRectF(0, row, rect.rect().width(), 1))

    # -- appearance --------------------------------------------------------------------------
    @property
    def weights_plot(self) -> pg.PlotItem:
        """Return the plot of W (its view box holds one row per neuron)."""
        return self._w

    def cell_texts(self, key: str) -> list:
        """Return the (text, font, rect) of each value written in column `key` ("wa", "b", "z", "a_out")."""
        return self._texts[key].text_boxes()

    def set_dark(self, dark: bool) -> None:
        self._dark = bool(dark)
        self._lut = palette(dark).weight_lut(257)
        self._apply_colours()

    def _fg(self):
        return palette(self._dark).plot_text

    def _apply_colours(self):
        theme_colours = palette(self._dark)
        fg = theme_colours.plot_text
        self.setBackground(theme_colours.background)
        for item in self.ci.items:
            if isinstance(item, pg.PlotItem):
                for name in ("left", "top", "bottom"):
                    axis = item.getAxis(name)
                    axis.setPen(pg.mkPen(fg))
                    axis.setTextPen(pg.mkPen(fg))
        for label in [*self._titles.values(), *(part[0] for part in self._row_parts)]:
            label.setText(label.text, color=fg)
        hover_pen = pg.mkPen(theme_colours.hover, width=1.5, style=Qt.DashLine)
        chosen_pen = pg.mkPen(colours.SELECTION, width=2.5)  # the bright green on both backgrounds
        for hover, chosen in self._marks:
            hover.setPen(hover_pen)
            chosen.setPen(chosen_pen)

    # -- pointer -------------------------------------------------------------------------------
    def _row_at(self, scene_pos) -> int:
        for box in self._boxes:
            if box.sceneBoundingRect().contains(scene_pos):
                y = box.mapSceneToView(scene_pos).y()
                row = int(math.floor(y))
                return row if 0 <= row < self._n_out else -1
        return -1

    def _moved(self, scene_pos):
        row = self._row_at(scene_pos)
        if row != self._hover_row:
            self._hover_row = row
            self.rowHovered.emit(row)

    def _clicked(self, event):
        if event.button() == Qt.LeftButton:
            row = self._row_at(event.scenePos())
            if row >= 0:
                self.rowClicked.emit(row)
