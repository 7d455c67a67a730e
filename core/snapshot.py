"""Immutable, read-only pictures of a network at one moment, for views to render.

Views never hold the live Network: the training worker copies what they need into a
Snapshot, and every array in it is read-only, so a view cannot change the model by accident
and the worker can go on training while the view draws.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from core.network import Network, parameter_views


def frozen(array) -> np.ndarray:
    """Return a read-only copy of array."""
    out = np.array(array, copy=True)
    out.flags.writeable = False
    return out


@dataclass(frozen=True)
class Snapshot:
    """The network's parameters, one example flowing through it, and training progress.

    Per-layer tuples follow the network: `activations[0]` is the input (n0,), `activations[-1]`
    the output; `zs[l]` and `weights[l]` (n_{l+1}, n_l) feed layer l+1. `nudges[l]` is ∂C/∂a
    of layer l for this example (None when the example has no label, e.g. a drawn digit).
    """

    sizes: tuple
    activation: str
    cost: str
    output_activation: str
    params: np.ndarray  # (P,) read-only copy of every parameter
    weights: tuple  # views into params
    biases: tuple
    # the current example
    activations: tuple
    zs: tuple
    label: int | None  # None: unknown (drawn by the learner)
    example_cost: float | None
    prediction: int
    nudges: tuple | None  # ∂C_x/∂a per layer
    example_grad: np.ndarray | None  # (P,) gradient of this example's cost alone
    example_split: str = "train"  # "train", "test" or "drawn"
    example_index: int = -1
    class_names: tuple = tuple(str(i) for i in range(10))
    image_shape: tuple = (28, 28)
    # training progress
    step: int = 0
    epoch: int = 0
    epoch_progress: float = 0.0
    samples_seen: int = 0
    steps_per_epoch: int = 0
    last_cost: float | None = None  # mean cost of the last mini-batch
    batch: np.ndarray | None = None  # indices of the last mini-batch
    batch_grad: np.ndarray | None = None  # (P,) the gradient the last step used
    batch_params: np.ndarray | None = None  # (P,) the parameters that gradient was computed at
    layer_grad_norms: tuple = ()
    learning_rate: float = 0.0
    batch_size: int = 0
    optimizer: str = "sgd"
    test_accuracy: float | None = None
    train_accuracy: float | None = None
    running: bool = False
    seed: int = 0
    extra: dict = field(default_factory=dict)  # small read-only facts added by a producer

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    @property
    def image(self) -> np.ndarray:
        """Return the current input as an image (H, W) of values in [0, 1]."""
        return self.activations[0].reshape(self.image_shape)

    def grad_views(self, flat):
        """Return (weights, biases) views of a flat vector laid out like params."""
        weights, biases = parameter_views(self.sizes, flat)
        return tuple(weights), tuple(biases)

    def with_progress(self, **changes) -> Snapshot:
        """Return a copy with some progress fields changed (arrays are shared, still read-only)."""
        return replace(self, **changes)


def make_snapshot(net: Network, x, label=None, *, params=None, **progress) -> Snapshot:
    """Return a Snapshot of `net` (or of `params` in net's architecture) with input x flowing through.

    x is one example (n0,) or image (H, W), uint8 or float in [0, 1]; label its class or None.
    progress: any of Snapshot's training-progress fields (step, epoch, batch_grad, …).
    """
    if params is not None:
        net = net.copy()
        net.set_params(params)
    x = net.as_input(np.asarray(x).reshape(-1))
    if label is not None:
        g = net.backprop(x, np.array([label]))
        fw, nudges = g.forward, tuple(frozen(n[0]) for n in g.activations)
        example_grad, example_cost = frozen(g.flat), float(g.example_costs[0])
    else:
        fw, nudges, example_grad, example_cost = net.forward(x), None, None, None
    flat = frozen(net.params)
    weights, biases = (tuple(v) for v in parameter_views(net.sizes, flat))
    for key in ("batch_grad", "batch", "batch_params"):
        if progress.get(key) is not None:
            progress[key] = frozen(progress[key])
    return Snapshot(
        sizes=net.sizes, activation=net.activation, cost=net.cost,
        output_activation=net.output_activation, params=flat, weights=weights, biases=biases,
        activations=tuple(frozen(a[0]) for a in fw.activations),
        zs=tuple(frozen(z[0]) for z in fw.zs), label=None if label is None else int(label),
        example_cost=example_cost, prediction=int(np.argmax(fw.activations[-1][0])),
        nudges=nudges, example_grad=example_grad, **progress)


@dataclass(frozen=True)
class SnapshotRecipe:
    """What a Snapshot is made from: `make()` runs the example through and freezes it all.

    Taking a recipe is a few copies; making the Snapshot is a forward and backward pass of
    the example as well. A training process hands recipes over and the window makes the
    Snapshots it shows, so training never pays for the pictures nobody looks at twice.
    """

    sizes: tuple
    activation: str
    cost: str
    params: np.ndarray  # (P,) a copy of every parameter (its dtype is the network's)
    x: np.ndarray  # the example, as make_snapshot takes it
    label: int | None
    progress: dict  # make_snapshot's keyword arguments (step, epoch, batch_grad, …); arrays are copies

    def make(self) -> Snapshot:
        """Return the Snapshot of this recipe."""
        net = Network(self.sizes, self.activation, self.cost, dtype=self.params.dtype, params=self.params)
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging network's picture is shown, not refused
            return make_snapshot(net, self.x, self.label, **self.progress)


def recorded_snapshot(live: Snapshot, params, step: int, samples_seen=None, n_train=None) -> Snapshot:
    """Return a Snapshot of the recorded parameters `params` at `step`, showing live's example and settings.

    samples_seen (recorded with the row) and n_train give the step's own counters: epochs done, samples seen.
    """
    template = Network(live.sizes, live.activation, live.cost)
    counters = {}
    if samples_seen is not None and n_train:
        seen = int(samples_seen)
        counters = dict(samples_seen=seen, epoch=seen // n_train, epoch_progress=(seen % n_train) / n_train)
    return make_snapshot(template, live.activations[0], live.label, params=params, step=int(step), **counters,
                         example_split=live.example_split, example_index=live.example_index,
                         class_names=live.class_names, image_shape=live.image_shape,
                         steps_per_epoch=live.steps_per_epoch, learning_rate=live.learning_rate,
                         batch_size=live.batch_size, optimizer=live.optimizer, seed=live.seed,
                         extra={"historic": True})
