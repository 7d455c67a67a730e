"""Each fault an attack on the files and options found: refused with one clear error, nothing allocated first."""
import io
import os
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from toys import tiny_dataset

from core.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from core.data import DatasetError, load_idx_dataset
from core.network import Network, NetworkError
from core.trainer import Trainer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ds():
    return tiny_dataset()


@pytest.fixture
def good(tmp_path, ds):
    """Return the members of a valid checkpoint with a trained Adam trainer, as a dict of arrays."""
    net = Network((64, 10, 4), seed=2)
    tr = Trainer(net, ds, batch_size=20, learning_rate=0.3, optimizer="adam", seed=4)
    for _ in range(3):
        tr.step()
    path = save_checkpoint(tmp_path / "good.npz", net, tr, ds)
    with np.load(path) as npz:
        return {key: npz[key] for key in npz.files}


def write_npz(path, members: dict, raw: dict = None) -> Path:
    """Write arrays as an npz, plus raw zip members (name → bytes) written as they are."""
    with zipfile.ZipFile(path, "w") as zf:
        for key, value in members.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(value), allow_pickle=False)
            zf.writestr(key + ".npy", buffer.getvalue())
        for name, data in (raw or {}).items():
            zf.writestr(name, data)
    return path


def refused(path, *fragments) -> str:
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    message = str(info.value)
    assert str(path) in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


# -- checkpoints ------------------------------------------------------------------------------
def test_a_format_member_that_is_not_an_array_is_refused(tmp_path, good):
    members = {k: v for k, v in good.items() if k != "format"}
    refused(write_npz(tmp_path / "f.npz", members, raw={"format": b"nn-explorer-checkpoint"}), "format", ".npy")


def test_a_huge_input_layer_is_refused_before_the_network_is_made(tmp_path, good):
    tracemalloc.start()
    try:
        refused(write_npz(tmp_path / "s.npz", {**good, "sizes": np.array([2**40, 10])}), "sizes", "65,536")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 << 20


def test_a_hundred_layers_of_4096_are_refused_before_the_network_is_made(tmp_path, good):
    sizes = np.array([64, *[4096] * 100, 4])
    refused(write_npz(tmp_path / "deep.npz", {**good, "sizes": sizes}), "sizes", "100 hidden layers", "at most 10")


def test_a_npy_header_claiming_2_to_the_33_elements_is_refused_unread(tmp_path, good):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (2**33,)})
    members = {k: v for k, v in good.items() if k != "params"}
    path = write_npz(tmp_path / "big.npz", members, raw={"params.npy": header.getvalue() + bytes(64)})
    refused(path, "params", str((2**33,)))


def test_an_adam_step_counter_of_minus_2_to_the_62_is_refused(tmp_path, good):
    path = write_npz(tmp_path / "t.npz", {**good, "train/optimizer_t": np.array(-2**62, dtype=np.int64)})
    refused(path, "optimizer_t", "-4611686018427387904", "between 0 and")


@pytest.mark.parametrize("seed", [2**31, 2**64 - 1])
def test_a_seed_beyond_what_the_seed_boxes_hold_is_refused(tmp_path, good, seed):
    dtype = np.uint64 if seed >= 2**63 else np.int64
    refused(write_npz(tmp_path / "seed.npz", {**good, "seed": np.array(seed, dtype=dtype)}),
            "seed", "between 0 and 2,147,483,647")


def test_a_seed_of_minus_one_gets_a_message_naming_the_field_and_range(tmp_path, good):
    refused(write_npz(tmp_path / "neg.npz", {**good, "seed": np.array(-1)}), "seed: -1 is out of range",
            "between 0 and 2,147,483,647")


def test_random_bytes_are_not_reported_as_pickled(tmp_path):
    path = tmp_path / "random.npz"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    message = refused(path, "not a zip archive")
    assert "pickle" not in message


def test_weights_too_large_for_float32_are_refused(tmp_path, good):
    params = good["params"].astype(np.float64)
    params[::7] = 1e39  # finite here, infinite once cast to the network's float32
    refused(write_npz(tmp_path / "inf.npz", {**good, "params": params}), "params", "too large for float32")


def test_nan_weights_are_refused_naming_the_field(tmp_path, good):
    refused(write_npz(tmp_path / "nan.npz", {**good, "params": np.full_like(good["params"], np.nan)}),
            "params", "NaN")


def test_save_creates_no_folders(tmp_path):
    target = tmp_path / "new" / "dir" / "x.npz"
    with pytest.raises(CheckpointError, match="does not exist"):
        save_checkpoint(target, Network((4, 3, 2)))
    assert not (tmp_path / "new").exists()


def test_a_save_removes_temporaries_left_by_interrupted_saves(tmp_path):
    stale = [tmp_path / f".x.npz.{i}abc{TAG}.tmp" for i, TAG in enumerate("pqr")]
    for path in stale:
        path.write_bytes(bytes(1000))
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    fresh = tmp_path / ".x.npz.live.tmp"  # another save may be writing this one right now
    fresh.write_bytes(b"")
    unrelated = tmp_path / "notes.tmp"
    unrelated.write_bytes(b"keep")
    save_checkpoint(tmp_path / "x.npz", Network((4, 3, 2)))
    assert not any(p.exists() for p in stale)
    assert fresh.exists() and unrelated.exists()


def test_a_checkpoint_written_and_read_keeps_its_whole_record(tmp_path, ds):
    from core.checkpoint import restore_trainer

    net = Network((64, 10, 4), seed=2)
    tr = Trainer(net, ds, batch_size=20, learning_rate=0.3, seed=4)
    for _ in range(30):
        tr.step()
        if tr.position == 0:
            tr.evaluate("test")
    ck = load_checkpoint(save_checkpoint(tmp_path / "r.npz", net, tr, ds))
    other = Trainer(Network((64, 10, 4), seed=9), ds, batch_size=5)
    restore_trainer(other, ck)
    assert np.array_equal(other.history.costs.step_values(), tr.history.costs.step_values())
    assert np.array_equal(other.history.grad_norms.values(), tr.history.grad_norms.values())
    assert other.history.accuracy["test"] == tr.history.accuracy["test"] and len(tr.history.accuracy["test"]) == 2
    assert np.array_equal(other.trajectory.step_values(), tr.trajectory.step_values())
    assert np.array_equal(other.trajectory.values(), tr.trajectory.values())
    assert np.array_equal(other.trajectory_samples.values(), tr.trajectory_samples.values())
    assert other.trajectory_samples.values()[-1] == tr.samples_seen == 2 * 250 + 4 * 20  # 13 steps an epoch


# -- options, the network, the trainer ------------------------------------------------------------
def test_a_fractional_layer_size_is_refused():
    with pytest.raises(NetworkError, match="784.5 is not a whole number"):
        Network((784.5, 10))


def test_forty_layers_of_4096_are_refused_naming_the_limit():
    with pytest.raises(NetworkError, match="40 hidden layers; at most 10"):
        Network((784, *[4096] * 40, 10))


@pytest.mark.parametrize("decay", [float("nan"), float("inf")])
def test_a_weight_decay_of_nan_or_inf_is_refused(ds, decay):
    with pytest.raises(ValueError, match="weight decay"):
        Trainer(Network((64, 10, 4)), ds, weight_decay=decay)


def run_cli(*args, cwd):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--epochs", "1", "--train-limit", "200",
                           *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_train_refuses_a_seed_of_2_to_the_64_and_writes_nothing(tmp_path):
    result = run_cli("--seed", str(2**64), "--save", "f.npz", cwd=tmp_path)
    assert result.returncode == 2 and "--seed" in result.stderr and "2,147,483,647" in result.stderr
    assert not (tmp_path / "f.npz").exists()


def test_train_save_into_a_missing_folder_is_refused_before_training(tmp_path):
    result = run_cli("--save", str(tmp_path / "new" / "dir" / "x.npz"), cwd=tmp_path)
    assert result.returncode == 2 and "does not exist" in result.stderr and "epoch" not in result.stdout
    assert not (tmp_path / "new").exists()


# -- dataset folders -----------------------------------------------------------------------------
def idx(array, type_code=0x08) -> bytes:
    return bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def dataset_folder(folder, train_labels, test_labels) -> Path:
    folder.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    for name, labels in (("train", train_labels), ("t10k", test_labels)):
        labels = np.asarray(labels, np.uint8)
        (folder / f"{name}-images-idx3-ubyte").write_bytes(idx(rng.integers(0, 256, (len(labels), 4, 4), np.uint8)))
        (folder / f"{name}-labels-idx1-ubyte").write_bytes(idx(labels))
    return folder


def test_a_stray_test_label_of_99_does_not_make_100_classes(tmp_path):
    folder = dataset_folder(tmp_path / "d", np.arange(40) % 10, [*range(9), 99])
    with pytest.raises(DatasetError, match="t10k-labels-idx1-ubyte: label 99 never occurs.*classes.txt"):
        load_idx_dataset(folder)


def test_a_stray_training_label_of_99_does_not_make_100_classes(tmp_path):
    folder = dataset_folder(tmp_path / "d", [*(np.arange(39) % 10), 99], np.arange(10))
    with pytest.raises(DatasetError, match="train-labels-idx1-ubyte: labels run up to 99 but only 11"):
        load_idx_dataset(folder)


def test_a_gzip_bomb_is_refused_without_inflating_it(tmp_path):
    # a valid header for 1,000 images of 28 × 28, then 200 MB of zeros: 200 kB on disk
    header = b"\x00\x00\x08\x03" + struct.pack(">3I", 1000, 28, 28)
    packer = zlib.compressobj(9, wbits=31)  # wbits 31: a gzip stream
    chunks = [packer.compress(header)]
    block = bytes(1 << 20)
    chunks += [packer.compress(block) for _ in range(200)]
    chunks.append(packer.flush())
    path = tmp_path / "bomb-images-idx3-ubyte.gz"
    path.write_bytes(b"".join(chunks))
    assert path.stat().st_size < 1 << 20
    from core.data import read_idx

    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(DatasetError, match="bomb-images-idx3-ubyte.gz: decompresses to more than the 784,000"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 << 20  # the claimed 784 kB and a read buffer, not the 200 MB inflated
    assert time.perf_counter() - start < 5

