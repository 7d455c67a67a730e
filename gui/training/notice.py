"""A one-line notice that the learning rate was moved to suit a new setting, with Undo."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from gui.widgets.theme import follow_theme, palette


class RateNotice(QFrame):
    """Says the learning rate moved and why; Undo asks for the old rate back.

    Signals: undoClicked(float old_rate).
    """

    undoClicked = Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("rate_notice")
        self.old_rate = None
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.undo = QPushButton("Undo", self)
        self.undo.setToolTip("Go back to the learning rate in force before")
        self.undo.clicked.connect(self._undo)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 4)
        row.addWidget(self.text, 1)
        row.addWidget(self.undo)
        follow_theme(self)
        self.hide()

    def say(self, text: str, old_rate: float) -> None:
        self.old_rate = float(old_rate)
        self.text.setText(text)
        self.show()

    def _undo(self):
        self.hide()
        if self.old_rate is not None:
            self.undoClicked.emit(self.old_rate)

    def set_dark(self, dark: bool) -> None:
        colours = palette(dark)
        border, background = colours.hex("notice_edge"), colours.hex("notice_fill")
        self.setStyleSheet(f"QFrame#rate_notice {{ border: 1px solid {border}; border-radius: 4px;"
                           f" background: {background}; }}")
