"""Heavy GUI jobs take turns: at most one starts per frame tick, so their costs do not pile up.

While training runs, the window's thread does a few costly things on timers of their own:
showing a snapshot (~5 ms with its paint), redrawing the charts (~7 ms), recolouring the
connections (~7 ms), refreshing a side panel (2-4 ms). Each alone keeps the event loop
live; two in one 16 ms tick hold the pointer and the keys for a whole frame. A job that finds
the tick taken waits for the next one, a limited number of times (so none is starved).
"""
from __future__ import annotations

import time

TICK = 0.016  # s: a frame
TAKEN_FOR = 0.8 * TICK  # s: a turn taken this recently keeps the tick taken
MAX_WAITS = 3  # a job waits at most this many ticks, then runs whatever else ran


class Turns:
    """One turn per frame tick for the GUI thread's heavy jobs."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._taken_at = -1.0
        self._waits = {}  # job → ticks it has waited in a row

    def take(self, job: str, force: bool = False) -> bool:
        """Return whether `job` may run now (and if so take the turn); force: it runs anyway."""
        now = self._clock()
        if not force and now - self._taken_at < TAKEN_FOR and self._waits.get(job, 0) < MAX_WAITS:
            self._waits[job] = self._waits.get(job, 0) + 1
            return False
        self._waits[job] = 0
        self._taken_at = now
        return True

    def wait_ms(self) -> int:
        """Return milliseconds until the turn taken last is over (for a job told to wait)."""
        return max(1, int((self._taken_at + TAKEN_FOR - self._clock()) * 1000) + 1)


TURNS = Turns()  # the window's thread's turns (one GUI thread, so one instance)
