"""Property-based: whatever a settings file, a checkpoint or a dataset folder holds, the outcome is a
usable result or the one clear error type (InputError and its kinds), never anything else."""
import gzip
import io
import shutil
import struct
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from toys import tiny_dataset

from core import limits
from core.checkpoint import CheckpointError, load_checkpoint, restore_trainer, save_checkpoint
from core.data import DatasetError, load_idx_dataset
from core.network import Network
from core.remembered import KEYS, check_remembered, settle_settings
from core.trainer import Trainer

MANY = settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
SOME = settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
DATASET = tiny_dataset(n_train=60, n_test=20)  # 64 inputs, 4 classes


@pytest.fixture(scope="module")
def scratch():
    folder = Path(tempfile.mkdtemp(prefix="properties-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# -- the settings store ---------------------------------------------------------------------------
numbers = st.one_of(st.integers(-2**70, 2**70), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0, 1, 2**31 - 1, 2**31, 2**64, -1, 1e-7, 100.0, 100.1]))
setting_values = st.one_of(st.none(), numbers, numbers.map(str), st.text(max_size=30), st.booleans(),
                           st.lists(st.one_of(st.text(max_size=6), st.integers(-5, 10**6)), max_size=14),
                           st.binary(max_size=10), st.sampled_from(["16,16", "", " 8 , 4 ", "sigmoid", "adam",
                                                                     "cross_entropy", "4096,4096", "1e9", "nan"]))


@MANY
@given(raw=st.fixed_dictionaries({}, optional={key: setting_values for key in KEYS}))
def test_any_remembered_settings_start_a_session_or_are_dropped_with_a_notice(raw):
    hyper, notices = check_remembered(raw, DATASET.n_inputs, DATASET.n_classes)
    assert len(hyper) + len(notices) == sum(v is not None for v in raw.values())
    settled, more = settle_settings(DATASET, **hyper)
    assert more == [] or all(isinstance(line, str) and "\n" not in line for line in more)
    sizes = settled["sizes"]
    assert sizes[0] == 64 and sizes[-1] == 4 and len(sizes) - 2 <= limits.MAX_HIDDEN_LAYERS
    assert 1 <= settled["batch_size"] <= len(DATASET.train_labels)
    assert limits.SEED_RANGE[0] <= settled["seed"] <= limits.SEED_RANGE[1]
    lo, hi = limits.LEARNING_RATE_RANGE
    assert lo <= settled["learning_rate"] <= hi


# -- the checkpoint loader ---------------------------------------------------------------------------
def base_members() -> dict:
    net = Network((64, 5, 4), seed=3)
    tr = Trainer(net, DATASET, batch_size=20, learning_rate=0.5, optimizer="adam", seed=2)
    for _ in range(4):
        tr.step()
    tr.evaluate("test")
    buffer = io.BytesIO()
    save_checkpoint_members(buffer, net, tr)
    with np.load(io.BytesIO(buffer.getvalue())) as npz:
        return {key: npz[key] for key in npz.files}


def save_checkpoint_members(buffer, net, tr):
    folder = Path(tempfile.mkdtemp(prefix="base-"))
    try:
        buffer.write(save_checkpoint(folder / "base.npz", net, tr, DATASET).read_bytes())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


BASE = base_members()
dtypes = st.sampled_from(["<f4", "<f8", "<i8", "<u8", "<i4", "|u1", "|b1", "<U8", "<f2", "<c8", "|S4"])


def random_array(dtype, shape, seed) -> np.ndarray:
    """Return an array of `dtype` and `shape` holding arbitrary bytes (cheaper to draw than element by element)."""
    dtype = np.dtype(dtype)
    raw = np.random.default_rng(seed).bytes(int(np.prod(shape)) * dtype.itemsize)
    if dtype.kind in "US":
        return np.array(["".join(chr(97 + b % 26) for b in raw[i:i + 3]) for i in range(int(np.prod(shape)))],
                        dtype=dtype).reshape(shape)
    return np.frombuffer(raw, dtype).reshape(shape).copy()


arrays = st.builds(random_array, dtypes, hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=6),
                   st.integers(0, 2**32))
extreme_scalars = st.sampled_from([np.array(v) for v in (
    -1, 0, 2**31, 2**62, -2**62, np.uint64(2**64 - 1), np.nan, np.inf, -np.inf, 1e39, "sgd", "adam", "x",
    "float16", "nn-explorer-checkpoint")])
mutations = st.lists(st.tuples(st.sampled_from(sorted(BASE) + ["extra", "format", "sizes"]),
                               st.one_of(arrays, extreme_scalars, st.none())), min_size=1, max_size=4)


def write_members(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for key, value in members.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(value), allow_pickle=False)
            zf.writestr(key + ".npy", buffer.getvalue())


def loads_or_refuses(path):
    """Load a checkpoint; if it loads, it must also restore into a trainer and train on."""
    try:
        ck = load_checkpoint(path)
    except CheckpointError as exc:
        assert str(path) in str(exc)
        return None
    if ck.network.sizes == (64, 5, 4) and ck.network.activation == "sigmoid" and ck.network.cost == "quadratic":
        tr = Trainer(Network((64, 5, 4)), DATASET, batch_size=10)
        try:
            restore_trainer(tr, ck)
        except CheckpointError:
            return None
        with np.errstate(all="ignore"):
            rec = tr.step()
        assert rec.diverged or np.isfinite(tr.net.params).all()
    return ck


@MANY
@given(changes=mutations)
# found by this test: an old-style record (no stride) whose steps were a 0-D array escaped as a TypeError
@example(changes=[("history_steps", np.zeros((), np.float32)), ("history_stride", None)])
def test_any_changed_checkpoint_member_loads_usably_or_is_refused(scratch, changes):
    members = dict(BASE)
    for key, value in changes:
        if value is None:
            members.pop(key, None)
        else:
            members[key] = value
    path = scratch / "mutated.npz"
    write_members(path, members)
    loads_or_refuses(path)


@SOME
@given(data=st.data())
def test_any_corrupted_checkpoint_file_loads_usably_or_is_refused(scratch, data):
    path = scratch / "corrupt.npz"
    write_members(path, BASE)
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 6))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.one_of(st.none(), st.integers(0, len(raw))))
    path.write_bytes(bytes(raw[:cut]))
    loads_or_refuses(path)


# -- the dataset folder loader ------------------------------------------------------------------------
TYPE_CODES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


@st.composite
def idx_files(draw, kind):
    """Return the bytes of an IDX file that is usually right for `kind` and sometimes not."""
    n = draw(st.integers(0, 12))
    if kind == "images":
        dims = draw(st.one_of(st.just((n, 4, 4)), st.tuples(st.just(n), st.integers(0, 5), st.integers(0, 5)),
                              st.lists(st.integers(0, 4), min_size=1, max_size=4).map(tuple)))
        code = draw(st.sampled_from([0x08] * 6 + list(TYPE_CODES)))
    else:
        dims = draw(st.one_of(st.just((n,)), st.lists(st.integers(0, 4), min_size=1, max_size=3).map(tuple)))
        code = draw(st.sampled_from([0x08] * 6 + [0x09, 0x0C]))
    count = int(np.prod(dims))
    rng = np.random.default_rng(draw(st.integers(0, 2**32)))
    if kind == "labels" and code == 0x08:  # mostly labels of a few classes, with a stray one now and then
        values = rng.integers(0, draw(st.sampled_from([2, 3, 5, 5, 5, 100, 256])), count).astype(np.uint8)
    else:
        values = random_array(TYPE_CODES[code], (count,), rng.integers(2**32))
    data = bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + values.tobytes()
    if draw(st.integers(0, 9)) == 0:  # a damaged file now and then
        data = data[:draw(st.integers(0, len(data)))] + draw(st.binary(max_size=6))
    return gzip.compress(data, mtime=0) if draw(st.booleans()) else data


folders = st.fixed_dictionaries({
    "train-images-idx3-ubyte": idx_files("images"), "train-labels-idx1-ubyte": idx_files("labels"),
    "t10k-images-idx3-ubyte": idx_files("images"), "t10k-labels-idx1-ubyte": idx_files("labels"),
}, optional={"classes.txt": st.one_of(st.text(max_size=40), st.just("a\nb\nc\nd\ne\n"), st.binary(max_size=20))})


@MANY
@given(files=folders)
def test_any_dataset_folder_loads_a_trainable_dataset_or_is_refused(scratch, files):
    folder = scratch / "dataset"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")
    try:
        ds = load_idx_dataset(folder)
    except DatasetError:
        return
    assert 2 <= ds.n_classes <= limits.MAX_NEURONS_PER_LAYER
    assert int(ds.train_labels.max()) < ds.n_classes and int(ds.test_labels.max()) < ds.n_classes
    settled, _ = settle_settings(ds)  # and start-up can train on it
    assume(settled["sizes"][0] <= 64)
    tr = Trainer(Network(settled["sizes"], seed=0), ds, batch_size=settled["batch_size"])
    tr.step()
    tr.evaluate("test")
