"""What the learner is told when the worker reports trouble or news: the status line and dialogs."""
from __future__ import annotations

from gui.widgets.fault_box import show_fault


class WorkerReportsMixin:
    """Tell the learner, through the controller's `view`, what the `worker` reports.

    Divergence and collapse pause training and say so in the Training panel; a refused
    command is a warning; an unexpected fault opens the fault box (kept in `fault_box`);
    an engine process that stopped offers a restart from the snapshot the window holds.
    """

    fault_box = None  # the last fault box shown

    def _connect_reports(self):
        w, v = self.worker, self.view
        w.diverged.connect(self._on_diverged)
        w.collapsed.connect(self._on_collapsed)
        w.error.connect(self._on_error)
        w.failed.connect(self._on_failed)
        w.edited.connect(lambda what, acc: v.show_message(
            f"Edit: {what} — test accuracy now {acc:.2%} (Ctrl+Z undoes)", 8000))
        if hasattr(w, "engineDied"):  # training in a process of its own
            w.engineDied.connect(self._on_engine_died)

    def restart_engine(self):
        """Start a new engine from the newest snapshot the window holds."""
        self.worker.restart()
        self.view.show_message(f"Training engine restarted at step {self.worker.mailbox.peek().step}", 8000)

    def _on_diverged(self, message):
        self.view.panels["training"].show_divergence(message)
        self.view.show_message("Training paused: the cost diverged", 10000)

    def _on_collapsed(self, message):
        self.view.panels["training"].show_collapse(message)
        self.view.show_message("Training paused: the run collapsed", 10000)

    def _on_error(self, message):
        self.refused.emit(message)
        self.view.show_message(message, 10000)
        self.view.warn(message)

    def _on_failed(self, message, details):
        self.view.show_message("Training paused: something went wrong (see the message)", 10000)
        self.fault_box = show_fault(self.view, message, details)

    def _on_engine_died(self, message):
        """Say that training stopped and offer to carry on from the snapshot the window holds."""
        from gui.desktop.engine_dialog import offer_restart

        self.view.show_message("The training engine stopped: the window keeps its last snapshot", 0)
        offer_restart(self.view, message, self.worker.mailbox.peek().step, self.restart_engine)
