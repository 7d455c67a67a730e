"""Sensible learning rates, and telling a collapsed run from a slow one."""
import numpy as np
import pytest

from core.activations import HIDDEN_ACTIVATIONS
from core.lesson.sensible import (
    check_collapse,
    collapse_reason,
    rate_notice,
    saturated_share,
    sensible_learning_rate,
)
from core.network import COSTS, Network
from core.optimizers import OPTIMIZERS
from core.trainer import LEARNING_RATE_RANGE, Trainer


def test_every_combination_has_a_rate_in_range():
    for optimizer in OPTIMIZERS:
        for activation in HIDDEN_ACTIVATIONS:
            for cost in COSTS:
                rate = sensible_learning_rate(optimizer, activation, cost)
                assert LEARNING_RATE_RANGE[0] <= rate <= LEARNING_RATE_RANGE[1]
    assert sensible_learning_rate("sgd", "sigmoid", "quadratic") == 3.0  # the lesson's
    assert sensible_learning_rate("adam", "sigmoid", "quadratic") < 0.05
    with pytest.raises(ValueError):
        sensible_learning_rate("rmsprop", "sigmoid", "quadratic")
    assert "η = 0.01 (was 3)" in rate_notice("adam", "sigmoid", "quadratic", 3.0, 0.01)


def test_saturation_counts_activations_at_their_limits():
    assert saturated_share([[0.001, 0.999], [0.5, 0.2]], "sigmoid") == 0.5
    assert saturated_share([[0.0, 0.0, 0.0, 1.0]], "relu") == 0.75
    assert saturated_share([[-0.99, 0.1]], "tanh") == 0.5
    assert saturated_share(np.zeros((0, 3)), "sigmoid") == 0.0


def test_a_run_at_chance_is_collapsed_and_the_too_large_rate_is_named():
    reason = collapse_reason(0.096, 10, 0.4, "adam", "sigmoid", "quadratic", 0.5)
    assert reason is not None and "9.6%" in reason and "η = 0.5 is far too large" in reason and "0.01" in reason
    saturated = collapse_reason(0.5, 10, 0.995, "sgd", "sigmoid", "quadratic", 3.0)
    assert saturated is not None and "saturated" in saturated and "far too large" not in saturated
    assert collapse_reason(0.5, 10, 0.3, "adam", "sigmoid", "quadratic", 0.5) is None
    assert collapse_reason(0.13, 10, 0.3, "sgd", "sigmoid", "quadratic", 3.0) is None  # slow, not collapsed


def test_adam_at_half_collapses_on_mnist_and_the_lessons_run_does_not(mnist):
    small = mnist.subset(20000, 2000)
    verdicts = {}
    for optimizer, rate in (("adam", 0.5), ("sgd", 3.0)):
        net = Network((784, 16, 16, 10), seed=0)
        tr = Trainer(net, small, batch_size=100, learning_rate=rate, optimizer=optimizer, seed=0)
        tr.run_epoch()
        accuracy = tr.evaluate("test").accuracy
        verdicts[optimizer] = check_collapse(net, small.inputs("test"), accuracy, optimizer, rate, tr.steps_per_epoch)
    assert verdicts["adam"] is not None and "far too large" in verdicts["adam"]
    assert verdicts["sgd"] is None


def test_no_verdict_on_short_epochs_or_without_an_accuracy():
    net = Network((784, 16, 10), seed=0)
    x = np.zeros((5, 784), np.float32)
    assert check_collapse(net, x, 0.1, "adam", 0.5, steps_per_epoch=20) is None
    assert check_collapse(net, x, None, "adam", 0.5, steps_per_epoch=600) is None
