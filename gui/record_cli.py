"""`python main.py record FILE --steps N [--fps F] [--size WxH] [--what diagram|window|PANEL]`.

Trains N mini-batches of a fresh network, one frame after each, and writes the clip as a
GIF or an MP4 by FILE's extension: the same clip every time, for lecture slides. Runs
without a screen (Qt's offscreen platform) when there is no display.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from core.recording import RecordingError, check_target
from core.threads import limit_blas_threads
from gui.panels import PANEL_NAMES

MAX_STEPS = 100_000
STEP_TIMEOUT = 60.0  # seconds for one mini-batch to reach the window before giving up


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py record", description="Record a fresh network learning, as a GIF "
                                "or an MP4 clip (one frame per mini-batch).")
    p.add_argument("file", metavar="FILE", help="where to write the clip: NAME.gif or NAME.mp4")
    p.add_argument("--steps", type=int, required=True, help="mini-batches to train (one frame each)")
    p.add_argument("--fps", type=float, default=10.0, help="frames a second when the clip plays (default 10)")
    p.add_argument("--size", default="1280x720", help="window size WxH (default 1280x720)")
    p.add_argument("--what", default="diagram", choices=("diagram", "window") + PANEL_NAMES,
                   help="what to record: the diagram, the whole window or one panel (default diagram)")
    return p


def main(argv) -> int:
    """Record as asked on the command line; return the exit status (2: bad options)."""
    from gui.app import parse_size

    p = build_parser()
    args = p.parse_args(argv)
    if not 1 <= args.steps <= MAX_STEPS:
        p.error(f"--steps must be 1–{MAX_STEPS:,}, not {args.steps}")
    try:
        check_target(args.file, args.fps)
        size = parse_size(args.size)
    except (RecordingError, argparse.ArgumentTypeError) as exc:
        p.error(str(exc))
    folder = os.path.dirname(os.path.abspath(args.file))
    if not os.path.isdir(folder):
        p.error(f"no folder {folder} to write {os.path.basename(args.file)} into")
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    limit_blas_threads(1)
    return record(args.file, args.steps, args.fps, size, args.what)


def record(path, steps: int, fps: float, size, what: str) -> int:
    """Open a fresh window, train `steps` mini-batches recording `what`, write the clip; return 0."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from core.data import load_mnist
    from core.recording import ClipWriter
    from gui.app import open_window
    from gui.lecture.recording import frame_of, step_caption
    from gui.screenshot import _pump
    from gui.widgets.theme import apply_theme

    QCoreApplication.setOrganizationName("nn-explorer")
    QCoreApplication.setApplicationName("Neural Network Explorer")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app, dark=True)
    controller = open_window(load_mnist(), restore_settings=False, offer_restore=False, persist=False)
    window = controller.view
    window.resize(*size)
    window.show()
    _pump(app, 0.3)
    if what not in ("diagram", "window"):
        controller.show_panel(what)
        _pump(app, 0.2)
    widget = {"diagram": window.diagram, "window": window}.get(what) or window.panels[what]
    writer = ClipWriter(path, fps)
    try:
        for i in range(1, steps + 1):
            controller.step(1)
            deadline = time.monotonic() + STEP_TIMEOUT
            while (controller.shown() is None or controller.shown().step < i) and time.monotonic() < deadline:
                _pump(app, 0.01)
            window.diagram.update_now()
            _pump(app, 0.02)  # the panels paint the step too
            writer.append(frame_of(widget, step_caption(controller.shown())))
        frames = writer.close()
    except OSError as exc:
        print(f"error: could not write {path}: {exc}", file=sys.stderr)
        return 1
    finally:
        window.close()
    print(f"saved {path} ({frames} frames)")
    return 0
