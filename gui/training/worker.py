"""The training worker: the one thread that owns the Trainer and mutates the network.

The GUI never touches the live network. It calls command methods here (safe from any
thread: they only enqueue), and reads results from two thread-safe places:

- `mailbox`: the newest Snapshot only. A newer one replaces an older one, so however fast
  training runs and however long the GUI stalls, no backlog can grow.
- `feed`: the per-step numbers the charts need (cost, gradient norm per layer) and the
  evaluations, drained by the GUI in bulk.

Commands are applied between steps: "pause" takes effect before the next step, and
"step n" runs exactly n mini-batches.
"""
from __future__ import annotations

import math
import queue
import time

import numpy as np
from PySide6.QtCore import QThread, Signal

from core.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from core.history.csv_export import write_history_csv
from core.lesson.edits import EditError, EditHistory, SwitchOff, SwitchOn
from core.network import Network, NetworkError
from core.snapshot import make_snapshot
from core.threads import limit_blas_threads
from core.trainer import Trainer
from gui.training.feeds import Mailbox, StepFeed

PUBLISH_PERIOD = 1 / 20  # seconds between snapshots while training runs (the GUI shows ≤ 10 Hz then)
GUI_WAIT_LIMIT = 0.05  # s: the longest a step waits for a busy GUI thread
TRAIN_ACCURACY_SAMPLE = 10_000  # training examples the per-epoch training accuracy is measured on
TRAJECTORY_BYTES = 64 << 20  # memory for the recorded trajectory (cost surface, timeline)


class TrainingWorker(QThread):
    """Runs training on its own thread; the only code that changes the network.

    Signals:
        diverged(str): the cost became NaN/inf; training paused; the message says why.
        error(str): a command could not be carried out (bad file, bad setting); nothing changed.
        trajectoryReady(object, object): steps (K,) and parameter rows (K, P), read-only copies.
        saved(str): a checkpoint was written to this path.
        loaded(str): a checkpoint was opened from this path.
        rebuilt(): the network was replaced (new architecture, dataset or checkpoint).
        runningChanged(bool): training started or stopped.
        edited(str, float): an edit was applied, undone or redone (what, test accuracy after it).
        resumed(int): training was rewound to this recorded step.
    """

    diverged = Signal(str)
    error = Signal(str)
    trajectoryReady = Signal(object, object)
    saved = Signal(str)
    loaded = Signal(str)
    rebuilt = Signal()
    runningChanged = Signal(bool)
    edited = Signal(str, float)
    resumed = Signal(int)

    def __init__(self, dataset, sizes=None, activation="sigmoid", cost="quadratic", seed=0,
                 learning_rate=3.0, batch_size=100, optimizer="sgd", parent=None):
        super().__init__(parent)
        self.mailbox = Mailbox()
        self.feed = StepFeed()
        self._commands = queue.SimpleQueue()
        self._dataset = dataset
        sizes = sizes or (dataset.n_inputs, 16, 16, dataset.n_classes)
        net = Network(sizes, activation, cost, seed=seed)
        self._trainer = self._make_trainer(net, dataset, batch_size=batch_size, learning_rate=learning_rate,
                                           optimizer=optimizer, seed=seed)
        self._running = False
        self._pending = 0  # mini-batches still to run for "step n" / "step epoch"
        self._speed = 0.0  # steps per second; 0 = as fast as possible
        self._next_due = 0.0
        self._example = ("batch", 0)  # ("batch", k) | ("train"|"test", index) | ("drawn", x)
        self._accuracy = {"train": None, "test": None}
        self._edits = EditHistory()
        self._pinned = {}  # (layer, index) of switched-off neurons → (parameter indices, values held)
        self._gui_idle = None  # threading.Event set while the GUI thread sleeps (see yield_to)
        self._quit = False
        self._last_publish = 0.0
        self._publish()

    # -- commands (any thread) ------------------------------------------------------------
    def _send(self, name, *args):
        self._commands.put((name, args))

    def play(self):
        self._send("play")

    def pause(self):
        self._send("pause")

    def step(self, n: int = 1):
        self._send("step", int(n))

    def step_epoch(self):
        self._send("step_epoch")

    def reset(self, seed=None):
        self._send("reset", seed)

    def set_learning_rate(self, lr: float):
        self._send("learning_rate", float(lr))

    def set_batch_size(self, n: int):
        self._send("batch_size", int(n))

    def set_optimizer(self, name: str):
        self._send("optimizer", str(name))

    def set_speed(self, steps_per_second: float):
        self._send("speed", float(steps_per_second))

    def rebuild(self, hidden, activation, cost, seed):
        self._send("rebuild", tuple(int(n) for n in hidden), activation, cost, int(seed))

    def evaluate(self):
        self._send("evaluate")

    def show_example(self, split: str, index: int):
        self._send("example", split, int(index))

    def follow_batch(self, follow: bool = True):
        if follow:
            self._send("example", "batch", 0)

    def show_input(self, x):
        self._send("example", "drawn", np.array(x, dtype=np.float32).reshape(-1))

    def request_trajectory(self):
        self._send("trajectory")

    def save(self, path):
        self._send("save", str(path))

    def load(self, path):
        self._send("load", str(path))

    def set_dataset(self, dataset):
        self._send("dataset", dataset)

    def apply_edit(self, edit):
        """Apply a core.edits.Edit to the live network (undoable)."""
        self._send("edit", edit)

    def undo_edit(self):
        self._send("undo")

    def redo_edit(self):
        self._send("redo")

    def resume_from(self, step: int):
        """Rewind training to a recorded step of the trajectory and go on from there."""
        self._send("resume", int(step))

    def export_history(self, path):
        """Write the training history (cost per step, accuracy per epoch) as CSV."""
        self._send("export_history", str(path))

    def yield_to(self, gui_idle) -> None:
        """Let training wait (briefly) while the GUI thread is busy, before each step.

        Both threads need the interpreter lock; taking turns every few milliseconds doubles
        the wall time of every GUI frame. `gui_idle` is a threading.Event the GUI sets while
        its event loop sleeps, so a frame runs at full speed and training fills the gaps.
        """
        self._gui_idle = gui_idle

    def call(self, fn):
        """Run fn(trainer) on the worker thread between steps (for tests and rare tools)."""
        self._send("call", fn)

    def stop(self):
        """Ask the thread to finish after the current step (then `wait()` for it)."""
        self._send("quit")

    # -- the thread -------------------------------------------------------------------------
    def run(self):
        limit_blas_threads(1)
        while not self._quit:
            busy = self._running or self._pending > 0
            self._drain(block=not busy)
            if self._quit or not (self._running or self._pending > 0):
                continue
            # the pace is for Play; Step N and Step epoch go straight to where they were asked
            if self._speed > 0 and self._running and not self._wait_until_due():
                continue
            if self._gui_idle is not None:
                self._gui_idle.wait(GUI_WAIT_LIMIT)
            self._train_one()

    def _wait_until_due(self) -> bool:
        """Sleep until the next step is due (commands still wake us); return whether it is."""
        now = time.perf_counter()
        if now < self._next_due:
            try:
                name, args = self._commands.get(timeout=self._next_due - now)
            except queue.Empty:
                pass
            else:
                self._apply(name, args)
                return False
        period = 1.0 / self._speed
        # catch up at most one period after a stall rather than bursting through the backlog
        self._next_due = max(self._next_due, time.perf_counter() - period) + period
        return True

    def _drain(self, block: bool):
        if block:
            name, args = self._commands.get()
            self._apply(name, args)
        while not self._commands.empty():
            name, args = self._commands.get_nowait()
            self._apply(name, args)

    def _apply(self, name, args):
        try:
            getattr(self, f"_do_{name}")(*args)
        except (ValueError, NetworkError, CheckpointError, EditError) as exc:
            self.error.emit(str(exc))
        except OSError as exc:
            self.error.emit(f"{getattr(exc, 'filename', '') or 'file'}: {exc.strerror or exc}")

    def _set_running(self, running: bool):
        if running != self._running:
            self._running = running
            self.runningChanged.emit(running)

    # -- command handlers (worker thread) --------------------------------------------------
    def _do_play(self):
        self._set_running(True)
        self._next_due = 0.0
        self._publish()

    def _do_pause(self):
        self._pending = 0
        self._set_running(False)
        self._publish()

    def _do_step(self, n):
        if not self._running:
            self._pending += max(0, n)

    def _do_step_epoch(self):
        if not self._running:
            tr = self._trainer
            self._pending = math.ceil((tr.n_train - tr.position) / tr.batch_size)

    def _do_reset(self, seed):
        self._pending = 0
        self._set_running(False)
        self._trainer.reset(seed)
        self._after_replacement()

    def _do_learning_rate(self, lr):
        self._trainer.set_learning_rate(lr)
        self._publish()

    def _do_batch_size(self, n):
        self._trainer.set_batch_size(min(n, self._trainer.n_train))
        self._publish()

    def _do_optimizer(self, name):
        if name != self._trainer.optimizer_name:
            self._trainer.set_optimizer(name)
        self._publish()

    def _do_speed(self, steps_per_second):
        self._speed = max(0.0, steps_per_second)
        self._next_due = 0.0

    def _do_rebuild(self, hidden, activation, cost, seed):
        ds, old = self._dataset, self._trainer
        net = Network((ds.n_inputs, *hidden, ds.n_classes), activation, cost, seed=seed)
        self._replace_trainer(self._make_trainer(net, ds, batch_size=min(old.batch_size, len(ds.train_labels)),
                                      learning_rate=old.learning_rate, optimizer=old.optimizer_name,
                                      seed=seed, momentum=old.momentum, weight_decay=old.weight_decay))

    def _do_dataset(self, dataset):
        old = self._trainer
        hidden = old.net.sizes[1:-1]
        net = Network((dataset.n_inputs, *hidden, dataset.n_classes), old.net.activation, old.net.cost,
                      seed=old.seed)
        trainer = self._make_trainer(net, dataset, batch_size=min(old.batch_size, len(dataset.train_labels)),
                          learning_rate=old.learning_rate, optimizer=old.optimizer_name, seed=old.seed)
        self._dataset = dataset
        self._example = ("batch", 0)
        self._replace_trainer(trainer)

    def _do_evaluate(self):
        self._evaluate()
        self._publish()

    def _do_example(self, split, value):
        if split in ("train", "test"):
            n = len(self._dataset.labels(split))
            if not 0 <= value < n:
                raise ValueError(f"{split} example {value} does not exist (0..{n - 1})")
        elif split == "drawn" and value.size != self._trainer.net.sizes[0]:
            raise ValueError(f"a drawn input needs {self._trainer.net.sizes[0]} values, got {value.size}")
        self._example = (split, value)
        self._publish()

    def _do_trajectory(self):
        traj = self._trainer.trajectory
        if traj is None:
            self.trajectoryReady.emit(np.zeros(0, np.int64), np.zeros((0, self._trainer.net.n_params)))
            return
        steps, rows = np.array(traj.step_values()), np.array(traj.values())
        steps.flags.writeable = rows.flags.writeable = False
        self.trajectoryReady.emit(steps, rows)

    def _do_save(self, path):
        save_checkpoint(path, self._trainer.net, self._trainer, self._dataset)
        self.saved.emit(path)

    def _do_load(self, path):
        ckpt = load_checkpoint(path)
        ds = self._dataset
        ckpt.check_fits(ds.n_inputs, ds.n_classes)
        state = ckpt.training or {}
        trainer = self._make_trainer(ckpt.network, ds, batch_size=int(state.get("batch_size", self._trainer.batch_size)),
                          learning_rate=float(state.get("learning_rate", self._trainer.learning_rate)),
                          optimizer=str(state.get("optimizer", "sgd")), seed=int(state.get("seed", 0)))
        if ckpt.training is not None:
            trainer.load_state_dict(ckpt.training)
        self._replace_trainer(trainer)
        self.loaded.emit(path)

    def _do_edit(self, edit):
        if tuple(edit.sizes) != self._trainer.net.sizes:
            raise EditError(f"that edit was made for a {'-'.join(map(str, edit.sizes))} network;"
                            f" this one is {'-'.join(map(str, self._trainer.net.sizes))}")
        self._edits.apply(edit, self._trainer.net.params)
        self._pin(edit, switched_off=isinstance(edit, SwitchOff))
        self._after_edit(edit.describe())

    def _do_undo(self):
        edit = self._edits.undo(self._trainer.net.params)
        if edit is not None:
            self._pin(edit, switched_off=isinstance(edit, SwitchOn))
            self._after_edit(f"undid: {edit.describe()}")

    def _do_redo(self):
        edit = self._edits.redo(self._trainer.net.params)
        if edit is not None:
            self._pin(edit, switched_off=isinstance(edit, SwitchOff))
            self._after_edit(f"redid: {edit.describe()}")

    def _pin(self, edit, switched_off: bool):
        """Keep a switched-off neuron off while training goes on (its weights would grow back)."""
        if not isinstance(edit, (SwitchOff, SwitchOn)):
            return
        key = (edit.layer, edit.index)
        if switched_off:
            off = SwitchOff(edit.sizes, edit.layer, edit.index)
            indices = off.indices()
            self._pinned[key] = (indices, self._trainer.net.params[indices].copy())
        else:
            self._pinned.pop(key, None)

    def _after_edit(self, what):
        ev = self._trainer.evaluate("test", record=False)
        self._accuracy["test"] = ev.accuracy
        self._publish()
        self.edited.emit(what, ev.accuracy)

    def _do_resume(self, step):
        tr = self._trainer
        traj = tr.trajectory
        rows = np.flatnonzero(traj.step_values() == step) if traj is not None else []
        if not len(rows):
            raise ValueError(f"step {step} was not recorded; pick a point on the timeline")
        self._pending = 0
        self._set_running(False)
        tr.net.set_params(traj.values()[rows[0]])
        tr.rewind_to(step)
        self._edits.clear()
        self._pinned.clear()
        self.feed.clear()
        steps, costs = tr.history.costs.step_values(), tr.history.costs.values()
        for s_, c in zip(steps, costs):
            self.feed.append(int(s_), float(c), [np.nan] * tr.net.n_layers)
        for split, records in tr.history.accuracy.items():
            for epoch, at_step, accuracy, cost in records:
                self.feed.add_evaluation(split=split, epoch=epoch, step=at_step, accuracy=accuracy, cost=cost)
        self._accuracy = {"train": None, "test": None}
        self._publish()
        self.resumed.emit(step)

    def _do_export_history(self, path):
        write_history_csv(path, self._trainer.history)

    def _do_call(self, fn):
        fn(self._trainer)
        self._publish()

    def _do_quit(self):
        self._quit = True
        self._set_running(False)

    # -- training ----------------------------------------------------------------------------
    @staticmethod
    def _make_trainer(net, dataset, **settings):
        """Return a Trainer whose recorded trajectory stays within TRAJECTORY_BYTES."""
        rows = TRAJECTORY_BYTES // (net.n_params * net.dtype.itemsize)
        capacity = int(max(16, min(512, rows)) // 2 * 2)
        return Trainer(net, dataset, trajectory_capacity=capacity, **settings)

    def _replace_trainer(self, trainer):
        self._pending = 0
        self._set_running(False)
        self._trainer = trainer
        self._after_replacement()
        self.rebuilt.emit()

    def _after_replacement(self):
        self._accuracy = {"train": None, "test": None}
        self._edits.clear()
        self._pinned.clear()
        self.feed.clear()
        self._publish()

    def _train_one(self):
        tr = self._trainer
        rec = tr.step()
        for indices, values in self._pinned.values():
            tr.net.params[indices] = values
        if self._pending > 0:
            self._pending -= 1
        if rec.diverged:
            self._pending = 0
            self._set_running(False)
            self._publish()
            self.diverged.emit(
                f"The cost became {'NaN' if math.isnan(rec.cost) else 'infinite'} at step {rec.step + 1}:"
                " the step overshot so far that the numbers overflowed. Training is paused and the"
                " network kept as it was before that step. Reset, or try a smaller learning rate.")
            return
        self.feed.append(rec.step, rec.cost, tr.layer_grad_norms())
        if rec.epoch_finished:
            self._evaluate()
        now = time.perf_counter()
        idle = not self._running and self._pending == 0
        if idle or now - self._last_publish >= PUBLISH_PERIOD:
            self._publish()

    def _evaluate(self):
        tr = self._trainer
        for split in ("train", "test"):
            # the training accuracy on a fixed sample: the whole set would cost a third of an epoch
            ev = tr.evaluate(split, limit=TRAIN_ACCURACY_SAMPLE if split == "train" else None)
            self._accuracy[split] = ev.accuracy
            self.feed.add_evaluation(split=split, epoch=tr.epoch + tr.epoch_progress, step=tr.step_count,
                                     accuracy=ev.accuracy, cost=ev.cost)

    def _current_example(self):
        """Return (x, label, split, index) of the example the snapshot shows."""
        split, value = self._example
        ds, tr = self._dataset, self._trainer
        if split == "drawn":
            return value, None, "drawn", -1
        if split == "batch":
            rec = tr.last_record
            index = int(rec.batch[0]) if rec is not None and len(rec.batch) else int(tr.next_batch()[0])
            split = "train"
        else:
            index = value
        return ds.images(split)[index], int(ds.labels(split)[index]), split, index

    def _publish(self):
        tr, net = self._trainer, self._trainer.net
        x, label, split, index = self._current_example()
        rec = tr.last_record
        stepped = rec is not None and not rec.diverged
        with np.errstate(over="ignore", invalid="ignore"):
            snap = make_snapshot(
                net, x, label, example_split=split, example_index=index,
                class_names=tuple(self._dataset.class_names), image_shape=tuple(self._dataset.image_shape),
                step=tr.step_count, epoch=tr.epoch, epoch_progress=tr.epoch_progress,
                samples_seen=tr.samples_seen, steps_per_epoch=tr.steps_per_epoch,
                last_cost=rec.cost if rec is not None else None,
                batch=rec.batch if stepped else None,
                batch_grad=tr.last_gradient if stepped else None,
                batch_params=tr.params_before_last_step if stepped else None,
                layer_grad_norms=tuple(tr.layer_grad_norms()) if stepped else (),
                learning_rate=tr.current_learning_rate(), batch_size=tr.batch_size,
                optimizer=tr.optimizer_name, test_accuracy=self._accuracy["test"],
                train_accuracy=self._accuracy["train"], running=self._running, seed=tr.seed,
                extra={"base_learning_rate": tr.learning_rate, "speed": self._speed,
                       "pending": self._pending, "time": time.monotonic()})
        self.mailbox.put(snap)
        self._last_publish = time.perf_counter()

