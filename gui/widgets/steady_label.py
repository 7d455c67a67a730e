"""A label for numbers that change with every snapshot, without relaying out the window each time.

QLabel.setText always asks its layout to recompute, and that request climbs every layout
above it: a status-bar counter set 20 times a second re-laid-out the main window 20 times a
second, and each time Qt re-placed every dock (creating an animation object per dock). A
widget of fixed size stops the climb. So this label keeps a fixed size that only grows: a
new text that fits is just repainted; one that needs more room grows the label once.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel


class SteadyLabel(QLabel):
    """A QLabel of a fixed size that grows to fit its widest text so far (and follows the font)."""

    _fixed = False  # set once measured (a font change during construction has nothing to refit)

    def __init__(self, text: str = "", parent=None, min_width: int = 0):
        super().__init__(parent)
        self._min_width = int(min_width)
        super().setText(text)
        self._fit(grow_only=False)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        if text == self.text():
            return
        super().setText(text)  # at a fixed size this no longer climbs the layouts
        self._fit(grow_only=True)

    def _fit(self, grow_only: bool) -> None:
        if not grow_only:
            # QLabel's hint is never less than the minimum size: free it to measure from scratch
            self.setMinimumSize(0, 0)
        hint = QLabel.sizeHint(self)  # after setText, at least the current width: it only grows
        self._fixed = True
        self.setFixedSize(max(hint.width(), self._min_width), hint.height())  # no change, no relayout

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        # a new type size (Ctrl+= / presentation mode): measure again, from scratch
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.ApplicationFontChange) and self._fixed:
            self._fit(grow_only=False)
