"""Save and load a network with its training state as a plain `.npz` file.

Read with allow_pickle=False and validated before anything is used, so a corrupt, foreign
or malicious file is refused with a clear message and the caller's state stays as it was.
Written atomically (temporary file, fsync, rename): a crash mid-save never leaves half a file.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import activations
from core.network import COSTS, Network, NetworkError, validate_sizes
from core.optimizers import OPTIMIZERS

FORMAT = "nn-explorer-checkpoint"
VERSION = 1
_TRAIN = "train/"
# Trainer.state_dict entries and the type each is stored and read back as.
_TRAIN_FIELDS = {"step": int, "epoch": int, "position": int, "seed": int, "batch_size": int,
                 "learning_rate": float, "optimizer": str, "momentum": float,
                 "weight_decay": float, "schedule": str, "total_epochs": int}


class CheckpointError(Exception):
    """A checkpoint could not be written, read, or does not fit."""


@dataclass
class Checkpoint:
    """A network read from a file, its training state (or None) and what it was trained on."""

    network: Network
    training: dict | None
    n_inputs: int
    n_classes: int
    dataset_name: str
    class_names: tuple
    history_steps: np.ndarray
    history_costs: np.ndarray

    def check_fits(self, n_inputs: int, n_classes: int) -> None:
        """Raise CheckpointError unless this network fits a dataset of that shape."""
        if (self.n_inputs, self.n_classes) != (n_inputs, n_classes):
            raise CheckpointError(
                f"this checkpoint was trained on {self.n_inputs} inputs and {self.n_classes} classes"
                f" ({self.dataset_name}); the open dataset has {n_inputs} inputs and {n_classes} classes")


def save_checkpoint(path, net: Network, trainer=None, dataset=None) -> Path:
    """Write net (and the trainer's state and cost history, if given) to path atomically."""
    path = Path(path)
    arrays = {"format": np.array(FORMAT), "version": np.array(VERSION),
              "sizes": np.array(net.sizes, dtype=np.int64), "activation": np.array(net.activation),
              "cost": np.array(net.cost), "dtype": np.array(net.dtype.name),
              "seed": np.array(net.seed if isinstance(net.seed, int) else 0),
              "params": net.params}
    n_classes = net.sizes[-1]
    arrays["n_inputs"] = np.array(dataset.n_inputs if dataset else net.sizes[0])
    arrays["n_classes"] = np.array(dataset.n_classes if dataset else n_classes)
    arrays["dataset_name"] = np.array(dataset.name if dataset else "")
    arrays["class_names"] = np.array(dataset.class_names if dataset else [str(i) for i in range(n_classes)])
    if trainer is not None:
        for key, value in trainer.state_dict().items():
            arrays[_TRAIN + key] = np.asarray(value)
        arrays["history_steps"] = np.array(trainer.history.costs.step_values())
        arrays["history_costs"] = np.array(trainer.history.costs.values())
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **arrays)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise CheckpointError(f"could not save {path}: {exc.strerror or exc}") from exc
    return path


def load_checkpoint(path) -> Checkpoint:
    """Read and validate a checkpoint; raise CheckpointError naming what is wrong."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            data = {key: npz[key] for key in npz.files}
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such file") from None
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise CheckpointError(f"{path}: holds pickled objects, which are never loaded") from None
        raise CheckpointError(f"{path}: not a valid checkpoint ({exc})") from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError, RuntimeError) as exc:
        raise CheckpointError(f"{path}: not a readable checkpoint file ({exc})") from None
    try:
        return _validate(data)
    except CheckpointError as exc:
        raise CheckpointError(f"{path}: {exc}") from None


def _get(data, key, kind):
    if key not in data:
        raise CheckpointError(f"missing entry {key!r}")
    value = data[key]
    if value.dtype.kind in "OV":
        raise CheckpointError(f"entry {key!r} has an unusable type")
    try:
        if kind is str:
            if value.dtype.kind != "U" or value.ndim != 0:
                raise ValueError
            return str(value)
        if value.ndim != 0 or value.dtype.kind not in "iuf" + ("b" if kind is bool else ""):
            raise ValueError
        result = kind(value)
        if kind is float and not np.isfinite(result):
            raise ValueError
        return result
    except (ValueError, TypeError, OverflowError):
        raise CheckpointError(f"entry {key!r} is not a valid {kind.__name__}") from None


def _validate(data) -> Checkpoint:
    if _get(data, "format", str) != FORMAT:
        raise CheckpointError("not a Neural Network Explorer checkpoint")
    version = _get(data, "version", int)
    if version > VERSION:
        raise CheckpointError(f"written by a newer version (format {version}; this app reads {VERSION})")
    sizes = data.get("sizes")
    if sizes is None or sizes.ndim != 1 or sizes.dtype.kind not in "iu":
        raise CheckpointError("layer sizes are missing or malformed")
    activation, cost = _get(data, "activation", str), _get(data, "cost", str)
    dtype = _get(data, "dtype", str)
    if activation not in activations.HIDDEN_ACTIVATIONS or cost not in COSTS:
        raise CheckpointError(f"unknown activation {activation!r} or cost {cost!r}")
    if dtype not in ("float32", "float64"):
        raise CheckpointError(f"unsupported dtype {dtype!r}")
    try:
        validate_sizes(tuple(int(n) for n in sizes))
        net = Network(tuple(int(n) for n in sizes), activation, cost, seed=_get(data, "seed", int), dtype=dtype)
    except NetworkError as exc:
        raise CheckpointError(str(exc)) from None
    params = data.get("params")
    if params is None or params.dtype.kind != "f" or params.shape != net.params.shape:
        raise CheckpointError(f"parameters do not fit a {'-'.join(map(str, net.sizes))} network"
                              f" (expected {net.n_params}, found {None if params is None else params.shape})")
    if not np.isfinite(params).all():
        raise CheckpointError("parameters contain NaN or infinite values")
    net.set_params(params)
    n_inputs, n_classes = _get(data, "n_inputs", int), _get(data, "n_classes", int)
    if n_inputs != net.sizes[0] or n_classes != net.sizes[-1]:
        raise CheckpointError("the dataset shape recorded does not match the network")
    names = data.get("class_names")
    if names is None or names.dtype.kind != "U" or names.shape != (n_classes,):
        raise CheckpointError("class names are missing or malformed")
    training = _training_state(data, net)
    steps = data.get("history_steps", np.zeros(0, np.int64))
    costs = data.get("history_costs", np.zeros(0, np.float32))
    if steps.shape != costs.shape or steps.ndim != 1 or steps.dtype.kind not in "iu" or costs.dtype.kind != "f":
        raise CheckpointError("the cost history is malformed")
    return Checkpoint(net, training, n_inputs, n_classes, _get(data, "dataset_name", str),
                      tuple(str(n) for n in names), steps, costs)


def _training_state(data, net) -> dict | None:
    if not any(key.startswith(_TRAIN) for key in data):
        return None
    state = {key: _get(data, _TRAIN + key, kind) for key, kind in _TRAIN_FIELDS.items()}
    if state["optimizer"] not in OPTIMIZERS:
        raise CheckpointError(f"unknown optimizer {state['optimizer']!r}")
    if min(state["step"], state["epoch"], state["position"]) < 0 or state["batch_size"] < 1:
        raise CheckpointError("training counters are out of range")
    for key, value in data.items():
        if key.startswith(_TRAIN + "optimizer_"):
            if value.dtype.kind not in "iuf" or (value.ndim and value.shape != net.params.shape):
                raise CheckpointError(f"optimizer state {key!r} does not fit the network")
            if value.dtype.kind == "f" and not np.isfinite(value).all():
                raise CheckpointError(f"optimizer state {key!r} contains NaN or infinite values")
            state[key[len(_TRAIN):]] = value
    return state


def restore_trainer(trainer, checkpoint: Checkpoint) -> None:
    """Load a checkpoint's parameters and training state into an existing trainer.

    The trainer's network must have the same architecture; nothing changes if anything fails.
    """
    net = trainer.net
    ck = checkpoint.network
    if (net.sizes, net.activation, net.cost) != (ck.sizes, ck.activation, ck.cost):
        raise CheckpointError(f"checkpoint is {ck.describe()}, the session is {net.describe()}")
    saved_params = net.params.copy()
    saved_state = trainer.state_dict()
    saved_state = {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in saved_state.items()}
    try:
        net.set_params(ck.params)
        net.seed = ck.seed
        if checkpoint.training is not None:
            trainer.load_state_dict(checkpoint.training)
    except (ValueError, KeyError) as exc:
        net.set_params(saved_params)
        trainer.load_state_dict(saved_state)
        raise CheckpointError(f"training state does not fit: {exc}") from None
