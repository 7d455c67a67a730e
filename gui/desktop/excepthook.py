"""Uncaught exceptions on the GUI side: the traceback to stderr, a message to the learner, and the app goes on.

Qt calls `sys.excepthook` for an exception that escapes a slot or an event handler and then
carries on with its event loop; the default hook only prints, so the learner would see a
window that silently stopped doing one thing. One message box at a time: an error that
repeats every frame must not bury the window under dialogs.
"""
from __future__ import annotations

import sys
import traceback

from PySide6.QtWidgets import QApplication, QMessageBox

_open_box = None


def report_exception(kind, value, tb) -> None:
    """Print the traceback and show what went wrong (the hook installed by `install`)."""
    global _open_box
    traceback.print_exception(kind, value, tb, file=sys.stderr)
    if issubclass(kind, KeyboardInterrupt) or QApplication.instance() is None or _open_box is not None:
        return
    try:
        box = QMessageBox(QMessageBox.Critical, "Neural Network Explorer",
                          f"Something went wrong in the window: {kind.__name__}: {value}\n\n"
                          "The app goes on; what you were doing may not have finished. Training is not affected.")
        box.setDetailedText("".join(traceback.format_exception(kind, value, tb)))
        box.setObjectName("uncaughtException")
        box.finished.connect(_closed)
        _open_box = box
        box.open()
    except Exception:  # noqa: BLE001 - a hook must never raise
        _open_box = None


def _closed(_result=None) -> None:
    global _open_box
    if _open_box is not None:
        _open_box.deleteLater()
    _open_box = None


def install() -> None:
    """Make `report_exception` the interpreter's hook for uncaught exceptions."""
    sys.excepthook = report_exception
