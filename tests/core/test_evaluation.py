"""Evaluation on a split: confusion matrix, a cell's examples, the worst-classified ones."""
import numpy as np
import pytest

from core.lesson.evaluation import confusion_matrix, evaluate_snapshot, evaluate_split, network_from_snapshot
from core.network import Network
from core.snapshot import make_snapshot
from core.trainer import Trainer


@pytest.fixture(scope="module")
def trained(mnist):
    """A classic network after a few hundred steps on part of MNIST, evaluated on the test set."""
    net = Network((784, 16, 16, 10), seed=0)
    Trainer(net, mnist.subset(3000, 10), batch_size=10, learning_rate=3.0).run_epoch()
    return net, evaluate_split(net, mnist.inputs("test"), mnist.test_labels)


def test_confusion_counts_sum_to_the_test_set_and_match_predict(mnist, trained):
    net, ev = trained
    predicted = net.predict(mnist.inputs("test"))
    assert ev.confusion.sum() == len(mnist.test_labels) == 10000
    np.testing.assert_array_equal(ev.predictions, predicted)
    np.testing.assert_array_equal(ev.confusion.sum(axis=1), np.bincount(mnist.test_labels, minlength=10))
    np.testing.assert_array_equal(ev.confusion.sum(axis=0), np.bincount(predicted, minlength=10))
    assert ev.accuracy == pytest.approx(np.mean(predicted == mnist.test_labels))
    assert 0.5 < ev.accuracy < 1.0


def test_confusion_matrix_agrees_with_a_naive_count():
    rng = np.random.default_rng(0)
    t, p = rng.integers(0, 4, 500), rng.integers(0, 4, 500)
    naive = np.zeros((4, 4), int)
    for a, b in zip(t, p):
        naive[a, b] += 1
    np.testing.assert_array_equal(confusion_matrix(t, p, 4), naive)


def test_a_cell_lists_exactly_its_examples(mnist, trained):
    net, ev = trained
    labels, predicted = mnist.test_labels, ev.predictions
    for t, p in [(4, 9), (3, 3), (7, 2)]:
        idx = ev.cell(t, p)
        assert len(idx) == ev.confusion[t, p]
        assert (labels[idx] == t).all() and (predicted[idx] == p).all()


def test_outputs_and_costs_match_the_network(mnist, trained):
    net, ev = trained
    x = mnist.inputs("test")[:50]
    np.testing.assert_allclose(ev.outputs[:50], net.feedforward(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ev.costs[:50], net.example_costs(net.feedforward(x), mnist.test_labels[:50]),
                               rtol=1e-4, atol=1e-6)


def test_worst_examples_are_the_lowest_true_class_outputs(trained):
    _, ev = trained
    worst = ev.worst(25)
    true_out = ev.true_class_output()
    np.testing.assert_array_equal(np.sort(true_out)[:25], true_out[worst])
    by_cost = ev.worst(25, by="cost")
    np.testing.assert_array_equal(np.sort(ev.costs)[::-1][:25], ev.costs[by_cost])
    mistakes = ev.worst(2000, mistakes_only=True)
    assert len(mistakes) == min(2000, int(ev.n - np.trace(ev.confusion)))
    assert (ev.predictions[mistakes] != ev.labels[mistakes]).all()


def test_evaluating_a_snapshot_uses_its_parameters_not_the_live_network(mnist, trained):
    net, ev = trained
    snap = make_snapshot(net, mnist.test_images[0], int(mnist.test_labels[0]), step=7)
    net_copy = network_from_snapshot(snap)
    assert net_copy.params is not net.params
    from_snap = evaluate_snapshot(snap, mnist)
    np.testing.assert_array_equal(from_snap.confusion, ev.confusion)
    assert from_snap.step == 7
    assert evaluate_snapshot(snap, mnist, should_stop=lambda: True) is None
