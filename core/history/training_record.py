"""The whole record of a run as plain arrays: cost and accuracy history, trajectory, counters per row.

A checkpoint stores it so that opening a file, or continuing an autosaved session, brings
back the charts, the timeline and the cost surface's path, not only the weights.
"""
from __future__ import annotations

import numpy as np

from core import limits
from core.validation import InputError, whole

# checkpoint member → (dimensions, allowed dtype kinds); "P" stands for the parameter count
RECORD_MEMBERS = {
    "history_steps": (("K",), "iu"), "history_costs": (("K",), "f"), "history_grad_norms": (("K",), "f"),
    "history_stride": ((), "iu"), "history_accuracy_train": (("E", 4), "f"), "history_accuracy_test": (("F", 4), "f"),
    "trajectory_steps": (("T",), "iu"), "trajectory_rows": (("T", "P"), "f"), "trajectory_samples": (("T",), "iu"),
    "trajectory_stride": ((), "iu"),
}


def record_arrays(trainer) -> dict:
    """Return the trainer's record as checkpoint members (name → array)."""
    out = {f"history_{key}": value for key, value in trainer.history.to_arrays().items()}
    if trainer.trajectory is not None:
        out["trajectory_steps"] = trainer.trajectory.step_values().copy()
        out["trajectory_rows"] = trainer.trajectory.values().copy()
        out["trajectory_samples"] = trainer.trajectory_samples.values().copy()
        out["trajectory_stride"] = np.int64(trainer.trajectory.stride)
    return out


def member_budget(name: str, n_params: int, itemsize: int) -> int:
    """Return the most bytes a record member may hold."""
    if name == "trajectory_rows":
        return max(limits.MAX_TRAJECTORY_BYTES, 16 * n_params * itemsize)
    if name.startswith("history_accuracy"):
        return limits.MAX_EVALUATIONS * 4 * 8
    return limits.MAX_HISTORY_LENGTH * 8


def check_record(arrays: dict, n_params: int, step: int, error=InputError) -> dict:
    """Return the record's arrays if they describe one run up to `step`; raise `error` naming the member."""
    def fail(name, message):
        raise error(message, field=name)

    if "history_steps" in arrays and "history_stride" not in arrays:  # written before the full record
        # np.size, not len: a damaged member may be a 0-D array, refused below with its name
        arrays = {**arrays, "history_grad_norms": np.full(np.size(arrays["history_steps"]), np.nan),
                  "history_stride": np.int64(1), "history_accuracy_train": np.zeros((0, 4)),
                  "history_accuracy_test": np.zeros((0, 4))}
    sizes = {"P": n_params}
    for name, (dims, kinds) in RECORD_MEMBERS.items():
        if name not in arrays:
            continue
        value = arrays[name]
        if value.dtype.kind not in kinds or value.ndim != len(dims):
            fail(name, f"expected a {len(dims)}-D array of {'whole numbers' if kinds == 'iu' else 'numbers'}")
        for dim, n in zip(dims, value.shape):
            if sizes.setdefault(dim, n) != n:
                fail(name, f"shape {value.shape} does not match the other recorded arrays")
        if value.dtype.kind == "f" and not np.isfinite(value[..., :2] if name.startswith("history_acc") else value).all():
            if name in ("history_costs", "history_grad_norms"):
                continue  # a step's cost may be NaN in a record; the charts draw a gap
            fail(name, "contains NaN or infinite values")
    for prefix in ("history", "trajectory"):
        present = [n for n in RECORD_MEMBERS if n.startswith(prefix) and n in arrays]
        wanted = [n for n in RECORD_MEMBERS if n.startswith(prefix)]
        if present and present != wanted:
            fail(prefix, f"the record is incomplete: missing {', '.join(sorted(set(wanted) - set(present)))}")
        if not present:
            continue
        steps = arrays[f"{prefix}_steps"].astype(np.int64)
        if len(steps) and (steps[0] < 0 or steps[-1] > step or (np.diff(steps) <= 0).any()):
            fail(f"{prefix}_steps", f"steps must rise from 0 to at most the checkpoint's step {step}")
        whole(arrays[f"{prefix}_stride"], "stride", 1, limits.MAX_STEPS, error)
    if "trajectory_samples" in arrays and (arrays["trajectory_samples"] < 0).any():
        fail("trajectory_samples", "negative counts of samples")
    for split in ("train", "test"):
        records = arrays.get(f"history_accuracy_{split}")
        if records is not None and len(records) and not ((records[:, 2] >= 0) & (records[:, 2] <= 1)).all():
            fail(f"history_accuracy_{split}", "accuracies must lie between 0 and 1")
    return arrays


def restore_record(trainer, arrays: dict) -> None:
    """Put a checked record (see check_record) back into the trainer."""
    if "history_stride" in arrays:
        trainer.history.restore({key[len("history_"):]: value for key, value in arrays.items()
                                 if key.startswith("history_")})
    if trainer.trajectory is not None and "trajectory_stride" in arrays:
        stride = int(arrays["trajectory_stride"])
        trainer.trajectory.restore(arrays["trajectory_steps"], arrays["trajectory_rows"], stride)
        trainer.trajectory_samples.restore(arrays["trajectory_steps"], arrays["trajectory_samples"], stride)
    traj = trainer.trajectory
    behind = traj is not None and (traj.count == 0 or traj.steps[traj.count - 1] < trainer.step_count)
    if behind and traj.append(trainer.step_count, trainer.net.params):  # the point the run stands at now
        trainer.trajectory_samples.append(trainer.step_count, trainer.samples_seen)
