"""Tell a panel how wide its dock is, so it can rearrange itself before it would scroll sideways.

A panel in a scroll area is never made narrower than its own minimum width, so its own
resize events cannot say that the dock is narrower still; the scroll area's viewport (the
panel's parent) can.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject


class RoomWatcher(QObject):
    """Calls `on_room(width)` with the width of `panel`'s parent whenever it may have changed."""

    def __init__(self, panel, on_room):
        super().__init__(panel)
        self.panel, self.on_room, self._parent = panel, on_room, None
        panel.installEventFilter(self)

    def eventFilter(self, obj, event):
        kind = event.type()
        if obj is self.panel and kind in (QEvent.Type.Show, QEvent.Type.ParentChange, QEvent.Type.Resize):
            parent = self.panel.parentWidget()
            if parent is not self._parent:
                if self._parent is not None:
                    self._parent.removeEventFilter(self)
                self._parent = parent
                if parent is not None:
                    parent.installEventFilter(self)
            self.on_room(parent.width() if parent is not None else self.panel.width())
        elif obj is self._parent and kind == QEvent.Type.Resize:
            self.on_room(obj.width())
        return False
