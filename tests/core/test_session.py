"""The training session without Qt or threads: commands, steps, events and snapshots."""
import pickle

import numpy as np
import pytest
from toys import SIZES, run, tiny_dataset

from core.lesson.edits import SetBias, SwitchOff
from core.network import Network
from core.session import Event, TrainingSession
from core.trainer import Trainer


def kinds(events):
    return [e.kind for e in events]


def last_snapshot(events):
    return [e.args[0] for e in events if e.kind == "snapshot"][-1]


def test_a_new_session_reports_its_first_snapshot(session):
    events = session.take_events()
    assert kinds(events) == ["snapshot"]
    assert last_snapshot(events).step == 0 and last_snapshot(events).sizes == SIZES
    assert session.take_events() == []


def test_step_n_runs_exactly_n_and_reports_a_row_per_step(session):
    session.take_events()
    session.apply("step", 7)
    assert run(session) == 7
    events = session.take_events()
    rows = [e.args for e in events if e.kind == "step"]
    assert [r[0] for r in rows] == list(range(1, 8))
    assert all(len(r[2]) == 2 for r in rows)  # one gradient norm per weight layer
    assert last_snapshot(events).step == 7  # an idle session publishes after its last step


def test_step_epoch_ends_with_an_evaluation_of_both_splits(session):
    session.step(3)
    run(session)
    session.take_events()
    session.step_epoch()
    assert run(session) == 37
    events = session.take_events()
    evaluations = [e.args[0] for e in events if e.kind == "evaluation"]
    assert {ev["split"] for ev in evaluations} == {"train", "test"}
    snap = last_snapshot(events)
    assert snap.epoch == 1 and snap.test_accuracy is not None


def test_play_and_pause_report_running_and_pause_cancels_pending_steps(session):
    session.take_events()
    session.play()
    session.train_one()
    session.pause()
    assert not session.busy
    session.step(5)
    session.pause()
    assert not session.busy
    assert [e.args[0] for e in session.take_events() if e.kind == "running"] == [True, False]


def test_steps_while_running_are_ignored(session):
    session.play()
    session.step(5)
    session.pause()
    assert run(session) == 0


def test_the_session_trains_as_a_plain_trainer_does(session):
    session.step(6)
    run(session)
    net = Network(SIZES, seed=1)
    tr = Trainer(net, tiny_dataset(n_train=400, n_test=60), batch_size=10, learning_rate=1.0, seed=1)
    for _ in range(6):
        tr.step()
    np.testing.assert_array_equal(session.publish().params, net.params)


def test_a_refused_command_reports_an_error_and_changes_nothing(session):
    session.take_events()
    session.apply("set_learning_rate", -1.0)
    events = session.take_events()
    assert kinds(events) == ["error"] and "learning rate" in events[0].args[0]
    assert session.publish().learning_rate == 1.0
    session.take_events()
    session.apply("show_example", "test", 10_000)
    assert kinds(session.take_events()) == ["error"]
    with pytest.raises(KeyError):
        session.apply("no_such_command")


def test_a_missing_file_is_an_error_naming_it(session, tmp_path):
    session.take_events()
    session.apply("load", tmp_path / "missing.npz")
    (event,) = session.take_events()
    assert event.kind == "error" and "missing.npz" in event.args[0]


def test_divergence_pauses_and_says_why(session):
    session.step(2)
    run(session)
    session.call(lambda tr: tr.net.params.__setitem__(0, np.nan))
    session.take_events()
    session.play()
    assert run(session) == 1
    events = session.take_events()
    (message,) = [e.args[0] for e in events if e.kind == "diverged"]
    assert "NaN" in message and "step 3" in message
    assert not session.running and last_snapshot(events).step == 2


def test_reset_and_rebuild_clear_the_charts_and_replace_the_network(session):
    initial = session.publish().params.copy()
    session.step(4)
    run(session)
    session.take_events()
    session.reset()
    events = session.take_events()
    assert "feed_cleared" in kinds(events) and "rebuilt" not in kinds(events)
    np.testing.assert_array_equal(last_snapshot(events).params, initial)
    session.rebuild((8, 6), "relu", "cross_entropy", 3)
    events = session.take_events()
    assert {"feed_cleared", "rebuilt"} <= set(kinds(events))
    snap = last_snapshot(events)
    assert snap.sizes == (64, 8, 6, 4) and snap.activation == "relu" and snap.learning_rate == 1.0


def test_a_dataset_switch_fits_the_network_to_it_and_follows_the_batch_again(session):
    session.show_example("test", 3)
    other = tiny_dataset(n_train=100, n_test=20, seed=5)
    session.set_dataset(other)
    snap = session.publish()
    assert snap.sizes == SIZES and snap.example_split == "train"
    assert session.dataset is other


def test_examples_can_be_chosen_and_drawn(session):
    ds = session.dataset
    session.show_example("test", 5)
    snap = session.publish()
    assert snap.example_index == 5 and snap.label == int(ds.test_labels[5])
    session.show_example("drawn", np.full(64, 0.5))
    snap = session.publish()
    assert snap.label is None and snap.example_split == "drawn"
    with pytest.raises(ValueError):
        session.show_example("drawn", np.zeros(10))


def test_a_switched_off_neuron_stays_off_until_undone(session):
    session.take_events()
    session.apply_edit(SwitchOff(SIZES, 1, 2))
    (edited,) = [e for e in session.take_events() if e.kind == "edited"]
    assert "2" in edited.args[0] and 0.0 <= edited.args[1] <= 1.0
    session.step(5)
    run(session)
    snap = session.publish()
    assert np.all(snap.weights[1][:, 2] == 0) and np.any(snap.weights[1][:, 3] != 0)
    session.undo_edit()
    session.step(2)
    run(session)
    assert np.any(session.publish().weights[1][:, 2] != 0)


def test_an_edit_for_another_architecture_is_refused(session):
    before = session.publish().params.copy()
    session.take_events()
    session.apply("apply_edit", SetBias((64, 10, 4), 1, 3, 1.0))
    assert kinds(session.take_events()) == ["error"]
    np.testing.assert_array_equal(session.publish().params, before)


def test_resume_rewinds_and_cuts_the_charts_back_to_that_step(session):
    session.step(12)
    run(session)
    session.request_trajectory()
    (traj,) = [e.args for e in session.take_events() if e.kind == "trajectory"]
    steps, rows, _samples = traj
    assert not rows.flags.writeable
    session.resume_from(5)
    events = session.take_events()
    assert kinds(events)[0] == "feed_truncated" and kinds(events)[-1] == "resumed"
    assert events[0].args[0] == 5 and "feed_cleared" not in kinds(events)  # what was charted up to 5 stays
    np.testing.assert_array_equal(last_snapshot(events).params, rows[list(steps).index(5)])
    session.step(1)
    run(session)
    np.testing.assert_array_equal(session.publish().params, rows[list(steps).index(6)])


def test_save_and_load_round_trip_with_events(session, tmp_path):
    session.step(3)
    run(session)
    saved = session.publish().params.copy()
    path = tmp_path / "net.npz"
    session.save(path)
    session.step(2)
    run(session)
    session.take_events()
    session.load(path)
    events = session.take_events()
    assert ("saved" not in kinds(events)) and events[-1] == Event("loaded", (str(path),))
    assert "rebuilt" in kinds(events)
    np.testing.assert_array_equal(last_snapshot(events).params, saved)


def test_events_go_to_report_when_given_and_are_plain_data():
    got = []
    session = TrainingSession(tiny_dataset(), sizes=SIZES, report=got.append)
    session.step(1)
    run(session)
    assert kinds(got) == ["snapshot", "step", "snapshot"]
    assert session.take_events() == []
    step_event = pickle.loads(pickle.dumps(got[1]))
    assert step_event.kind == "step" and step_event.args[0] == 1


def test_an_epoch_that_ends_collapsed_pauses_and_says_why(mnist):
    session = TrainingSession(mnist.subset(12000, 1000), seed=0, learning_rate=0.5, batch_size=100,
                              optimizer="adam")
    session.take_events()
    session.play()
    steps = run(session, limit=500)
    events = session.take_events()
    collapsed = [e.args[0] for e in events if e.kind == "collapsed"]
    assert steps == 120 and not session.running  # paused at the end of the first epoch
    assert len(collapsed) == 1 and "far too large" in collapsed[0] and "η = 0.5" in collapsed[0]


def test_the_lessons_run_does_not_collapse(mnist):
    session = TrainingSession(mnist.subset(12000, 1000), seed=0, learning_rate=3.0, batch_size=100)
    session.step_epoch()
    run(session)
    assert "collapsed" not in kinds(session.take_events())
