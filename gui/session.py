"""Never lose work: settings, window layout, recent files, autosave and restore."""
from __future__ import annotations

import contextlib
import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QStandardPaths, QTimer
from PySide6.QtWidgets import QMessageBox

from core import validation
from core.checkpoint import remove_stale_temporaries
from core.remembered import KEYS, check_remembered
from core.scene import is_scene_part

AUTOSAVE_MINUTES = 3
LATEST_TIMESTAMP = 4_102_444_800  # 2100-01-01: later "times" are corrupt, and localtime may refuse them
MAX_RECENT = 8


def data_folder() -> Path:
    """Return (and create) the user's data folder for this app."""
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def load_hyperparameters(settings, dataset, notices=None) -> dict:
    """Return the last architecture and settings as TrainingWorker keyword arguments.

    Each is checked (core/remembered.py): one out of range is left out, so its default is
    used, and a line saying so is appended to `notices`.
    """
    raw = {key: settings.value(f"net/{key}") for key in KEYS}
    hyper, dropped = check_remembered(raw, dataset.n_inputs, dataset.n_classes, "Settings")
    if notices is not None:
        notices.extend(dropped)
    return hyper


def autosave_stamp(when) -> str:
    """Return how the restore offer names the autosaved session (its time, unless that record is unusable)."""
    try:
        seconds = validation.real(when, "autosave time", 0, LATEST_TIMESTAMP)
    except validation.InputError:
        return "An earlier session"
    return time.strftime("The session of %Y-%m-%d %H:%M", time.localtime(seconds))


class Session:
    """Persists what the learner would expect to find again, through QSettings and files.

    It works through the controller: the window's layout via `controller.view`, the network
    via its commands and newest snapshot.
    """

    def __init__(self, controller, settings):
        self.controller = controller
        self.window = controller.view
        self.settings = settings
        self._autosave_timer = None
        self._last_autosaved_step = None
        controller.architectureChosen.connect(self.remember_architecture)
        controller.saved.connect(self.on_saved)
        controller.loaded.connect(self.on_loaded)

    # -- hyperparameters and layout -------------------------------------------------------

    def remember_architecture(self, hidden, activation, cost, seed):
        s = self.settings
        s.setValue("net/hidden", ",".join(str(n) for n in hidden))
        s.setValue("net/activation", activation)
        s.setValue("net/cost", cost)
        s.setValue("net/seed", int(seed))

    def save_layout(self):
        w, s = self.window, self.settings
        s.setValue("window/geometry", w.saveGeometry())
        s.setValue("window/state", w.saveState(1))
        s.setValue("window/dark", bool(w.dark))
        snap = self.controller.latest()
        if snap is not None:
            self.remember_architecture(snap.sizes[1:-1], snap.activation, snap.cost, snap.seed)
            s.setValue("net/learning_rate", float(snap.extra.get("base_learning_rate", snap.learning_rate)))
            s.setValue("net/batch_size", int(snap.batch_size))
            s.setValue("net/optimizer", snap.optimizer)
        mode = getattr(w.diagram, "mode", None)
        if isinstance(mode, str):
            s.setValue("view/diagram_mode", mode)
        training = w.panels["training"]
        s.setValue("training/speed", float(training.speed_setting()))
        s.setValue("training/pace", float(training.pace_setting()))
        s.sync()

    def restore_layout(self) -> bool:
        """Restore the remembered window geometry and docks; return whether there were any."""
        w, s = self.window, self.settings
        geometry, state = s.value("window/geometry"), s.value("window/state")
        restored = False
        if isinstance(geometry, QByteArray):
            restored = w.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            restored = w.restoreState(state, 1) and restored
        mode = s.value("view/diagram_mode")
        if isinstance(mode, str):
            with contextlib.suppress(ValueError, KeyError):
                w.diagram.set_mode(mode)
        with contextlib.suppress(TypeError, ValueError):  # a garbled value: keep the default pace
            speed, pace = s.value("training/speed"), s.value("training/pace")
            if speed is not None:
                w.panels["training"].set_speed(float(speed), float(pace) if pace is not None else None)
        return restored

    # -- where file dialogs start -------------------------------------------------------------
    def dialog_folder(self) -> str:
        """Return where a file dialog starts: the folder used last, else the user's documents."""
        last = self.settings.value("files/last_folder")
        if isinstance(last, str) and Path(last).is_dir():
            return last
        documents = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
        return documents if documents and Path(documents).is_dir() else str(Path.home())

    def dialog_path(self, name: str) -> str:
        """Return a suggested file `name` in the folder where file dialogs start."""
        return str(Path(self.dialog_folder()) / name)

    def remember_folder(self, path) -> None:
        """Let the next file dialog start where this file (or folder) was chosen."""
        path = Path(path)
        self.settings.setValue("files/last_folder", str(path if path.is_dir() else path.parent))

    # -- recent files ------------------------------------------------------------------------
    def recent_files(self) -> list:
        value = self.settings.value("files/recent") or []
        if isinstance(value, str):
            value = [value]
        return [p for p in value if Path(p).is_file()]

    def add_recent(self, path):
        recent = [str(path)] + [p for p in self.recent_files() if p != str(path)]
        self.settings.setValue("files/recent", recent[:MAX_RECENT])

    def on_saved(self, path):
        if is_scene_part(path):  # the network half of a scene being saved: the scene says when it is
            return
        if Path(path) != self.autosave_path():
            self.add_recent(path)
            self.window.show_message(f"Saved {path}", 5000)

    def on_loaded(self, path):
        if Path(path) != self.autosave_path():
            self.add_recent(path)
        self.window.show_message(f"Opened {path}", 5000)

    # -- autosave ----------------------------------------------------------------------------
    def autosave_path(self) -> Path:
        return data_folder() / "autosave.npz"

    def start_autosave(self):
        remove_stale_temporaries(data_folder())  # left by a save the app was killed in
        self._autosave_timer = QTimer(self.window)
        self._autosave_timer.timeout.connect(self.autosave_now)
        self._autosave_timer.start(AUTOSAVE_MINUTES * 60 * 1000)

    def autosave_now(self):
        """Save the session to the data folder if it changed since the last autosave."""
        snap = self.controller.latest()
        if snap is None or snap.step == 0 or snap.step == self._last_autosaved_step:
            return
        self._last_autosaved_step = snap.step
        self.settings.setValue("files/autosave_time", time.time())
        self.controller.save(str(self.autosave_path()))

    def offer_restore(self):
        """Offer to continue the last session if an autosave is there."""
        path = self.autosave_path()
        if not path.is_file():
            return
        stamp = autosave_stamp(self.settings.value("files/autosave_time"))
        answer = QMessageBox.question(
            self.window, "Continue where you left off?",
            f"{stamp} was saved automatically. Continue training that network?",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
        if answer == QMessageBox.Yes:
            self.controller.load(str(path))
