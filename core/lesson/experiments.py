"""Experiments the lesson mentions: memorising shuffled labels, and comparing set-ups side by side.

Runs of one comparison share the seed, so they start from the same random draws and
visit the training examples in the same order: the only difference is the configuration.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from threadpoolctl import threadpool_limits

from core.network import Network
from core.trainer import Trainer


@dataclass(frozen=True)
class RunConfig:
    """One network-and-training set-up to train in a comparison."""

    name: str  # the legend label
    hidden: tuple = (16, 16)  # hidden layer sizes; inputs and outputs come from the dataset
    activation: str = "sigmoid"
    cost: str = "quadratic"
    learning_rate: float = 3.0
    batch_size: int = 10
    optimizer: str = "sgd"
    shuffle_labels: bool = False  # train on permuted training labels (test labels stay true)


CLASSIC = RunConfig("sigmoid + quadratic, η = 3")
RELU_CROSS_ENTROPY = RunConfig("relu + cross-entropy (softmax), η = 0.1", activation="relu",
                               cost="cross_entropy", learning_rate=0.1)
# Wide enough to memorise a few thousand random labels in tens of epochs; the lesson's
# 784-16-16-10 memorises too, only far more slowly (about a third of 1,000 labels in 100 epochs).
MEMORISER = RunConfig("784-128-10 relu + cross-entropy", hidden=(128,), activation="relu",
                      cost="cross_entropy", learning_rate=0.1)


def shuffled_labels(ds, seed: int = 0):
    """Return the dataset with its training labels randomly permuted (test labels untouched).

    A permutation keeps how often each class occurs but breaks every link between an
    image and its label: nothing is left to learn that could carry over to the test set.
    """
    labels = np.asarray(ds.train_labels)
    permuted = labels[np.random.default_rng(seed).permutation(len(labels))]
    # replace() keeps the images (and their cached float copies): only the labels differ.
    return replace(ds, train_labels=permuted, name=f"{ds.name} (shuffled labels)")


@dataclass
class RunCurves:
    """Per-epoch figures of one run; entry 0 is before any training."""

    config: RunConfig
    epochs: list = field(default_factory=list)
    test_accuracy: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)  # against the labels it trained on
    train_cost: list = field(default_factory=list)  # mean cost over the training set it trained on
    diverged: bool = False

    def copy(self) -> RunCurves:
        return RunCurves(self.config, list(self.epochs), list(self.test_accuracy),
                         list(self.train_accuracy), list(self.train_cost), self.diverged)


@dataclass
class CompareResult:
    runs: list  # [RunCurves], in the order of the configs
    completed: bool  # False when the callback stopped it


def compare_runs(configs, dataset, epochs: int, seed: int = 0, callback=None,
                 check_every: int = 200, label_seed: int = 0) -> CompareResult:
    """Train each configuration for `epochs` epochs, epoch by epoch in turn, on the same seed.

    callback(runs, fraction_done), if given, is called after every `check_every` steps and
    every evaluated epoch with copies of the curves so far; returning False stops the runs.
    """
    # BLAS on two threads makes these small products several times slower, not faster
    # (see core/threads.py); the limit is lifted again when the runs end.
    with threadpool_limits(limits=1, user_api="blas"):
        return _compare_runs(configs, dataset, epochs, seed, callback, check_every, label_seed)


def _compare_runs(configs, dataset, epochs, seed, callback, check_every, label_seed) -> CompareResult:
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    shuffled = None
    trainers, runs = [], []
    for config in configs:
        data = dataset
        if config.shuffle_labels:
            shuffled = shuffled if shuffled is not None else shuffled_labels(dataset, label_seed)
            data = shuffled
        net = Network((dataset.n_inputs, *config.hidden, dataset.n_classes), config.activation,
                      config.cost, seed=seed)
        trainers.append(Trainer(net, data, batch_size=min(config.batch_size, len(data.train_labels)),
                                learning_rate=config.learning_rate, optimizer=config.optimizer,
                                seed=seed, record_trajectory=False, history_capacity=16))
        runs.append(RunCurves(config))
    total_steps = max(1, epochs * sum(t.steps_per_epoch for t in trainers))
    done_steps = 0

    def report() -> bool:
        if callback is None:
            return True
        return callback([r.copy() for r in runs], done_steps / total_steps) is not False

    for trainer, run in zip(trainers, runs):
        _record_epoch(trainer, run)
    if not report():
        return CompareResult(runs, False)
    for epoch in range(epochs):
        for trainer, run in zip(trainers, runs):
            if run.diverged:
                done_steps += trainer.steps_per_epoch
                continue
            while trainer.epoch == epoch:
                summary = trainer.run_epoch(max_steps=check_every)
                done_steps += summary.steps
                if summary.diverged:
                    run.diverged = True
                    break
                if not report():
                    return CompareResult(runs, False)
            if not run.diverged:
                _record_epoch(trainer, run)
            if not report():
                return CompareResult(runs, False)
    return CompareResult(runs, True)


def _record_epoch(trainer: Trainer, run: RunCurves) -> None:
    train = trainer.evaluate("train", record=False)
    test = trainer.evaluate("test", record=False)
    run.epochs.append(trainer.epoch)
    run.test_accuracy.append(test.accuracy)
    run.train_accuracy.append(train.accuracy)
    run.train_cost.append(train.cost if math.isfinite(train.cost) else float("nan"))


def lessons_network(config: RunConfig) -> RunConfig:
    """Return the run with the lesson's own network (784-16-16-10, sigmoid, quadratic cost, η = 3) instead."""
    return replace(config, hidden=CLASSIC.hidden, activation=CLASSIC.activation, cost=CLASSIC.cost,
                   learning_rate=CLASSIC.learning_rate, batch_size=CLASSIC.batch_size, optimizer=CLASSIC.optimizer)


def describe_setup(configs, n_inputs: int, n_classes: int, n_train: int, epochs: int) -> str:
    """Return one sentence saying what the runs train: network, neurons, cost, rate, batches, images, epochs."""
    costs = {"quadratic": "the quadratic cost", "cross_entropy": "cross-entropy (softmax output)"}

    def network(c):
        sizes = "-".join(str(n) for n in (n_inputs, *c.hidden, n_classes))
        return (f"{sizes} with {c.activation} neurons and {costs.get(c.cost, c.cost)}, {c.optimizer.upper()}"
                f" at η = {c.learning_rate:g} on batches of {c.batch_size}")

    described = list(dict.fromkeys(network(c) for c in configs))
    how = f"on {n_train:,} training images for {epochs} epoch{'s' if epochs != 1 else ''}"
    if len(described) == 1:
        runs = ", ".join(c.name for c in configs)
        times = {1: "once", 2: "twice"}.get(len(configs), f"{len(configs)} times")
        return f"Trains {described[0]}, {how}, {times} ({runs})."
    return "Trains " + "; and ".join(f"{c.name}: {d}" for c, d in zip(configs, described)) + f"; each {how}."
