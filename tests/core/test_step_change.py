"""What one step changed, against an independent record of the parameters before and after."""
import numpy as np
from toys import tiny_dataset

from core.lesson.step_change import step_change
from core.network import Network
from core.snapshot import make_snapshot
from core.trainer import Trainer


def test_the_change_of_a_step_is_the_difference_of_the_networks_before_and_after():
    ds = tiny_dataset(n_train=200, n_test=20)
    net = Network((64, 12, 4), seed=2)
    tr = Trainer(net, ds, batch_size=20, learning_rate=2.0, seed=2)
    x, label = ds.inputs("train")[3], int(ds.labels("train")[3])
    before = net.copy()
    tr.step()
    snap = make_snapshot(net, x, label, step=1, batch_params=tr.params_before_last_step)
    change = step_change(snap)
    for layer in range(2):
        np.testing.assert_allclose(change.weights[layer], net.weights[layer] - before.weights[layer], atol=1e-6)
        np.testing.assert_allclose(change.biases[layer], net.biases[layer] - before.biases[layer], atol=1e-6)
    a_before, a_after = before.forward(x[None]).activations, net.forward(x[None]).activations
    for layer in range(3):
        np.testing.assert_allclose(change.activations[layer], a_after[layer][0] - a_before[layer][0], atol=1e-6)
    moved = np.abs(change.activations[-1])
    assert change.largest_outputs(2) == list(np.argsort(moved)[::-1][:2])
    assert step_change(make_snapshot(net, x, label)) is None  # no step: nothing to say
