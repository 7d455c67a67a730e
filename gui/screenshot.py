"""`main.py --screenshot`: train a few steps, let every panel render, save the window as PNG."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer


def _pump(app, seconds: float) -> None:
    """Run the event loop for `seconds`.

    A real (blocking) loop rather than processEvents() in a polling loop: the training worker
    steps while the GUI thread sleeps, and a polling loop never sleeps in Qt's sight, so
    training crawled (~20 steps a second).
    """
    loop = QEventLoop()
    QTimer.singleShot(max(0, int(seconds * 1000)), loop.quit)
    loop.exec()


def take_screenshot(app, controller, path, steps: int, size, panels=()) -> int:
    """Show the controller's window at size, train `steps` mini-batches, save a PNG to path; return exit status."""
    window = controller.view
    window.resize(*size)
    window.show()
    _pump(app, 0.3)  # the first layout settles (docks sized to the window) before panels come forward
    for name in panels:
        controller.show_panel(name)
    _pump(app, 0.2)
    if steps:
        controller.step(steps)
        deadline = time.perf_counter() + 600
        while controller.latest().step < steps and time.perf_counter() < deadline:
            _pump(app, 0.05)
    controller.evaluate()
    # Let the last snapshot reach every panel and background computations (cost surface,
    # test-set statistics) finish.
    _pump(app, 1.0)
    window.wait_for_background(20.0)
    _pump(app, 0.5)
    image = window.grab()
    ok = image.save(str(path))
    window.close()
    if not ok:
        print(f"error: could not write {path}", file=sys.stderr)
        return 1
    print(f"saved {Path(path).resolve()} ({image.width()}x{image.height()}, step {controller.latest().step})")
    return 0
