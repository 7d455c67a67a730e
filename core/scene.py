"""Scenes: one `.nnscene` file that holds a network, its training state and the moment it was shown in.

A scene is a checkpoint (core/checkpoint.py: the network, its training state and record)
with a few more members under "scene/": the window's layout as Qt saved it (opaque bytes,
whose headers are checked here), and a JSON text of the rest (presentation mode, type size,
the selection, the panels in front, the example shown, the tour step). It is an `.npz` zip of
plain arrays, read member by member with no pickle, and everything in it is checked against
the network it holds and the open dataset before anything is applied.
"""
from __future__ import annotations

import json
import shutil
import struct
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core import limits
from core.checkpoint import Checkpoint, CheckpointError, load_checkpoint, write_atomically
from core.npz_members import NpzMembers

SUFFIX = ".nnscene"
FORMAT = "nn-explorer-scene"
VERSION = 1
LAYOUT_VERSION = 1  # the version number given to QMainWindow.saveState / restoreState for scenes
NORMAL_LAYOUT_VERSION = 2  # the one presentation mode saves the layout it returns to with
_SCENE = "scene/"
MAX_STATE_CHARS = 1 << 16  # the JSON text
MAX_LAYOUT_BYTES = 1 << 20  # each of Qt's layout blobs
EXAMPLE_SOURCES = ("batch", "train", "test", "drawn")
TYPE_SCALE_RANGE = (0.5, 2.5)  # the presenter's own factor, per mode (gui/lecture/presentation.py keeps 0.6–2.0)
TYPE_MODES = ("normal", "presentation")
# How Qt starts the blobs it writes (QDataStream, big-endian): QMainWindow::saveState writes
# its marker 0xff and the version asked for; QWidget::saveGeometry its magic number.
STATE_MARKER = 0xFF
GEOMETRY_MAGIC = 0x01D9D0CB
_PART_FOLDER = "nn-explorer-scene-"


class SceneError(CheckpointError):
    """A scene could not be written, read, or does not fit the app as it is."""


@dataclass(frozen=True)
class SceneFit:
    """What a scene must fit: the open dataset and the window's panels and tour."""

    n_inputs: int
    n_classes: int
    dataset_name: str
    n_train: int
    n_test: int
    panels: tuple  # the panel names the window has
    tour_steps: int  # how many steps the guided tour has


@dataclass(frozen=True)
class SceneView:
    """Everything in a scene besides the network: how the window showed it."""

    window_state: bytes  # QMainWindow.saveState(LAYOUT_VERSION)
    window_geometry: bytes  # QWidget.saveGeometry()
    normal_state: bytes | None = None  # the layout presentation mode returns to (None: not presenting)
    presentation: bool = False
    type_scale: dict = field(default_factory=lambda: {"normal": 1.0, "presentation": 1.0})
    selected: tuple | None = None  # (layer, index)
    connections: tuple = ()  # ((weight_layer, to, from_), …), oldest first, at most two
    raised: tuple = ()  # panels in front of their tab groups
    example: tuple = ("batch", 0)  # (source, index); source "drawn" uses drawn_input
    drawn_input: np.ndarray | None = None  # (n_inputs,) float32 in [0, 1]
    tour_step: int | None = None  # None: the tour is not open
    diagram_mode: str | None = None

    def state_text(self) -> str:
        """Return the JSON text of the non-array parts."""
        return json.dumps({
            "presentation": bool(self.presentation),
            "type_scale": {mode: float(self.type_scale.get(mode, 1.0)) for mode in TYPE_MODES},
            "selected": None if self.selected is None else [int(v) for v in self.selected],
            "connections": [[int(v) for v in c] for c in self.connections],
            "raised": [str(name) for name in self.raised],
            "example": [str(self.example[0]), int(self.example[1])],
            "tour_step": None if self.tour_step is None else int(self.tour_step),
            "diagram_mode": self.diagram_mode,
        })


@dataclass
class Scene:
    """A scene read from a file: the checked network part and the view."""

    checkpoint: Checkpoint
    view: SceneView


def is_scene_part(path) -> bool:
    """Return whether path is the network part a scene save asks the engine for (not one of the user's files)."""
    path = Path(path)
    return path.parent.name.startswith(_PART_FOLDER) and path.name.endswith(".network.npz")


def network_part_path(scene_path) -> Path:
    """Return a fresh temporary path for the network part of a scene about to be saved at scene_path."""
    return Path(tempfile.mkdtemp(prefix=_PART_FOLDER)) / f"{Path(scene_path).name}.network.npz"


def discard_network_part(part) -> None:
    """Remove a network part and its temporary folder."""
    part = Path(part)
    if is_scene_part(part):
        shutil.rmtree(part.parent, ignore_errors=True)


def write_scene(path, network_part, view: SceneView) -> Path:
    """Write a scene: the checkpoint at network_part (written by the session's save) plus the view, atomically."""
    path = Path(path)
    try:
        _check_layout(view.window_state, "window_state", STATE_MARKER, LAYOUT_VERSION)
        _check_layout(view.window_geometry, "window_geometry", GEOMETRY_MAGIC)
        if view.normal_state is not None:
            _check_layout(view.normal_state, "normal_state", STATE_MARKER, NORMAL_LAYOUT_VERSION)
    except SceneError as exc:
        raise exc.within(path) from None
    extra = {"format": np.array(FORMAT), "version": np.array(VERSION), "state": np.array(view.state_text()),
             "window_state": np.frombuffer(view.window_state, np.uint8),
             "window_geometry": np.frombuffer(view.window_geometry, np.uint8)}
    if view.normal_state is not None:
        extra["normal_state"] = np.frombuffer(view.normal_state, np.uint8)
    if view.drawn_input is not None:
        extra["drawn_input"] = np.asarray(view.drawn_input, np.float32).reshape(-1)

    def write(handle):
        try:
            source = zipfile.ZipFile(network_part)
        except (OSError, zipfile.BadZipFile) as exc:
            raise SceneError(f"the network part could not be read ({exc})", path) from None
        with source, zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED, allowZip64=True) as out:
            for info in source.infolist():  # copied as written: the network part is a checkpoint
                if info.filename.startswith(_SCENE):
                    continue
                with source.open(info) as src, out.open(info.filename, "w", force_zip64=True) as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            for name, array in extra.items():
                with out.open(f"{_SCENE}{name}.npy", "w", force_zip64=True) as dst:
                    np.lib.format.write_array(dst, np.asarray(array), allow_pickle=False)

    return write_atomically(path, write, SceneError)


def read_scene(path, fit: SceneFit) -> Scene:
    """Read and check a scene against fit; raise SceneError naming the file and what is wrong."""
    path = Path(path)
    if path.is_file() and not zipfile.is_zipfile(path):
        raise SceneError("not a scene (not a zip archive of NumPy arrays)", path)
    try:
        with NpzMembers(path, SceneError, limits.MAX_CHECKPOINT_MEMBERS) as members:
            view = _read_view(members)
        checkpoint = load_checkpoint(path)
        _check_fit(checkpoint, view, fit)
    except SceneError as exc:
        raise exc if exc.source else exc.within(path) from None
    except CheckpointError as exc:  # the network part: the checkpoint's own message
        raise SceneError(exc.detail, path, exc.field) from None
    return Scene(checkpoint, view)


def _read_view(m: NpzMembers) -> SceneView:
    if _SCENE + "format" not in m:
        what = "a network, not a scene (open it with File ▸ Open network…)" if "params" in m else "not a scene"
        raise SceneError(what)
    if str(_member(m, "format", "U", (), 1024)) != FORMAT:
        raise SceneError("not a Neural Network Explorer scene", field=_SCENE + "format")
    version = _member(m, "version", "iu", (), 8)
    if not 1 <= int(version) <= VERSION:
        raise SceneError(f"written by another version (scene format {int(version)}; this app reads {VERSION})",
                         field=_SCENE + "version")
    try:
        state = json.loads(str(_member(m, "state", "U", (), MAX_STATE_CHARS * 4)))
    except ValueError as exc:
        raise SceneError(f"is not readable JSON ({exc})", field=_SCENE + "state") from None
    blobs = {}
    for name, magic, version in (("window_state", STATE_MARKER, LAYOUT_VERSION), ("window_geometry", GEOMETRY_MAGIC, 0),
                                 ("normal_state", STATE_MARKER, NORMAL_LAYOUT_VERSION)):
        if name == "normal_state" and _SCENE + name not in m:
            continue
        blobs[name] = _member(m, name, "u", None, MAX_LAYOUT_BYTES).tobytes()
        _check_layout(blobs[name], _SCENE + name, magic, version)
    drawn = None
    if _SCENE + "drawn_input" in m:
        drawn = _member(m, "drawn_input", "f", None, limits.MAX_INPUTS * 8)
        if drawn.ndim != 1 or not np.isfinite(drawn).all() or drawn.min(initial=0) < 0 or drawn.max(initial=0) > 1:
            raise SceneError("must be one row of values in [0, 1]", field=_SCENE + "drawn_input")
    return _view_from_state(state, blobs, drawn)


def _member(m: NpzMembers, name, kinds, shape, max_bytes):
    key = _SCENE + name
    if key not in m:
        raise SceneError("missing entry", field=key)
    if m.dtype(key).kind not in kinds or kinds == "u" and m.dtype(key) != np.uint8:
        raise SceneError(f"has the wrong type ({m.dtype(key)})", field=key)
    wrong_shape = len(m.shape(key)) != 1 if shape is None else m.shape(key) != shape
    if wrong_shape:
        raise SceneError(f"has shape {m.shape(key)}, expected {shape if shape is not None else 'one row'}", field=key)
    return m.load(key, max_bytes)


def _check_layout(blob: bytes, name: str, magic: int, version: int = 0) -> None:
    """Refuse bytes that Qt did not write as a window layout of this version (or as a geometry)."""
    what = "window layout" if magic == STATE_MARKER else "window geometry"
    if len(blob) < 8:
        raise SceneError(f"is too short to be a {what}", field=name)
    head, written = struct.unpack(">II", blob[:8])
    if head != magic or (magic == STATE_MARKER and written != version):
        raise SceneError(f"is not a {what} this app wrote", field=name)


def _view_from_state(state, blobs, drawn) -> SceneView:
    if not isinstance(state, dict):
        raise SceneError("expected an object", field=_SCENE + "state")

    def get(key, types, default=None):
        value = state.get(key, default)
        if not isinstance(value, types) or isinstance(value, bool) and bool not in types:
            raise SceneError(f"has an unusable value {value!r}", field=f"{_SCENE}state.{key}")
        return value

    def ints(key, value, n):
        if not isinstance(value, list) or len(value) != n or not all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value):
            raise SceneError(f"expected {n} whole numbers ≥ 0, found {value!r}", field=f"{_SCENE}state.{key}")
        return tuple(value)

    scales = get("type_scale", (dict,), {})
    type_scale = {}
    for mode in TYPE_MODES:
        value = scales.get(mode, 1.0)
        lo, hi = TYPE_SCALE_RANGE
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            raise SceneError(f"must be a number from {lo} to {hi}, found {value!r}",
                             field=f"{_SCENE}state.type_scale.{mode}")
        type_scale[mode] = float(value)
    selected = get("selected", (list, type(None)))
    connections = get("connections", (list,), [])
    if len(connections) > 2:
        raise SceneError("at most two connections are marked", field=f"{_SCENE}state.connections")
    raised = get("raised", (list,), [])
    if len(raised) > 64 or not all(isinstance(n, str) for n in raised):
        raise SceneError("expected a list of panel names", field=f"{_SCENE}state.raised")
    example = get("example", (list,), ["batch", 0])
    if len(example) != 2 or example[0] not in EXAMPLE_SOURCES:
        raise SceneError(f"expected [source, index] with a source from {EXAMPLE_SOURCES}", field=f"{_SCENE}state.example")
    ints("example", [example[1]], 1)
    if example[0] == "drawn" and drawn is None:
        raise SceneError("a drawn example needs the drawn input", field=f"{_SCENE}drawn_input")
    tour_step = get("tour_step", (int, type(None)))
    if tour_step is not None and tour_step < 0:
        raise SceneError(f"must be ≥ 0, found {tour_step}", field=f"{_SCENE}state.tour_step")
    mode = get("diagram_mode", (str, type(None)))
    presentation = get("presentation", (bool,), False)
    if presentation and "normal_state" not in blobs:
        raise SceneError("a scene in presentation mode needs the layout to return to", field=f"{_SCENE}normal_state")
    return SceneView(blobs["window_state"], blobs["window_geometry"], blobs.get("normal_state"), presentation,
                     type_scale, None if selected is None else ints("selected", selected, 2),
                     tuple(ints("connections", c, 3) for c in connections), tuple(raised),
                     (example[0], int(example[1])), drawn, tour_step, mode)


def _check_fit(ck: Checkpoint, view: SceneView, fit: SceneFit) -> None:
    """Refuse a scene whose network, selection, example, panels or tour step do not fit."""
    ck.check_fits(fit.n_inputs, fit.n_classes)
    if ck.dataset_name and fit.dataset_name and ck.dataset_name != fit.dataset_name:
        raise SceneError(f"this scene was made with the dataset {ck.dataset_name!r}; the open dataset is"
                         f" {fit.dataset_name!r}. Open that dataset first (File ▸ Open dataset folder…)")
    sizes = ck.network.sizes
    if view.selected is not None:
        layer, index = view.selected
        if layer >= len(sizes) or index >= sizes[layer]:
            raise SceneError(f"the selected neuron {index} of layer {layer} is not in the scene's network"
                             f" {'-'.join(map(str, sizes))}", field=f"{_SCENE}state.selected")
    for weight_layer, to, from_ in view.connections:
        if weight_layer >= len(sizes) - 1 or to >= sizes[weight_layer + 1] or from_ >= sizes[weight_layer]:
            raise SceneError(f"the connection {from_} → {to} of weight layer {weight_layer} is not in the scene's"
                             f" network {'-'.join(map(str, sizes))}", field=f"{_SCENE}state.connections")
    source, index = view.example
    count = {"train": fit.n_train, "test": fit.n_test}.get(source)
    if count is not None and index >= count:
        raise SceneError(f"{source} example {index} is not in the open dataset ({count} examples)",
                         field=f"{_SCENE}state.example")
    if view.drawn_input is not None and view.drawn_input.size != fit.n_inputs:
        raise SceneError(f"has {view.drawn_input.size} values; the network takes {fit.n_inputs}",
                         field=f"{_SCENE}drawn_input")
    unknown = [name for name in view.raised if name not in fit.panels]
    if unknown:
        raise SceneError(f"names panels this app does not have: {', '.join(unknown)}", field=f"{_SCENE}state.raised")
    if view.tour_step is not None and view.tour_step >= fit.tour_steps:
        raise SceneError(f"tour step {view.tour_step + 1} does not exist (the tour has {fit.tour_steps})",
                         field=f"{_SCENE}state.tour_step")
