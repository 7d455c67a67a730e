"""The message shown when a training step or a command failed: what happened, and the details to copy."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox


def show_fault(parent, message: str, details: str) -> QMessageBox:
    """Show a non-blocking warning with `details` (the traceback) as selectable, copyable text."""
    box = QMessageBox(QMessageBox.Warning, "Training paused: something went wrong", message,
                      QMessageBox.Ok, parent)
    box.setDetailedText(details)
    box.setTextInteractionFlags(Qt.TextSelectableByMouse)
    box.setWindowModality(Qt.NonModal)
    box.setAttribute(Qt.WA_DeleteOnClose)
    box.show()
    return box
