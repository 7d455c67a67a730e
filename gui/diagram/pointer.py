"""What the pointer is on in the network diagram: hit tests, tooltips, coalesced hovering."""
from __future__ import annotations

from PySide6 import QtCore
from superqt.utils import qthrottled

from gui.diagram.edges import nearest_connection
from gui.diagram.style import connection_tooltip, neuron_tooltip

HOVER_INTERVAL_MS = 25  # pointer moves are looked up at most this often (the latest one wins)
HIT_TOLERANCE = 4.0  # device pixels around a line that count as pointing at it


def tooltip(snap, hit) -> str:
    """Return the tooltip of ("neuron", (layer, index)) or ("connection", (l, j, i)); "" for None."""
    if hit is None or snap is None:
        return ""
    kind, where = hit
    return neuron_tooltip(snap, *where) if kind == "neuron" else connection_tooltip(snap, *where)


class DiagramPointer(QtCore.QObject):
    """Turns pointer positions (diagram units) into what is under them.

    `scene()` must return (layout, snapshot, priorities, segments, pixels per unit) as drawn.
    Signals: hoveredChanged(object hit) with the neuron or connection under the pointer (or
    None), at most every HOVER_INTERVAL_MS; clickedOn(object hit) for a click on something.
    """

    hoveredChanged = QtCore.Signal(object)
    clickedOn = QtCore.Signal(object)

    def __init__(self, scene, parent=None):
        super().__init__(parent)
        self._scene = scene
        self._pending = None
        self.tooltip = ""  # of what the pointer is on now
        self._look_soon = qthrottled(self._look, HOVER_INTERVAL_MS, leading=False, parent=self)

    def hit(self, x: float, y: float):
        """Return ("neuron", (layer, index)), ("connection", (l, j, i)) or None at (x, y)."""
        layout, snap, priorities, segments, pixels_per_unit = self._scene()
        if layout is None or snap is None:
            return None
        neuron = layout.neuron_at(x, y)
        if neuron is not None:
            return "neuron", neuron
        conn = nearest_connection(layout, x, y, HIT_TOLERANCE / pixels_per_unit, priorities, segments)
        return None if conn is None else ("connection", conn)

    def moved(self, x, y, screen_pos=None) -> None:
        """The pointer moved to (x, y), or left (x is None): look it up soon, or at once on leaving."""
        self._pending = (x, y)
        if x is None:
            self._look()
        else:
            self._look_soon()

    def clicked(self, x: float, y: float) -> None:
        hit = self.hit(x, y)
        if hit is not None:
            self.clickedOn.emit(hit)

    def _look(self) -> None:
        if self._pending is None:
            return
        (x, y), self._pending = self._pending, None
        hit = None if x is None else self.hit(x, y)
        self.tooltip = tooltip(self._scene()[1], hit)
        self.hoveredChanged.emit(hit)
