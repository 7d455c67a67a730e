"""The diagram's graphics items: the cached connection layer, the input image, the neurons.

Items only draw what they were given (colours, texts, a cached image) and forward mouse
events to callbacks; the NetworkView decides what everything means.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6 import QtCore, QtGui

from gui.diagram.text_layout import place_labels, place_titles, sized
from gui.widgets.colours import SELECTION


def _same(a: QtGui.QTransform, b: QtGui.QTransform) -> bool:
    return all(abs(x - y) < 1e-6 for x, y in zip(
        (a.m11(), a.m12(), a.m21(), a.m22(), a.dx(), a.dy()),
        (b.m11(), b.m12(), b.m21(), b.m22(), b.dx(), b.dy())))


def _same_scale(t: QtGui.QTransform) -> bool:
    """Return True if t only shifts by whole pixels."""
    return (abs(t.m11() - 1) < 1e-6 and abs(t.m22() - 1) < 1e-6 and abs(t.m12()) < 1e-9
            and abs(t.m21()) < 1e-9 and abs(t.dx() - round(t.dx())) < 1e-3 and abs(t.dy() - round(t.dy())) < 1e-3)


class FrameItem(pg.GraphicsObject):
    """Blits a frame composed elsewhere in device pixels (a repaint costs one copy).

    While the view is being zoomed or panned the last image is stretched to fit, and
    `on_stale` is called so the owner can render a sharp one when the gesture pauses.
    """

    def __init__(self, on_stale):
        super().__init__()
        self._rect = QtCore.QRectF(0, 0, 1, 1)
        self._image = None
        self._transform = QtGui.QTransform()
        self._on_stale = on_stale
        self.fill = QtGui.QColor(0, 0, 0)  # for what the frame does not cover

    def set_rect(self, rect: QtCore.QRectF) -> None:
        self.prepareGeometryChange()
        self._rect = QtCore.QRectF(rect)

    def set_image(self, image: QtGui.QImage, transform: QtGui.QTransform) -> None:
        """Show `image`, rendered for the item-to-device `transform`."""
        self._image, self._transform = image, QtGui.QTransform(transform)
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        return self._rect

    def paint(self, painter, *args) -> None:
        if self._image is None:
            painter.fillRect(self._rect, self.fill)
            self._on_stale()
            return
        now = painter.transform()
        inverse, ok = self._transform.inverted()
        relative = inverse * now if ok else now  # from the frame's pixels to the painter's
        painter.save()
        painter.resetTransform()
        if _same_scale(relative):  # the same view, maybe painted at an offset: a plain copy
            painter.drawImage(QtCore.QPointF(relative.dx(), relative.dy()), self._image)
        else:  # zooming: stretch the old picture until a sharp one is ready
            painter.fillRect(painter.viewport(), self.fill)
            painter.setTransform(relative)
            painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(0, 0, self._image)
            QtCore.QTimer.singleShot(0, self._on_stale)
        painter.restore()


class DiagramItem(pg.GraphicsObject):
    """The input image and the neurons, with labels drawn at a fixed size in device pixels.

    `paint_static` draws them into the composed frame; the item itself only paints the ring
    that follows the pointer. Mouse events go to on_hover(x, y or None at exit, screen pos) and on_click(x, y), in
    diagram coordinates.
    """

    def __init__(self, on_hover, on_click):
        super().__init__()
        self.setAcceptHoverEvents(True)
        self._on_hover, self._on_click = on_hover, on_click
        self.layout = None
        self.fills = []  # per layer k ≥ 1: (palette key, palette (P, 3), indices (n_k,)), or None
        self.dimmed = set()  # layers drawn faintly (not yet reached by backpropagation)
        self.grid_image = None  # QImage of the input pixels, cells separated by thin gaps
        self.selected = None
        self.hovered = None
        self.ring = None  # a neuron ringed in the text colour: the prediction
        self.marked = []  # (x0, y0, x1, y1) of connections drawn in the selection colour
        self.draw_grid = True  # False while the image is painted under the lines instead
        self.labels = []  # (layer, index, text, bold) next to neurons (outputs)
        self.tags = []  # (layer, index, text, colour) further right: "prediction", "label"
        self.titles = []  # (x, text) above the columns
        self.foreground = QtGui.QColor(230, 230, 230)
        self.outline = QtGui.QColor(120, 120, 130)
        self.font_size = 12
        self.placed_texts = []  # the PlacedTexts of the last frame, in viewport pixels
        self._atlases = {}  # (radius, palette, dimmed, outline) → (pixmap of circles, cell size)
        self._fragments = PrimitiveArray(QtGui.QPainter.PixmapFragment, 10)

    def set_layout(self, layout) -> None:
        self.prepareGeometryChange()
        self.layout = layout

    def boundingRect(self) -> QtCore.QRectF:
        if self.layout is None:
            return QtCore.QRectF()
        return QtCore.QRectF(0, 0, self.layout.width, self.layout.height)

    # -- painting -------------------------------------------------------------------------
    def paint(self, painter, *args) -> None:
        """Paint what changes with the pointer; everything else is in the composed frame."""
        if self.layout is not None and self.hovered is not None and self.hovered != self.selected:
            painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
            pen = QtGui.QPen(self.foreground, 1.5)
            pen.setCosmetic(True)
            self._mark(painter, self.hovered, pen)

    def paint_static(self, painter) -> None:
        """Paint the image, neurons, marks and labels (painter maps diagram units to pixels)."""
        lay = self.layout
        if lay is None:
            return
        if self.draw_grid:
            self.paint_grid(painter)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        if self.marked:
            pen = QtGui.QPen(QtGui.QColor(*SELECTION), 3)
            pen.setCosmetic(True)
            painter.setPen(pen)
            for x0, y0, x1, y1 in self.marked:
                painter.drawLine(QtCore.QLineF(x0, y0, x1, y1))
        to_device = painter.transform()
        scale = abs(to_device.m11())
        first = 1 if lay.grid_rect is not None else 0
        painter.save()
        painter.resetTransform()
        for k in range(first, len(lay.sizes)):
            fill = self.fills[k] if k < len(self.fills) else None
            dim = k in self.dimmed or fill is None
            key, palette, idx = (("empty", None, np.zeros(lay.sizes[k], dtype=np.intp)) if dim else fill)
            atlas, size = self._atlas(lay.radii[k] * scale, key, palette, dim)
            centres = lay.centres[k]
            self._fragments.resize(len(centres))
            frags = self._fragments.ndarray()  # x, y (centre), sx, sy, sw, sh, scale x, y, rotation, opacity
            frags[:, 0] = centres[:, 0] * to_device.m11() + to_device.dx()
            frags[:, 1] = centres[:, 1] * to_device.m22() + to_device.dy()
            frags[:, 2] = idx * size
            frags[:, 3] = 0
            frags[:, 4:6] = size
            frags[:, 6:10] = (1.0, 1.0, 0.0, 1.0)
            painter.drawPixmapFragments(*self._fragments.drawargs(), atlas)
        painter.restore()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        self._paint_marks(painter)
        self._paint_texts(painter)

    def _atlas(self, radius: float, key, palette, dim: bool) -> tuple:
        """Return (pixmap, cell size): a row of circles, one per palette colour, drawn once.

        Neurons are then drawn in one call (as pyqtgraph's scatter plots are): antialiased
        circles one by one cost more than the rest of the frame.
        """
        cache_key = (round(radius * 4) / 4, key, dim, self.outline.rgba())
        found = self._atlases.get(cache_key)
        if found is not None:
            return found
        if len(self._atlases) > 64:
            self._atlases.clear()
        size = int(np.ceil(2 * radius + 4))
        size += size % 2
        colours = [None] if palette is None else [QtGui.QColor(*map(int, c)) for c in palette]
        atlas = QtGui.QPixmap(size * len(colours), size)
        atlas.fill(QtCore.Qt.GlobalColor.transparent)
        p = QtGui.QPainter(atlas)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, radius >= 3)
        outline = QtGui.QColor(self.outline)
        if dim:
            outline.setAlpha(90)
        p.setPen(QtGui.QPen(outline, 1.0))
        for i, colour in enumerate(colours):
            p.setBrush(colour if colour is not None else QtCore.Qt.BrushStyle.NoBrush)
            p.drawEllipse(QtCore.QPointF(i * size + size / 2, size / 2), radius, radius)
        p.end()
        self._atlases[cache_key] = (atlas, size)
        return atlas, size

    def paint_grid(self, painter) -> None:
        """Paint the input image as pixel-neurons (also used under the lines of sparse modes)."""
        lay = self.layout
        if lay is not None and lay.grid_rect is not None and self.grid_image is not None:
            painter.drawImage(QtCore.QRectF(*lay.grid_rect), self.grid_image)

    def _mark(self, painter, neuron, pen) -> None:
        lay = self.layout
        layer, index = neuron
        if layer >= len(lay.sizes) or index >= lay.sizes[layer]:
            return
        x, y = lay.centres[layer][index]
        r = lay.radii[layer]
        painter.setPen(pen)
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        if layer == 0 and lay.grid_rect is not None:
            painter.drawRect(QtCore.QRectF(x - r, y - r, 2 * r, 2 * r))
        else:
            painter.drawEllipse(QtCore.QPointF(x, y), r + 1.5, r + 1.5)

    def _paint_marks(self, painter) -> None:
        if self.ring is not None:
            pen = QtGui.QPen(self.foreground, 2)
            pen.setCosmetic(True)
            self._mark(painter, self.ring, pen)
        if self.selected is not None:
            pen = QtGui.QPen(QtGui.QColor(*SELECTION), 3)
            pen.setCosmetic(True)
            self._mark(painter, self.selected, pen)

    def _paint_texts(self, painter) -> None:
        lay = self.layout
        to_device = painter.transform()
        scale = abs(to_device.m11())
        base = QtGui.QFont(painter.font())
        view_width = painter.device().width() / painter.device().devicePixelRatio()
        top = to_device.map(QtCore.QPointF(0.0, 0.0)).y() + 2
        titles = [(to_device.map(QtCore.QPointF(x, 0.0)).x(), text) for x, text in self.titles]
        placed = place_titles(titles, top, lay.top * scale - 4, view_width, base, self.font_size)
        anchors, out = {}, lay.n_layers
        for layer, index, *_ in self.labels + self.tags:
            x, y = lay.centres[layer][index]
            p = to_device.map(QtCore.QPointF(x + lay.radii[layer], y))
            anchors[(layer, index)] = (p.x(), p.y())
        centres = lay.centres[out]
        spacing = abs(centres[1, 1] - centres[0, 1]) * scale if len(centres) > 1 else 0.0
        placed += place_labels(self.labels, self.tags, anchors, spacing, view_width, base, self.font_size)
        painter.save()
        painter.resetTransform()
        for text in placed:
            painter.setFont(sized(base, text.pixel_size, text.bold))
            painter.setPen(QtGui.QColor(*text.colour) if text.colour is not None else self.foreground)
            painter.drawText(text.rect, QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop, text.text)
        painter.restore()
        self.placed_texts = placed

    # -- mouse ----------------------------------------------------------------------------
    def hoverEvent(self, ev) -> None:
        if ev.isExit():
            self._on_hover(None, None, None)
            return
        pos = ev.pos()
        self._on_hover(pos.x(), pos.y(), ev.screenPos())

    def mouseClickEvent(self, ev) -> None:
        if ev.button() != QtCore.Qt.MouseButton.LeftButton:
            return
        pos = ev.pos()
        if self._on_click(pos.x(), pos.y()):
            ev.accept()


GRID_GAP = (44, 46, 54)  # between pixel-neurons: visible next to white, quiet next to black


def grid_image(values, shape, gap_colour=GRID_GAP, cell: int = 8) -> QtGui.QImage:
    """Return a QImage of grey pixel-neurons (values in [0, 1]) separated by one-texel gaps."""
    rows, cols = shape
    grey = np.round(np.clip(np.asarray(values, dtype=np.float64).reshape(rows, cols), 0, 1) * 255)
    grey = grey.astype(np.uint32)
    argb = np.empty((rows, cell, cols, cell), dtype=np.uint32)  # each pixel becomes cell × cell texels
    argb[...] = (0xFF000000 | (grey << 16) | (grey << 8) | grey)[:, None, :, None]
    r, g, b = (int(v) for v in gap_colour[:3])
    argb[:, -1, :, :] = argb[:, :, :, -1] = 0xFF000000 | (r << 16) | (g << 8) | b
    argb = argb.reshape(rows * cell, cols * cell)
    h, w = argb.shape
    return QtGui.QImage(argb.data, w, h, 4 * w, QtGui.QImage.Format.Format_RGB32).copy()
