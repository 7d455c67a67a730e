"""Scenes: a checkpoint plus the window's moment; a round trip, and refusal of anything that does not fit."""
import json
import struct
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from toys import flip_bytes, scene_state_change, tiny_dataset, trained

from core import scene as scene_module
from core.checkpoint import CheckpointError, save_checkpoint
from core.scene import SceneError, SceneFit, SceneView, is_scene_part, network_part_path, read_scene, write_scene

STATE = struct.pack(">II", 0xFF, 1) + b"docks"  # the headers Qt writes, then anything
NORMAL = struct.pack(">II", 0xFF, 2) + b"docks before presenting"
GEOMETRY = struct.pack(">IHH", 0x01D9D0CB, 3, 0) + b"geometry"
PANELS = ("training", "sample", "inspector", "tour")


@pytest.fixture(scope="module")
def ds():
    return tiny_dataset()


def fit_for(ds, **change):
    values = dict(n_inputs=ds.n_inputs, n_classes=ds.n_classes, dataset_name=ds.name, n_train=len(ds.train_labels),
                  n_test=len(ds.test_labels), panels=PANELS, tour_steps=20)
    values.update(change)
    return SceneFit(**values)


def a_view(**change):
    values = dict(window_state=STATE, window_geometry=GEOMETRY, normal_state=NORMAL, presentation=True,
                  type_scale={"normal": 1.1, "presentation": 1.331}, selected=(2, 3), connections=((0, 1, 5), (1, 3, 1)),
                  raised=("inspector", "tour"), example=("test", 7), tour_step=4, diagram_mode="strongest")
    values.update(change)
    return SceneView(**values)


def saved_scene(tmp_path, ds, view=None, name="moment.nnscene"):
    net, tr, _ = trained(ds, steps=6)
    part = save_checkpoint(tmp_path / "network-part.npz", net, tr, ds)
    return write_scene(tmp_path / name, part, view or a_view()), net, tr


def members(path) -> dict:
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def rewritten(tmp_path, path, change, name="bad.nnscene"):
    data = members(path)
    change(data)
    bad = tmp_path / name
    with open(bad, "wb") as handle:
        np.savez(handle, **data)
    return bad


def test_round_trip_brings_back_the_network_its_training_state_and_the_view(tmp_path, ds):
    view = a_view(drawn_input=None)
    path, net, tr = saved_scene(tmp_path, ds, view)
    scene = read_scene(path, fit_for(ds))
    assert np.array_equal(scene.checkpoint.network.params, net.params)
    assert scene.checkpoint.training["step"] == tr.step_count == 6
    assert scene.checkpoint.training["position"] == tr.position
    assert len(scene.checkpoint.history_steps) == 6  # the charted history comes with it
    v = scene.view
    assert (v.window_state, v.window_geometry, v.normal_state) == (STATE, GEOMETRY, NORMAL)
    assert v.presentation and v.type_scale == {"normal": 1.1, "presentation": 1.331}
    assert v.selected == (2, 3) and v.connections == ((0, 1, 5), (1, 3, 1))
    assert v.raised == ("inspector", "tour") and v.example == ("test", 7)
    assert v.tour_step == 4 and v.diagram_mode == "strongest"


def test_a_drawn_example_comes_back_with_its_pixels(tmp_path, ds):
    drawn = np.linspace(0, 1, ds.n_inputs, dtype=np.float32)
    path, _, _ = saved_scene(tmp_path, ds, a_view(example=("drawn", 0), drawn_input=drawn, tour_step=None,
                                                 presentation=False, normal_state=None))
    v = read_scene(path, fit_for(ds)).view
    assert v.example[0] == "drawn" and np.array_equal(v.drawn_input, drawn) and v.tour_step is None


def test_a_scene_is_a_plain_zip_of_arrays_with_no_pickle(tmp_path, ds):
    path, _, _ = saved_scene(tmp_path, ds)
    with zipfile.ZipFile(path) as z:
        assert all(name.endswith(".npy") for name in z.namelist())
    data = members(path)  # np.load refuses pickles: this would raise if any member needed one
    assert json.loads(str(data["scene/state"]))["tour_step"] == 4


def test_the_network_part_is_a_temporary_of_its_own(tmp_path):
    part = network_part_path(tmp_path / "lecture.nnscene")
    try:
        assert is_scene_part(part) and part.parent.is_dir() and not is_scene_part(tmp_path / "lecture.network.npz")
    finally:
        scene_module.discard_network_part(part)
    assert not part.parent.exists()


def test_not_a_zip_truncated_and_missing_files_are_refused(tmp_path, ds):
    text = tmp_path / "notes.nnscene"
    text.write_text("this is not a scene")
    with pytest.raises(SceneError, match="not a scene"):
        read_scene(text, fit_for(ds))
    path, _, _ = saved_scene(tmp_path, ds)
    raw = path.read_bytes()
    for cut in (len(raw) // 2, len(raw) - 30, 100):
        short = tmp_path / f"short{cut}.nnscene"
        short.write_bytes(raw[:cut])
        with pytest.raises(SceneError, match=str(short.name)):
            read_scene(short, fit_for(ds))
    with pytest.raises(SceneError, match="no such file"):
        read_scene(tmp_path / "gone.nnscene", fit_for(ds))


def test_a_network_checkpoint_is_not_taken_for_a_scene(tmp_path, ds):
    net, tr, _ = trained(ds)
    path = save_checkpoint(tmp_path / "net.npz", net, tr, ds)
    with pytest.raises(SceneError, match="a network, not a scene"):
        read_scene(path, fit_for(ds))


def test_pickled_object_inside_is_refused(tmp_path, ds):
    path, _, _ = saved_scene(tmp_path, ds)
    data = members(path)
    data["scene/state"] = np.array([{"evil": 1}], dtype=object)
    evil = tmp_path / "evil.nnscene"
    np.savez(evil, **data)  # np.savez pickles object arrays
    with pytest.raises(SceneError, match="pickled"):
        read_scene(evil, fit_for(ds))


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update({"scene/version": np.array(2)}), "another version"),
    (lambda d: d.update({"scene/format": np.array("slides")}), "not a Neural Network Explorer scene"),
    (lambda d: d.pop("scene/state"), "missing"),
    (lambda d: d.update({"scene/state": np.array("{not json")}), "JSON"),
    (lambda d: d.update({"scene/state": np.array("[1, 2]")}), "expected an object"),
    (lambda d: d.update({"scene/window_state": np.frombuffer(b"\x00\x00\x00\xfe\x00\x00\x00\x01xx", np.uint8)}),
     "not a window layout"),
    (lambda d: d.update({"scene/window_state": np.frombuffer(struct.pack(">II", 0xFF, 7), np.uint8)}),
     "not a window layout"),
    (lambda d: d.update({"scene/window_geometry": np.zeros(3, np.uint8)}), "too short"),
    (lambda d: d.update({"scene/window_state": np.zeros(20, np.float32)}), "wrong type"),
    (lambda d: d.update({"params": d["params"][:-1]}), "params"),
    (lambda d: d.update({"train/step": np.array(-3)}), "train/step"),
])
def test_malformed_scenes_are_refused_with_the_field_named(tmp_path, ds, change, message):
    path, _, _ = saved_scene(tmp_path, ds)
    bad = rewritten(tmp_path, path, change)
    with pytest.raises(SceneError, match=message) as caught:
        read_scene(bad, fit_for(ds))
    assert "bad.nnscene" in str(caught.value)


@pytest.mark.parametrize(("fields", "message"), [
    ({"selected": [3, 4]}, "selected neuron 4 of layer 3"),  # the network is 64-6-5-4: its output is 0–3
    ({"selected": [4, 0]}, "selected neuron"),
    ({"selected": [1, -1]}, "whole numbers"),
    ({"selected": [1, True]}, "whole numbers"),
    ({"connections": [[0, 6, 0]]}, "connection"),
    ({"connections": [[0, 0, 0], [0, 1, 0], [0, 2, 0]]}, "at most two"),
    ({"example": ["test", 50]}, "test example 50"),
    ({"example": ["elsewhere", 0]}, "source"),
    ({"raised": ["secret_panel"]}, "secret_panel"),
    ({"tour_step": 20}, "tour step 21"),
    ({"tour_step": -1}, "≥ 0"),
    ({"type_scale": {"normal": 40}}, "type_scale.normal"),
    ({"presentation": "yes"}, "presentation"),
])
def test_a_view_that_does_not_fit_its_network_or_the_app_is_refused(tmp_path, ds, fields, message):
    path, _, _ = saved_scene(tmp_path, ds)
    with pytest.raises(SceneError, match=message):
        read_scene(rewritten(tmp_path, path, scene_state_change(**fields)), fit_for(ds))


def test_a_scene_for_another_dataset_is_refused(tmp_path, ds):
    path, _, _ = saved_scene(tmp_path, ds)
    with pytest.raises(SceneError, match="784 inputs"):
        read_scene(path, fit_for(ds, n_inputs=784, n_classes=10, dataset_name="MNIST"))
    with pytest.raises(SceneError, match="made with the dataset 'quadrants'"):
        read_scene(path, fit_for(ds, dataset_name="other quadrants"))
    with pytest.raises(SceneError, match="panels this app does not have"):
        read_scene(path, fit_for(ds, panels=("training",)))


def test_a_scene_with_a_broken_network_part_is_not_written(tmp_path, ds):
    (tmp_path / "part.npz").write_text("not a zip")
    with pytest.raises(SceneError, match="network part"):
        write_scene(tmp_path / "s.nnscene", tmp_path / "part.npz", a_view())
    assert not (tmp_path / "s.nnscene").exists()
    with pytest.raises(SceneError, match="window layout"):
        write_scene(tmp_path / "s.nnscene", tmp_path / "part.npz", a_view(window_state=b"nonsense"))
    assert isinstance(SceneError("x"), CheckpointError)  # callers that refuse checkpoints refuse scenes too


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_scenes_never_escape_as_anything_but_scene_error(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    ds = tiny_dataset(40, 10)
    path, _, _ = saved_scene(folder, ds)
    raw = bytearray(path.read_bytes())
    flip_bytes(raw, data)
    fuzzed = folder / "fuzzed.nnscene"
    fuzzed.write_bytes(bytes(raw))
    try:
        scene = read_scene(fuzzed, fit_for(ds))
    except SceneError:
        return
    assert np.isfinite(scene.checkpoint.network.params).all()
