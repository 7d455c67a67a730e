"""The engine process: every command through the pipe, snapshots and chart rows back, faults."""
import time

import numpy as np
import pytest
from toys import tiny_dataset

from core.engine.handle import EngineHandle
from core.lesson.edits import SetBias


class Engine:
    """An EngineHandle with the waiting the tests need: events gathered, the newest snapshot kept."""

    def __init__(self, dataset, **settings):
        self.handle = EngineHandle(dataset, settings)
        self.events, self.snap, self.rows = [], None, []

    def pump(self):
        self.events += self.handle.poll_events()
        snap = self.handle.newest()
        if snap is not None:
            self.snap = snap
        batch = self.handle.drain()
        if batch is not None:
            if batch.cleared:
                self.rows = []
            if batch.truncated is not None:
                self.rows = [r for r in self.rows if r <= batch.truncated[0]]
            self.rows += list(batch.steps)

    def until(self, predicate, timeout=20.0, what="condition"):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.pump()
            if self.snap is not None and predicate(self):
                return self.snap
            time.sleep(0.005)
        raise AssertionError(f"timed out waiting for {what}; events: {[k for k, _ in self.events]}")

    def event(self, kind, timeout=20.0):
        self.until(lambda e: any(k == kind for k, _ in e.events), timeout, kind)
        for i, (k, args) in enumerate(self.events):
            if k == kind:
                del self.events[i]
                return args

    def send(self, name, *args):
        assert self.handle.send(name, *args)


@pytest.fixture
def engine():
    e = Engine(tiny_dataset(n_train=400, n_test=60), sizes=(64, 12, 4), seed=1, learning_rate=1.0, batch_size=10)
    e.until(lambda e: e.snap.step == 0, what="the first snapshot")
    yield e
    e.handle.close()


def test_step_runs_exactly_n_and_every_row_reaches_the_charts(engine):
    first = engine.snap
    engine.send("step", 7)
    snap = engine.until(lambda e: e.snap.step == 7 and len(e.rows) == 7)
    assert engine.rows == list(range(1, 8))
    assert not np.array_equal(snap.params, first.params)
    assert len(snap.batch) == 10 and snap.batch_grad is not None
    engine.send("step_epoch")  # 400 examples in batches of 10: the epoch ends at step 40
    engine.until(lambda e: e.snap.step == 40 and e.snap.test_accuracy is not None)


def test_play_pause_speed_and_the_settings(engine):
    engine.send("set_speed", 0)
    engine.send("play")
    engine.until(lambda e: e.snap.running and e.snap.step > 30)
    assert engine.event("running") == (True,)
    engine.send("pause")
    paused = engine.until(lambda e: not e.snap.running)
    time.sleep(0.2)
    engine.pump()
    assert engine.snap.step == paused.step  # nothing ran after the pause
    engine.send("set_learning_rate", 0.25)
    engine.send("set_batch_size", 20)
    engine.send("set_optimizer", "momentum")
    snap = engine.until(lambda e: e.snap.optimizer == "momentum")
    assert snap.learning_rate == 0.25 and snap.batch_size == 20
    engine.send("set_learning_rate", -1.0)
    assert "learning rate" in engine.event("error")[0]


def test_a_slow_speed_shows_every_step(engine):
    engine.send("set_speed", 20)
    engine.send("play")
    seen = set()
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        engine.pump()
        seen.add(engine.snap.step)
        time.sleep(0.004)
    engine.send("pause")
    last = max(seen)
    assert 10 <= last <= 40  # about 20 a second
    assert set(range(1, last + 1)) <= seen


def test_reset_rebuild_and_a_new_dataset(engine):
    first = engine.snap
    engine.send("step", 5)
    engine.until(lambda e: e.snap.step == 5)
    engine.send("reset", None)
    snap = engine.until(lambda e: e.snap.step == 0)
    np.testing.assert_array_equal(snap.params, first.params)
    engine.send("rebuild", (40, 30), "relu", "cross_entropy", 3)
    snap = engine.until(lambda e: e.snap.sizes == (64, 40, 30, 4))
    assert snap.activation == "relu" and engine.event("rebuilt") == ()
    other = tiny_dataset(n_train=100, n_test=20, seed=5)
    other = type(other)(other.train_images[:, :4, :], other.train_labels, other.test_images[:, :4, :],
                        other.test_labels, name="halves", class_names=other.class_names)
    engine.handle.set_dataset(other)
    snap = engine.until(lambda e: e.snap.sizes[0] == 32)
    assert snap.image_shape == (4, 8)


def test_examples_drawn_inputs_and_evaluation(engine):
    engine.send("show_example", "test", 7)
    snap = engine.until(lambda e: e.snap.example_split == "test")
    assert snap.example_index == 7 and snap.label is not None
    engine.send("show_example", "drawn", np.linspace(0, 1, 64))
    snap = engine.until(lambda e: e.snap.example_split == "drawn")
    assert snap.label is None
    np.testing.assert_allclose(snap.activations[0], np.linspace(0, 1, 64), atol=1e-6)
    engine.send("show_example", "test", 999)
    assert "does not exist" in engine.event("error")[0]
    engine.send("evaluate")
    engine.until(lambda e: e.snap.test_accuracy is not None)


def test_trajectory_time_travel_and_resume(engine):
    engine.send("step", 12)
    engine.until(lambda e: e.snap.step == 12)
    engine.send("request_trajectory")
    steps, rows, samples = engine.event("trajectory")
    assert list(steps) == list(range(13)) and rows.shape == (13, engine.snap.params.size)
    assert list(samples) == [10 * s for s in steps]  # batches of 10: time travel's counters
    np.testing.assert_array_equal(rows[-1], engine.snap.params)
    engine.send("resume_from", 4)
    assert engine.event("resumed") == (4,)
    snap = engine.until(lambda e: e.snap.step == 4 and e.rows == [1, 2, 3, 4], what="the charts cut back to step 4")
    np.testing.assert_array_equal(snap.params, rows[4])
    engine.send("resume_from", 99)
    assert "not recorded" in engine.event("error")[0]


def test_edits_undo_redo(engine):
    edit = SetBias(engine.snap.sizes, layer=1, index=2, value=5.0)
    engine.send("apply_edit", edit)
    what, accuracy = engine.event("edited")
    assert "bias" in what and 0 <= accuracy <= 1
    assert engine.until(lambda e: e.snap.biases[0][2] == 5.0)
    engine.send("undo_edit")
    engine.event("edited")
    engine.until(lambda e: e.snap.biases[0][2] != 5.0)
    engine.send("redo_edit")
    engine.event("edited")
    engine.until(lambda e: e.snap.biases[0][2] == 5.0)


def test_save_load_and_export(engine, tmp_path):
    engine.send("step", 3)
    saved_at = engine.until(lambda e: e.snap.step == 3)
    engine.send("save", str(tmp_path / "net.npz"))
    assert engine.event("saved") == (str(tmp_path / "net.npz"),)
    engine.send("export_history", str(tmp_path / "history.csv"))
    engine.send("reset", None)
    engine.until(lambda e: e.snap.step == 0)
    engine.send("load", str(tmp_path / "net.npz"))
    assert engine.event("loaded") == (str(tmp_path / "net.npz"),)
    snap = engine.until(lambda e: e.snap.step == 3)
    np.testing.assert_array_equal(snap.params, saved_at.params)
    assert (tmp_path / "history.csv").read_text().count("\n") >= 3
    engine.send("load", str(tmp_path / "missing.npz"))
    assert "missing.npz" in engine.event("error")[0]


def test_a_named_function_runs_between_steps_and_divergence_pauses(engine):
    engine.send("call", __import__("engine_toys").poison_first_parameter)
    engine.send("play")
    assert "NaN" in engine.event("diverged")[0]
    engine.until(lambda e: not e.snap.running)


def test_stop_halts_without_quitting(engine):
    engine.send("play")
    engine.until(lambda e: e.snap.running)
    engine.send("stop")
    engine.event("running")  # True, then False
    assert engine.event("running") == (False,)
    assert engine.handle.alive


def test_the_first_snapshot_made_without_the_engine_is_the_one_the_engine_publishes(engine):
    from core.engine.initial import initial_snapshot

    mine = initial_snapshot(tiny_dataset(n_train=400, n_test=60), sizes=(64, 12, 4), seed=1, learning_rate=1.0,
                            batch_size=10)
    theirs = engine.snap
    np.testing.assert_array_equal(mine.params, theirs.params)
    np.testing.assert_array_equal(mine.activations[-1], theirs.activations[-1])
    for name in ("step", "example_split", "example_index", "label", "steps_per_epoch", "learning_rate",
                 "batch_size", "optimizer", "seed", "sizes", "class_names", "image_shape", "running"):
        assert getattr(mine, name) == getattr(theirs, name), name


def test_datasets_switched_quickly_reach_the_engine_and_old_segments_go(engine):
    from pathlib import Path

    datasets = [tiny_dataset(n_train=60 + 10 * k, n_test=20, seed=k) for k in range(3)]
    names = []
    for ds in datasets:  # before the engine has mapped the previous one
        engine.handle.set_dataset(ds)
        names.append(engine.handle.dataset_segment)
    engine.until(lambda e: e.snap.steps_per_epoch == 8 and not e.handle.old_dataset_segments)  # 80 examples, batches of 10
    assert all(k != "died" for k, _ in engine.events)
    shm = Path("/dev/shm")
    if shm.is_dir():
        assert [(shm / n).exists() for n in names] == [False, False, True]
