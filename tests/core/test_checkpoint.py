"""Checkpoints: exact round trip, refusal of anything malformed, atomic writes."""
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from toys import flip_bytes, tiny_dataset

from core import checkpoint as ckpt
from core.checkpoint import CheckpointError, load_checkpoint, restore_trainer, save_checkpoint
from core.network import Network
from core.trainer import Trainer


@pytest.fixture(scope="module")
def ds():
    return tiny_dataset()


def trained(ds, optimizer="momentum", steps=7):
    net = Network((64, 10, 4), activation="tanh", cost="cross_entropy", seed=2)
    tr = Trainer(net, ds, batch_size=20, learning_rate=0.3, optimizer=optimizer, seed=4)
    for _ in range(steps):
        tr.step()
    return net, tr


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_round_trip_continues_exactly_as_if_never_saved(tmp_path, ds, optimizer):
    net, tr = trained(ds, optimizer)
    path = save_checkpoint(tmp_path / "net.npz", net, tr, ds)
    ck = load_checkpoint(path)
    assert ck.network.sizes == net.sizes and ck.network.activation == "tanh"
    assert np.array_equal(ck.network.params, net.params)
    assert ck.training["step"] == 7 and ck.class_names == ds.class_names
    assert np.array_equal(ck.history_costs, tr.history.costs.values())
    # a fresh session of the same shape, restored, takes the very same next steps
    other = Trainer(Network(net.sizes, "tanh", "cross_entropy", seed=50), ds, batch_size=5, optimizer="sgd")
    restore_trainer(other, ck)
    for _ in range(4):
        a, b = tr.step(), other.step()
        assert np.array_equal(a.batch, b.batch) and a.cost == b.cost
    assert np.array_equal(net.params, other.net.params)


def test_network_only_checkpoint(tmp_path):
    net = Network((5, 3, 2), seed=1)
    ck = load_checkpoint(save_checkpoint(tmp_path / "n.npz", net))
    assert ck.training is None and np.array_equal(ck.network.params, net.params)


def test_wrong_architecture_is_refused_and_session_untouched(tmp_path, ds):
    net, tr = trained(ds)
    path = save_checkpoint(tmp_path / "a.npz", net, tr, ds)
    other_net = Network((64, 11, 4), "tanh", "cross_entropy", seed=0)
    other = Trainer(other_net, ds, batch_size=10)
    before = other_net.params.copy()
    with pytest.raises(CheckpointError, match="64-10-4"):
        restore_trainer(other, load_checkpoint(path))
    assert np.array_equal(other_net.params, before) and other.step_count == 0
    with pytest.raises(CheckpointError, match="784 inputs"):
        load_checkpoint(path).check_fits(784, 10)


def test_pickled_checkpoint_is_refused(tmp_path, ds):
    net, tr = trained(ds)
    path = save_checkpoint(tmp_path / "p.npz", net, tr, ds)
    with np.load(path) as npz:
        data = {k: npz[k] for k in npz.files}
    data["params"] = np.array([object()], dtype=object)
    evil = tmp_path / "evil.npz"
    np.savez(evil, **data)
    with pytest.raises(CheckpointError, match="pickle"):
        load_checkpoint(evil)


@pytest.mark.parametrize("change", [
    lambda d: d.pop("params"),
    lambda d: d.update(params=d["params"][:-1]),
    lambda d: d.update(params=np.full_like(d["params"], np.nan)),
    lambda d: d.update(sizes=np.array([64, 4])),
    lambda d: d.update(activation=np.array("swish")),
    lambda d: d.update(format=np.array("something else")),
    lambda d: d.update(version=np.array(99)),
    lambda d: d.update(**{"train/optimizer_velocity": np.zeros(3, np.float32)}),
    lambda d: d.update(**{"train/learning_rate": np.array("fast")}),
    lambda d: d.update(**{"train/position": np.array(10**6)}),
    lambda d: d.update(class_names=np.array(["a"])),
])
def test_malformed_contents_are_refused(tmp_path, ds, change):
    net, tr = trained(ds)
    path = save_checkpoint(tmp_path / "x.npz", net, tr, ds)
    with np.load(path) as npz:
        data = {k: npz[k] for k in npz.files}
    change(data)
    bad = tmp_path / "bad.npz"
    np.savez(bad, **data)
    session = Trainer(Network(net.sizes, "tanh", "cross_entropy", seed=8), ds, batch_size=10)
    before = session.net.params.copy()
    with pytest.raises(CheckpointError):
        restore_trainer(session, load_checkpoint(bad))
    assert np.array_equal(session.net.params, before) and session.step_count == 0


def test_missing_and_non_checkpoint_files(tmp_path):
    with pytest.raises(CheckpointError, match="no such file"):
        load_checkpoint(tmp_path / "nope.npz")
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path / "text.npz")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_bytes_never_escape_as_anything_but_checkpoint_error(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    net = Network((6, 4, 3), seed=1)
    raw = bytearray(save_checkpoint(folder / "ok.npz", net).read_bytes())
    mode = data.draw(st.sampled_from(["truncate", "flip"]))
    if mode == "truncate":
        raw = raw[:data.draw(st.integers(0, len(raw) - 1))]
    else:
        flip_bytes(raw, data)
    path = folder / "fuzzed.npz"
    path.write_bytes(bytes(raw))
    try:
        ck = load_checkpoint(path)
    except CheckpointError:
        return
    # a flip that survives validation must still yield a usable, finite network
    assert np.isfinite(ck.network.params).all() and ck.network.sizes[0] >= 1


def test_a_crash_while_saving_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    net = Network((5, 3, 2), seed=1)
    path = save_checkpoint(tmp_path / "keep.npz", net)
    original = path.read_bytes()

    def failing_savez(handle, **arrays):
        handle.write(b"PK\x03\x04 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ckpt.np, "savez", failing_savez)
    net.params[...] = 0
    with pytest.raises(CheckpointError, match="No space left"):
        save_checkpoint(path, net)
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["keep.npz"]  # no temporary left behind
    monkeypatch.undo()
    assert np.count_nonzero(load_checkpoint(path).network.params)


def test_saved_file_is_a_plain_zip_of_arrays(tmp_path):
    path = save_checkpoint(tmp_path / "z.npz", Network((5, 3, 2)))
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    assert "params.npy" in names and all(n.endswith(".npy") for n in names)
