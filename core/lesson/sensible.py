"""Settings that make sense together, and a run that has collapsed.

A learning rate belongs to an optimizer and to the kind of neuron: η = 3 is the lesson's
rate for plain SGD on sigmoid neurons with the quadratic cost, and Adam at that rate, or
even at 0.5, throws every output into saturation (9.6 % test accuracy, the cost stuck at
1.0000). `sensible_learning_rate` gives a starting rate for each combination (each measured by
one epoch on MNIST); `collapse_reason` tells a collapsed run from a
slow one and names the likely cause.
"""
from __future__ import annotations

import numpy as np

# (optimizer, hidden activation, cost) → a starting rate; after one epoch each reached the test
# accuracy in brackets (MNIST, 784-16-16-10, batch 100, seed 0). Sigmoid neurons with the
# quadratic cost sit on a plateau for a while under momentum and Adam whatever the rate.
_RATES = {
    ("sgd", "sigmoid", "quadratic"): 3.0,  # 91.3 %: the lesson's rate
    ("sgd", "sigmoid", "cross_entropy"): 1.0,  # 91.8 %
    ("sgd", "tanh", "quadratic"): 0.3,  # 90.5 %
    ("sgd", "tanh", "cross_entropy"): 0.3,  # 93.2 %
    ("sgd", "relu", "quadratic"): 0.3,  # 90.3 %
    ("sgd", "relu", "cross_entropy"): 0.5,  # 93.0 %
    ("momentum", "sigmoid", "quadratic"): 0.1,  # 61.8 % (0.3: 29 %, 1: 20 %)
    ("momentum", "sigmoid", "cross_entropy"): 0.1,  # 91.4 %
    ("momentum", "tanh", "quadratic"): 0.1,  # 89.4 %
    ("momentum", "tanh", "cross_entropy"): 0.03,  # 92.0 %
    ("momentum", "relu", "quadratic"): 0.01,  # 72.2 %
    ("momentum", "relu", "cross_entropy"): 0.05,  # 92.3 %
    ("adam", "sigmoid", "quadratic"): 0.01,  # 84.5 % (0.5: 9.6 %, collapsed)
    ("adam", "sigmoid", "cross_entropy"): 0.01,  # 92.2 %
    ("adam", "tanh", "quadratic"): 0.003,  # 91.2 %
    ("adam", "tanh", "cross_entropy"): 0.003,  # 92.9 %
    ("adam", "relu", "quadratic"): 0.003,  # 73.9 %
    ("adam", "relu", "cross_entropy"): 0.003,  # 92.5 %
}
FAMILY = {"leaky_relu": "relu"}  # an activation without its own row takes its family's
CHANCE_MARGIN = 0.02  # accuracy within this of 1/K (for a whole epoch) counts as guessing
SATURATED = 0.99  # share of hidden activations at their limits that counts as saturated
TOO_LARGE = 10.0  # a rate this many times the sensible one is the likely cause


def sensible_learning_rate(optimizer: str, activation: str, cost: str) -> float:
    """Return a learning rate that suits this optimizer, hidden activation and cost."""
    key = (optimizer, FAMILY.get(activation, activation), cost)
    if key not in _RATES:
        raise ValueError(f"no rate known for optimizer {optimizer!r} with cost {cost!r}")
    return _RATES[key]


def rate_notice(optimizer: str, activation: str, cost: str, old: float, new: float) -> str:
    """Return the one line that says the learning rate moved and why."""
    names = {"sgd": "plain SGD", "momentum": "SGD with momentum", "adam": "Adam"}
    return (f"Learning rate set to η = {new:g} (was {old:g}): a sensible start for {names.get(optimizer, optimizer)}"
            f" with {activation} neurons and the {cost.replace('_', '-')} cost.")


def saturated_share(activations, activation: str) -> float:
    """Return the share of hidden activations (N, n) stuck at a limit: σ ≈ 0 or 1, tanh ≈ ±1, ReLU exactly 0."""
    a = np.asarray(activations, dtype=np.float64)
    if a.size == 0:
        return 0.0
    if activation == "sigmoid":
        stuck = (a < 0.01) | (a > 0.99)
    elif activation == "tanh":
        stuck = np.abs(a) > 0.98
    else:
        stuck = a <= 0.0  # a dead rectifier: nothing passes and no gradient flows back
    return float(stuck.mean())


def collapse_reason(accuracy: float, n_classes: int, saturation: float, optimizer: str, activation: str,
                    cost: str, learning_rate: float) -> str | None:
    """Return why a run after a whole epoch looks collapsed (at chance, or saturated), or None if it does not."""
    at_chance = accuracy <= 1.0 / n_classes + CHANCE_MARGIN
    saturated = saturation >= SATURATED
    if not (at_chance or saturated):
        return None
    what = (f"Test accuracy is {accuracy:.1%}, what guessing among {n_classes} classes gives," if at_chance
            else f"{saturation:.0%} of the hidden neurons sit at the limit of their range,")
    sensible = sensible_learning_rate(optimizer, activation, cost)
    if learning_rate >= TOO_LARGE * sensible:
        cause = (f" most likely because η = {learning_rate:g} is far too large for this optimizer: its steps drive"
                 f" the neurons into saturation, where the gradient vanishes. Try η = {sensible:g}.")
    else:
        cause = (" so the network has stopped learning: its neurons are saturated or dead and pass no gradient back."
                 " Reset, or try a smaller learning rate.")
    return f"The run has collapsed. {what}{cause}"


MIN_EPOCH_STEPS = 100  # an epoch of fewer steps may simply not have learned yet: no verdict
SAMPLE = 1000  # test images the saturation is measured on


def check_collapse(net, x, accuracy: float, optimizer: str, learning_rate: float, steps_per_epoch: int) -> str | None:
    """Return why the network looks collapsed after an epoch (see collapse_reason), or None.

    x: a sample of inputs (N, n_in) on which the hidden layers' saturation is measured.
    """
    if accuracy is None or steps_per_epoch < MIN_EPOCH_STEPS or len(net.sizes) < 3:
        return None
    fw = net.forward(x[:SAMPLE])
    hidden = np.concatenate([a.ravel() for a in fw.activations[1:-1]])
    return collapse_reason(accuracy, net.sizes[-1], saturated_share(hidden, net.activation), optimizer,
                           net.activation, net.cost, learning_rate)
