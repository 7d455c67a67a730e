"""The session never dies silently, always starts, and brings a run's whole record back from a file."""
import numpy as np
import pytest
from toys import SIZES, run, tiny_dataset

from core.session import TrainingSession


def events_of(session, kind):
    return [e.args for e in session.take_events() if e.kind == kind]


def test_an_exception_in_a_step_pauses_reports_and_keeps_the_network(session, monkeypatch):
    session.step(3)
    run(session)
    before = session.trainer.net.params.copy()
    session.play()
    session.take_events()

    def broken_update(params, grad, lr, gain=1.0):
        params[:5] = np.nan  # the fault strikes mid-update
        raise MemoryError("no room for the batch")

    monkeypatch.setattr(session.trainer.optimizer, "update", broken_update)
    session.train_one()  # must not raise
    (failed,) = events_of(session, "failed")
    message, details = failed
    assert "Training step 4 failed" in message and "MemoryError: no room for the batch" in message
    assert "Traceback" in details and "broken_update" in details
    assert not session.running and not session.busy
    np.testing.assert_array_equal(session.trainer.net.params, before)
    monkeypatch.undo()  # the app goes on working
    session.step(2)
    assert run(session) == 2 and session.trainer.step_count == 5


def test_an_exception_in_a_command_pauses_and_reports_it(session):
    session.play()
    session.take_events()

    def faulty(trainer):
        raise ZeroDivisionError("division by zero in a tool")

    session.apply("call", faulty)  # must not raise
    (failed,) = events_of(session, "failed")
    assert "'call' failed" in failed[0] and "ZeroDivisionError" in failed[0] and "faulty" in failed[1]
    assert not session.running


def test_a_refused_setting_is_an_error_and_does_not_pause(session):
    session.play()
    session.take_events()
    session.apply("set_learning_rate", float("nan"))
    events = session.take_events()
    assert [e.args[0] for e in events if e.kind == "error"] == ["learning rate: nan is not a finite number"]
    assert session.running


def test_a_dataset_smaller_than_the_batch_size_clamps_it_and_says_so():
    ds = tiny_dataset(n_train=50, n_test=20)
    session = TrainingSession(ds, sizes=SIZES, batch_size=100)
    assert session.trainer.batch_size == 50
    assert session.notices == ["The dataset has 50 training images, fewer than the batch size of 100:"
                               " batches of 50 are used."]
    session.step(2)
    assert run(session) == 2


def test_a_network_that_cannot_be_made_falls_back_to_the_classic_one():
    ds = tiny_dataset(n_train=50, n_test=20)
    session = TrainingSession(ds, sizes=(64, 0, 4), activation="nonsense")
    assert session.trainer.net.sizes == (64, 16, 16, 4) and len(session.notices) == 2
    assert "hidden layer 1: 0 is out of range" in session.notices[0] and "batches of 50" in session.notices[1]


@pytest.mark.parametrize("key, value, fragment", [
    ("learning_rate", "1e9", "between 1e-06 and 100"), ("learning_rate", "nan", "not a finite number"),
    ("hidden", "0", "between 1 and 4,096"), ("hidden", "100000", "between 1 and 4,096"),
    ("batch_size", "0", "between 1 and 10,000"), ("optimizer", "lbfgs", "sgd, momentum, adam"),
    ("activation", "swish", "sigmoid"), ("seed", str(2**64), "between 0 and 2,147,483,647"),
    ("seed", "-1", "between 0 and 2,147,483,647"), ("cost", 3, "not one of"),
])
def test_an_out_of_range_remembered_setting_is_dropped_with_a_notice(key, value, fragment):
    from core.remembered import check_remembered

    raw = {"hidden": "16,16", "activation": "relu", "learning_rate": "0.5", "batch_size": "32", key: value}
    hyper, notices = check_remembered(raw, 64, 4, "settings.ini")
    assert len(notices) == 1 and fragment in notices[0] and notices[0].startswith("settings.ini: the remembered")
    kept = {"hidden": "sizes"}.get(key, key)
    assert kept not in hyper
    assert len(hyper) == len([k for k in raw if k != key])  # the other settings still apply
    TrainingSession(tiny_dataset(n_train=50, n_test=20), **hyper)  # and start-up works with what is left


def test_loading_brings_back_charts_timeline_and_counters(session, tmp_path):
    session.step(125)  # three epochs of 40 steps and a bit: three evaluations on each split
    run(session)
    trainer = session.trainer
    path = tmp_path / "run.npz"
    session.save(path)
    other = TrainingSession(tiny_dataset(n_train=400, n_test=60), sizes=SIZES, seed=7, batch_size=5)
    other.take_events()
    other.load(path)
    events = other.take_events()
    steps = [e.args[0] for e in events if e.kind == "step"]
    assert steps == trainer.history.costs.step_values().tolist() and steps[-1] == 125
    evaluations = [e.args[0] for e in events if e.kind == "evaluation"]
    saved = [(e["split"], e["step"], e["accuracy"]) for e in evaluations[:-2]]
    assert saved == [(split, step, accuracy) for split, records in trainer.history.accuracy.items()
                     for _, step, accuracy, _ in records]
    assert [step for split, step, _ in saved if split == "test"][-3:] == [40, 80, 120]  # each epoch's end
    assert [e["step"] for e in evaluations[-2:]] == [125, 125]  # and measured anew on opening
    other.request_trajectory()
    ((t_steps, rows, samples),) = events_of(other, "trajectory")
    assert list(t_steps) == trainer.trajectory.step_values().tolist()
    np.testing.assert_array_equal(rows, trainer.trajectory.values())
    assert samples[list(t_steps).index(120)] == 400 * 3  # step 120 closed the third epoch
    snap = other.publish()
    assert snap.step == 125 and snap.test_accuracy == evaluations[-1]["accuracy"]
