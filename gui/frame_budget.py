"""How often the window shows a new snapshot while training runs: as often as its budget allows.

Every snapshot shown costs the GUI thread time (diagram, inspector, example, status). Training
runs in a process of its own, so that time no longer slows it; what it must not do is fill
the GUI thread, which also answers the pointer and keys. So the period between live snapshots
stretches when the GUI thread has been busier than its share of the wall clock, and shrinks
back when it has time to spare: a fast machine shows a new snapshot every frame or two, a
slow or loaded one fewer.
"""
from __future__ import annotations

import time

from gui.widgets.support import PANEL_REFRESH_MS

SHORTEST = 1 / 60  # s between live snapshots when the GUI thread has time to spare: every frame
LONGEST = 1 / 5  # s: never fewer than five snapshots a second
# of the wall clock, the GUI thread's busy time the period aims for: the window's process has a
# core of its own now (training is in another), but what it takes beyond this came out of
# training's share on two cores (measured, once the counters stopped relaying out the window:
# 0.5 gives 33-36 snapshots a second, 0.6 gave ~40 and ~3 % less training)
SHARE = 0.5
GROWTH = 1.25  # factor the period changes by at each snapshot
SLACK = 0.004  # s: a frame tick may come this much early (the 16 ms timer against a 1/60 s period)
TICK = 0.016  # s: the frame timer's interval
PANEL_PERIOD = PANEL_REFRESH_MS / 1000  # s: while training runs, the panels beside the diagram refresh at most this often


class FrameBudget:
    """Decide when the next live snapshot is due from the GUI thread's measured busy time.

    Call `due(now)` on each frame tick and `shown(now)` after showing a snapshot; both on the
    GUI thread (its CPU clock is what is measured). `reset()` when training stops.

    Busy is the larger of two shares of the wall clock: the GUI thread's CPU time, and the time
    the frame ticks came late. On a loaded machine the thread gets less CPU than it wants, so
    its CPU share looks small while its events queue up; the late ticks tell.
    """

    def __init__(self, shortest=SHORTEST, longest=LONGEST, share=SHARE, clock=time.thread_time, tick=TICK):
        self.shortest, self.longest, self.share, self.tick = shortest, longest, share, tick
        self.period = shortest
        self._clock = clock
        self._last = None  # (wall, GUI CPU) at the last snapshot shown
        self._panels_at = None  # wall time the panels were last given a snapshot
        self._ticked = None  # wall time of the last tick
        self._late = 0.0  # seconds the ticks came late since the last snapshot shown

    def due(self, now: float) -> bool:
        if self._ticked is not None:
            self._late += max(0.0, now - self._ticked - self.tick - SLACK)
        self._ticked = now
        # with no slack, a 16 ms tick missed a 16.7 ms period and every other frame went without
        return self._last is None or now - self._last[0] >= self.period - SLACK

    def shown(self, now: float) -> None:
        cpu = self._clock()
        if self._last is not None:
            wall = now - self._last[0]
            if wall > 0:
                busy = max(cpu - self._last[1], self._late) / wall
                if busy > self.share:
                    self.period = min(self.longest, self.period * GROWTH)
                elif busy < 0.7 * self.share:
                    self.period = max(self.shortest, self.period / GROWTH)
        self._last, self._late = (now, cpu), 0.0

    def panels_due(self, now: float) -> bool:
        """Return whether the panels beside the diagram get the snapshot shown now, and if so note it.

        The diagram is what moves; the panels' numbers are read, and ten new ones a second are
        as live to the eye while they leave the diagram most of the panels' time.
        """
        if self._panels_at is not None and now - self._panels_at < PANEL_PERIOD - SLACK:
            return False
        self._panels_at = now
        return True

    def reset(self) -> None:
        """Forget the measurement (training paused): the next snapshot is due at once."""
        self._last = self._panels_at = self._ticked = None
        self._late = 0.0
        self.period = self.shortest
