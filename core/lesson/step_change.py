"""What the last training step changed: every weight (Δw) and, for the current example, every activation (Δa)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.network import Network, parameter_views


@dataclass(frozen=True)
class StepChange:
    """The change made by one step, as read-only arrays laid out like the snapshot's."""

    weights: tuple  # per weight layer (n_out, n_in): w after − w before the step
    biases: tuple  # per weight layer (n_out,)
    activations: tuple  # per neuron layer (n_l,): a after − a before, for the snapshot's input (0 for the input)

    def largest_outputs(self, k: int = 2, at_least: float = 1e-3) -> list:
        """Return the output indices whose activation moved most (up to k, each by at least `at_least`)."""
        moved = np.abs(self.activations[-1])
        order = np.argsort(moved, kind="stable")[::-1][:k]
        return [int(j) for j in order if moved[j] >= at_least]


def _frozen(a) -> np.ndarray:
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


def step_change(snap) -> StepChange | None:
    """Return what the step that led to `snap` changed, or None if the snapshot does not say (no step)."""
    if snap.batch_params is None:
        return None
    before = Network(snap.sizes, snap.activation, snap.cost, dtype=snap.params.dtype)
    before.set_params(snap.batch_params)
    w_before, b_before = parameter_views(snap.sizes, snap.batch_params)
    fw = before.forward(np.asarray(snap.activations[0])[None, :])  # the same input, the old parameters
    return StepChange(
        tuple(_frozen(w - wb) for w, wb in zip(snap.weights, w_before)),
        tuple(_frozen(b - bb) for b, bb in zip(snap.biases, b_before)),
        tuple(_frozen(a - ab[0]) for a, ab in zip(snap.activations, fw.activations)))
