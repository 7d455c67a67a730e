"""A training session: the Trainer and everything a front end asks of it, with no Qt and no threads.

A front end (the GUI's training thread, or a training process) applies commands between
steps with `apply(name, *args)` (or calls the command methods directly), calls `train_one()`
while `busy`, and learns what happened from `Event`s: plain data handed to `report`, or kept
until `take_events()` when no `report` is given. `publish()` returns a fresh Snapshot and
reports it as a "snapshot" event.

Event kinds and their args:
    snapshot (Snapshot,)            a new picture of the network to show (a SnapshotRecipe if make_snapshots is off)
    step (step, cost, grad_norms)   one mini-batch was trained (grad_norms: one per weight layer)
    evaluation (dict,)              split, epoch, step, accuracy, cost
    feed_cleared ()                 the run was reset or replaced: drop what was charted before
    running (bool,)                 training started or stopped
    feed_truncated (step, epoch)    training resumed from `step`: drop what was charted after it
    diverged (message,)             the cost became NaN/inf; training paused
    collapsed (message,)            an epoch ended at chance or with saturated neurons; training paused
    error (message,)                a command could not be carried out; nothing changed
    failed (message, details)       a step or command raised: training paused, network kept; details: traceback
    trajectory (steps, rows, samples)  steps (K,), parameter rows (K, P), samples seen (K,): read-only copies
    saved (path,) / loaded (path,)  a checkpoint was written / opened
    rebuilt ()                      the network was replaced (architecture, dataset or checkpoint)
    edited (what, test_accuracy)    an edit was applied, undone or redone
    resumed (step,)                 training was rewound to this recorded step
"""
from __future__ import annotations

import contextlib
import math
import time
import traceback
from typing import NamedTuple

import numpy as np

from core.checkpoint import CheckpointError, load_checkpoint, resume_record, save_checkpoint
from core.epoch_check import EpochCheck, InlineChecks, evaluate_splits
from core.history.csv_export import write_history_csv
from core.lesson.edits import EditError
from core.lesson.live_edits import LiveEdits
from core.network import Network, NetworkError
from core.remembered import settle_settings
from core.session_rewind import RewindCommands
from core.session_view import checked_example, current_example, take_recipe
from core.snapshot import Snapshot, SnapshotRecipe
from core.trainer import Trainer

PUBLISH_PERIOD = 1 / 20  # seconds between snapshots while training runs (the GUI shows ≤ 10 Hz then)
TRAJECTORY_BYTES = 64 << 20  # memory for the recorded trajectory (cost surface, timeline)

# the commands `apply` accepts: the names of the command methods below
COMMANDS = frozenset({
    "play", "pause", "step", "step_epoch", "reset", "set_learning_rate", "set_batch_size", "set_optimizer",
    "set_speed", "rebuild", "set_dataset", "show_example", "evaluate", "request_trajectory", "save", "load",
    "apply_edit", "undo_edit", "redo_edit", "resume_from", "export_history", "call", "stop",
})
# what a refused command raises; it becomes an "error" event and changes nothing
COMMAND_ERRORS = (ValueError, NetworkError, CheckpointError, EditError)


class Event(NamedTuple):
    """Something the session reports: `kind` names it, `args` carry plain data (see the module doc)."""

    kind: str
    args: tuple = ()


def make_trainer(net, dataset, **settings) -> Trainer:
    """Return a Trainer whose recorded trajectory stays within TRAJECTORY_BYTES."""
    rows = TRAJECTORY_BYTES // (net.n_params * net.dtype.itemsize)
    capacity = int(max(16, min(512, rows)) // 2 * 2)
    return Trainer(net, dataset, trajectory_capacity=capacity, **settings)


class TrainingSession(RewindCommands):
    """Owns the Trainer; the only code that changes the network. Every argument is picklable."""

    def __init__(self, dataset, sizes=None, activation="sigmoid", cost="quadratic", seed=0,
                 learning_rate=3.0, batch_size=100, optimizer="sgd", report=None, epoch_checks=None,
                 make_snapshots=True, step_sink=None):
        self.report = report  # callable(Event), or None: events wait for take_events()
        # callable(step, cost, grad_norms), or None: where each step's row goes instead of a "step"
        # event (a training process writes it straight into its ring: ~1.5 µs a step less)
        self._step_sink = step_sink
        # what checks each epoch's end; the engine's run in a process of their own while training goes on
        self._epoch_checks = epoch_checks if epoch_checks is not None else InlineChecks()
        self._make_snapshots = make_snapshots  # False: "snapshot" events carry SnapshotRecipes
        self._events = []
        self._dataset = dataset
        settings, self.notices = settle_settings(dataset, sizes=sizes, activation=activation, cost=cost, seed=seed,
                                                 learning_rate=learning_rate, batch_size=batch_size,
                                                 optimizer=optimizer)
        net = Network(settings.pop("sizes"), settings.pop("activation"), settings.pop("cost"), seed=settings["seed"])
        self._trainer = make_trainer(net, dataset, **settings)
        self._running = False
        self._pending = 0  # mini-batches still to run for "step n" / "step epoch"
        self._speed = 0.0  # steps per second; 0 = as fast as possible
        self._example = ("batch", 0)  # ("batch", k) | ("train"|"test", index) | ("drawn", x)
        self._accuracy = {"train": None, "test": None}
        self._accuracy_step = None  # the step at which the accuracies were measured
        self._edits = LiveEdits()  # undo/redo, and switched-off neurons held off while training
        self._last_publish = 0.0
        self.publish()

    # -- state a front end reads -------------------------------------------------------------
    @property
    def trainer(self) -> Trainer:
        return self._trainer

    @property
    def dataset(self):
        return self._dataset

    @property
    def running(self) -> bool:
        return self._running

    @property
    def busy(self) -> bool:
        """Whether a step is wanted: training runs, or "step n" has steps left."""
        return self._running or self._pending > 0

    @property
    def speed(self) -> float:
        """Steps per second the front end should pace training at (0: as fast as possible)."""
        return self._speed

    # -- events ---------------------------------------------------------------------------------
    def _emit(self, kind, *args):
        event = Event(kind, args)
        if self.report is None:
            self._events.append(event)
        else:
            self.report(event)

    def take_events(self) -> list:
        """Return the events kept since the last call (only when no `report` is set)."""
        events, self._events = self._events, []
        return events

    def apply(self, name: str, *args) -> None:
        """Run the command `name`; a refused command becomes an "error" event and changes nothing."""
        if name not in COMMANDS:
            raise KeyError(f"no such command: {name}")
        try:
            self._settle()  # every command sees the checks of the epochs trained so far
            getattr(self, name)(*args)
        except COMMAND_ERRORS as exc:
            self._emit("error", str(exc))
        except OSError as exc:
            self._emit("error", f"{getattr(exc, 'filename', '') or 'file'}: {exc.strerror or exc}")
        except Exception as exc:  # a fault, not a refusal: pause and say so, never a dead loop
            self._fail(f"The command {name!r} failed", exc)

    def _fail(self, what: str, exc: Exception) -> None:
        """Pause, keep the last good network, and report a "failed" event with the traceback."""
        self._halt()
        tr = self._trainer
        if not np.isfinite(tr.net.params).all():  # the fault struck mid-update: go back before it
            tr.net.set_params(tr.params_before_last_step)
        message = (f"{what}: {type(exc).__name__}: {exc}. Training is paused and the network kept as it was"
                   " before; the app goes on working.")
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        with contextlib.suppress(Exception):  # a snapshot that cannot be made must not hide the report
            self.publish()
        self._emit("failed", message, details)

    def _set_running(self, running: bool):
        if running != self._running:
            self._running = running
            self._emit("running", running)

    def _halt(self):
        self._pending = 0
        self._set_running(False)

    # -- commands: running ---------------------------------------------------------------------
    def play(self):
        self._set_running(True)
        self.publish()

    def pause(self):
        self._halt()
        self.publish()

    def stop(self):
        """Stop training without a new snapshot (the front end is closing)."""
        self._set_running(False)

    def step(self, n: int = 1):
        """Run exactly n more mini-batches (ignored while training runs)."""
        if not self._running:
            self._pending += max(0, int(n))

    def step_epoch(self):
        """Run the mini-batches left in the current epoch (ignored while training runs)."""
        if not self._running:
            tr = self._trainer
            self._pending = math.ceil((tr.n_train - tr.position) / tr.batch_size)

    def set_speed(self, steps_per_second: float):
        self._speed = max(0.0, float(steps_per_second))

    # -- commands: settings and replacements --------------------------------------------------------
    def reset(self, seed=None):
        self._halt()
        self._trainer.reset(seed)
        self._after_replacement()

    def set_learning_rate(self, lr: float):
        self._trainer.set_learning_rate(float(lr))
        self.publish()

    def set_batch_size(self, n: int):
        self._trainer.set_batch_size(min(int(n), self._trainer.n_train))
        self.publish()

    def set_optimizer(self, name: str):
        if name != self._trainer.optimizer_name:
            self._trainer.set_optimizer(str(name))
        self.publish()

    def rebuild(self, hidden, activation, cost, seed):
        """Replace the network by a new one of this architecture, keeping the training settings."""
        ds, old, seed = self._dataset, self._trainer, int(seed)
        net = Network((ds.n_inputs, *(int(n) for n in hidden), ds.n_classes), activation, cost, seed=seed)
        self._replace_trainer(make_trainer(net, ds, batch_size=min(old.batch_size, len(ds.train_labels)),
                                           learning_rate=old.learning_rate, optimizer=old.optimizer_name,
                                           seed=seed, momentum=old.momentum, weight_decay=old.weight_decay))

    def set_dataset(self, dataset):
        """Switch to another dataset: a new network of the same hidden layers fitted to it."""
        old = self._trainer
        net = Network((dataset.n_inputs, *old.net.sizes[1:-1], dataset.n_classes), old.net.activation,
                      old.net.cost, seed=old.seed)
        trainer = make_trainer(net, dataset, batch_size=min(old.batch_size, len(dataset.train_labels)),
                               learning_rate=old.learning_rate, optimizer=old.optimizer_name, seed=old.seed)
        self._dataset = dataset
        self._example = ("batch", 0)
        self._replace_trainer(trainer)

    def save(self, path):
        save_checkpoint(str(path), self._trainer.net, self._trainer, self._dataset)
        self._emit("saved", str(path))

    def load(self, path):
        path = str(path)
        ckpt = load_checkpoint(path)
        ds = self._dataset
        ckpt.check_fits(ds.n_inputs, ds.n_classes)
        state = ckpt.training or {}
        trainer = make_trainer(ckpt.network, ds, batch_size=int(state.get("batch_size", self._trainer.batch_size)),
                               learning_rate=float(state.get("learning_rate", self._trainer.learning_rate)),
                               optimizer=str(state.get("optimizer", "sgd")), seed=int(state.get("seed", 0)))
        if ckpt.training is not None:
            trainer.load_state_dict(ckpt.training)
        resume_record(trainer, ckpt)  # the charts, the timeline and the surface's path come back too
        self._replace_trainer(trainer, replay=True)
        self._emit("loaded", path)

    def _replace_trainer(self, trainer, replay=False):
        self._halt()
        self._trainer = trainer
        self._after_replacement(replay)
        self._emit("rebuilt")

    def _after_replacement(self, replay=False):
        """Start the views afresh for a new trainer; `replay`: first hand them the record it brought."""
        self._accuracy = {"train": None, "test": None}
        self._accuracy_step = None
        self._edits.clear()
        self._emit("feed_cleared")
        if replay:
            self._replay_history()
        self._evaluate()  # every view then agrees on the new network's accuracy from its first step
        self.publish()

    # -- commands: what is shown -------------------------------------------------------------------
    def show_example(self, split: str, value=0):
        """Show ("train"|"test", index), ("batch", _): the first of the last mini-batch, or ("drawn", x)."""
        self._example = checked_example(split, value, self._dataset, self._trainer.net.sizes[0])
        self.publish()

    def evaluate(self):
        self._evaluate()
        self.publish()

    def request_trajectory(self):
        traj = self._trainer.trajectory
        if traj is None:
            self._emit("trajectory", np.zeros(0, np.int64), np.zeros((0, self._trainer.net.n_params)),
                       np.zeros(0, np.int64))
            return
        steps, rows = np.array(traj.step_values()), np.array(traj.values())
        samples = np.array(self._trainer.trajectory_samples.values())
        steps.flags.writeable = rows.flags.writeable = samples.flags.writeable = False
        self._emit("trajectory", steps, rows, samples)

    def export_history(self, path):
        """Write the training history (cost per step, accuracy per epoch) as CSV."""
        write_history_csv(str(path), self._trainer.history)

    def call(self, fn):
        """Run fn(trainer) between steps (for tests and rare tools; not picklable, so not across processes)."""
        fn(self._trainer)
        self.publish()

    # -- training ----------------------------------------------------------------------------------
    def train_one(self) -> None:
        """Train one mini-batch, keep switched-off neurons off, and pause if the cost diverged or anything fails."""
        try:
            self._train_one()
        except Exception as exc:  # paused and reported: the loop never dies silently
            self._fail(f"Training step {self._trainer.step_count + 1} failed", exc)

    def _train_one(self) -> None:
        # the lean path at full speed: ~6 µs of bookkeeping around a ~130 µs step
        tr, checks = self._trainer, self._epoch_checks
        if checks.pending:
            self._take_checks(checks.ready())
            if not self.busy:  # a check found the run collapsed
                return
        rec = tr.step()
        if self._edits.holding:
            self._edits.hold(tr.net.params)
        if self._pending > 0:
            self._pending -= 1
        if rec.diverged:
            self._halt()
            self.publish()
            self._emit("diverged",
                       f"The cost became {'NaN' if math.isnan(rec.cost) else 'infinite'} at step {rec.step + 1}:"
                       " the step overshot so far that the numbers overflowed. Training is paused and the"
                       " network kept as it was before that step. Reset, or try a smaller learning rate.")
            return
        if self._step_sink is None:
            self._emit("step", rec.step, rec.cost, tr.layer_grad_norms())
        else:
            self._step_sink(rec.step, rec.cost, tr.layer_grad_norms())
        if rec.epoch_finished:
            check = dict(epoch=tr.epoch + tr.epoch_progress, step=tr.step_count, optimizer=tr.optimizer_name,
                         learning_rate=tr.learning_rate, steps_per_epoch=tr.steps_per_epoch)
            checks.submit(tr.net.copy(), self._dataset, **check)
            self._take_checks(checks.ready())
        if not (self._running or self._pending):
            self._settle()  # the picture at a pause includes the last epoch's check
            self.publish()
        elif time.perf_counter() - self._last_publish >= PUBLISH_PERIOD:
            self.publish()

    def _settle(self) -> None:
        """Apply the epoch checks still running (waiting for them)."""
        if self._epoch_checks.pending:
            self._take_checks(self._epoch_checks.wait())

    def _take_checks(self, checks: list[EpochCheck]) -> None:
        for check in checks:
            self._record_evaluations(check.evaluations, check.epoch, check.step)
            if check.collapse is not None:
                self._halt()
                self._emit("collapsed", check.collapse)

    def _evaluate(self):
        tr = self._trainer
        self._record_evaluations(evaluate_splits(tr.net, self._dataset), tr.epoch + tr.epoch_progress, tr.step_count)

    def _record_evaluations(self, evaluations, epoch: float, step: int) -> None:
        for ev in evaluations:
            self._trainer.history.record_accuracy(ev.split, epoch, step, ev.accuracy, ev.cost)
            self._accuracy[ev.split] = ev.accuracy
            self._emit("evaluation", dict(split=ev.split, epoch=epoch, step=step, accuracy=ev.accuracy, cost=ev.cost))
        self._accuracy_step = step

    def close(self) -> None:
        """Let go of what checks the epochs (the session is not used after this)."""
        self._epoch_checks.close()

    def current_example(self):
        """Return (x, label, split, index) of the example the snapshot shows."""
        return current_example(self._example, self._dataset, self._trainer)

    def recipe(self) -> SnapshotRecipe:
        """Return what a Snapshot of the network now is made from (copies: training may go on)."""
        return take_recipe(self._trainer, self._dataset, self._example, self._accuracy, running=self._running,
                           speed=self._speed, pending=self._pending, accuracy_step=self._accuracy_step)

    def publish(self) -> Snapshot | SnapshotRecipe:
        """Report the network now as a "snapshot" event, and return what it carries.

        That is a Snapshot, or its recipe when the session was made with make_snapshots=False
        (a training process hands recipes over, and the window makes the Snapshots it shows).
        """
        recipe = self.recipe()
        made = recipe.make() if self._make_snapshots else recipe
        self._last_publish = time.perf_counter()
        self._emit("snapshot", made)
        return made
