"""The IDX reader on the embedded MNIST, on fuzzed malformed files, and dataset folders."""
import gzip
import hashlib
import re
import struct
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.data import IDX_TYPES, MNIST_DIR, Dataset, DatasetError, load_idx_dataset, read_idx

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# A distinctive file name, so "the message names the file" cannot pass by accident.
FUZZ_NAME = "fuzzed-sample-idx3-ubyte"


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """Return an IDX file holding `array` (stored with the big-endian dtype of type_code)."""
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=IDX_TYPES[type_code]).tobytes()


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


# -- the embedded MNIST -------------------------------------------------------------------------
def test_embedded_mnist_has_the_standard_shapes_and_counts(mnist):
    assert mnist.train_images.shape == (60000, 28, 28) and mnist.train_images.dtype == np.uint8
    assert mnist.train_labels.shape == (60000,) and mnist.train_labels.dtype == np.uint8
    assert mnist.test_images.shape == (10000, 28, 28) and mnist.test_images.dtype == np.uint8
    assert mnist.test_labels.shape == (10000,) and mnist.test_labels.dtype == np.uint8
    assert mnist.image_shape == (28, 28) and mnist.n_inputs == 784 and mnist.n_classes == 10
    assert mnist.class_names == tuple("0123456789") and mnist.name == "MNIST"
    for labels in (mnist.train_labels, mnist.test_labels):
        assert labels.min() == 0 and labels.max() == 9
        assert np.bincount(labels, minlength=10).min() > 800  # every digit is well represented
    assert not mnist.train_images.flags.writeable and not mnist.test_labels.flags.writeable


def test_embedded_mnist_bytes_match_the_published_checksums(mnist):
    readme = (MNIST_DIR / "README.md").read_text(encoding="utf-8")
    published = dict(re.findall(r"\| (\S+\.gz) \|[^|]*\| ([0-9a-f]{64}) \|", readme))
    assert len(published) == 4
    arrays = {"train-images-idx3-ubyte.gz": (mnist.train_images, 0x803),
              "train-labels-idx1-ubyte.gz": (mnist.train_labels, 0x801),
              "t10k-images-idx3-ubyte.gz": (mnist.test_images, 0x803),
              "t10k-labels-idx1-ubyte.gz": (mnist.test_labels, 0x801)}
    for name, (array, magic) in arrays.items():
        raw = struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()
        assert hashlib.sha256(raw).hexdigest() == published[name], name


def test_inputs_are_float32_in_the_unit_interval_and_cached(mnist):
    for split, n in (("train", 60000), ("test", 10000)):
        x = mnist.inputs(split)
        assert x.shape == (n, 784) and x.dtype == np.float32
        assert x.min() == 0.0 and x.max() == 1.0
        assert not x.flags.writeable
        assert mnist.inputs(split) is x
    first = mnist.inputs("test")[0].reshape(28, 28)
    assert np.allclose(first * 255, mnist.test_images[0], atol=1e-3)
    with pytest.raises(ValueError, match="split"):
        mnist.inputs("validation")


def test_read_idx_reads_gzip_and_raw_alike(tmp_path):
    array = np.arange(24, dtype=np.int16).reshape(2, 3, 4) - 5
    (tmp_path / "raw").write_bytes(idx_bytes(array, 0x0B))
    (tmp_path / "packed").write_bytes(gzip_bytes(idx_bytes(array, 0x0B)))
    for name in ("raw", "packed"):
        read = read_idx(tmp_path / name)
        assert read.dtype == np.int16 and read.dtype.isnative and np.array_equal(read, array)


# -- fuzzing the reader ---------------------------------------------------------------------------
@st.composite
def idx_files(draw, nonempty=False):
    """Draw a small, valid IDX file: (its bytes, the array it holds)."""
    type_code = draw(st.sampled_from(sorted(IDX_TYPES)))
    low = 1 if nonempty else 0
    shape = tuple(draw(st.lists(st.integers(low, 5), min_size=1, max_size=4)))
    dtype = np.dtype(IDX_TYPES[type_code])
    size = int(np.prod(shape))
    raw = draw(st.binary(min_size=size * dtype.itemsize, max_size=size * dtype.itemsize))
    array = np.frombuffer(raw, dtype).reshape(shape)
    return idx_bytes(array, type_code), array


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def expect_dataset_error(path: Path, data: bytes) -> DatasetError:
    path.write_bytes(data)
    with pytest.raises(DatasetError) as info:
        read_idx(path)
    assert path.name in str(info.value)
    return info.value


def read_or_dataset_error(path: Path, data: bytes):
    """Return the array, or None if the reader refused the file with a DatasetError naming it."""
    path.write_bytes(data)
    try:
        return read_idx(path)
    except DatasetError as exc:  # any other exception fails the test
        assert path.name in str(exc)
        return None


def same_array(read, array) -> bool:
    """Return whether the reader gave `array` back exactly (NaNs included), in native byte order."""
    return (read is not None and read.shape == array.shape and read.dtype.isnative
            and read.dtype == array.dtype.newbyteorder("=")
            and read.tobytes() == array.astype(read.dtype).tobytes())


@FUZZ
@given(file=idx_files(), packed=st.booleans())
def test_valid_files_round_trip(scratch, file, packed):
    data, array = file
    read = read_or_dataset_error(scratch / FUZZ_NAME, gzip_bytes(data) if packed else data)
    assert same_array(read, array)


@FUZZ
@given(file=idx_files(), cut=st.integers(1, 10 ** 6), packed=st.booleans())
def test_truncated_files_are_refused(scratch, file, cut, packed):
    data = file[0]
    if packed:
        data = gzip_bytes(data)
    expect_dataset_error(scratch / FUZZ_NAME, data[:len(data) - 1 - cut % len(data)])


@FUZZ
@given(file=idx_files(), magic=st.binary(min_size=2, max_size=2), packed=st.booleans())
def test_wrong_magic_is_refused(scratch, file, magic, packed):
    assume(magic != b"\0\0")
    data = magic + file[0][2:]
    expect_dataset_error(scratch / FUZZ_NAME, gzip_bytes(data) if packed else data)


@FUZZ
@given(file=idx_files(), type_code=st.integers(0, 255))
def test_unknown_type_byte_is_refused(scratch, file, type_code):
    assume(type_code not in IDX_TYPES)
    data = bytearray(file[0])
    data[2] = type_code
    error = expect_dataset_error(scratch / FUZZ_NAME, bytes(data))
    assert "type" in str(error)


@FUZZ
@given(file=idx_files(nonempty=True), data=st.data())
def test_dimensions_that_disagree_with_the_data_are_refused(scratch, file, data):
    raw, array = file
    dim = data.draw(st.integers(0, array.ndim - 1))
    new = data.draw(st.integers(0, 2 ** 32 - 1).filter(lambda d: d != array.shape[dim]))
    offset = 4 + 4 * dim
    expect_dataset_error(scratch / FUZZ_NAME, raw[:offset] + struct.pack(">I", new) + raw[offset + 4:])


@FUZZ
@given(file=idx_files(nonempty=True), ndim=st.integers(0, 255))
def test_a_wrong_dimension_count_is_refused(scratch, file, ndim):
    raw, array = file
    assume(ndim != array.ndim)
    path, data = scratch / FUZZ_NAME, raw[:3] + bytes([ndim]) + raw[4:]
    if ndim == 0 or ndim > 4 or ndim < array.ndim:
        expect_dataset_error(path, data)
    else:  # more dimensions read data bytes as sizes, which can by chance describe the rest exactly
        read = read_or_dataset_error(path, data)
        assert read is None or (read.ndim == ndim and read.nbytes == len(data) - 4 - 4 * ndim)


@FUZZ
@given(file=idx_files(), extra=st.binary(min_size=1, max_size=64), packed=st.booleans())
def test_trailing_bytes_are_refused(scratch, file, extra, packed):
    data = file[0] + extra
    expect_dataset_error(scratch / FUZZ_NAME, gzip_bytes(data) if packed else data)


@FUZZ
@given(file=idx_files(), extra=st.binary(min_size=1, max_size=64))
def test_garbage_after_the_gzip_stream_is_refused(scratch, file, extra):
    assume(not extra.startswith(b"\x1f\x8b"))  # that would be a (broken) second gzip member
    path = scratch / FUZZ_NAME
    if extra.strip(b"\0"):
        expect_dataset_error(path, gzip_bytes(file[0]) + extra)
    else:  # zero padding after a gzip stream is tolerated, as gzip(1) does: the data are intact
        assert same_array(read_or_dataset_error(path, gzip_bytes(file[0]) + extra), file[1])


@FUZZ
@given(file=idx_files(), position=st.integers(1, 8), flip=st.integers(1, 255))
def test_a_corrupt_gzip_checksum_or_length_is_refused(scratch, file, position, flip):
    packed = bytearray(gzip_bytes(file[0]))
    packed[-position] ^= flip  # the trailer: CRC-32 then the uncompressed length
    error = expect_dataset_error(scratch / FUZZ_NAME, bytes(packed))
    assert "gzip" in str(error)


@FUZZ
@given(file=idx_files(), packed=st.booleans(), data=st.data())
def test_any_corruption_gives_an_array_or_a_dataset_error(scratch, file, packed, data):
    raw = gzip_bytes(file[0]) if packed else file[0]
    mutated = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    read_or_dataset_error(scratch / FUZZ_NAME, bytes(mutated))


@FUZZ
@given(blob=st.binary(max_size=300))
def test_arbitrary_bytes_give_an_array_or_a_dataset_error(scratch, blob):
    read_or_dataset_error(scratch / FUZZ_NAME, blob)
    read_or_dataset_error(scratch / FUZZ_NAME, gzip_bytes(blob))


def test_a_huge_header_is_refused_without_allocating(tmp_path):
    header = bytes([0, 0, 0x0E, 4]) + struct.pack(">4I", 2 ** 32 - 1, 2 ** 32 - 1, 2, 2)
    error = expect_dataset_error(tmp_path / "huge-idx4-ubyte", header + b"\0" * 16)
    assert "too large" in str(error)
    # an empty array whose other dimensions could not form a NumPy shape
    header = bytes([0, 0, 0x08, 4]) + struct.pack(">4I", 2 ** 24, 2 ** 24, 2 ** 24, 0)
    assert "too large" in str(expect_dataset_error(tmp_path / "empty-huge-idx4-ubyte", header))


def test_missing_unreadable_and_empty_files(tmp_path):
    with pytest.raises(DatasetError, match="missing-idx1-ubyte.*not found"):
        read_idx(tmp_path / "missing-idx1-ubyte")
    (tmp_path / "a-folder-idx1-ubyte").mkdir()
    with pytest.raises(DatasetError, match="a-folder-idx1-ubyte"):
        read_idx(tmp_path / "a-folder-idx1-ubyte")
    expect_dataset_error(tmp_path / "empty-idx1-ubyte", b"")


# -- dataset folders ------------------------------------------------------------------------------
def write_dataset(folder: Path, n_train=12, n_test=5, shape=(4, 3), classes=3, packed=True,
                  test_shape=None, train_labels=None, test_labels=None, seed=0):
    """Write a small dataset in the four-file layout and return the arrays written."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, *shape), dtype=np.uint8),
        "train-labels-idx1-ubyte": (rng.integers(0, classes, n_train, dtype=np.uint8)
                                    if train_labels is None else np.asarray(train_labels, np.uint8)),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, *(test_shape or shape)), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": (rng.integers(0, classes, n_test, dtype=np.uint8)
                                   if test_labels is None else np.asarray(test_labels, np.uint8)),
    }
    for name, array in arrays.items():
        data = idx_bytes(array)
        if packed:
            (folder / f"{name}.gz").write_bytes(gzip_bytes(data))
        else:
            (folder / name).write_bytes(data)
    return arrays


@pytest.mark.parametrize("packed", [True, False])
def test_a_small_folder_loads_with_its_shapes(tmp_path, packed):
    arrays = write_dataset(tmp_path / "tiny", packed=packed, train_labels=[0, 1, 2] * 4)
    ds = load_idx_dataset(tmp_path / "tiny")
    assert isinstance(ds, Dataset) and ds.name == "tiny"
    assert np.array_equal(ds.train_images, arrays["train-images-idx3-ubyte"])
    assert np.array_equal(ds.test_labels, arrays["t10k-labels-idx1-ubyte"])
    assert ds.image_shape == (4, 3) and ds.n_inputs == 12
    assert ds.class_names == ("0", "1", "2")
    x = ds.inputs("train")
    assert x.shape == (12, 12) and x.dtype == np.float32 and x.min() >= 0 and x.max() <= 1


def test_classes_txt_names_the_classes(tmp_path):
    folder = tmp_path / "fashion"
    write_dataset(folder, classes=3)
    (folder / "classes.txt").write_text("T-shirt/top\n\nTrouser\n  Pullover  \nDress\n", encoding="utf-8")
    ds = load_idx_dataset(folder)
    assert ds.class_names == ("T-shirt/top", "Trouser", "Pullover", "Dress") and ds.n_classes == 4
    assert load_idx_dataset(folder, name="F", class_names=["a", "b", "c"]).class_names == ("a", "b", "c")


@pytest.mark.parametrize("content", [b"only\n", b"\n\n", b"\xff\xfe\x00broken"])
def test_an_unusable_classes_txt_is_refused(tmp_path, content):
    write_dataset(tmp_path, train_labels=[0] * 12, test_labels=[0] * 5)
    (tmp_path / "classes.txt").write_bytes(content)
    with pytest.raises(DatasetError, match="classes.txt"):
        load_idx_dataset(tmp_path)


def test_labels_beyond_the_named_classes_are_refused(tmp_path):
    folder = tmp_path / "named"
    write_dataset(folder, train_labels=[0, 1] * 6, test_labels=[0, 1, 2, 1, 0])
    (folder / "classes.txt").write_text("zero\none\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"t10k-labels-idx1-ubyte.*label 2 is out of range"):
        load_idx_dataset(folder)


def test_labels_out_of_range_are_refused(tmp_path):
    write_dataset(tmp_path, classes=3, train_labels=[0, 1, 2, 255] * 3)
    with pytest.raises(DatasetError, match=r"train-labels-idx1-ubyte.*label 255"):
        load_idx_dataset(tmp_path, class_names=["a", "b", "c"])


def test_image_and_label_counts_must_agree(tmp_path):
    write_dataset(tmp_path, n_train=12, train_labels=[0, 1, 2] * 5)
    with pytest.raises(DatasetError, match=r"train-labels-idx1-ubyte.*15 labels for 12 images"):
        load_idx_dataset(tmp_path)


def test_train_and_test_images_must_have_the_same_shape(tmp_path):
    write_dataset(tmp_path, shape=(4, 3), test_shape=(3, 4))
    with pytest.raises(DatasetError, match="t10k-images-idx3-ubyte"):
        load_idx_dataset(tmp_path)


def test_empty_splits_and_pixel_less_images_are_refused(tmp_path):
    write_dataset(tmp_path / "no-test", n_test=0)
    with pytest.raises(DatasetError, match="t10k-images-idx3-ubyte.*no images"):
        load_idx_dataset(tmp_path / "no-test")
    write_dataset(tmp_path / "no-pixels", shape=(0, 3))
    with pytest.raises(DatasetError, match="train-images-idx3-ubyte.*pixel"):
        load_idx_dataset(tmp_path / "no-pixels")


@pytest.mark.parametrize("missing", ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                     "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"])
def test_a_missing_file_is_named(tmp_path, missing):
    write_dataset(tmp_path)
    (tmp_path / f"{missing}.gz").unlink()
    with pytest.raises(DatasetError) as info:
        load_idx_dataset(tmp_path)
    assert missing in str(info.value).replace(str(tmp_path), "")


def test_wrong_kinds_of_arrays_are_refused(tmp_path):
    write_dataset(tmp_path)
    # labels stored as a 2-D array, images stored as int16: both named, neither accepted
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip_bytes(idx_bytes(np.zeros((12, 1), np.uint8))))
    with pytest.raises(DatasetError, match="train-labels-idx1-ubyte.*1-D uint8"):
        load_idx_dataset(tmp_path)
    write_dataset(tmp_path)
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip_bytes(idx_bytes(np.zeros((5, 4, 3)), 0x0B)))
    with pytest.raises(DatasetError, match="t10k-images-idx3-ubyte.*uint8"):
        load_idx_dataset(tmp_path)


def test_a_corrupt_file_in_a_folder_is_named(tmp_path):
    write_dataset(tmp_path)
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DatasetError, match="t10k-images-idx3-ubyte.gz"):
        load_idx_dataset(tmp_path)


def test_ambiguous_and_absent_folders_are_refused(tmp_path):
    write_dataset(tmp_path / "two", packed=True)
    write_dataset(tmp_path / "two", packed=False)
    with pytest.raises(DatasetError, match="several candidates"):
        load_idx_dataset(tmp_path / "two")
    with pytest.raises(DatasetError, match="not a folder"):
        load_idx_dataset(tmp_path / "nowhere")


def test_alternative_file_names_are_found(tmp_path):
    arrays = write_dataset(tmp_path / "src", packed=False)
    folder = tmp_path / "kmnist"
    folder.mkdir()
    names = {"train-images-idx3-ubyte": "k49-train-images.idx3-ubyte",
             "train-labels-idx1-ubyte": "k49-train-labels.idx1-ubyte",
             "t10k-images-idx3-ubyte": "k49-test-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte": "k49-test-labels-idx1-ubyte"}
    for old, new in names.items():
        (tmp_path / "src" / old).rename(folder / new)
    ds = load_idx_dataset(folder)
    assert np.array_equal(ds.test_images, arrays["t10k-images-idx3-ubyte"])


def test_a_gzip_bomb_is_refused_before_it_is_inflated(tmp_path, monkeypatch):
    from core import data

    monkeypatch.setattr(data, "MAX_DECOMPRESSED", 10_000)
    path = tmp_path / "bomb-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(b"\x00\x00\x08\x03" + b"\x00\x00\x00\x01" * 3 + bytes(50_000)))
    with pytest.raises(data.DatasetError, match="bomb-images-idx3-ubyte.gz: decompresses to more than"):
        data.read_idx(path)
