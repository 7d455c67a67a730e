"""Mini-batch training: exact stepping, epochs, determinism, divergence, bounded records."""
import numpy as np
import pytest
from toys import tiny_dataset

from core.history.records import ThinnedSeries
from core.network import Network
from core.trainer import Trainer


@pytest.fixture
def toy():
    ds = tiny_dataset()
    net = Network((64, 12, 4), seed=1)
    return net, ds


def test_step_runs_exactly_one_mini_batch(toy):
    net, ds = toy
    tr = Trainer(net, ds, batch_size=32, learning_rate=1.0)
    before = net.params.copy()
    expected_batch = tr.next_batch().copy()
    rec = tr.step()
    assert rec.step == 1 and tr.step_count == 1 and tr.position == 32
    assert np.array_equal(rec.batch, expected_batch)
    assert not np.array_equal(before, net.params)
    # the update is exactly −η × the batch-mean gradient (plain SGD)
    ref = Network(net.sizes, seed=1)
    g = ref.backprop(ds.inputs("train")[expected_batch], ds.labels("train")[expected_batch])
    assert np.allclose(net.params, before - 1.0 * g.flat, atol=1e-6)
    assert rec.cost == pytest.approx(g.cost, rel=1e-5)


def test_layer_grad_norms_are_each_weight_layers_gradient_norm(toy):
    net, ds = toy
    tr = Trainer(net, ds, batch_size=32, learning_rate=1.0)
    for _ in range(3):
        tr.step()
        g_weights, g_biases = net.views(tr.last_gradient)
        expected = [np.sqrt(np.sum(np.square(w, dtype=np.float64)) + np.sum(np.square(b, dtype=np.float64)))
                    for w, b in zip(g_weights, g_biases)]
        np.testing.assert_allclose(tr.layer_grad_norms(), expected, rtol=1e-5)


def test_an_epoch_visits_every_example_once(toy):
    net, ds = toy
    tr = Trainer(net, ds, batch_size=32, learning_rate=0.5)
    seen = []
    while True:
        rec = tr.step()
        seen.extend(rec.batch.tolist())
        if rec.epoch_finished:
            break
    assert sorted(seen) == list(range(250))
    assert tr.epoch == 1 and tr.position == 0 and tr.step_count == tr.steps_per_epoch == 8
    summary = tr.run_epoch()
    assert summary.steps == 8 and tr.epoch == 2


def test_training_is_deterministic_under_a_seed(toy):
    _, ds = toy
    runs = []
    for _ in range(2):
        net = Network((64, 12, 4), seed=3)
        tr = Trainer(net, ds, batch_size=20, learning_rate=0.5, optimizer="adam", seed=9)
        for _ in range(30):
            tr.step()
        runs.append(net.params.copy())
    assert np.array_equal(runs[0], runs[1])
    net = Network((64, 12, 4), seed=3)
    tr = Trainer(net, ds, batch_size=20, learning_rate=0.5, optimizer="adam", seed=10)
    for _ in range(30):
        tr.step()
    assert not np.array_equal(runs[0], net.params)


@pytest.mark.parametrize("optimizer,lr", [("sgd", 3.0), ("momentum", 0.5), ("adam", 0.02)])
def test_every_optimizer_learns_the_toy_problem(toy, optimizer, lr):
    net, ds = toy
    tr = Trainer(net, ds, batch_size=25, learning_rate=lr, optimizer=optimizer)
    first = tr.evaluate("test")
    for _ in range(15):
        tr.run_epoch()
    last = tr.evaluate("test")
    assert first.accuracy < 0.6 and last.accuracy > 0.9
    assert len(tr.history.accuracy["test"]) == 2


def test_divergence_keeps_the_last_good_parameters(toy):
    _, ds = toy
    net = Network((64, 32, 32, 4), activation="relu", cost="cross_entropy", seed=0)
    tr = Trainer(net, ds, batch_size=25, learning_rate=0.1, optimizer="momentum")
    tr.step()
    net.params[...] *= 1e15  # as if a huge step had blown the weights up: activations overflow
    good = net.params.copy()
    rec = tr.step()
    assert rec.diverged and not np.isfinite(rec.cost)
    assert tr.step_count == 1 and np.array_equal(net.params, good)
    net.params[...] = good / 1e15  # the learner resets or lowers the rate and carries on
    assert not tr.step().diverged and tr.step_count == 2


def test_an_update_that_overflows_is_undone(toy):
    net, ds = toy
    tr = Trainer(net, ds, batch_size=25, learning_rate=1.0)
    tr.step()
    good = net.params.copy()

    def overflowing_update(params, grad, lr, gain=1.0):
        params[5] = np.inf

    tr.optimizer.update = overflowing_update
    rec = tr.step()
    assert rec.diverged and np.isfinite(rec.cost) and tr.step_count == 1
    assert np.array_equal(net.params, good)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batches_hold_exactly_the_datasets_inputs(toy, dtype):
    _, ds = toy
    tr = Trainer(Network((64, 12, 4), seed=1, dtype=dtype), ds, batch_size=32)
    idx = tr.next_batch().copy()
    batch = tr.batch_inputs(idx)
    assert batch.dtype == dtype
    assert np.array_equal(batch, ds.inputs("train")[idx].astype(dtype))


def test_learning_rate_change_applies_to_the_next_step(toy):
    net, ds = toy
    tr = Trainer(net, ds, batch_size=25, learning_rate=1.0)
    tr.step()
    tr.set_learning_rate(0.25)
    before, batch = net.params.copy(), tr.next_batch().copy()
    g = net.backprop(ds.inputs("train")[batch], ds.labels("train")[batch])
    rec = tr.step()
    assert rec.learning_rate == 0.25
    assert np.allclose(net.params, before - 0.25 * g.flat, atol=1e-6)


@pytest.mark.parametrize("bad", [dict(learning_rate=0), dict(learning_rate=float("nan")),
                                 dict(learning_rate=1e9), dict(batch_size=0), dict(batch_size=2.5),
                                 dict(optimizer="rmsprop"), dict(schedule="exp")])
def test_out_of_range_settings_are_refused(toy, bad):
    net, ds = toy
    with pytest.raises(ValueError):
        Trainer(net, ds, **bad)


def test_reset_restores_the_seeded_initial_weights(toy):
    net, ds = toy
    initial = net.params.copy()
    tr = Trainer(net, ds, batch_size=25, learning_rate=1.0, optimizer="momentum")
    tr.run_epoch()
    tr.reset()
    assert np.array_equal(net.params, initial) and tr.step_count == 0
    assert not tr.optimizer.velocity.any()
    tr.reset(seed=7)
    assert not np.array_equal(net.params, initial) and net.seed == 7


def test_state_dict_resumes_with_the_same_next_step(toy):
    net, ds = toy
    tr = Trainer(net, ds, batch_size=30, learning_rate=0.1, optimizer="adam")
    for _ in range(13):
        tr.step()
    state = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in tr.state_dict().items()}
    params = net.params.copy()
    expected = [tr.step() for _ in range(5)]
    twin_net = Network(net.sizes, seed=99)
    twin_net.set_params(params)
    twin = Trainer(twin_net, ds, batch_size=5)
    twin.load_state_dict(state)
    for rec in expected:
        again = twin.step()
        assert np.array_equal(again.batch, rec.batch) and again.cost == rec.cost
    assert np.array_equal(twin_net.params, net.params)


def test_cosine_schedule_decays_to_zero(toy):
    net, ds = toy
    tr = Trainer(net, ds, batch_size=250, learning_rate=2.0, schedule="cosine", total_epochs=4)
    rates = [tr.step().learning_rate for _ in range(5)]
    assert rates[0] == 2.0 and rates[2] == pytest.approx(1.0) and rates[4] == pytest.approx(0.0)


def test_trajectory_stays_bounded_and_keeps_the_start():
    series = ThinnedSeries(8, (2,))
    for step in range(1000):
        series.append(step, [step, -step])
    steps = series.step_values()
    assert len(series) <= 8 and steps[0] == 0 and steps[-1] >= 1000 - series.stride
    assert np.all(np.diff(steps) == series.stride)
    assert np.array_equal(series.values()[:, 0], steps)


def test_trainer_trajectory_records_parameters(toy):
    net, ds = toy
    tr = Trainer(net, ds, batch_size=10, learning_rate=0.5, trajectory_capacity=16)
    start = net.params.copy()
    for _ in range(100):
        tr.step()
    traj = tr.trajectory
    assert len(traj) <= 16 and traj.step_values()[0] == 0
    assert np.array_equal(traj.values()[0], start)
    assert traj.values().nbytes <= 16 * net.n_params * 4


def test_mismatched_dataset_is_refused(toy):
    _, ds = toy
    with pytest.raises(ValueError, match="does not fit"):
        Trainer(Network((784, 16, 10)), ds)


@pytest.mark.parametrize("optimizer,weight_decay,schedule", [
    ("sgd", 0.0, "constant"), ("sgd", 0.01, "constant"), ("sgd", 0.0, "cosine"),
    ("momentum", 0.0, "constant"), ("momentum", 0.01, "cosine"), ("adam", 0.0, "constant")])
def test_last_gradient_is_the_batch_gradient_whatever_the_optimizer(toy, optimizer, weight_decay, schedule):
    """Plain SGD and momentum take lr × ∇C from backprop; what the trainer reports is ∇C itself."""
    net, ds = toy
    tr = Trainer(net, ds, batch_size=25, learning_rate=0.5, optimizer=optimizer, weight_decay=weight_decay,
                 schedule=schedule, total_epochs=2)
    for _ in range(12):
        batch, before = tr.next_batch().copy(), net.params.copy()
        rec = tr.step()
        at_before = Network(net.sizes, seed=1)
        at_before.set_params(before)
        g = at_before.backprop(ds.inputs("train")[batch], ds.labels("train")[batch])
        np.testing.assert_allclose(tr.last_gradient, g.flat, rtol=1e-4, atol=1e-6)
        assert rec.grad_norm == pytest.approx(np.linalg.norm(g.flat), rel=1e-4)
        assert np.array_equal(tr.params_before_last_step, before)
        if optimizer == "sgd" and not weight_decay:
            np.testing.assert_allclose(net.params, before - rec.learning_rate * g.flat, atol=1e-6)
