"""Let the wheel scroll the panel under a plot that does not zoom.

A pyqtgraph view accepts every wheel event, even with its mouse interaction switched off,
so a panel that scrolls stopped scrolling whenever the pointer passed over one of its plots.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractScrollArea, QApplication


def enclosing_scroll_area(widget):
    """Return the nearest scroll area around widget (not widget itself), or None."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


class PassWheelOn(QObject):
    """An event filter on a view's viewport that hands wheel events to the scroll area around the view."""

    def __init__(self, view):
        super().__init__(view)
        self.view = view

    def eventFilter(self, obj, event):
        if event.type() != QEvent.Type.Wheel:
            return False
        area = enclosing_scroll_area(self.view)
        if area is not None:
            QApplication.sendEvent(area.viewport(), event.clone())
        else:
            event.ignore()
        return True


def pass_wheel_on(view) -> None:
    """Make a graphics view (a plot without wheel zoom) pass the wheel to the scroll area around it."""
    view.viewport().installEventFilter(PassWheelOn(view))
