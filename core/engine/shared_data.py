"""A Dataset's arrays in one shared-memory segment, mapped by the engine without a copy.

The window loads a dataset once (it shows its images too); the engine process maps the
same bytes instead of loading it again or receiving ~55 MB through a pipe.
"""
from __future__ import annotations

import secrets
from multiprocessing import shared_memory

import numpy as np

from core.data import Dataset

KEYS = ("train_images", "train_labels", "test_images", "test_labels")
ALIGN = 64


def share_dataset(dataset: Dataset) -> tuple:
    """Copy dataset into a new segment; return (the segment, a small picklable descriptor)."""
    layout, offset = {}, 0
    for key in KEYS:
        a = getattr(dataset, key)
        layout[key] = (a.dtype.str, a.shape, offset)
        offset = -(-(offset + a.nbytes) // ALIGN) * ALIGN
    shm = shared_memory.SharedMemory(name=f"nnx_{secrets.token_hex(6)}", create=True, size=max(offset, 1))
    for key, (dtype, shape, start) in layout.items():
        a = getattr(dataset, key)
        np.ndarray(shape, dtype, shm.buf, start)[...] = a
    descriptor = {"segment": shm.name, "layout": layout, "name": dataset.name,
                  "class_names": tuple(dataset.class_names)}
    return shm, descriptor


def attach_dataset(descriptor: dict) -> tuple:
    """Return (Dataset over the shared bytes, the segment, which must outlive the dataset)."""
    shm = shared_memory.SharedMemory(name=descriptor["segment"])
    arrays = {}
    for key, (dtype, shape, start) in descriptor["layout"].items():
        a = np.ndarray(tuple(shape), np.dtype(dtype), shm.buf, start)
        a.flags.writeable = False
        arrays[key] = a
    return Dataset(**arrays, name=descriptor["name"], class_names=descriptor["class_names"]), shm
