"""A SnapshotRecipe as (JSON-able facts, named arrays) for shared memory, and back again.

The arrays (parameters, the example, the last batch's gradient, …) are written as raw bytes;
only the small facts (sizes, names, step, rates, …) go through JSON. The reader makes the
Snapshot from the recipe (the example's forward and backward pass), so the training process
only copies: its pictures cost it a tenth of what making them did.
"""
from __future__ import annotations

import math

import numpy as np

from core.snapshot import Snapshot, SnapshotRecipe

_AS_IS = (int, str, bool, type(None))


def _plain(value):
    """Return value as JSON can hold it (tuples as lists; NaN/inf as strings)."""
    if type(value) in _AS_IS:  # most facts: the fast way out (a snapshot is encoded 60 times a second)
        return value
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


def recipe_to_record(recipe: SnapshotRecipe) -> tuple:
    """Return (meta, arrays) holding everything in recipe."""
    arrays = {"params": recipe.params, "x": recipe.x}
    progress = {}
    for key, value in recipe.progress.items():
        if isinstance(value, np.ndarray):  # the last batch, its gradient and parameters go as bytes
            arrays[f"progress.{key}"] = value
        else:
            progress[key] = _plain(value)
    meta = {"sizes": list(recipe.sizes), "activation": recipe.activation, "cost": recipe.cost,
            "label": recipe.label, "progress": progress}
    return meta, arrays


def record_to_recipe(meta: dict, arrays: dict) -> SnapshotRecipe:
    """Return the SnapshotRecipe that recipe_to_record(meta, arrays) came from."""
    progress = {key: _unplain(value) for key, value in meta["progress"].items()}
    progress["extra"] = dict(progress.get("extra") or {})
    for name, array in arrays.items():
        if name.startswith("progress."):
            progress[name.partition(".")[2]] = array
    return SnapshotRecipe(tuple(meta["sizes"]), meta["activation"], meta["cost"], arrays["params"], arrays["x"],
                          meta["label"], progress)


def record_to_snapshot(meta: dict, arrays: dict) -> Snapshot:
    """Return the Snapshot of the recipe in a record (the example's forward and backward pass made here)."""
    return record_to_recipe(meta, arrays).make()


def record_bytes(arrays: dict) -> int:
    """Return roughly how many bytes a record with these arrays takes (to size a segment)."""
    return sum(a.nbytes for a in arrays.values() if a is not None) + 64 * len(arrays) + 16384
