"""Start the window: `python main.py [FILE] [--screenshot FILE --steps N --size WxH] [--data FOLDER]`."""
from __future__ import annotations

import argparse
import gc
import sys

from core.threads import limit_blas_threads

# Short slices let the GUI thread take the interpreter lock from the training thread promptly.
SWITCH_INTERVAL = 0.002


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py", description="Neural Network Explorer: watch a small network learn "
                                "to read handwritten digits. `main.py train --help` trains headless.")
    p.add_argument("file", nargs="?", metavar="FILE",
                   help="open this scene (.nnscene) or network (.npz) once the window is up")
    p.add_argument("--data", metavar="FOLDER", help="open a folder of the four IDX files instead of the embedded MNIST")
    p.add_argument("--light", action="store_true", help="start with the light palette")
    p.add_argument("--screenshot", metavar="FILE", help="train --steps mini-batches, save a PNG of the window, exit")
    p.add_argument("--steps", type=int, default=0, help="with --screenshot: mini-batches to train first (default 0)")
    p.add_argument("--size", default="1600x900", help="with --screenshot: window size WxH (default 1600x900)")
    p.add_argument("--panel", action="append", default=[],
                   help="with --screenshot: bring this panel to the front (repeatable), e.g. surface, inspector")
    p.add_argument("--fresh", action="store_true", help="ignore the saved layout and settings; no autosave restore")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    p.add_argument("--install-desktop-entry", action="store_true",
                   help="add the app with its icon to this user's desktop menus (Linux, XDG folders) and exit")
    p.add_argument("--uninstall-desktop-entry", action="store_true", help="remove what --install-desktop-entry wrote")
    return p


def parse_size(text: str) -> tuple:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--size must look like 1600x900, got {text!r}") from None
    if not (320 <= w <= 7680 and 240 <= h <= 4320):
        raise argparse.ArgumentTypeError(f"--size {text} is out of range")
    return w, h


# Up to this screen size (laptops, 1080p projectors) the panels want every pixel: a first
# start opens maximised. Larger screens get a window of FIRST_SHARE of the screen, centred.
MAXIMIZE_UP_TO = (1920, 1200)
FIRST_SHARE = 0.8


def opening_geometry(screen, window_size, remembered: bool):
    """Return how the window opens: "maximized", "as is", or (x, y, width, height).

    screen: the available desktop (x, y, width, height); window_size: the window's size now
    (its default, or the remembered one); remembered: whether a saved layout was restored.
    A remembered window keeps its place unless it no longer fits (a smaller monitor now).
    """
    sx, sy, sw, sh = screen
    w, h = window_size
    if w > sw or h > sh:
        return "maximized"
    if remembered:
        return "as is"
    if sw <= MAXIMIZE_UP_TO[0] and sh <= MAXIMIZE_UP_TO[1]:
        return "maximized"
    w, h = max(w, round(sw * FIRST_SHARE)), max(h, round(sh * FIRST_SHARE))
    return sx + (sw - w) // 2, sy + (sh - h) // 2, w, h


def freeze_startup_objects() -> None:
    """Keep the objects made at start-up (~100,000, alive as long as the window) out of the collector's sight.

    A full collection then stays short: one over them took 24 ms on the training thread,
    holding the interpreter lock, and so the window, for all of it.
    """
    gc.collect()
    gc.freeze()


def open_window(dataset, dark=True, restore_settings=True, offer_restore=True, settings=None, persist=True):
    """Build the window, its training worker and the controller between them; return the controller.

    restore_settings: start from the remembered architecture, settings and layout;
    offer_restore: offer to continue the autosaved session; persist: save the layout and an
    autosave as the window closes (False leaves the learner's own alone).
    """
    from PySide6.QtCore import QSettings, QTimer

    from gui.controller import Controller
    from gui.hint import FirstStepsHint
    from gui.main_window import MainWindow
    from gui.menus import WindowActions
    from gui.session import Session, load_hyperparameters
    from gui.training.engine_adapter import EngineWorker

    settings = settings if settings is not None else QSettings()
    notices = []  # what start-up had to change (settings out of range, a batch larger than the data)
    hyper = load_hyperparameters(settings, dataset, notices) if restore_settings else {}
    window = MainWindow(dataset, dark=dark)
    worker = EngineWorker(dataset, **hyper)
    controller = Controller(window, worker, parent=window)
    notices += worker.notices
    controller.session = session = Session(controller, settings)
    controller.actions = WindowActions(window, controller)
    window.use_remembered_layout(restore_settings and session.restore_layout())
    if not restore_settings:  # --fresh: the type sizes chosen before are not applied either
        controller.actions.presenter.forget_remembered_type()
    window.first_hint = FirstStepsHint(window.diagram, settings, fresh=not restore_settings, remember=persist)
    controller.snapshotShown.connect(window.first_hint.seen_snapshot)
    controller.persist = persist
    controller.start()
    if persist:
        session.start_autosave()
    if offer_restore:
        QTimer.singleShot(300, session.offer_restore)
    controller.startup_notices = tuple(notices)
    if notices:
        window.show_message(" ".join(notices), 20000)
    return controller


def run(argv) -> int:
    """Open the main window (or take a screenshot) and return the exit status."""
    from gui.desktop.first_paint import mark

    mark("started")
    p = build_parser()
    args = p.parse_args(argv)
    try:
        size = parse_size(args.size)
    except argparse.ArgumentTypeError as exc:
        p.error(str(exc))
    if args.steps < 0:
        p.error("--steps must be ≥ 0")
    if args.file and args.screenshot:
        p.error("a FILE to open cannot be combined with --screenshot")
    from gui.panels import PANEL_NAMES

    unknown = [name for name in args.panel if name not in ("diagram", *PANEL_NAMES)]
    if unknown:
        p.error(f"unknown panel {', '.join(map(repr, unknown))}; choose from diagram, {', '.join(PANEL_NAMES)}")
    if args.version:
        from resources import version

        print(f"nn-explorer {version()}")
        return 0
    if args.install_desktop_entry or args.uninstall_desktop_entry:
        from gui.desktop.entry import run_install

        return run_install(uninstall=args.uninstall_desktop_entry)
    from gui.desktop.platform_check import platform_problem, qt_running

    problem = None if qt_running() else platform_problem()
    if problem:  # Qt would abort inside QApplication(): say what to install instead
        print(problem, file=sys.stderr)
        return 1
    limit_blas_threads(1)
    sys.setswitchinterval(SWITCH_INTERVAL)

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication, QMessageBox

    from core.data import DatasetError, load_idx_dataset, load_mnist

    QCoreApplication.setOrganizationName("nn-explorer")
    QCoreApplication.setApplicationName("Neural Network Explorer")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from gui.desktop import excepthook
    from gui.desktop.first_paint import quit_after_first_paint
    from gui.desktop.icon import set_app_icon

    excepthook.install()
    set_app_icon(app)
    mark("qt_started")
    import gui.main_window  # noqa: F401  (the widgets' import time is what "gui_imported" marks)
    from gui.widgets.theme import theme

    mark("gui_imported")
    theme().set_dark(not args.light)
    theme().apply(app)
    try:
        dataset = load_idx_dataset(args.data) if args.data else load_mnist()
    except DatasetError as exc:
        QMessageBox.critical(None, "Cannot open the dataset", str(exc))
        return 2
    fresh = bool(args.fresh or args.screenshot)
    # a screenshot run is not a session: it neither restores nor overwrites the learner's own
    mark("data_loaded")
    controller = open_window(dataset, dark=not args.light, restore_settings=not fresh,
                             offer_restore=not fresh and not args.file, persist=not args.screenshot)
    window = controller.view
    mark("window_built")
    if args.screenshot:
        from gui.screenshot import take_screenshot

        return take_screenshot(app, controller, args.screenshot, args.steps, size, args.panel)
    freeze_startup_objects()
    screen = app.primaryScreen().availableGeometry()
    place = opening_geometry((screen.x(), screen.y(), screen.width(), screen.height()),
                             (window.width(), window.height()), window.remembered_layout)
    if place == "maximized":
        window.resize(screen.size())  # the size it returns to when un-maximised
        window.move(screen.topLeft())
        window.showMaximized()
    else:
        if place != "as is":
            x, y, w, h = place
            window.resize(w, h)
            window.move(x, y)
        window.show()
    quit_after_first_paint(app, window)
    if args.file:  # once the window is up: a refused file is said in a dialog over it
        from PySide6.QtCore import QTimer

        QTimer.singleShot(300, lambda: controller.actions.open_network(args.file))
    return app.exec()
