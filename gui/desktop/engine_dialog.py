"""The message shown when the training engine stops unasked, with a restart from the last snapshot."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def offer_restart(parent, message: str, step: int, restart) -> QMessageBox:
    """Show message with "Restart from step N" (calls restart) and "Not now"; return the box (not modal)."""
    box = QMessageBox(QMessageBox.Warning, "Neural Network Explorer", message, QMessageBox.NoButton,
                      parent if isinstance(parent, QWidget) else None)
    again = box.addButton(f"Restart from step {step}", QMessageBox.AcceptRole)
    box.addButton("Not now", QMessageBox.RejectRole)
    again.clicked.connect(restart)
    box.setObjectName("engineDied")
    box.setModal(False)
    box.show()  # the window goes on drawing and answering while the learner decides
    return box
