"""The commands a training session takes, as methods: one API for the worker thread and the
engine process. Each sends (name, args) on; the session applies it between steps."""
from __future__ import annotations

import numpy as np


class SessionCommands:
    """Command methods for whatever carries them to a TrainingSession (`_send(name, *args)`)."""

    pace = None  # steps/s last asked for with set_speed (0: as fast as possible), None before


    def _send(self, name, *args):
        raise NotImplementedError

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
        self._send("set_learning_rate", float(lr))

    def set_batch_size(self, n: int):
        self._send("set_batch_size", int(n))

    def set_optimizer(self, name: str):
        self._send("set_optimizer", str(name))

    def set_speed(self, steps_per_second: float):
        self.pace = float(steps_per_second)
        self._send("set_speed", self.pace)

    def rebuild(self, hidden, activation, cost, seed):
        self._send("rebuild", tuple(int(n) for n in hidden), activation, cost, int(seed))

    def evaluate(self):
        self._send("evaluate")

    def show_example(self, split: str, index: int):
        self._send("show_example", split, int(index))

    def follow_batch(self, follow: bool = True):
        if follow:
            self._send("show_example", "batch", 0)

    def show_input(self, x):
        self._send("show_example", "drawn", np.array(x, dtype=np.float32).reshape(-1))

    def request_trajectory(self):
        self._send("request_trajectory")

    def save(self, path):
        self._send("save", str(path))

    def load(self, path):
        self._send("load", str(path))

    def set_dataset(self, dataset):
        self._send("set_dataset", dataset)

    def apply_edit(self, edit):
        """Apply a core.lesson.edits.Edit to the live network (undoable)."""
        self._send("apply_edit", edit)

    def undo_edit(self):
        self._send("undo_edit")

    def redo_edit(self):
        self._send("redo_edit")

    def resume_from(self, step: int):
        """Rewind training to a recorded step of the trajectory and go on from there."""
        self._send("resume_from", int(step))

    def export_history(self, path):
        """Write the training history (cost per step, accuracy per epoch) as CSV."""
        self._send("export_history", str(path))

    def call(self, fn):
        """Run fn(trainer) between steps (for tests and rare tools; the engine needs fn importable by name)."""
        self._send("call", fn)
