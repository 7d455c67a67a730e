"""File ▸ Save scene… and Open scene…: gather the window's moment into a scene, and put the window back there.

Saving asks the engine to write the network part (its usual save command) to a temporary
file, then core/scene.py adds the view and writes the one `.nnscene` file. Opening checks the
whole file (core/scene.py) and the layout bytes (on a scratch window Qt may fail on without
harm) first, then sends the engine the usual load command; only when the engine says the
network is loaded does the rest (layout, selection, panels, example, tour) follow. A refused
file or a refused load changes nothing.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget
from superqt.utils import signals_blocked

from core.checkpoint import CheckpointError
from core.scene import (
    LAYOUT_VERSION,
    NORMAL_LAYOUT_VERSION,
    SceneError,
    SceneFit,
    SceneView,
    discard_network_part,
    network_part_path,
    read_scene,
    write_scene,
)


def _built(panel) -> bool:
    """Return whether a panel exists (a lazy stand-in not yet built holds no state worth keeping)."""
    is_built = getattr(type(panel), "is_built", None)
    return is_built is None or panel.is_built()


class SceneKeeper(QObject):
    """Saves and opens scenes for a MainWindow through its controller and presenter.

    Signals:
        sceneSaved(str): a scene was written to this path.
        sceneOpened(str): a scene was opened from this path and fully applied.
    """

    sceneSaved = Signal(str)
    sceneOpened = Signal(str)

    def __init__(self, window, controller, presenter):
        super().__init__(window)
        self.w = window
        self.controller = controller
        self.presenter = presenter
        self._saving = None  # (network part, scene path, SceneView) waiting for the engine's save
        self._opening = None  # (path, SceneView) waiting for the engine's load
        controller.saved.connect(self._on_saved)
        controller.loaded.connect(self._on_loaded)
        controller.refused.connect(self._on_refused)  # a refused save or load: nothing more follows it

    # -- what the window shows ------------------------------------------------------------------
    def gather(self) -> SceneView:
        """Return the window's moment: layout, type size, selection, panels in front, example, tour step."""
        w, c = self.w, self.controller
        snap = c.latest()
        shown = c.shown() or snap
        if shown.example_split == "drawn":
            example, drawn = ("drawn", 0), np.clip(np.asarray(shown.activations[0], np.float32), 0, 1)
        else:
            example, drawn = (shown.example_split, max(0, int(shown.example_index))), None
        tour = w.panels["tour"]
        tour_open = _built(tour) and tour.is_running()  # in presentation mode the clicker walks it unseen
        normal = self.presenter.normal_layout()
        mode = getattr(w.diagram, "mode", None)
        return SceneView(
            window_state=bytes(w.saveState(LAYOUT_VERSION).data()),
            window_geometry=bytes(w.saveGeometry().data()),
            normal_state=bytes(normal.data()) if normal is not None else None,
            presentation=bool(self.presenter.on),
            type_scale=self.presenter.user_scales(),
            selected=c.selected_neuron(),
            connections=tuple(c.marked_connections()),
            raised=tuple(name for name in w.docks if w.panel_visible(name)),
            example=example, drawn_input=drawn,
            tour_step=tour.current_index() if tour_open else None,
            diagram_mode=mode if isinstance(mode, str) else None)

    def fit(self) -> SceneFit:
        """Return what a scene must fit: the open dataset, the panels and the tour."""
        ds = self.w.dataset
        return SceneFit(ds.n_inputs, ds.n_classes, ds.name, len(ds.train_labels), len(ds.test_labels),
                        tuple(self.w.docks), len(self.w.panels["tour"].steps()))

    # -- saving -----------------------------------------------------------------------------------
    def save(self, path) -> None:
        """Save the window's moment and the network (through the engine) as one scene file at path."""
        if self._saving is not None:
            discard_network_part(self._saving[0])
        part = network_part_path(path)
        self._saving = (str(part), str(path), self.gather())
        self.controller.save(str(part))

    def _on_saved(self, part):
        if self._saving is None or part != self._saving[0]:
            return
        part, path, view = self._saving
        self._saving = None
        try:
            write_scene(path, part, view)
        except CheckpointError as exc:
            self.w.warn(f"The scene was not saved: {exc}")
            return
        finally:
            discard_network_part(part)
        self.w.show_message(f"Saved the scene {path}", 5000)
        self.sceneSaved.emit(path)

    # -- opening ----------------------------------------------------------------------------------
    def open(self, path) -> bool:
        """Check the scene at path and, if it fits, load its network; the rest follows the load. Return whether sent."""
        path = str(path)
        try:
            scene = read_scene(path, self.fit())
            self._check_layout_loads(scene.view)
        except SceneError as exc:
            self.w.warn(f"Cannot open this scene.\n\n{exc}")
            return False
        self._opening = (path, scene.view)
        self.controller.load(path)
        return True

    def _check_layout_loads(self, view: SceneView) -> None:
        """Raise SceneError unless Qt reads the scene's layout bytes (tried on scratch windows, never shown)."""
        scratch = QMainWindow()
        try:
            scratch.setCentralWidget(QWidget(scratch))
            for name in self.w.docks:
                dock = QDockWidget(name, scratch)
                dock.setObjectName(self.w.docks[name].objectName())
                scratch.addDockWidget(self.w.dockWidgetArea(self.w.docks[name]), dock)
            # (the geometry is not tried: Qt declines one saved on a screen of another width, and
            # then the window keeps its own size; core/scene.py has checked its header)
            checks = [("window layout", scratch.restoreState(view.window_state, LAYOUT_VERSION))]
            if view.normal_state is not None:
                checks.append(("layout outside presentation mode",
                               scratch.restoreState(view.normal_state, NORMAL_LAYOUT_VERSION)))
        finally:
            scratch.deleteLater()
        bad = [what for what, ok in checks if not ok]
        if bad:
            raise SceneError(f"the {' and the '.join(bad)} cannot be read")

    def _on_loaded(self, path):
        if self._opening is None or path != self._opening[0]:
            return
        path, view = self._opening
        self._opening = None
        notes = self.apply(view)
        self.w.show_message(" ".join([f"Opened the scene {path}.", *notes]), 8000 if notes else 5000)
        self.sceneOpened.emit(path)

    def _on_refused(self, *_):
        if self._saving is not None:
            discard_network_part(self._saving[0])
        self._saving = self._opening = None

    def apply(self, view: SceneView) -> list:
        """Put the window in the scene's moment (its network is loaded already); return what could not be."""
        w, c, presenter = self.w, self.controller, self.presenter
        notes = []
        c.back_to_live()
        tour = w.panels["tour"]
        if view.tour_step is not None:  # before the layout shows the tour: showing it must not set a step up
            tour.resume_at(view.tour_step)
        presenter.set_user_scales(view.type_scale)
        presenter.set_on(view.presentation)
        if view.presentation:
            presenter.set_normal_layout(view.normal_state)
        elif not w.restoreGeometry(view.window_geometry):
            # Qt refuses a geometry saved on a screen more than a quarter wider or narrower
            # (a laptop's scene on a projector): the window keeps its size, the docks still follow
            notes.append("The window keeps its size: the scene was saved on a screen of another size.")
        w.restoreState(view.window_state, LAYOUT_VERSION)
        for name in view.raised:
            if w.docks[name].isVisible():
                w.docks[name].raise_()
        if view.diagram_mode is not None:
            try:
                w.diagram.set_mode(view.diagram_mode)
            except (ValueError, KeyError):
                notes.append(f"The diagram mode {view.diagram_mode!r} is not available.")
        for connection in view.connections:
            c.select_connection(*connection)
        if view.selected is not None:
            c.select_neuron(*view.selected)
        self._show_example(view)
        return notes

    def _show_example(self, view: SceneView) -> None:
        sample = self.w.panels["sample"]
        if _built(sample) and sample.follow.isChecked():
            with signals_blocked(sample.follow):  # the scene's example stays; ticking it follows the batch again
                sample.follow.setChecked(False)
        source, index = view.example
        if source == "drawn":
            self.controller.show_input(view.drawn_input)
        elif source == "batch":
            self.controller.follow_batch()
        else:
            self.controller.show_example(source, index)


def is_scene_file(path) -> bool:
    """Return whether path names a scene (by its ending)."""
    return Path(str(path)).suffix.lower() == ".nnscene"
