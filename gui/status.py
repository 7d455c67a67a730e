"""The status bar: step, epoch, last cost, test accuracy and training speed at a glance."""
from __future__ import annotations

import time
from collections import deque

from PySide6.QtWidgets import QLabel, QStatusBar


class StatusLine:
    """Permanent labels in a QStatusBar, updated from snapshots."""

    FIELDS = ("step", "epoch", "cost", "accuracy", "speed")

    def __init__(self, bar: QStatusBar):
        self.labels = {}
        for name in self.FIELDS:
            label = QLabel(bar)
            label.setMinimumWidth(110)
            bar.addPermanentWidget(label)
            self.labels[name] = label
        self._samples = deque(maxlen=30)  # (time, step) to measure steps per second
        self.steps_per_second = 0.0

    def update_snapshot(self, snap) -> None:
        now = time.perf_counter()
        if self._samples and snap.step < self._samples[-1][1]:
            self._samples.clear()  # reset or reloaded
        self._samples.append((now, snap.step))
        (t0, s0), (t1, s1) = self._samples[0], self._samples[-1]
        self.steps_per_second = (s1 - s0) / (t1 - t0) if snap.running and t1 > t0 else 0.0
        self.labels["step"].setText(f"step {snap.step:,}")
        self.labels["epoch"].setText(f"epoch {snap.epoch + 1} · {snap.epoch_progress:.0%}")
        cost = "–" if snap.last_cost is None else f"{snap.last_cost:.4f}"
        self.labels["cost"].setText(f"batch cost {cost}")
        acc = "–" if snap.test_accuracy is None else f"{snap.test_accuracy:.2%}"
        self.labels["accuracy"].setText(f"test accuracy {acc}")
        self.labels["speed"].setText(f"{self.steps_per_second:,.0f} steps/s" if snap.running else "paused")
