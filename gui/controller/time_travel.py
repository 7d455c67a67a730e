"""Time travel: a recorded step of training shown instead of the live network."""
from __future__ import annotations

import numpy as np

from core.snapshot import recorded_snapshot


class TimeTravel:
    """Keep the recorded trajectory and the recorded step shown in place of the live snapshot.

    It holds the trajectory the worker last sent (the steps the timeline offers and their
    parameter rows), rebuilds a read-only Snapshot from one row on request, and asks for a
    fresh trajectory once steps taken by hand are done. `show` hands a snapshot to the panels.
    """

    def __init__(self, view, worker, show):
        self.view = view
        self.worker = worker
        self._show = show
        self.historic = None  # a snapshot from the timeline, shown instead of live ones
        self.trajectory = (np.zeros(0, np.int64), None)  # steps (K,), parameter rows (K, P) or None
        self._samples = None  # samples seen at each row: the recorded step's own counters
        self._asked_at = 0  # the live step the trajectory was last asked for

    @property
    def active(self) -> bool:
        """Whether a recorded step is shown instead of the live network."""
        return self.historic is not None

    def show_step(self, step: int, row: int):
        """Show the network as recorded at trajectory row `row` (step `step`), read-only."""
        rows, samples = self.trajectory[1], self._samples
        if rows is None or not 0 <= row < len(rows):
            return
        seen = samples[row] if samples is not None and row < len(samples) else None
        live = self.worker.mailbox.peek()
        self.historic = recorded_snapshot(live, rows[row], step, seen, len(self.view.dataset.train_labels))
        self._show(self.historic)

    def leave(self):
        """Go back to the live network, if a recorded step is shown."""
        if self.historic is not None:
            self.historic = None
            self._show(self.worker.mailbox.peek())

    def take(self, steps, rows, samples):
        """Keep a trajectory the worker sent and offer its steps to the surface and the timeline."""
        self.trajectory = (steps, rows)
        self._samples = samples
        self.view.panels["surface"].set_trajectory(steps, rows)
        self.view.timeline.set_steps(steps)

    def forget(self):
        """Drop the trajectory of a network that is gone (rebuilt)."""
        self.trajectory = (np.zeros(0, np.int64), None)

    def after_hand_steps(self, snap):
        """Ask for the trajectory once steps taken by hand (→, Step N, Step epoch) are done.

        Play asks for it when it stops; without this the timeline had nothing to offer in
        the step-by-step flow.
        """
        if snap.running or snap.extra.get("pending") or snap.step == self._asked_at:
            return
        self._asked_at = snap.step
        if snap.step > 0:
            self.worker.request_trajectory()
