"""The cost-surface panel: a 2-D slice of the cost through the current point, with the path
training took, the downhill direction, and the cost along the gradient.

Everything heavy (building the plane, the grid, the gradient) runs in gui/surface_job.py on
a one-thread pool, on read-only snapshots; this widget holds settings and draws results.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import qdebounced

from core.landscape.planes import describe_parameter, parameter_index, steepest_weights
from gui.surface.job import SurfaceRequest, compute_surface
from gui.surface.plots import SurfacePlots
from gui.widgets.flow_layout import FlowLayout, group
from gui.widgets.jobs import BackgroundRunner

# (label, plane kind, normalisation) for the plane selector.
PLANES = (("Trajectory PCA", "pca", None), ("Random, filter-normalised", "random", "filter"),
          ("Random, layer-normalised", "random", "layer"), ("Two chosen weights", "parameters", None))
SAMPLE_SIZES = (250, 500, 1000, 2000, 5000)
TRAJECTORY_WAIT_MS = 500  # how long a recompute waits for trajectoryWanted to be answered
SETTINGS_DELAY_MS = 150  # coalesce bursts of control changes into one recompute


def _signature(trajectory):
    """Return a cheap stand-in for a trajectory's identity: its steps and first and last rows.

    The main window answers every request with fresh arrays; a recorded run only changes by
    growing or thinning, which changes the steps, so equal signatures mean the same path.
    """
    if trajectory is None:
        return None
    steps, rows = trajectory
    return (tuple(np.asarray(steps).tolist()), rows[0].tobytes(), rows[-1].tobytes()) if len(rows) else ()


class SurfaceView(QWidget):
    """Heat map and contours of C(θ₀ + α·d₁ + β·d₂), the projected trajectory, −∇C, and C along −∇C.

    Signals:
        trajectoryWanted(): a recompute is about to start; answer with set_trajectory(steps, rows).
        statusChanged(str): a one-line description of what the panel shows or is doing.
        gridReady(): the full grid of the newest request is on screen.
    """

    trajectoryWanted = Signal()
    statusChanged = Signal(str)
    gridReady = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = self._dataset = self._trajectory = None
        self._sample = None  # (size, dataset, (x, y)) of the last evaluation sample
        self._plane_cache = None  # (settings, trajectory signature, snapshot, Plane) of the last plane
        self._parameters = []  # flat indices of the last two clicked connections
        self._awaiting_trajectory = False
        self._requested_step = None  # snapshot step of the newest request
        self._pending = None  # (plane settings, trajectory signature, snapshot, sample size), newest request
        self._started = 0.0
        self.busy = False
        self.plane = None  # the Plane on screen
        self._step_grads = None  # (mini-batch ∇C, true ∇C) of the last step, when compared
        self.frame = None  # the SurfaceFrame on screen
        self._status = ""
        self._last_id = 0  # request ids, to tell results apart
        self._runner = BackgroundRunner(self)  # one grid at a time: the machine also trains and draws
        self._runner.progress.connect(self._on_report)
        self._runner.failed.connect(self._on_failed)
        self._build()
        self._recompute_soon = qdebounced(self.recompute, SETTINGS_DELAY_MS, parent=self)  # settings come in bursts
        self._trajectory_timer = QTimer(self, singleShot=True, interval=TRAJECTORY_WAIT_MS)
        self._trajectory_timer.timeout.connect(self._start)

    def _build(self):
        self.plane_box = QComboBox()
        for label, _, _ in PLANES:
            self.plane_box.addItem(label)
        self.seed_box = QSpinBox(minimum=0, maximum=9999, prefix="seed ")
        self.resolution_box = QSpinBox(minimum=21, maximum=101, singleStep=10, value=51, prefix="grid ")
        self.sample_box = QComboBox()
        for n in SAMPLE_SIZES:
            self.sample_box.addItem(f"{n:,} images", n)
        self.sample_box.setCurrentIndex(SAMPLE_SIZES.index(1000))
        self.extent_box = QComboBox()
        self.extent_box.addItems(["Auto extent", "Manual ±"])
        self.half_width_box = QDoubleSpinBox(minimum=0.01, maximum=100.0, value=1.0, singleStep=0.25, decimals=2)
        self.half_width_box.setEnabled(False)
        self.log_box = QCheckBox("Log scale")
        self.recompute_button = QPushButton("Recompute")
        self.follow_box = QCheckBox("Follow training, every")
        self.follow_every_box = QSpinBox(minimum=1, maximum=100000, value=50, suffix=" steps")
        for w, tip in ((self.plane_box, "The plane through the current weights that the picture slices the cost with"),
                       (self.resolution_box, "Grid points along each axis"),
                       (self.sample_box, "Training images the cost is averaged over"),
                       (self.extent_box, "Auto: frame the trajectory; manual: α and β from −h to h")):
            w.setToolTip(tip)
        # One flow of controls: two rows in a wide panel, more in a narrow one (no sideways scroll).
        controls = FlowLayout()
        for w in (self.plane_box, self.seed_box, self.resolution_box, self.sample_box,
                  group(self.extent_box, self.half_width_box), self.log_box,
                  group(self.follow_box, self.follow_every_box), self.recompute_button):
            controls.addWidget(w)
        self.plots = SurfacePlots()
        self.status_label = QLabel(wordWrap=True)  # long descriptions wrap instead of widening the panel
        self.progress = QProgressBar(maximum=100, textVisible=False, maximumWidth=120, maximumHeight=10)
        # Shown and hidden with every recompute while following training: its room stays, or
        # each time the plots were resized and their axes laid out again (22 times a second).
        keep_room = self.progress.sizePolicy()
        keep_room.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(keep_room)
        self.progress.hide()
        status = QHBoxLayout()
        status.addWidget(self.status_label, 1)
        status.addWidget(self.progress)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(self.plots, 1)
        layout.addLayout(status)

        for box in (self.plane_box, self.sample_box, self.extent_box):
            box.currentIndexChanged.connect(self._settings_changed)
        for box in (self.seed_box, self.resolution_box, self.half_width_box):
            box.valueChanged.connect(self._settings_changed)
        self.log_box.toggled.connect(self.plots.set_log)
        self.recompute_button.clicked.connect(self.recompute)
        self.plots.hovered.connect(lambda text: self._show_status(text or self._status))
        self._update_enabled()

    # -- the main window's API -----------------------------------------------------------------------
    def set_snapshot(self, snap):
        """Take the newest snapshot (cheap); recompute if following training or on a new architecture."""
        if snap is self._snap:
            return
        old, self._snap = self._snap, snap
        if old is None or old.sizes != snap.sizes:
            self._parameters, self._plane_cache, self._trajectory = [], None, None
            self.recompute()
        elif (self.follow_box.isChecked() and not self.busy and not self._awaiting_trajectory
              and snap.step - (self._requested_step or 0) >= self.follow_every_box.value()):
            self.recompute()
        elif not snap.running and snap.step != self._requested_step and not self._awaiting_trajectory:
            # paused, or stepping by hand: show the slice through where the network is now
            self.recompute()

    def set_dataset(self, dataset):
        """Take the dataset; the evaluation sample is drawn from its training images."""
        self._dataset, self._sample, self._plane_cache = dataset, None, None
        self.recompute()

    def set_trajectory(self, steps, rows):
        """Take the recorded trajectory: steps (K,), rows (K, P) parameter vectors (not changed later)."""
        rows = np.asarray(rows)
        if rows.flags.writeable:  # a live buffer may change under the job: keep a frozen copy
            rows = rows.copy()
            rows.flags.writeable = False
        self._trajectory = (np.array(steps), rows)
        if self._awaiting_trajectory:
            self._start()

    def select_connection(self, weight_layer: int, to_index: int, from_index: int):
        """Remember a clicked connection; the last two define the two-weight plane and switch to it."""
        if self._snap is None:
            return
        index = parameter_index(self._snap.sizes, weight_layer, to_index, from_index)
        if self._parameters and self._parameters[-1] == index:
            return
        self._parameters = (self._parameters + [index])[-2:]
        if len(self._parameters) == 2:
            self._plane_cache = None
            if self.plane_kind() == "parameters":
                self._settings_changed()
            else:
                self.plane_box.setCurrentIndex(len(PLANES) - 1)
        else:
            self._set_status(f"{describe_parameter(self._snap.sizes, index)} chosen: click one more connection")

    def show_step_arrows(self, batch_grad, full_grad) -> None:
        """Draw the last step's −∇C of its mini-batch and of all training images, projected on the plane."""
        self._step_grads = (batch_grad, full_grad)
        self._draw_step_arrows()

    def _draw_step_arrows(self):
        grads, plane = self._step_grads, self.plane
        if grads is None or plane is None or np.shape(grads[0]) != (plane.n_params,):
            self.plots.set_step_arrows(None, None)
            return
        self.plots.set_step_arrows(plane.slopes(grads[0]), plane.slopes(grads[1]))

    # -- state for callers and tests -------------------------------------------------------------------
    def set_plane_kind(self, kind: str) -> None:
        """Switch to the first plane of this kind ("pca", "random" or "parameters")."""
        kinds = [k for _, k, _ in PLANES]
        if kind not in kinds:
            raise ValueError(f"unknown plane kind {kind!r}; choose from {', '.join(dict.fromkeys(kinds))}")
        if self.plane_kind() != kind:
            self.plane_box.setCurrentIndex(kinds.index(kind))

    def wait_idle(self, msecs: int = 10000) -> bool:
        """Wait until no grid is being computed (for screenshots and tests)."""
        return self._runner.wait(msecs)

    def plane_kind(self) -> str:
        return PLANES[self.plane_box.currentIndex()][1]

    def selected_parameters(self) -> tuple:
        return tuple(self._parameters)

    @property
    def values(self):
        return self.plots.values

    def shutdown(self):
        """Stop any running job and wait for it (call before the panel goes away)."""
        self._runner.cancel()
        self._runner.wait(5000)

    # -- requests --------------------------------------------------------------------------------------
    def recompute(self):
        """Ask for the trajectory, then compute the surface for the current snapshot and settings."""
        self._recompute_soon.cancel()
        if self._snap is None or self._dataset is None:
            self._set_status("Waiting for a network and a dataset")
            return
        self._awaiting_trajectory = True
        self._trajectory_timer.start()
        self.trajectoryWanted.emit()  # a direct connection may answer (and start) right here

    def _settings_changed(self, *_):
        self._update_enabled()
        self._recompute_soon()

    def _update_enabled(self):
        self.seed_box.setEnabled(self.plane_kind() in ("random", "pca"))
        self.half_width_box.setEnabled(self.extent_box.currentIndex() == 1)

    def _start(self):
        self._awaiting_trajectory = False
        self._trajectory_timer.stop()
        snap = self._snap
        _, kind, normalisation = PLANES[self.plane_box.currentIndex()]
        parameters = tuple(self._parameters) if len(self._parameters) == 2 else None
        if kind == "parameters" and parameters is None:
            source = snap.batch_grad if snap.batch_grad is not None and np.any(snap.batch_grad) else snap.params
            parameters = steepest_weights(snap.sizes, source)
        trajectory = self._trajectory
        if trajectory is not None and trajectory[1].shape[1:] != snap.params.shape:
            trajectory = None  # recorded for another architecture
        size = self.sample_box.currentData()
        same_sample = self._sample and self._sample[0] == size and self._sample[1] is self._dataset
        sample = self._sample[2] if same_sample else None
        h = self.half_width_box.value()
        settings = (kind, normalisation, self.seed_box.value(), parameters)
        path = _signature(trajectory)
        cache = self._plane_cache
        plane = cache[3] if cache and cache[:2] == (settings, path) and cache[2] is snap else None
        self._pending = (settings, path, snap, size)
        self._last_id += 1
        request = SurfaceRequest(
            self._last_id, snap, kind, self.resolution_box.value(), parameters, normalisation or "filter",
            self.seed_box.value(), (-h, h, -h, h) if self.extent_box.currentIndex() == 1 else None,
            self._dataset, sample, size, trajectory, plane, previous=self.plane)
        self._requested_step = snap.step
        self._started = time.perf_counter()
        self.busy = True
        self.progress.setValue(0)
        self.progress.show()
        self._set_status("Computing the cost surface…")
        self._runner.submit(lambda job: compute_surface(request, job), with_job=True)

    # -- results -----------------------------------------------------------------------------------------
    def _on_report(self, report):
        kind, payload = report
        {"frame": self._on_frame, "grid": self._on_grid, "profile": self._on_profile}[kind](payload)

    def _on_frame(self, frame):
        self.frame, self.plane = frame, frame.plane
        settings, path, snap, size = self._pending
        self._plane_cache = (settings, path, snap, frame.plane)
        self._sample = (size, self._dataset, frame.sample)
        self.plots.set_frame(frame.alphas, frame.betas, frame.plane.labels, frame.path)
        self._draw_step_arrows()

    def _on_grid(self, update):
        self.plots.set_grid(update.values, contours=update.stage != "refining")
        self.progress.setValue(round(100 * update.fraction))
        if update.stage == "done":
            self.busy = False
            self.progress.hide()
            self._set_status(self._describe(time.perf_counter() - self._started))
            self.gridReady.emit()

    def _on_profile(self, profile):
        self.plots.set_slopes(profile.slopes, profile.in_plane)
        self.plots.set_profile(profile.steps, profile.costs, profile.learning_rate)

    def _on_failed(self, message):
        self.busy = False
        self.progress.hide()
        self._set_status(f"Could not compute the surface: {message}")

    def _describe(self, seconds) -> str:
        plane, frame = self.plane, self.frame
        what = {"pca": "the trajectory's two main directions",
                "random": "two random directions scaled to the weights",
                "parameters": "two single weights, every other weight held still"}.get(plane.kind, "")
        if plane.kind == "random" and self.plane_kind() == "pca":
            what = "no trajectory yet, so " + what
        n = len(frame.sample[1])
        return (f"{plane.labels[0]} × {plane.labels[1]}: {what}; mean cost over {n:,} training images,"
                f" step {self._requested_step}, {seconds:.2f} s")

    def _set_status(self, text):
        self._status = text
        self._show_status(text)
        self.statusChanged.emit(text)

    def _show_status(self, text):
        """Show a status line; its height only grows (at this width), so the plots keep their size."""
        label = self.status_label
        label.setText(text)
        need = label.heightForWidth(label.width()) if label.width() > 0 else label.sizeHint().height()
        if need > label.minimumHeight():
            label.setMinimumHeight(need)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():  # lines wrap afresh at a new width
            self.status_label.setMinimumHeight(0)
