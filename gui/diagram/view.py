"""The live network diagram: the current image, every neuron and every connection.

It renders read-only Snapshots. `set_snapshot` only stores the snapshot; neurons are redrawn
on the next event-loop turn, and the connections — the costly part — are recoloured at a
bounded rate into a cached image that every other frame just copies (see drawing.py, raster.py).
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from gui.diagram.canvas import DiagramCanvas
from gui.diagram.colouring import ConnectionColouring, quantity
from gui.diagram.controls import NetworkLegend, NetworkToolbar
from gui.diagram.drawing import EDGE_MIN_INTERVAL, FRAME_MIN_INTERVAL, DiagramDrawing
from gui.diagram.edges import COLOUR_BY, MODES, edge_values, visible_mask
from gui.diagram.pointer import DiagramPointer, tooltip
from gui.widgets.theme import follow_theme, palette

HIGHLIGHT_MS = 1500
HIGHLIGHT_MAX_SPEED = 20  # steps/s: faster than this the marks would only flicker


def moved_by_a_step(old, snap) -> bool:
    """Return whether snap is a live snapshot right after a step that a learner can follow."""
    if snap.batch_params is None or (old is not None and old.step == snap.step):
        return False
    extra = snap.extra or {}
    speed = extra.get("speed", 0)
    return not extra.get("historic") and (not snap.running or 0 < speed <= HIGHLIGHT_MAX_SPEED)


class NetworkView(DiagramDrawing, QtWidgets.QWidget):
    """The network diagram, with its mode toolbar (`toolbar`) above and legend (`legend`) below.

    Signals:
        neuronSelected(int layer, int index): the learner clicked a neuron or input pixel.
        connectionSelected(int weight_layer, int to_index, int from_index): clicked a connection.
        neuronHovered(int layer, int index): the pointer is over a neuron; (-1, -1) when it leaves.
    """

    neuronSelected = QtCore.Signal(int, int)
    connectionSelected = QtCore.Signal(int, int, int)
    neuronHovered = QtCore.Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = self._layout = None
        self._mode, self._k, self._colour_by = "all", 5, "values"
        self._depth = None  # layers walked back in gradient colouring (None: all of them)
        self._selected = self._hovered = None
        self._marked = []  # connections the learner clicked, drawn green
        self._colouring = ConnectionColouring()
        self._class_names = self._image_shape = None
        self._grid_source = None
        self._legend_state = self._controls_state = None
        self._layout_font = None  # the label size the layout made room for
        self._described_scales = {}  # the connection scales the legend was last written with
        self._dark = True
        self._edges_dirty = False
        self._edge_job = None  # connections half painted while training runs (drawing.PendingEdges)
        self._next_edge_time = self._next_frame_time = 0.0
        self._segments = []  # layout.segments(l) per weight layer, for hit tests
        self.last_tooltip = ""
        self.edge_renders = 0  # how many times the connection layer was recoloured
        self.edge_interval, self.frame_interval = EDGE_MIN_INTERVAL, FRAME_MIN_INTERVAL  # tunable caps

        self.canvas = DiagramCanvas()
        self.toolbar = NetworkToolbar()
        self.legend = NetworkLegend()
        box = QtWidgets.QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.toolbar)
        box.addWidget(self.canvas, 1)
        box.addWidget(self.legend)
        self._timer = QtCore.QTimer(self, singleShot=True, interval=0, timeout=self._flush)
        # Connections are recoloured on a turn of their own, so neither that nor the neurons'
        # update holds the event loop for both at once.
        self._edge_timer = QtCore.QTimer(self, singleShot=True, interval=0, timeout=self._flush_edges)
        # the outputs a step moved most are marked for a moment after it
        self._highlight_timer = QtCore.QTimer(self, singleShot=True, interval=HIGHLIGHT_MS, timeout=self._changed)
        self._pointer = DiagramPointer(self._scene, self)
        self._pointer.hoveredChanged.connect(self._hovered_on)
        self._pointer.clickedOn.connect(self._clicked_on)
        self.canvas.resized.connect(lambda w, h: self._relayout())
        self.canvas.viewSettled.connect(self._changed)
        self.canvas.hovered.connect(self._pointer.moved)
        self.canvas.clicked.connect(self._pointer.clicked)
        self.toolbar.modeChanged.connect(self.set_mode)
        self.toolbar.strongestChanged.connect(self.set_strongest_k)
        self.toolbar.colourByChanged.connect(self.set_colour_by)
        self.toolbar.walkBackRequested.connect(self.walk_back)
        self.toolbar.walkRestartRequested.connect(lambda: self.set_reveal_depth(0))
        self.toolbar.fitRequested.connect(self.fit)
        follow_theme(self)

    # -- public API ---------------------------------------------------------------------------
    @property
    def viewport(self) -> QtWidgets.QWidget:
        """The widget that receives the diagram's mouse events."""
        return self.canvas.viewport()

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def snapshot(self):
        """Return the snapshot on show (None before the first)."""
        return self._snap

    @property
    def colour_by(self) -> str:
        return self._colour_by

    def set_snapshot(self, snap) -> None:
        """Show a new Snapshot (cheap: stores it; drawing happens on the next turn)."""
        if snap is self._snap:
            return
        old, self._snap = self._snap, snap
        if old is None or old.sizes != snap.sizes or old.image_shape != snap.image_shape:
            self._colouring.reset()
            self._selected = self._hovered = None
            self._marked = []
            self._layout = None
            self._relayout()
        if moved_by_a_step(old, snap):
            self._highlight_timer.start()
        self._edges_dirty = True
        self._schedule()

    def highlighting(self) -> bool:
        """Return whether the outputs the last step moved most are marked now."""
        return self._highlight_timer.isActive()

    def set_dataset(self, ds) -> None:
        """Take class names and image shape from a core.data.Dataset."""
        self.set_dataset_info(ds.class_names, ds.image_shape)

    def set_dataset_info(self, class_names, image_shape) -> None:
        """Use these class names and image shape instead of the ones the snapshots carry."""
        self._class_names = tuple(class_names)
        self._image_shape = None if image_shape is None else tuple(image_shape)
        self._layout = None
        self._relayout()

    def set_mode(self, name: str) -> None:
        """Draw "all" connections, the "strongest" k per neuron, the "selected" neuron's, or "contributions"."""
        if name not in MODES:
            raise ValueError(f"unknown mode {name!r}; choose from {', '.join(MODES)}")
        self._mode = name
        self._changed()

    def set_strongest_k(self, k: int) -> None:
        """Keep the k strongest incoming connections of each neuron in "strongest" mode."""
        self._k = max(1, int(k))
        self._changed()

    def set_colour_by(self, name: str) -> None:
        """Colour by "values" (weights, activations) or "gradients" (∂C/∂w, ∂C/∂a: backprop)."""
        if name not in COLOUR_BY:
            raise ValueError(f"unknown colouring {name!r}; choose from {', '.join(COLOUR_BY)}")
        self._colour_by = name
        self._changed()

    def set_reveal_depth(self, depth) -> None:
        """Reveal the gradient `depth` layers back from the output (None: all the way)."""
        self._depth = None if depth is None else max(0, int(depth))
        self._changed()

    def reveal_depth(self) -> int:
        n = self._n_layers()
        return n if self._depth is None else min(self._depth, n)

    def walk_back(self) -> None:
        """Reveal the gradient one layer further back; from "everything" it starts at the output."""
        depth, n = self.reveal_depth(), self._n_layers()
        self.set_reveal_depth(0 if depth >= n else depth + 1)

    def select_neuron(self, layer: int, index: int) -> None:
        """Select a neuron, emphasising its connections ((-1, -1) clears); emits nothing."""
        self._selected = None if layer < 0 else (int(layer), int(index))
        self._changed()

    def selected_neuron(self):
        return self._selected

    def set_marked_connections(self, connections) -> None:
        """Draw these (weight_layer, to_index, from_index) connections in the selection colour."""
        self._marked = [tuple(int(v) for v in c) for c in connections][-2:]
        self._schedule()

    def fit(self) -> None:
        """Show the whole network (after zooming or panning)."""
        self.canvas.fit()

    def set_dark(self, dark: bool) -> None:
        """Use colours for a dark (default) or light background."""
        self._dark = bool(dark)
        colours = palette(dark)
        self.canvas.set_dark(dark)
        self.canvas.diagram.foreground = colours.qcolor("foreground")
        self.canvas.diagram.outline = colours.qcolor("outline")
        self.legend.set_backdrop(colours.background)
        self._grid_source = None
        self._colouring.forget_drawing()  # same bins, new colours: the connections must be redrawn
        self._changed()

    def update_now(self) -> None:
        """Draw everything pending at once, ignoring the rate limit (tests, benchmarks)."""
        self._flush(force=True)

    # -- what tests and other panels can ask ----------------------------------------------------
    def edge_bins(self) -> list:
        """Return each weight layer's connection colour bins (flat, as last drawn; None: hidden)."""
        return list(self._colouring.bins)

    def edge_scale(self, layer: int):
        """Return the |value| drawn at full colour in weight layer `layer`, as last drawn."""
        return self._colouring.scale(self._quantity(), layer)

    def visible_edges(self, layer: int) -> np.ndarray:
        """Return the (n_out, n_in) mask of weight layer `layer`'s connections the mode draws."""
        values = edge_values(self._snap, layer, self._colour_by, self._mode)
        return visible_mask(values, layer, self._mode, self._k, self._selected)

    def neuron_pos(self, layer: int, index: int):
        """Return a neuron's centre in viewport pixels."""
        return self.canvas.to_viewport(*self._layout.centres[layer][index])

    def connection_pos(self, layer: int, to_index: int, from_index: int, t: float = 0.5):
        """Return the point a fraction t along a connection, in viewport pixels."""
        (x0, y0), (x1, y1) = self._layout.centres[layer][from_index], self._layout.centres[layer + 1][to_index]
        return self.canvas.to_viewport(x0 + t * (x1 - x0), y0 + t * (y1 - y0))

    def item_at(self, pos):
        """Return ("neuron", (layer, index)), ("connection", (l, j, i)) or None at a viewport point."""
        return self._pointer.hit(*self.canvas.to_diagram(pos))

    def tooltip_at(self, pos) -> str:
        """Return the tooltip shown at a viewport point ("" where there is nothing)."""
        return tooltip(self._snap, self.item_at(pos))

    # -- drawing (the rest: gui/diagram/drawing.py) --------------------------------------------------
    def _n_layers(self) -> int:
        return 0 if self._snap is None else self._snap.n_layers

    def _quantity(self) -> str:
        return quantity(self._snap, self._colour_by, self._mode)

    # -- the mouse --------------------------------------------------------------------------------
    def _scene(self) -> tuple:
        return (self._layout, self._snap, self._colouring.priorities, self._segments,
                self.canvas.pixels_per_unit())

    def highlight_neuron(self, layer: int, index: int) -> None:
        """Ring a neuron as if the pointer were on it (another view points at it); (-1, -1) clears."""
        neuron = None if layer < 0 or index < 0 else (layer, index)
        if neuron != self._hovered:
            self._hovered = neuron
            self.canvas.diagram.hovered = neuron
            self.canvas.diagram.update()

    @property
    def highlighted(self):
        return self._hovered

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:
            # the diagram's labels follow the window's font (larger in presentation mode)
            self.canvas.diagram.font_size = max(10, QtGui.QFontInfo(self.font()).pixelSize())
            self._relayout()  # the room for titles and labels follows the type size
            self.update_now()

    def _hovered_on(self, hit) -> None:
        self.last_tooltip = self._pointer.tooltip
        self.canvas.setToolTip(self.last_tooltip)
        neuron = hit[1] if hit is not None and hit[0] == "neuron" else None
        if neuron != self._hovered:
            self._hovered = neuron
            self.canvas.diagram.hovered = neuron
            self.canvas.diagram.update()
            self.neuronHovered.emit(*(neuron if neuron is not None else (-1, -1)))

    def _clicked_on(self, hit) -> None:
        kind, where = hit
        if kind == "neuron":
            self._selected = where
            self._changed()
            self.neuronSelected.emit(*where)
        else:
            self._marked = (self._marked + [where])[-2:]
            self._schedule()
            self.connectionSelected.emit(*where)
