"""The training worker, in its thread and as the engine process: exact stepping, pause, reset,
live settings, divergence, clean stop. Both run the same tests through the same interface."""
import numpy as np
import pytest
from engine_toys import poison_first_parameter
from toys import tiny_dataset

from core.network import Network
from core.trainer import Trainer
from gui.training.engine_adapter import EngineWorker
from gui.training.feeds import Mailbox, RecipeMailbox, StepFeed
from gui.training.worker import TrainingWorker


@pytest.fixture(params=[TrainingWorker, EngineWorker], ids=["thread", "process"])
def worker(qtbot, request):
    ds = tiny_dataset(n_train=400, n_test=60)
    w = request.param(ds, sizes=(64, 12, 4), seed=1, learning_rate=1.0, batch_size=10)
    w.start()
    sync(qtbot, w)  # the engine process is up (its start-up is not what these tests time)
    yield w
    w.stop()
    assert w.wait(5000)


def latest(worker):
    return worker.mailbox.peek()


def settle(qtbot, worker, predicate, timeout=5000):
    """Wait until the newest snapshot satisfies predicate; return it."""
    qtbot.waitUntil(lambda: predicate(latest(worker)), timeout=timeout)
    return latest(worker)


def sync(qtbot, worker):
    """Return the trainer's step count once every command sent so far has been applied."""
    if isinstance(worker, EngineWorker):  # another process: ask it to answer, then read its snapshot
        with qtbot.waitSignal(worker.answered, timeout=5000):
            worker.ping()
        return latest(worker).step
    box = []
    worker.call(lambda tr: box.append(tr.step_count))
    qtbot.waitUntil(lambda: bool(box), timeout=5000)
    return box[0]


def test_mailbox_keeps_only_the_newest_value():
    box = Mailbox()
    assert box.take() is None
    for i in range(1000):
        box.put(i)
    assert box.take() == 999
    assert box.take() is None
    assert box.peek() == 999


def test_a_recipe_mailbox_makes_a_snapshot_only_when_it_is_looked_at_and_only_once():
    class Recipe:
        made = 0

        def __init__(self, step, running=True):
            self.step, self.progress = step, {"running": running}

        def make(self):
            Recipe.made += 1
            return ("snapshot", self.step)

    box = RecipeMailbox()
    for step in range(60):  # a second of the engine's recipes, none shown
        box.put_recipe(Recipe(step))
    assert box.running and Recipe.made == 0  # asked without making one
    assert box.take() == ("snapshot", 59) and Recipe.made == 1
    assert box.peek() == ("snapshot", 59) and box.take() is None and Recipe.made == 1
    box.put_recipe(Recipe(60, running=False))
    assert not box.running and Recipe.made == 1


def test_feed_drains_everything_in_order_and_stays_bounded():
    feed = StepFeed(capacity=100)
    for step in range(1, 251):
        feed.append(step, float(step), [1.0, 2.0])
    batch = feed.drain()
    assert len(batch.steps) < 100
    assert batch.steps[0] == 1 and np.all(np.diff(batch.steps) > 0)
    assert batch.grad_norms.shape == (len(batch.steps), 2)
    assert feed.drain() is None


def test_step_advances_exactly_one_mini_batch(qtbot, worker):
    before = latest(worker)
    assert before.step == 0
    worker.step(1)
    snap = settle(qtbot, worker, lambda s: s.step == 1)
    assert sync(qtbot, worker) == 1
    assert not np.array_equal(snap.params, before.params)
    assert len(snap.batch) == 10
    # the gradient shown is the one the step used, at the parameters it was computed at
    assert np.allclose(snap.batch_params - 1.0 * snap.batch_grad, snap.params, atol=1e-6)
    np.testing.assert_array_equal(snap.batch_params, before.params)


def test_step_n_runs_exactly_n(qtbot, worker):
    worker.step(7)
    settle(qtbot, worker, lambda s: s.step == 7)
    assert sync(qtbot, worker) == 7
    worker.step(3)
    settle(qtbot, worker, lambda s: s.step == 10)
    assert sync(qtbot, worker) == 10
    batch = worker.feed.drain()
    assert list(batch.steps) == list(range(1, 11))


def test_step_epoch_stops_at_the_end_of_the_epoch(qtbot, worker):
    worker.step(3)
    worker.step_epoch()
    snap = settle(qtbot, worker, lambda s: s.epoch == 1)
    assert snap.step == 40 and snap.epoch_progress == 0.0
    assert snap.test_accuracy is not None and snap.train_accuracy is not None
    assert sync(qtbot, worker) == 40


def test_pause_takes_effect_before_the_next_step(qtbot, worker):
    worker.set_speed(0)
    worker.play()
    settle(qtbot, worker, lambda s: s.step > 20)
    worker.pause()
    at_pause = sync(qtbot, worker)
    qtbot.wait(200)
    assert sync(qtbot, worker) == at_pause
    assert settle(qtbot, worker, lambda s: not s.running).step == at_pause


def test_speed_limit_paces_training(qtbot, worker):
    worker.set_speed(20)
    worker.play()
    qtbot.wait(500)
    worker.pause()
    steps = sync(qtbot, worker)
    assert 3 <= steps <= 15  # ~10 expected at 20 steps/s; generous for a busy machine


def test_step_n_is_not_held_to_the_play_pace(qtbot, worker):
    worker.set_speed(1)
    worker.step(30)  # 30 s at the pace of Play; Step N goes straight there
    settle(qtbot, worker, lambda s: s.step == 30, timeout=10000)


def test_reset_restores_the_seeded_initial_weights(qtbot, worker):
    initial = latest(worker).params.copy()
    worker.step(5)
    settle(qtbot, worker, lambda s: s.step == 5)
    worker.reset()
    snap = settle(qtbot, worker, lambda s: s.step == 0)
    np.testing.assert_array_equal(snap.params, initial)
    worker.reset(seed=7)
    snap = settle(qtbot, worker, lambda s: s.seed == 7)
    np.testing.assert_array_equal(snap.params, Network((64, 12, 4), seed=7).params)


def test_learning_rate_change_applies_to_the_next_step(qtbot, worker):
    worker.step(2)
    settle(qtbot, worker, lambda s: s.step == 2)
    worker.set_learning_rate(0.25)
    worker.step(1)
    snap = settle(qtbot, worker, lambda s: s.step == 3)
    assert snap.learning_rate == 0.25
    np.testing.assert_allclose(snap.batch_params - 0.25 * snap.batch_grad, snap.params, atol=1e-6)


def test_batch_size_and_optimizer_apply_live(qtbot, worker):
    worker.set_batch_size(25)
    worker.set_optimizer("momentum")
    worker.step(1)
    snap = settle(qtbot, worker, lambda s: s.step == 1)
    assert snap.batch_size == 25 and len(snap.batch) == 25 and snap.optimizer == "momentum"


def test_bad_settings_are_refused_with_an_error_and_change_nothing(qtbot, worker):
    with qtbot.waitSignal(worker.error, timeout=5000) as blocker:
        worker.set_learning_rate(-1.0)
    assert "learning rate" in blocker.args[0]
    assert latest(worker).learning_rate == 1.0


def test_a_forced_nan_pauses_with_a_message(qtbot, worker):
    worker.step(2)
    settle(qtbot, worker, lambda s: s.step == 2)
    good = latest(worker).params.copy()
    worker.call(poison_first_parameter)
    with qtbot.waitSignal(worker.diverged, timeout=5000) as blocker:
        worker.play()
    assert "NaN" in blocker.args[0] and "step 3" in blocker.args[0]
    snap = settle(qtbot, worker, lambda s: not s.running)
    assert snap.step == 2
    assert np.isnan(snap.params[0]) and np.array_equal(snap.params[1:], good[1:])


def test_examples_can_be_chosen_and_drawn(qtbot, worker):
    worker.show_example("test", 5)
    snap = settle(qtbot, worker, lambda s: s.example_split == "test")
    assert snap.example_index == 5 and snap.label == int(tiny_dataset(n_train=400, n_test=60).test_labels[5])
    worker.show_input(np.full(64, 0.5, np.float32))
    snap = settle(qtbot, worker, lambda s: s.example_split == "drawn")
    assert snap.label is None and snap.nudges is None
    np.testing.assert_allclose(snap.activations[0], 0.5)
    with qtbot.waitSignal(worker.error, timeout=5000):
        worker.show_example("test", 10_000)


def test_rebuild_replaces_the_network(qtbot, worker):
    with qtbot.waitSignal(worker.rebuilt, timeout=5000):
        worker.rebuild((8, 6), "relu", "cross_entropy", 3)
    snap = latest(worker)
    assert snap.sizes == (64, 8, 6, 4) and snap.activation == "relu" and snap.cost == "cross_entropy"


def test_trajectory_is_a_read_only_copy(qtbot, worker):
    worker.step(4)
    settle(qtbot, worker, lambda s: s.step == 4)
    with qtbot.waitSignal(worker.trajectoryReady, timeout=5000) as blocker:
        worker.request_trajectory()
    steps, rows, samples = blocker.args
    assert list(steps) == [0, 1, 2, 3, 4]
    assert not rows.flags.writeable
    np.testing.assert_array_equal(rows[-1], latest(worker).params)


def test_save_and_load_round_trip(qtbot, worker, tmp_path):
    worker.step(3)
    settle(qtbot, worker, lambda s: s.step == 3)
    saved = latest(worker).params.copy()
    path = str(tmp_path / "net.npz")
    with qtbot.waitSignal(worker.saved, timeout=5000):
        worker.save(path)
    worker.step(2)
    settle(qtbot, worker, lambda s: s.step == 5)
    with qtbot.waitSignal(worker.loaded, timeout=5000):
        worker.load(path)
    snap = latest(worker)
    assert snap.step == 3
    np.testing.assert_array_equal(snap.params, saved)
    with qtbot.waitSignal(worker.error, timeout=5000) as blocker:
        worker.load(str(tmp_path / "missing.npz"))
    assert "missing.npz" in blocker.args[0]
    assert latest(worker).step == 3


@pytest.mark.parametrize("kind", [TrainingWorker, EngineWorker], ids=["thread", "process"])
def test_stop_while_running_finishes_the_thread(qtbot, kind):
    ds = tiny_dataset()
    w = kind(ds, sizes=(64, 12, 4))
    w.start()
    w.play()
    qtbot.waitUntil(lambda: w.mailbox.peek().step > 3, timeout=5000)
    w.stop()
    assert w.wait(5000)
    assert w.isFinished()


def test_training_in_the_worker_matches_the_trainer(qtbot, worker):
    """The worker adds no hidden state: its run equals a plain Trainer's run."""
    worker.step(6)
    snap = settle(qtbot, worker, lambda s: s.step == 6)
    net = Network((64, 12, 4), seed=1)
    tr = Trainer(net, tiny_dataset(n_train=400, n_test=60), batch_size=10, learning_rate=1.0, seed=1)
    for _ in range(6):
        tr.step()
    np.testing.assert_array_equal(snap.params, net.params)


def test_an_edit_and_its_undo_restore_the_exact_weights(qtbot, worker):
    from core.lesson.edits import SetBias, SwitchOff

    worker.step(2)
    before = settle(qtbot, worker, lambda s: s.step == 2).params.copy()
    with qtbot.waitSignal(worker.edited, timeout=5000) as blocker:
        worker.apply_edit(SetBias((64, 12, 4), 1, 3, 5.0))
    assert 0.0 <= blocker.args[1] <= 1.0
    assert latest(worker).biases[0][3] == 5.0
    with qtbot.waitSignal(worker.edited, timeout=5000):
        worker.apply_edit(SwitchOff((64, 12, 4), 1, 2))
    assert np.all(latest(worker).weights[1][:, 2] == 0)
    for _ in range(2):
        with qtbot.waitSignal(worker.edited, timeout=5000):
            worker.undo_edit()
    np.testing.assert_array_equal(latest(worker).params, before)
    with qtbot.waitSignal(worker.edited, timeout=5000):
        worker.redo_edit()
    assert latest(worker).biases[0][3] == 5.0
    with qtbot.waitSignal(worker.error, timeout=5000):  # made for another architecture
        worker.apply_edit(SetBias((64, 10, 4), 1, 3, 1.0))
    assert latest(worker).biases[0][3] == 5.0


def test_resume_from_a_recorded_step_continues_as_the_original_run(qtbot, worker):
    worker.step(12)
    settle(qtbot, worker, lambda s: s.step == 12)
    with qtbot.waitSignal(worker.trajectoryReady, timeout=5000) as blocker:
        worker.request_trajectory()
    original = dict(zip(("steps", "traj"), blocker.args))
    k = 5
    with qtbot.waitSignal(worker.resumed, timeout=5000):
        worker.resume_from(k)
    snap = latest(worker)
    assert snap.step == k
    np.testing.assert_array_equal(snap.params, original["traj"][list(original["steps"]).index(k)])
    worker.step(1)
    snap = settle(qtbot, worker, lambda s: s.step == k + 1)
    np.testing.assert_array_equal(snap.params, original["traj"][list(original["steps"]).index(k + 1)])
    with qtbot.waitSignal(worker.error, timeout=5000):
        worker.resume_from(999)


def test_history_exports_as_csv(qtbot, worker, tmp_path):
    import csv

    worker.step_epoch()
    settle(qtbot, worker, lambda s: s.epoch == 1)
    path = tmp_path / "history.csv"
    worker.export_history(str(path))
    sync(qtbot, worker)
    rows = list(csv.DictReader(path.open()))
    steps = [r for r in rows if r["kind"] == "step"]
    evaluations = [r for r in rows if r["kind"] == "evaluation"]
    assert [int(r["step"]) for r in steps] == list(range(1, 41))
    assert {r["split"] for r in evaluations} == {"train", "test"}
    assert all(0 <= float(r["accuracy"]) <= 1 for r in evaluations)


def test_a_switched_off_neuron_stays_off_while_training_until_undone(qtbot, worker):
    from core.lesson.edits import SwitchOff

    with qtbot.waitSignal(worker.edited, timeout=5000):
        worker.apply_edit(SwitchOff((64, 12, 4), 1, 2))
    worker.step(5)
    snap = settle(qtbot, worker, lambda s: s.step == 5)
    assert np.all(snap.weights[1][:, 2] == 0)  # its outgoing weights: trained 5 steps, still silent
    assert np.any(snap.weights[1][:, 3] != 0)  # its neighbour trains as usual
    with qtbot.waitSignal(worker.edited, timeout=5000):
        worker.undo_edit()
    worker.step(2)
    snap = settle(qtbot, worker, lambda s: s.step == 7)
    assert np.any(snap.weights[1][:, 2] != 0)  # back on: its own weights again, and they train


def test_the_engine_worker_offers_every_signal_and_command_of_the_thread_worker():
    own = {name for name in vars(TrainingWorker) if not name.startswith("_")} - {"run", "staticMetaObject"}
    assert own - set(dir(EngineWorker)) == set()


@pytest.mark.parametrize("kind", [TrainingWorker, EngineWorker], ids=["thread", "process"])
def test_commands_sent_before_the_start_are_applied_in_order_once_it_runs(qtbot, kind):
    w = kind(tiny_dataset(n_train=400, n_test=60), sizes=(64, 12, 4), seed=1, learning_rate=1.0, batch_size=10)
    w.set_learning_rate(0.25)
    w.step(3)
    w.start()
    try:
        snap = settle(qtbot, w, lambda s: s.step == 3)
        assert snap.learning_rate == 0.25
    finally:
        w.stop()
        assert w.wait(5000)
