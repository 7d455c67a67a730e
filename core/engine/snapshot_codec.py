"""A Snapshot as (JSON-able facts, named arrays) for shared memory, and back again.

The arrays (parameters, activations, gradients, …) are written as raw bytes; only the
small facts (sizes, names, step, rates, …) go through JSON. Decoding builds the same frozen
Snapshot with read-only arrays; weights and biases are views into params, as made locally.
"""
from __future__ import annotations

import math
from dataclasses import fields

import numpy as np

from core.network import parameter_views
from core.snapshot import Snapshot

ARRAYS = ("params", "example_grad", "batch", "batch_grad", "batch_params")
PER_LAYER = ("activations", "zs", "nudges")
DERIVED = ("weights", "biases")


def _plain(value):
    """Return value as JSON can hold it (tuples as lists; NaN/inf as strings)."""
    if isinstance(value, float) and not math.isfinite(value):
        return {"float": repr(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):  # a small array among the facts (in `extra`)
        return _plain(value.tolist())
    if hasattr(value, "item") and not hasattr(value, "__len__"):  # a NumPy scalar
        return _plain(value.item())
    return value


def _unplain(value):
    if isinstance(value, dict):
        if set(value) == {"float"}:
            return float(value["float"])
        return {k: _unplain(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_unplain(v) for v in value)
    return value


def snapshot_to_record(snap: Snapshot) -> tuple:
    """Return (meta, arrays) holding everything in snap."""
    meta, arrays = {}, {}
    for f in fields(snap):
        value = getattr(snap, f.name)
        if f.name in ARRAYS or isinstance(value, np.ndarray):  # any array field goes as bytes
            arrays[f.name] = value
        elif f.name in PER_LAYER:
            meta[f"{f.name}_count"] = None if value is None else len(value)
            for i, a in enumerate(value or ()):
                arrays[f"{f.name}.{i}"] = a
        elif f.name not in DERIVED:
            meta[f.name] = _plain(value)
    return meta, arrays


def record_to_snapshot(meta: dict, arrays: dict) -> Snapshot:
    """Return the Snapshot that snapshot_to_record(meta, arrays) came from."""
    kwargs = {key: _unplain(value) for key, value in meta.items() if not key.endswith("_count")}
    kwargs["extra"] = dict(kwargs.get("extra") or {})
    for name in PER_LAYER:
        count = meta[f"{name}_count"]
        kwargs[name] = None if count is None else tuple(arrays[f"{name}.{i}"] for i in range(count))
    for name in ARRAYS:
        kwargs[name] = arrays.get(name)
    for name, array in arrays.items():
        if "." not in name:
            kwargs[name] = array
    sizes = tuple(kwargs["sizes"])
    weights, biases = parameter_views(sizes, kwargs["params"])
    kwargs.update(sizes=sizes, weights=tuple(weights), biases=tuple(biases),
                  class_names=tuple(kwargs["class_names"]), image_shape=tuple(kwargs["image_shape"]),
                  layer_grad_norms=tuple(kwargs["layer_grad_norms"]))
    return Snapshot(**kwargs)


def record_bytes(snap: Snapshot) -> int:
    """Return roughly how many bytes a record of snap takes (to size a segment)."""
    meta, arrays = snapshot_to_record(snap)
    return sum(a.nbytes for a in arrays.values() if a is not None) + 64 * len(arrays) + 16384
