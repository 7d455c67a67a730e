"""Mini-batch stochastic gradient descent over a Dataset, one step at a time."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from core import validation
from core.data import PIXEL_SCALE
from core.history.records import History, ThinnedSeries
from core.limits import BATCH_SIZE_RANGE, EPOCHS_RANGE, LEARNING_RATE_RANGE, MAX_STEPS, MOMENTUM_RANGE, WEIGHT_DECAY_RANGE
from core.network import Network, Workspace
from core.optimizers import OPTIMIZERS, make_optimizer

SCHEDULES = ("constant", "cosine")
__all__ = ["BATCH_SIZE_RANGE", "LEARNING_RATE_RANGE", "SCHEDULES", "Trainer", "check_range"]
UINT8_CHUNK = 2000  # rows an evaluation scales and feeds forward at a time (~6 MB of float32)


class StepRecord(NamedTuple):
    """What one mini-batch step did (a named tuple: a fifth of the cost of a frozen dataclass)."""

    step: int  # steps taken so far, this one included
    epoch: int  # the epoch this batch belonged to (0-based)
    batch: np.ndarray  # indices of the training examples in the batch
    cost: float  # mean cost of the batch before the update
    grad_norm: float  # Euclidean norm of the whole gradient
    learning_rate: float  # the rate the update used
    diverged: bool = False  # the cost or gradient was NaN/inf: the update was not applied
    epoch_finished: bool = False  # this batch was the last of its epoch


@dataclass(frozen=True)
class Evaluation:
    """Accuracy and mean cost of the network on one split."""

    split: str
    accuracy: float
    cost: float
    n: int
    correct: int


@dataclass(frozen=True)
class EpochSummary:
    epoch: int
    steps: int
    mean_cost: float
    seconds: float
    diverged: bool


def check_range(name, value, low, high):
    """Raise an InputError (a ValueError) unless low ≤ value ≤ high (and value is finite)."""
    validation.real(value, name, low, high)


def evaluate_network(net: Network, dataset, split="test", chunk=10000, limit=None) -> Evaluation:
    """Return `net`'s accuracy and mean cost on a split ("train" or "test"), or on its first `limit` examples."""
    y = np.asarray(dataset.labels(split))[:limit]
    images = dataset.images(split)
    if images.dtype == np.uint8 and net.dtype == np.float32:
        # uint8 rows scaled chunk by chunk (the values of Dataset.inputs, bit for bit): a
        # quarter of the memory traffic, a chunk stays in cache, and no float copy of a
        # whole split (188 MB for the training set, of which a sample is evaluated) is made
        x, chunk = images.reshape(len(images), -1)[:limit], min(chunk, UINT8_CHUNK)
        buf = np.empty((min(chunk, len(y)), x.shape[1]), np.float32)

        def inputs(i):
            rows = x[i:i + chunk]
            return np.multiply(rows, PIXEL_SCALE, out=buf[:len(rows)], dtype=np.float32)
    else:
        x = dataset.inputs(split)[:limit]

        def inputs(i):
            return x[i:i + chunk]
    correct, total_cost = 0, 0.0
    for i in range(0, len(y), chunk):
        out = net.feedforward(inputs(i))
        correct += int((out.argmax(axis=1) == y[i:i + chunk]).sum())
        total_cost += float(net.example_costs(out, y[i:i + chunk]).sum())
    n = len(y)
    return Evaluation(split, correct / n if n else 0.0, total_cost / n if n else 0.0, n, correct)


class Trainer:
    """Trains `net` on `dataset` by mini-batch gradient descent.

    Each epoch visits every training example once, in an order drawn from (seed, epoch), so
    a run is reproducible and can be resumed from a checkpoint at any step.
    """

    def __init__(self, net: Network, dataset, batch_size=100, learning_rate=3.0, optimizer="sgd",
                 seed=0, momentum=0.9, weight_decay=0.0, schedule="constant", total_epochs=30,
                 record_trajectory=True, trajectory_capacity=512, history_capacity=1 << 18):
        if dataset.n_inputs != net.sizes[0] or dataset.n_classes != net.sizes[-1]:
            raise ValueError(f"network {net.sizes} does not fit the dataset ({dataset.n_inputs} inputs,"
                             f" {dataset.n_classes} classes)")
        self.net = net
        self.dataset = dataset
        self.seed = validation.seed(seed)
        images = dataset.images("train")
        if images.dtype == np.uint8 and net.dtype == np.float32:
            # Gather uint8 rows and scale them per batch: a quarter of the memory traffic of
            # gathering float32 rows, and bit for bit the values of Dataset.inputs.
            self._images, self._x = images.reshape(len(images), -1), None
        else:
            self._images, self._x = None, dataset.inputs("train").astype(net.dtype, copy=False)
        self._y = np.asarray(dataset.labels("train"))
        self.n_train = len(self._y)
        self.momentum = self.weight_decay = 0.0  # set (and checked) by set_optimizer
        self.set_batch_size(batch_size)
        self.set_learning_rate(learning_rate)
        self.set_schedule(schedule, total_epochs)
        self.optimizer = None
        self.set_optimizer(optimizer, momentum, weight_decay)
        self._grad = np.zeros_like(net.params)
        self._grad_gain = 1.0  # _grad holds this × the last step's gradient
        self._plain_grad = np.zeros_like(net.params)  # ∇C itself, made when asked for
        self._norm_slices = None  # (gradient vector, its per-layer views) for layer_grad_norms
        self._layer_squares = None  # the last step's squared gradient norm per weight layer (× gain²)
        self._backup = np.zeros_like(net.params)
        self._workspace = Workspace(net, self.batch_size)
        self.history = History(history_capacity)
        self.trajectory = (ThinnedSeries(trajectory_capacity, (net.n_params,), net.dtype)
                           if record_trajectory else None)
        # samples seen at each trajectory row: time travel shows the counters of the step it shows
        self.trajectory_samples = ThinnedSeries(trajectory_capacity, (), np.int64)
        self.step_count = 0
        self.epoch = 0
        self.position = 0  # index into this epoch's order of the next example
        self._order = self._order_labels = self._order_targets = None
        self._eye = np.eye(net.sizes[-1], dtype=net.dtype)
        self.last_record = None
        self._record_point()

    # -- settings ---------------------------------------------------------------------------
    def set_learning_rate(self, lr: float) -> None:
        check_range("learning rate", lr, *LEARNING_RATE_RANGE)
        self.learning_rate = float(lr)

    def set_batch_size(self, size: int) -> None:
        self.batch_size = validation.whole(size, "batch size", BATCH_SIZE_RANGE[0],
                                           min(BATCH_SIZE_RANGE[1], self.n_train))
        self._xbuf = np.empty((self.batch_size, self.net.sizes[0]), dtype=self.net.dtype)
        self._rawbuf = np.empty((self.batch_size, self.net.sizes[0]), dtype=np.uint8)

    def set_schedule(self, schedule: str, total_epochs=30) -> None:
        if schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {schedule!r}; choose from {', '.join(SCHEDULES)}")
        self.schedule, self.total_epochs = schedule, validation.whole(total_epochs, "total epochs", *EPOCHS_RANGE)

    def set_optimizer(self, name: str, momentum=None, weight_decay=None) -> None:
        """Switch the update rule (its accumulated state starts afresh)."""
        if name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")
        if momentum is not None:
            self.momentum = validation.real(momentum, "momentum", *MOMENTUM_RANGE)
        if weight_decay is not None:  # nan or inf would wreck the weights and be blamed on the rate
            self.weight_decay = validation.real(weight_decay, "weight decay", *WEIGHT_DECAY_RANGE)
        mask = np.zeros_like(self.net.params)
        for w in self.net.views(mask)[0]:
            w[...] = 1.0
        self.optimizer = make_optimizer(name, self.net.n_params, self.net.dtype, self.weight_decay,
                                        mask, self.momentum)

    @property
    def optimizer_name(self) -> str:
        return self.optimizer.name

    @property
    def steps_per_epoch(self) -> int:
        return -(-self.n_train // self.batch_size)

    @property
    def epoch_progress(self) -> float:
        """Return the fraction of the current epoch already trained on."""
        return self.position / self.n_train

    @property
    def samples_seen(self) -> int:
        return self.epoch * self.n_train + self.position

    def current_learning_rate(self) -> float:
        """Return the rate the next step will use (after the schedule)."""
        if self.schedule == "cosine":
            t = min((self.epoch + self.epoch_progress) / self.total_epochs, 1.0)
            return self.learning_rate * 0.5 * (1.0 + math.cos(math.pi * t))
        return self.learning_rate

    # -- training ---------------------------------------------------------------------------
    def epoch_order(self, epoch: int) -> np.ndarray:
        """Return the order in which `epoch` visits the training examples."""
        return np.random.default_rng([self.seed, epoch]).permutation(self.n_train)

    def next_batch(self) -> np.ndarray:
        """Return the indices of the examples the next step will use (does not advance)."""
        order = self._order if self._order is not None else self.epoch_order(self.epoch)
        return order[self.position:self.position + self.batch_size]

    def batch_inputs(self, idx) -> np.ndarray:
        """Return the inputs of training examples idx as the network sees them (a reused buffer)."""
        k = len(idx)
        if self._images is not None:
            raw = np.take(self._images, idx, axis=0, out=self._rawbuf[:k])
            return np.multiply(raw, PIXEL_SCALE, out=self._xbuf[:k], dtype=np.float32)
        return np.take(self._x, idx, axis=0, out=self._xbuf[:k])

    def step(self) -> StepRecord:
        """Train on exactly one mini-batch and return what happened."""
        order = self._order
        if order is None:
            order = self._order = self.epoch_order(self.epoch)
            # Labels and their one-hot rows in this epoch's order: one gather an epoch, not one a step.
            self._order_labels = self._y[order]
            self._order_targets = np.take(self._eye, self._order_labels, axis=0, mode="raise")
        position, size = self.position, self.batch_size
        end = position + size
        idx = order[position:end]
        k = len(idx)
        if k < size:  # the short last batch of an epoch
            end = position + k
            raw, xb = self._rawbuf[:k], self._xbuf[:k]
        else:
            raw, xb = self._rawbuf, self._xbuf
        net, grad, params = self.net, self._grad, self.net.params
        if self._images is not None:
            # Raw 0–255 pixels, cast without scaling (a plain copy, half the cost of a scaling
            # cast); gradient_into applies 1/255 to the first layer's (N, n1) products instead.
            # mode="clip" skips the bounds check: the indices come from our own permutation.
            self._images.take(idx, 0, raw, "clip")
            np.copyto(xb, raw)
            scale = PIXEL_SCALE
        else:
            self._x.take(idx, 0, xb, "clip")
            scale = None
        lr = self.learning_rate if self.schedule == "constant" else self.current_learning_rate()
        optimizer = self.optimizer
        # grad holds gain × ∇C: lr × ∇C for plain SGD, whose update is then one subtraction.
        gain = self._grad_gain = optimizer.gradient_gain(lr)
        cost = net.gradient_into(xb, self._order_labels[position:end], grad, self._workspace,
                                 input_scale=scale, targets=self._order_targets[position:end], gain=gain)
        # per weight layer, as the charts want them after every step; their sum is the whole norm
        squares = self._layer_squares = [float(v.dot(v)) for v in self._layer_views(grad)]
        grad_norm = math.sqrt(sum(squares)) / gain
        diverged = not (math.isfinite(cost) and math.isfinite(grad_norm))
        epoch = self.epoch
        finished = False
        if not diverged:
            backup = self._backup
            np.copyto(backup, params)
            optimizer.update(params, grad, lr, gain)
            # ‖θ‖² is finite exactly when every parameter is, short of |θᵢ| > 1e19, which is
            # divergence too; one BLAS dot costs half of isfinite().all().
            if not math.isfinite(float(np.dot(params, params))):  # undo, keep the network
                np.copyto(params, backup)
                self.optimizer.reset()
                diverged = True
        if not diverged:
            step_count = self.step_count = self.step_count + 1
            if end >= self.n_train:
                self.epoch = epoch + 1
                self.position = 0
                self._order = None
                finished = True
            else:
                self.position = end
            self.history.record_step(step_count, cost, grad_norm)
            trajectory = self.trajectory
            if trajectory is not None and step_count % trajectory.stride == 0:  # wants(): inlined
                trajectory.append(step_count, params)
                self.trajectory_samples.append(step_count, self.samples_seen)
        record = self.last_record = StepRecord(self.step_count, epoch, idx, cost, grad_norm, lr, diverged,
                                               finished)
        return record

    def run_epoch(self, max_steps=None) -> EpochSummary:
        """Train on the rest of the current epoch (stops early if the cost diverges)."""
        start, epoch, costs = time.perf_counter(), self.epoch, []
        while self.epoch == epoch and (max_steps is None or len(costs) < max_steps):
            rec = self.step()
            if rec.diverged:
                return EpochSummary(epoch, len(costs), float("nan"), time.perf_counter() - start, True)
            costs.append(rec.cost)
        mean = float(np.mean(costs)) if costs else float("nan")
        return EpochSummary(epoch, len(costs), mean, time.perf_counter() - start, False)

    @property
    def last_gradient(self) -> np.ndarray:
        """Return the gradient used by the last step (a live buffer: copy it to keep it)."""
        if self._grad_gain == 1.0:
            return self._grad
        return np.divide(self._grad, self._grad_gain, out=self._plain_grad)  # the step kept gain × ∇C

    @property
    def params_before_last_step(self) -> np.ndarray:
        """Return the parameters the last step's gradient was computed at (a live buffer)."""
        return self._backup

    def layer_grad_norms(self) -> list[float]:
        """Return the norm of the last gradient for each weight layer (weights and bias)."""
        # Measured by step() (its whole norm is their sum), as Python floats: the charts ask
        # after every step. (float32 sums: ~1e-6 relative, plenty for the charts.)
        squares = self._layer_squares
        if squares is None:
            squares = [float(v.dot(v)) for v in self._layer_views(self._grad)]
        gain, sqrt = self._grad_gain, math.sqrt
        return [sqrt(q) / gain for q in squares]

    def _layer_views(self, grad) -> list:
        """Return views of grad, one per weight layer (its weights and bias are contiguous)."""
        if self._norm_slices is None or self._norm_slices[0] is not grad:
            bounds = [start for start, _, _ in self.net.layout] + [len(grad)]
            self._norm_slices = (grad, [grad[a:b] for a, b in zip(bounds[:-1], bounds[1:])])
        return self._norm_slices[1]

    def evaluate(self, split="test", record=True, chunk=10000, limit=None) -> Evaluation:
        """Return accuracy and mean cost on a split ("train" or "test"), or on its first `limit` examples."""
        ev = evaluate_network(self.net, self.dataset, split, chunk, limit)
        if record:
            self.history.record_accuracy(split, self.epoch + self.epoch_progress, self.step_count,
                                         ev.accuracy, ev.cost)
        return ev

    def _record_point(self):
        if self.trajectory is not None and self.trajectory.wants(self.step_count):
            self.trajectory.append(self.step_count, self.net.params)
            self.trajectory_samples.append(self.step_count, self.samples_seen)

    # -- state -------------------------------------------------------------------------------
    def reset(self, seed=None) -> None:
        """Start again from the network's seeded initial weights (or those of a new seed)."""
        if seed is not None:
            self.seed = validation.seed(seed)
        self.net.initialize(self.net.seed if seed is None else self.seed)
        self.optimizer.reset()
        self.step_count = self.epoch = self.position = 0
        self._order = None
        self.last_record = None
        self._grad[...] = 0
        self._layer_squares = None
        self.history.clear()
        if self.trajectory is not None:
            self.trajectory.clear()
            self.trajectory_samples.clear()
        self._record_point()

    def rewind_to(self, step: int) -> None:
        """Set the counters back to `step` (parameters set by the caller) and forget what came after.

        The epoch and position follow from the current batch size; the optimizer's
        accumulated state (velocity, moments) starts afresh, as it was not recorded.
        """
        step = int(step)
        if not 0 <= step <= self.step_count:
            raise ValueError(f"cannot rewind to step {step}: the run is at step {self.step_count}")
        self.epoch, batch = divmod(step, self.steps_per_epoch)
        self.position = batch * self.batch_size
        self.step_count = step
        self._order = None  # drawn again from (seed, epoch) by the next step
        self.optimizer.reset()
        self.last_record = None
        self.history.truncate_after(step)
        if self.trajectory is not None:
            self.trajectory.truncate_after(step)
            self.trajectory_samples.truncate_after(step)

    def state_dict(self) -> dict:
        """Return the training state (counters, settings, optimizer state) as plain values."""
        state = {"step": self.step_count, "epoch": self.epoch, "position": self.position,
                 "seed": self.seed, "batch_size": self.batch_size, "learning_rate": self.learning_rate,
                 "optimizer": self.optimizer.name, "momentum": self.momentum,
                 "weight_decay": self.weight_decay, "schedule": self.schedule,
                 "total_epochs": self.total_epochs}
        for key, value in self.optimizer.state_dict().items():
            state[f"optimizer_{key}"] = value
        return state

    def load_state_dict(self, state: dict) -> None:
        """Restore a state from `state_dict` so the next step is the one that would have come."""
        self.seed = validation.seed(state["seed"])
        self.set_batch_size(int(state["batch_size"]))
        self.set_learning_rate(float(state["learning_rate"]))
        self.set_schedule(str(state["schedule"]), int(state["total_epochs"]))
        self.set_optimizer(str(state["optimizer"]), float(state["momentum"]), float(state["weight_decay"]))
        prefix = "optimizer_"
        self.optimizer.load_state_dict({k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)})
        position = validation.whole(state["position"], "position", 0, self.n_train - 1)
        step = validation.whole(state["step"], "step", 0, MAX_STEPS)
        self.step_count, self.epoch, self.position = step, validation.whole(state["epoch"], "epoch", 0, MAX_STEPS), position
        self._order = None  # drawn again from (seed, epoch) by the next step
        self.history.clear()
        if self.trajectory is not None:
            self.trajectory.clear()
            self.trajectory_samples.clear()
        self._record_point()

    def __repr__(self):
        return (f"Trainer({self.net!r}, batch_size={self.batch_size}, learning_rate={self.learning_rate},"
                f" optimizer={self.optimizer.name!r}, step={self.step_count}, epoch={self.epoch})")
