"""Read IDX files (the MNIST format) and hold a dataset of images and labels.

Every malformed file raises DatasetError naming the file and what is wrong, so the app can
say so in a dialog instead of showing a traceback.
"""
from __future__ import annotations

import functools
import gzip
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core import limits
from core.validation import InputError

MNIST_DIR = Path(__file__).resolve().parent.parent / "resources" / "data" / "mnist"
# IDX type byte → big-endian dtype.
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
MAX_ELEMENTS = limits.MAX_DATASET_ELEMENTS
MAX_DECOMPRESSED = limits.MAX_DECOMPRESSED_BYTES
MAX_CLASSES_FILE_BYTES = 1 << 20
READ_CHUNK = 8 << 20  # bytes read (and, for gzip, inflated) at a time
PIXEL_SCALE = np.float32(1 / 255)  # uint8 pixel → float32 input in [0, 1]
# The four files of a dataset: key → accepted name endings (without .gz).
LAYOUT = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "test-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "test-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}


class DatasetError(InputError):
    """A dataset file is missing, unreadable or malformed."""


def _open(path: Path):
    """Return a binary stream of the file's content, inflated as it is read if it is gzip data."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise DatasetError(f"{path.name}: file not found ({path})") from None
    except (OSError, ValueError) as exc:  # ValueError: a path with a NUL byte in it
        raise DatasetError(f"{path.name}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        packed = handle.read(2) == b"\x1f\x8b"  # gzip magic, whatever the file is called
        handle.seek(0)
    except OSError as exc:
        handle.close()
        raise DatasetError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    return (gzip.GzipFile(fileobj=handle), handle) if packed else (handle, handle)


def _read(stream, n: int, path: Path) -> bytes:
    """Return up to n bytes, counted as they stream in: a gzip bomb inflates no further than n."""
    out = bytearray()
    try:
        while len(out) < n:
            chunk = stream.read(min(READ_CHUNK, n - len(out)))
            if not chunk:
                break
            out += chunk
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetError(f"{path.name}: corrupt gzip data ({exc})") from None
    return out


def read_idx(path) -> np.ndarray:
    """Return the array stored in an IDX file (gzip-compressed or raw), header checked before the data are read."""
    path = Path(path)
    stream, handle = _open(path)
    with handle, stream:
        return _read_idx(stream, path, packed=stream is not handle)


def _read_idx(stream, path: Path, packed: bool) -> np.ndarray:
    head = _read(stream, 4, path)
    if len(head) < 4:
        raise DatasetError(f"{path.name}: too short to be an IDX file ({len(head)} bytes)")
    if head[0] != 0 or head[1] != 0:
        raise DatasetError(f"{path.name}: not an IDX file (magic bytes {bytes(head).hex()})")
    type_code, ndim = head[2], head[3]
    if type_code not in IDX_TYPES:
        raise DatasetError(f"{path.name}: unknown IDX data type 0x{type_code:02x}")
    if not 1 <= ndim <= 4:
        raise DatasetError(f"{path.name}: {ndim} dimensions; expected 1 to 4")
    raw_dims = _read(stream, 4 * ndim, path)
    if len(raw_dims) < 4 * ndim:
        raise DatasetError(f"{path.name}: truncated header")
    dims = tuple(int(d) for d in np.frombuffer(bytes(raw_dims), ">u4", ndim))
    dtype = np.dtype(IDX_TYPES[type_code])
    count, span = 1, 1
    for d in dims:
        count *= d
        span *= max(d, 1)  # a zero dimension must not hide others too large for NumPy's shapes
    if span > MAX_ELEMENTS:
        raise DatasetError(f"{path.name}: header claims {dims}, far too large (at most {MAX_ELEMENTS:,} values)")
    expected = count * dtype.itemsize
    if expected > MAX_DECOMPRESSED:
        raise DatasetError(f"{path.name}: header claims {dims}, which decompresses to more than"
                           f" {MAX_DECOMPRESSED:,} bytes; not a dataset this app can hold")
    data = _read(stream, expected + 1, path)  # one byte past: anything there is an error
    actual = len(data)
    if actual < expected:
        raise DatasetError(f"{path.name}: truncated: header {dims} needs {expected} data bytes, found {actual}")
    if actual > expected:
        if packed:
            raise DatasetError(f"{path.name}: decompresses to more than the {expected:,} data bytes its header"
                               f" {dims} claims")
        extra = stream.seek(0, io.SEEK_END) - len(head) - len(raw_dims) - expected
        raise DatasetError(f"{path.name}: {extra} unexpected bytes after the data (header {dims})")
    if packed:
        _read(stream, 1, path)  # reach the end of the gzip stream, where its checksum is checked
    # A copy NumPy owns, not a view of the file's bytes: NumPy asks the kernel for huge pages
    # for large arrays, which made the trainer's random gather of batch rows ~15 % faster.
    return np.frombuffer(data, dtype, count).reshape(dims).astype(dtype.newbyteorder("="), copy=True)


def _read_only(array):
    array = np.ascontiguousarray(array)
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class Dataset:
    """Training and test images (N, H, W) uint8 with their integer labels."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    name: str = "MNIST"
    class_names: tuple = tuple(str(i) for i in range(10))
    _inputs: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        for key in ("train_images", "train_labels", "test_images", "test_labels"):
            object.__setattr__(self, key, _read_only(getattr(self, key)))
        object.__setattr__(self, "class_names", tuple(str(c) for c in self.class_names))

    @property
    def image_shape(self) -> tuple:
        return tuple(self.train_images.shape[1:])

    @property
    def n_inputs(self) -> int:
        return int(np.prod(self.image_shape))

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def images(self, split: str) -> np.ndarray:
        return self.train_images if _split(split) == "train" else self.test_images

    def labels(self, split: str) -> np.ndarray:
        return self.train_labels if _split(split) == "train" else self.test_labels

    def inputs(self, split: str) -> np.ndarray:
        """Return a split's images as (N, H·W) float32 in [0, 1] (converted once, then cached)."""
        split = _split(split)
        if split not in self._inputs:
            images = self.images(split)
            x = np.multiply(images.reshape(len(images), -1), PIXEL_SCALE, dtype=np.float32)
            self._inputs[split] = _read_only(x)
        return self._inputs[split]

    def subset(self, n_train: int, n_test: int) -> Dataset:
        """Return the first n_train training and n_test test examples as a new Dataset."""
        return Dataset(self.train_images[:n_train], self.train_labels[:n_train],
                       self.test_images[:n_test], self.test_labels[:n_test], self.name, self.class_names)

    def __repr__(self):
        h, w = self.image_shape
        return (f"Dataset({self.name!r}, train={len(self.train_labels)}, test={len(self.test_labels)},"
                f" {h}x{w}, {self.n_classes} classes)")


def _split(split: str) -> str:
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    return split


def _find(folder: Path, key: str) -> Path:
    endings = LAYOUT[key]
    try:
        found = [p for p in sorted(folder.iterdir()) if p.is_file()
                 and any(p.name.removesuffix(".gz").endswith(e) for e in endings)]
    except OSError as exc:
        raise DatasetError(f"{folder}: cannot be listed ({exc.strerror or exc})") from None
    if not found:
        raise DatasetError(f"{folder}: no {endings[0]}[.gz] file (the four standard IDX files are"
                           f" train-images, train-labels, t10k-images, t10k-labels)")
    if len(found) > 1:
        raise DatasetError(f"{folder}: several candidates for {endings[0]}: {', '.join(p.name for p in found)}")
    return found[0]


def load_idx_dataset(folder, name=None, class_names=None) -> Dataset:
    """Return the dataset in a folder of the four standard IDX files (MNIST, Fashion-MNIST, …).

    Class names come from `class_names`, else from a `classes.txt` (one per line), else 0..K-1.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"{folder}: not a folder")
    paths = {key: _find(folder, key) for key in LAYOUT}
    arrays = {key: read_idx(path) for key, path in paths.items()}
    for key in ("train_images", "test_images"):
        a = arrays[key]
        if a.ndim != 3 or a.dtype != np.uint8:
            raise DatasetError(f"{paths[key].name}: expected 3-D uint8 images, found {a.ndim}-D {a.dtype}")
        if 0 in a.shape[1:]:
            raise DatasetError(f"{paths[key].name}: images of {a.shape[1]}x{a.shape[2]} pixels hold nothing")
        if a.shape[1] * a.shape[2] > limits.MAX_INPUTS:
            raise DatasetError(f"{paths[key].name}: images of {a.shape[1]}x{a.shape[2]} pixels; at most"
                               f" {limits.MAX_INPUTS:,} pixels (the network's inputs) are allowed")
    for key in ("train_labels", "test_labels"):
        a = arrays[key]
        if a.ndim != 1 or a.dtype != np.uint8:
            raise DatasetError(f"{paths[key].name}: expected 1-D uint8 labels, found {a.ndim}-D {a.dtype}")
    for split in ("train", "test"):
        n_img, n_lab = len(arrays[f"{split}_images"]), len(arrays[f"{split}_labels"])
        if n_img != n_lab:
            raise DatasetError(f"{paths[f'{split}_labels'].name}: {n_lab} labels for {n_img} images")
        if n_img == 0:
            raise DatasetError(f"{paths[f'{split}_images'].name}: holds no images")
    if arrays["train_images"].shape[1:] != arrays["test_images"].shape[1:]:
        raise DatasetError(f"{paths['test_images'].name}: images are {arrays['test_images'].shape[1:]},"
                           f" training images {arrays['train_images'].shape[1:]}")
    if class_names is None:
        class_names = _class_names(folder, arrays, paths)
    for key in ("train_labels", "test_labels"):
        bad = arrays[key] >= len(class_names)
        if bad.any():
            raise DatasetError(f"{paths[key].name}: label {int(arrays[key][bad][0])} is out of range"
                               f" for {len(class_names)} classes")
    if name is None:
        name = "MNIST" if folder.name.lower() == "mnist" else folder.name
    return Dataset(arrays["train_images"], arrays["train_labels"], arrays["test_images"],
                   arrays["test_labels"], name, tuple(class_names))


def _class_names(folder: Path, arrays: dict, paths: dict) -> list:
    """Return the names in classes.txt or, without one, 0..K-1 for the K classes the training labels use."""
    names_file = folder / "classes.txt"
    if names_file.is_file():
        try:
            if names_file.stat().st_size > MAX_CLASSES_FILE_BYTES:
                raise DatasetError(f"classes.txt: larger than {MAX_CLASSES_FILE_BYTES:,} bytes; not a list of names")
            names = [line.strip() for line in names_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            raise DatasetError(f"classes.txt: cannot be read ({exc})") from None
        if not 2 <= len(names) <= limits.MAX_NEURONS_PER_LAYER:
            raise DatasetError(f"classes.txt: names {len(names)} class(es); a classifier needs"
                               f" {limits.bound_text(2, limits.MAX_NEURONS_PER_LAYER)}")
        return names
    # Without names, the training labels say how many classes there are; a stray label in
    # the test set (or a lone one far above the rest) must not invent dozens of empty classes.
    train = arrays["train_labels"]
    k = max(int(train.max()) + 1, 2)
    used = int(np.count_nonzero(np.bincount(train, minlength=k)))
    if used * 2 < k:
        raise DatasetError(f"{paths['train_labels'].name}: labels run up to {k - 1} but only {used} of those {k}"
                           " classes occur; list the class names in classes.txt (one per line)")
    test = arrays["test_labels"]
    if int(test.max()) >= k:
        raise DatasetError(f"{paths['test_labels'].name}: label {int(test.max())} never occurs in the training"
                           f" labels (0..{k - 1}); list the class names in classes.txt (one per line)")
    return [str(i) for i in range(k)]


@functools.lru_cache(maxsize=1)
def load_mnist() -> Dataset:
    """Return the embedded MNIST (60,000 training and 10,000 test digits); no network access."""
    return load_idx_dataset(MNIST_DIR, name="MNIST", class_names=[str(i) for i in range(10)])
