"""For benchmarks/startup.py: note when start-up reaches each stage, and quit once the window is painted.

Only active when NN_EXPLORER_STARTUP_PROBE is set; the app then prints one line,
`startup-probe stage=EPOCH_SECONDS ...`, right after the window's first paint, and exits.
"""
from __future__ import annotations

import os
import time

ENV = "NN_EXPLORER_STARTUP_PROBE"
_marks = {}


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def mark(stage: str) -> None:
    """Note the wall-clock time start-up reached `stage` (the benchmark compares it with the launch time)."""
    if enabled():
        _marks[stage] = time.time()


def quit_after_first_paint(app, window) -> None:
    """Print the stages and close the app once `window` has painted for the first time."""
    if not enabled():
        return
    from PySide6.QtCore import QEvent, QObject, QTimer

    class PaintWatch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Paint and "paint_started" not in _marks:
                _marks["paint_started"] = time.time()
                # the children paint in the same pass of the backing store: report after it
                QTimer.singleShot(0, report)
            return False

    def report():
        _marks["painted"] = time.time()
        print("startup-probe " + " ".join(f"{k}={v:.6f}" for k, v in _marks.items()), flush=True)
        window.close()
        app.quit()

    watch = PaintWatch(window)
    window.installEventFilter(watch)
