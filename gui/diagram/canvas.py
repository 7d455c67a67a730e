"""The diagram's drawing surface: a zoomable pyqtgraph view showing one composed image.

The connections are rendered into an image when their colours or the view change; the
input image, neurons and labels are painted over a copy of it when they change; a repaint
(an exposed window, a hover) then copies that frame and draws the hover ring, nothing more.

It knows how to draw and where things are on screen, not what they mean: the NetworkView
tells it what to paint and handles what the mouse points at.
"""
from __future__ import annotations

from typing import NamedTuple

import pyqtgraph as pg
from PySide6 import QtCore, QtGui
from superqt.utils import qdebounced

from gui.diagram.items import DiagramItem, FrameItem, _same
from gui.diagram.raster import EdgeRaster
from gui.widgets.theme import palette

VIEW_SETTLE_MS = 60  # after a zoom or pan, wait this long before rendering sharp lines


class EdgeJob(NamedTuple):
    """Connections half painted by begin_edges, for finish_edges."""

    image: QtGui.QImage
    tr: QtGui.QTransform
    key: tuple
    raster: EdgeRaster
    layers: list
    crisp: list


class DiagramCanvas(pg.GraphicsView):
    """A pan-and-zoom view of a DiagramLayout (diagram units = pixels when fitted).

    Signals: resized(float width, float height) of the visible area; viewSettled() after a
    zoom or pan, when the connection layer should be rendered sharp again;
    hovered(object x, object y, object screen_pos) (all None when the pointer leaves);
    clicked(float x, float y) — both in diagram units.
    """

    resized = QtCore.Signal(float, float)
    viewSettled = QtCore.Signal()
    hovered = QtCore.Signal(object, object, object)
    clicked = QtCore.Signal(float, float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.vb = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.setCentralItem(self.vb)
        self.vb.disableAutoRange()
        self.edge_item = FrameItem(self._maybe_stale)
        self.diagram = DiagramItem(lambda x, y, s: self.hovered.emit(x, y, s), self._clicked)
        self.vb.addItem(self.edge_item, ignoreBounds=True)
        self.vb.addItem(self.diagram, ignoreBounds=True)
        self.diagram.setZValue(1)
        self.layout = None
        self.raster = None
        self._edge_image = None  # connections only, for self._edge_transform
        self._back_image = None  # the connections being painted (begin_edges → finish_edges)
        self._frame = None  # connections, image, neurons and labels: what is shown
        self._edge_transform = QtGui.QTransform()
        self._raster_key = None
        self.dark = True
        self._settle_soon = qdebounced(self._settled, VIEW_SETTLE_MS, parent=self)  # restarted by every step of a gesture
        self.vb.sigResized.connect(lambda vb: self.resized.emit(*self.area_size()))
        self.vb.sigTransformChanged.connect(lambda *a: self._maybe_stale())

    def area_size(self) -> tuple:
        """Return the visible area's size in device pixels."""
        size = self.vb.size()
        return float(size.width()), float(size.height())

    def set_layout(self, layout) -> None:
        """Show a new layout, fitted; the connection layer must be rendered again."""
        self.layout = layout
        self.diagram.set_layout(layout)
        self.edge_item.set_rect(QtCore.QRectF(0, 0, layout.width, layout.height))
        self.edge_item.set_image(None, QtGui.QTransform())
        self._edge_image = None
        self._raster_key = None
        self.fit()

    def fit(self) -> None:
        if self.layout is not None:
            self.vb.setRange(QtCore.QRectF(0, 0, self.layout.width, self.layout.height), padding=0)

    def set_dark(self, dark: bool) -> None:
        self.dark = bool(dark)
        # the composed frame covers the whole view: filling the background under it first
        # would only cost a full-size fill per repaint (FrameItem fills what it leaves bare)
        self.setBackground(None)
        self.edge_item.fill = self._fill_colour()
        if self.raster is not None:
            self.raster.set_dark(self.dark)

    # -- coordinates ----------------------------------------------------------------------------
    def device_transform(self) -> QtGui.QTransform:
        """Return the transform from diagram units to viewport pixels."""
        self.scene().prepareForPaint()  # the ViewBox applies a new range only when asked
        return self.edge_item.deviceTransform(self.viewportTransform())

    def pixels_per_unit(self) -> float:
        return abs(self.device_transform().m11()) or 1.0

    def to_viewport(self, x: float, y: float) -> QtCore.QPoint:
        return self.mapFromScene(self.vb.mapViewToScene(QtCore.QPointF(x, y)))

    def to_diagram(self, pos: QtCore.QPoint) -> tuple:
        p = self.vb.mapSceneToView(self.mapToScene(pos))
        return p.x(), p.y()

    # -- the connection layer --------------------------------------------------------------------
    def _key(self, tr: QtGui.QTransform) -> tuple:
        vp = self.viewport().size()
        return (round(tr.m11(), 6), round(tr.m22(), 6), round(tr.dx(), 3), round(tr.dy(), 3),
                vp.width(), vp.height(), id(self.layout))

    def geometry_current(self) -> bool:
        """Return True if the last rendered connection layer matches the view as it is now."""
        return self._raster_key is not None and self._raster_key == self._key(self.device_transform())

    def ensure_raster(self) -> EdgeRaster:
        """Return the EdgeRaster for the current view, rebuilding its geometry if the view moved."""
        tr = self.device_transform()
        key = self._key(tr)
        if key != self._raster_key or self.raster is None:
            lay = self.layout
            sx, sy, dx, dy = tr.m11(), tr.m22(), tr.dx(), tr.dy()
            segments = []
            for l in range(lay.n_layers):
                x0, y0, x1, y1 = lay.segments(l)
                segments.append((x0 * sx + dx, y0 * sy + dy, x1 * sx + dx, y1 * sy + dy))
            vp = self.viewport().size()
            clip = None
            if lay.grid_rect is not None:
                gx, gy, gw, gh = lay.grid_rect
                clip = (gx * sx + dx, gy * sy + dy, gw * sx, gh * sy)
            self.raster = EdgeRaster(segments, vp.width(), vp.height(), clip_rect=clip, dark=self.dark)
            self._raster_key = key
        return self.raster

    def render_edges(self, layers, underlay=None) -> list:
        """Render the connections (a LayerPaint per weight layer); return the crisp split.

        underlay(painter) paints below the lines (the input image, when lines run over it).
        Call compose() afterwards to show them.
        """
        return self.finish_edges(self.begin_edges(layers, underlay))

    def begin_edges(self, layers, underlay=None) -> EdgeJob:
        """Paint the first half of the connections (haze, underlay) into a back image; see finish_edges.

        The two halves may run on two turns of the event loop, each about half the cost: the
        connections shown meanwhile are the last finished ones.
        """
        raster = self.ensure_raster()
        tr = self.device_transform()
        image = self._back_image = self._reuse(self._back_image)
        image.fill(self._fill_colour())
        painter = QtGui.QPainter(image)

        def under(p):
            p.setTransform(tr)
            underlay(p)
            p.resetTransform()
        try:
            crisp = raster.paint_haze(painter, layers, under if underlay is not None else None)
        finally:
            painter.end()
        return EdgeJob(image, tr, self._raster_key, raster, layers, crisp)

    def finish_edges(self, job: EdgeJob):
        """Paint the crisp lines and show the job's connections; return the crisp split.

        None (and nothing shown) if the view moved since the job began: begin again.
        """
        if job.key != self._raster_key or job.raster is not self.raster or job.image is not self._back_image:
            return None
        painter = QtGui.QPainter(job.image)
        try:
            job.raster.paint_lines(painter, job.layers, job.crisp)
        finally:
            painter.end()
        self._back_image, self._edge_image = self._edge_image, job.image  # the shown one is never half-painted
        self._edge_transform = job.tr
        return job.crisp

    def compose(self) -> None:
        """Paint the neurons and labels over the connections into the frame that is shown."""
        if self.layout is None:
            return
        tr = self.device_transform()
        self._frame = self._reuse(self._frame)
        painter = QtGui.QPainter(self._frame)
        try:
            edges = self._edge_image
            if edges is not None and edges.size() == self._frame.size() and _same(tr, self._edge_transform):
                painter.setCompositionMode(QtGui.QPainter.CompositionMode.CompositionMode_Source)
                painter.drawImage(0, 0, edges)  # a plain copy
                painter.setCompositionMode(QtGui.QPainter.CompositionMode.CompositionMode_SourceOver)
            else:  # the view moved since the connections were drawn: stretch them meanwhile
                painter.fillRect(self._frame.rect(), self._fill_colour())
                inverse, ok = self._edge_transform.inverted()
                if edges is not None and ok:
                    painter.setTransform(inverse * tr)
                    painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform, True)
                    painter.drawImage(0, 0, edges)
            painter.setTransform(tr)
            self.diagram.paint_static(painter)
        finally:
            painter.end()
        self.edge_item.set_image(self._frame, tr)

    def _fill_colour(self) -> QtGui.QColor:
        return palette(self.dark).qcolor("background")

    def _reuse(self, image):
        """Return image if it still fits the viewport, else a new one (fresh memory is slow)."""
        vp = self.viewport().size()
        w, h = max(vp.width(), 1), max(vp.height(), 1)
        if image is None or image.width() != w or image.height() != h:
            image = QtGui.QImage(w, h, QtGui.QImage.Format.Format_RGB32)
        return image

    def _maybe_stale(self) -> None:
        if self.layout is not None and not self.geometry_current():
            self._settle_soon()

    def _settled(self) -> None:
        if not self.geometry_current():
            self.viewSettled.emit()

    def _clicked(self, x: float, y: float) -> bool:
        self.clicked.emit(x, y)
        return True

