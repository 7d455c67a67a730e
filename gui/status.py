"""The status bar: step, epoch, last cost, test accuracy and training speed at a glance."""
from __future__ import annotations

import time

from PySide6.QtWidgets import QStatusBar

from core.history.series import StepRate
from gui.widgets.steady_label import SteadyLabel


def accuracy_text(snap) -> str:
    """Return the test accuracy as the status bar says it, with its step when that is not the one shown."""
    if snap.test_accuracy is None:
        return "test accuracy –"
    measured = (snap.extra or {}).get("accuracy_step")
    when = f" at step {measured:,}" if measured is not None and measured != snap.step else ""
    return f"test accuracy {snap.test_accuracy:.2%}{when}"


class StatusLine:
    """Permanent labels in a QStatusBar, updated from snapshots."""

    FIELDS = ("step", "epoch", "cost", "accuracy", "speed")

    def __init__(self, bar: QStatusBar):
        self.labels = {}
        for name in self.FIELDS:
            label = SteadyLabel(parent=bar, min_width=110)  # set 20+ times a second: must not relayout the window
            bar.addPermanentWidget(label)
            self.labels[name] = label
        # the same measure as the training panel's, so the two never disagree
        self._rate = StepRate()
        self.steps_per_second = 0.0

    def update_snapshot(self, snap) -> None:
        rate = self._rate.update(time.monotonic(), snap.step)
        self.steps_per_second = rate if snap.running and rate is not None else 0.0
        self.labels["step"].setText(f"step {snap.step:,}")
        self.labels["epoch"].setText(f"epoch {snap.epoch + 1} · {snap.epoch_progress:.0%}")
        cost = "–" if snap.last_cost is None else f"{snap.last_cost:.4f}"
        self.labels["cost"].setText(f"batch cost {cost}")
        self.labels["accuracy"].setText(accuracy_text(snap))
        self.labels["speed"].setText(f"{self.steps_per_second:,.0f} steps/s" if snap.running else "paused")
