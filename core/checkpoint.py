"""Save and load a network with its training state and record as a plain `.npz` file.

Read member by member (core/npz_members.py) and validated against core/limits.py before
anything is allocated or used, so a corrupt, foreign or malicious file is refused with a
message naming the file and the field, and the caller's state stays as it was. Written
atomically (temporary file, fsync, rename): a crash mid-save never leaves half a file, and
the temporary files such a crash leaves behind are removed by the next save.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import activations, limits, validation
from core.history.training_record import RECORD_MEMBERS, check_record, member_budget, record_arrays, restore_record
from core.network import COSTS, Network
from core.npz_members import NpzMembers
from core.optimizers import OPTIMIZERS

FORMAT = "nn-explorer-checkpoint"
VERSION = 1
_TRAIN = "train/"
# Trainer.state_dict entries, the type each is read back as, and its bounds (None: checked by name)
_TRAIN_FIELDS = {"step": (int, (0, limits.MAX_STEPS)), "epoch": (int, (0, limits.MAX_STEPS)),
                 "position": (int, (0, limits.MAX_STEPS)), "seed": (int, limits.SEED_RANGE),
                 "batch_size": (int, limits.BATCH_SIZE_RANGE), "learning_rate": (float, limits.LEARNING_RATE_RANGE),
                 "optimizer": (str, OPTIMIZERS), "momentum": (float, limits.MOMENTUM_RANGE),
                 "weight_decay": (float, limits.WEIGHT_DECAY_RANGE), "schedule": (str, ("constant", "cosine")),
                 "total_epochs": (int, limits.EPOCHS_RANGE)}
TEMP_SUFFIX = ".tmp"


class CheckpointError(validation.InputError):
    """A checkpoint could not be written, read, or does not fit."""


@dataclass
class Checkpoint:
    """A network read from a file, its training state (or None), its record and what it was trained on."""

    network: Network
    training: dict | None
    n_inputs: int
    n_classes: int
    dataset_name: str
    class_names: tuple
    history_steps: np.ndarray
    history_costs: np.ndarray
    record: dict | None = None  # checked arrays of core.history.training_record (None: not saved)

    def check_fits(self, n_inputs: int, n_classes: int) -> None:
        """Raise CheckpointError unless this network fits a dataset of that shape."""
        if (self.n_inputs, self.n_classes) != (n_inputs, n_classes):
            raise CheckpointError(
                f"this checkpoint was trained on {self.n_inputs} inputs and {self.n_classes} classes"
                f" ({self.dataset_name}); the open dataset has {n_inputs} inputs and {n_classes} classes")


def remove_stale_temporaries(folder, name_pattern="*.npz", age=limits.STALE_TEMP_SECONDS) -> int:
    """Delete save temporaries (".NAME.xxxx.tmp") in folder left by interrupted saves; return how many.

    Only files untouched for `age` seconds go: another save may be writing a fresh one.
    """
    removed, now = 0, time.time()
    with contextlib.suppress(OSError):
        for tmp in Path(folder).glob(f".{name_pattern}.*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                if tmp.is_file() and now - tmp.stat().st_mtime >= age:
                    tmp.unlink()
                    removed += 1
    return removed


def save_checkpoint(path, net: Network, trainer=None, dataset=None) -> Path:
    """Write net (and the trainer's state and whole record, if given) to path atomically (see write_atomically)."""
    path = Path(path)
    seed = net.seed if isinstance(net.seed, (int, np.integer)) else 0
    arrays = {"format": np.array(FORMAT), "version": np.array(VERSION),
              "sizes": np.array(net.sizes, dtype=np.int64), "activation": np.array(net.activation),
              "cost": np.array(net.cost), "dtype": np.array(net.dtype.name),
              "seed": np.array(validation.seed(seed, error=CheckpointError), dtype=np.int64),
              "params": net.params}
    n_classes = net.sizes[-1]
    arrays["n_inputs"] = np.array(dataset.n_inputs if dataset else net.sizes[0])
    arrays["n_classes"] = np.array(dataset.n_classes if dataset else n_classes)
    arrays["dataset_name"] = np.array(dataset.name if dataset else "")
    arrays["class_names"] = np.array(dataset.class_names if dataset else [str(i) for i in range(n_classes)])
    if trainer is not None:
        for key, value in trainer.state_dict().items():
            arrays[_TRAIN + key] = np.asarray(value)
        arrays.update(record_arrays(trainer))
    if any(a.dtype.hasobject for a in arrays.values()):  # np.savez would pickle it; no reader would accept it
        raise CheckpointError("a value cannot be stored without pickling", path)
    return write_atomically(path, lambda handle: np.savez(handle, **arrays))


def write_atomically(path, write, error=CheckpointError) -> Path:
    """Call write(handle) on a temporary file beside path, then put it in path's place; return path.

    The folder must exist: a save never creates folders the user did not ask for.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise error(f"could not save: the folder {folder} does not exist", path)
    remove_stale_temporaries(folder, path.name)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise error(f"could not save: {exc.strerror or exc}", path) from None
    return path


def load_checkpoint(path) -> Checkpoint:
    """Read and validate a checkpoint; raise CheckpointError naming the file and what is wrong."""
    path = Path(path)
    try:
        with NpzMembers(path, CheckpointError, limits.MAX_CHECKPOINT_MEMBERS) as members:
            return _validate(_Reader(members))
    except CheckpointError as exc:
        raise exc if exc.source else exc.within(path) from None


class _Reader:
    """Typed, bounded access to a checkpoint's members; every refusal names the member."""

    def __init__(self, members: NpzMembers):
        self.members = members

    def __contains__(self, key):
        return key in self.members

    def array(self, key, max_bytes=limits.MAX_CHECKPOINT_SMALL_BYTES, kinds="iuf", shape=None) -> np.ndarray:
        if key not in self.members:
            raise CheckpointError("missing entry", field=key)
        if self.members.dtype(key).kind not in kinds:
            raise CheckpointError(f"has the wrong type ({self.members.dtype(key)})", field=key)
        if shape is not None and self.members.shape(key) != shape:
            raise CheckpointError(f"has shape {self.members.shape(key)}, expected {shape}", field=key)
        return self.members.load(key, max_bytes)

    def text(self, key, options=None) -> str:
        value = str(self.array(key, kinds="U", shape=()))
        return value if options is None else validation.choice(value, key, options, CheckpointError)

    def number(self, key, kind, bounds) -> int | float:
        value = self.array(key, kinds="iuf" if kind is float else "iu", shape=())
        if kind is float:
            return validation.real(value, key, *bounds, error=CheckpointError)
        return validation.whole(value, key, *bounds, error=CheckpointError)


def _validate(r: _Reader) -> Checkpoint:
    if r.text("format") != FORMAT:
        raise CheckpointError("not a Neural Network Explorer checkpoint", field="format")
    version = r.number("version", int, (0, limits.MAX_STEPS))
    if version > VERSION:
        raise CheckpointError(f"written by a newer version (format {version}; this app reads {VERSION})")
    # every number that decides a size is checked before the network is made
    if "sizes" not in r or len(r.members.shape("sizes")) != 1:
        raise CheckpointError("expected a list of layer sizes", field="sizes")
    sizes = validation.network_sizes(r.array("sizes", kinds="iu").tolist(), "sizes", CheckpointError)
    activation = r.text("activation", activations.HIDDEN_ACTIVATIONS)
    cost, dtype = r.text("cost", COSTS), r.text("dtype", ("float32", "float64"))
    seed = r.number("seed", int, limits.SEED_RANGE)
    n_params = validation.parameter_count(sizes)
    params = r.array("params", n_params * 8, kinds="f", shape=(n_params,))
    if not np.isfinite(params).all():
        raise CheckpointError(f"{int(np.count_nonzero(~np.isfinite(params))):,} of the {n_params:,} weights and"
                              " biases are NaN or infinite; the network cannot be used", field="params")
    net = Network(sizes, activation, cost, seed=seed, dtype=dtype)
    with np.errstate(over="ignore"):
        net.set_params(params)
    if not np.isfinite(net.params).all():  # finite in float64, yet beyond float32's range
        raise CheckpointError(f"holds values too large for {dtype} (they become infinite)", field="params")
    n_inputs = r.number("n_inputs", int, (1, limits.MAX_INPUTS))
    n_classes = r.number("n_classes", int, (2, limits.MAX_NEURONS_PER_LAYER))
    if n_inputs != net.sizes[0] or n_classes != net.sizes[-1]:
        raise CheckpointError("the dataset shape recorded does not match the network", field="n_inputs")
    names = r.array("class_names", kinds="U", shape=(n_classes,))
    training = _training_state(r, net)
    step = training["step"] if training else 0
    record = {key: r.array(key, member_budget(key, n_params, net.dtype.itemsize), kinds="iuf")
              for key in RECORD_MEMBERS if key in r}
    record = check_record(record, n_params, step, CheckpointError) if record else None
    steps = record["history_steps"] if record and "history_steps" in record else np.zeros(0, np.int64)
    costs = record["history_costs"] if record and "history_costs" in record else np.zeros(0, np.float32)
    return Checkpoint(net, training, n_inputs, n_classes, r.text("dataset_name"),
                      tuple(str(n) for n in names), steps, costs, record)


def _training_state(r: _Reader, net) -> dict | None:
    if not any(key.startswith(_TRAIN) for key in r.members.names()):
        return None
    state = {}
    for key, (kind, bounds) in _TRAIN_FIELDS.items():
        state[key] = r.text(_TRAIN + key, bounds) if kind is str else r.number(_TRAIN + key, kind, bounds)
    for key in r.members.names():
        if key.startswith(_TRAIN + "optimizer_"):
            shape = () if key.endswith("_t") else net.params.shape
            value = r.array(key, net.params.size * 8, shape=shape)
            if value.dtype.kind == "f" and not np.isfinite(value).all():
                raise CheckpointError("contains NaN or infinite values", field=key)
            state[key[len(_TRAIN):]] = value
    if "optimizer_t" in state:  # Adam's step counter: β^t with t < 0 overflows at the first step
        validation.whole(state["optimizer_t"], _TRAIN + "optimizer_t", 0, limits.MAX_STEPS, CheckpointError)
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
        resume_record(trainer, checkpoint)
    except (ValueError, KeyError) as exc:
        net.set_params(saved_params)
        trainer.load_state_dict(saved_state)
        raise CheckpointError(f"training state does not fit: {exc}") from None


def resume_record(trainer, checkpoint: Checkpoint) -> None:
    """Bring back the checkpoint's record (history, accuracies, trajectory) into a trainer restored from it."""
    if checkpoint.record is not None and checkpoint.training is not None:
        restore_record(trainer, checkpoint.record)
