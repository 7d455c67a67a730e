"""Experiments: shuffled labels are memorised without generalising; runs compare on one seed."""
from dataclasses import replace

import numpy as np
import pytest

from core.lesson.experiments import (
    CLASSIC,
    MEMORISER,
    RELU_CROSS_ENTROPY,
    compare_runs,
    describe_setup,
    lessons_network,
    shuffled_labels,
)


def test_shuffled_labels_permute_training_labels_only(mnist):
    ds = mnist.subset(3000, 500)
    shuffled = shuffled_labels(ds, seed=1)
    np.testing.assert_array_equal(np.sort(shuffled.train_labels), np.sort(ds.train_labels))
    assert np.mean(shuffled.train_labels == ds.train_labels) < 0.2
    assert shuffled.train_images is ds.train_images
    np.testing.assert_array_equal(shuffled.test_labels, ds.test_labels)
    np.testing.assert_array_equal(shuffled_labels(ds, seed=1).train_labels, shuffled.train_labels)


def test_shuffled_labels_are_memorised_but_test_accuracy_stays_at_chance(mnist):
    ds = mnist.subset(5000, 10000)
    result = compare_runs([replace(MEMORISER, shuffle_labels=True)], ds, epochs=10, seed=0)
    run = result.runs[0]
    assert result.completed and run.epochs == list(range(11))
    # Training cost falls steadily: the network fits labels that mean nothing...
    assert run.train_cost[-1] < 0.85 * run.train_cost[1]
    assert run.train_accuracy[-1] > 0.25
    # ...and learns nothing that carries over to the test set: chance is 10 %.
    test = np.array(run.test_accuracy[1:])
    assert abs(test.mean() - 0.10) < 0.03
    assert np.abs(test - 0.10).max() < 0.08


def test_compare_runs_trains_each_configuration_on_the_same_seed(mnist):
    ds = mnist.subset(1000, 300)
    seen = []
    result = compare_runs([CLASSIC, RELU_CROSS_ENTROPY, CLASSIC], ds, epochs=2, seed=4,
                          callback=lambda runs, done: seen.append(done))
    first, relu, again = result.runs
    assert result.completed and first.epochs == [0, 1, 2]
    assert first.test_accuracy == again.test_accuracy and first.train_cost == again.train_cost
    assert relu.config.activation == "relu" and relu.test_accuracy != first.test_accuracy
    assert first.test_accuracy[-1] > 0.5 and relu.test_accuracy[-1] > 0.5
    assert seen[-1] == pytest.approx(1.0) and seen == sorted(seen)


def test_a_callback_returning_false_stops_the_runs(mnist):
    calls = []

    def stop_on_third(runs, done):
        calls.append(done)
        return len(calls) < 3

    result = compare_runs([CLASSIC], mnist.subset(2000, 100), epochs=5, callback=stop_on_third, check_every=50)
    assert not result.completed and len(calls) == 3
    assert result.runs[0].epochs == [0]


def test_describe_setup_says_what_the_shuffled_labels_runs_train():
    configs = (replace(MEMORISER, name="true labels"), replace(MEMORISER, name="shuffled labels", shuffle_labels=True))
    text = describe_setup(configs, 784, 10, 5000, 30)
    assert text.startswith("Trains 784-128-10 with relu neurons and cross-entropy (softmax output), SGD at η = 0.1")
    assert "on 5,000 training images for 30 epochs, twice (true labels, shuffled labels)." in text
    lessons = tuple(lessons_network(c) for c in configs)
    assert [c.shuffle_labels for c in lessons] == [False, True]
    assert "784-16-16-10 with sigmoid neurons and the quadratic cost, SGD at η = 3" in describe_setup(
        lessons, 784, 10, 5000, 30)
    mixed = describe_setup((CLASSIC, RELU_CROSS_ENTROPY), 784, 10, 60000, 1)
    assert "sigmoid + quadratic, η = 3: 784-16-16-10" in mixed and "1 epoch." in mixed
