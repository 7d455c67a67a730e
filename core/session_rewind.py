"""A training session's edits with undo, and its time travel: commands that take the network back."""
from __future__ import annotations

import numpy as np


class RewindCommands:
    """Edits, undo and redo, and resuming from a recorded step (mixed into TrainingSession, whose state they use)."""

    def apply_edit(self, edit):
        """Apply a core.lesson.edits.Edit to the live network (undoable)."""
        net = self._trainer.net
        self._after_edit(self._edits.apply(edit, net.params, net.sizes))

    def undo_edit(self):
        what = self._edits.undo(self._trainer.net.params)
        if what is not None:
            self._after_edit(what)

    def redo_edit(self):
        what = self._edits.redo(self._trainer.net.params)
        if what is not None:
            self._after_edit(what)

    def _after_edit(self, what):
        ev = self._trainer.evaluate("test", record=False)
        self._accuracy["test"] = ev.accuracy
        self.publish()
        self._emit("edited", what, ev.accuracy)

    def resume_from(self, step: int):
        """Rewind training to a recorded step of the trajectory and go on from there."""
        step = int(step)
        tr = self._trainer
        traj = tr.trajectory
        rows = np.flatnonzero(traj.step_values() == step) if traj is not None else []
        if not len(rows):
            raise ValueError(f"step {step} was not recorded; pick a point on the timeline")
        self._halt()
        tr.net.set_params(traj.values()[rows[0]])
        tr.rewind_to(step)
        self._edits.clear()
        # the charts keep what they drew up to that step (every point, with its per-layer
        # gradient norms, which the trainer's history does not keep) and drop the rest
        self._emit("feed_truncated", step, tr.epoch + tr.epoch_progress)
        self._accuracy = {"train": None, "test": None}
        self.publish()
        self._emit("resumed", step)

    def _replay_history(self):
        """Report the trainer's recorded history as step and evaluation events (the charts redraw it)."""
        tr = self._trainer
        no_norms = [np.nan] * tr.net.n_layers  # per-layer gradient norms are not recorded
        for step, cost in zip(tr.history.costs.step_values().tolist(), tr.history.costs.values().tolist()):
            self._emit("step", step, cost, no_norms)
        for split, records in tr.history.accuracy.items():
            for epoch, at_step, accuracy, cost in records:
                self._emit("evaluation", dict(split=split, epoch=epoch, step=at_step, accuracy=accuracy, cost=cost))
