"""Read an `.npz` file member by member: every header first, each array only when asked for.

np.load materialises whatever a header claims (2³³ elements is a MemoryError) and tries
pickle on anything that is not a zip; here a member is read only after its shape and type
were checked against what the caller expects and against a byte budget.
"""
from __future__ import annotations

import lzma
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from core.validation import InputError

# What reading a hostile zip or .npy header can raise; all of it means "not a readable file".
READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error, lzma.LZMAError, ValueError, KeyError,
               RuntimeError, NotImplementedError, struct.error, UnicodeDecodeError, SyntaxError, TypeError,
               OverflowError)
HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


class NpzMembers:
    """The arrays of an .npz file by name: `shape(name)`, `dtype(name)`, `load(name, max_bytes)`.

    Raises `error` (an InputError type) naming the file and the member for anything unusable.
    """

    def __init__(self, path, error=InputError, max_members=256):
        self.path, self.error = Path(path), error
        self.headers = {}  # name → (shape, dtype, fortran order)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise error("no such file", self.path) from None
        except IsADirectoryError:
            raise error("is a folder, not a file", self.path) from None
        except zipfile.BadZipFile:
            raise error("not a checkpoint (not a zip archive of NumPy arrays)", self.path) from None
        except READ_ERRORS as exc:
            raise error(f"not a readable file ({exc})", self.path) from None
        try:
            infos = self._zip.infolist()
            if len(infos) > max_members:
                raise error(f"{len(infos)} members; at most {max_members} are allowed", self.path)
            for info in infos:
                self._read_header(info)
        except BaseException:
            self._zip.close()
            raise

    def _read_header(self, info):
        name = info.filename.removesuffix(".npy")
        if not info.filename.endswith(".npy") or info.is_dir():
            raise self.error("is not a NumPy array (.npy)", self.path, info.filename)
        try:
            with self._zip.open(info) as member:
                version = np.lib.format.read_magic(member)
                if version not in HEADER_READERS:
                    raise self.error(f"unsupported .npy format version {version}", self.path, name)
                shape, fortran, dtype = HEADER_READERS[version](member)
        except InputError:
            raise
        except READ_ERRORS as exc:
            raise self.error(f"not a readable array ({exc})", self.path, name) from None
        if dtype.hasobject:
            raise self.error("holds pickled objects, which are never loaded", self.path, name)
        if dtype.fields is not None or dtype.kind not in "biufcUS":
            raise self.error(f"has an unusable type ({dtype})", self.path, name)
        self.headers[name] = (tuple(int(n) for n in shape), dtype, fortran)

    def __contains__(self, name):
        return name in self.headers

    def names(self):
        return list(self.headers)

    def shape(self, name) -> tuple:
        return self.headers[name][0]

    def dtype(self, name) -> np.dtype:
        return self.headers[name][1]

    def nbytes(self, name) -> int:
        shape, dtype, _ = self.headers[name]
        count = 1
        for n in shape:
            count *= n
        return count * dtype.itemsize

    def load(self, name, max_bytes: int) -> np.ndarray:
        """Return the array `name` after checking its header's size against max_bytes."""
        if name not in self.headers:
            raise self.error("missing", self.path, name)
        if self.nbytes(name) > max_bytes:
            raise self.error(f"its header claims shape {self.shape(name)} ({self.nbytes(name):,} bytes);"
                             f" at most {max_bytes:,} bytes are allowed here", self.path, name)
        try:
            with self._zip.open(name + ".npy") as member:
                return np.lib.format.read_array(member, allow_pickle=False)
        except READ_ERRORS as exc:
            raise self.error(f"not a readable array ({exc})", self.path, name) from None

    def close(self):
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
