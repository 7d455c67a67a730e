"""Background jobs for the panels: one at a time off the GUI thread, the newest request wins."""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    # lives on the GUI thread; a job emits from the pool thread, so delivery is queued
    progress = Signal(int, object)
    done = Signal(int, object)
    failed = Signal(int, str)


class _Newest:
    """The token of the newest request, shared by a runner and its jobs (read across threads)."""

    def __init__(self):
        self.value = 0


class Job:
    """What a running job may ask of its runner: whether it is still wanted, and to report progress."""

    def __init__(self, token: int, newest: _Newest, relay: _Relay):
        self.token, self._newest, self._relay = token, newest, relay

    @property
    def superseded(self) -> bool:
        """Whether a newer request (or `cancel`) made this job's results unwanted: stop at the next chance."""
        return self._newest.value != self.token

    def report(self, payload) -> None:
        """Send `payload` to the runner's `progress` signal (not delivered once superseded)."""
        self._relay.progress.emit(self.token, payload)


class _Task(QRunnable):
    def __init__(self, fn, job: Job, relay: _Relay, with_job: bool):
        super().__init__()
        self.fn, self.job, self.relay, self.with_job = fn, job, relay, with_job

    def run(self):
        token = self.job.token
        try:
            result = self.fn(self.job) if self.with_job else self.fn()
        except Exception as exc:  # noqa: BLE001 - reported to the view, never lost in the pool
            self.relay.failed.emit(token, f"{type(exc).__name__}: {exc}")
        else:
            self.relay.done.emit(token, result)


class BackgroundRunner(QObject):
    """Run one function at a time off the GUI thread; a newer request replaces a queued one.

    Only the newest request's progress and result are reported, so a slow answer about old
    parameters never overwrites a newer one. `submit(fn)` runs `fn()`; `submit(fn, with_job=True)`
    runs `fn(job)`, which may `job.report(payload)` along the way and should return early once
    `job.superseded` (a newer request came, or `cancel()`). Give it functions that only read
    copies (snapshot arrays are read-only already).

    pool: a QThreadPool to run in (default: one thread of the runner's own).

    Signals: progress(object payload), finished(object result), failed(str message).
    """

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, parent=None, pool: QThreadPool | None = None):
        super().__init__(parent)
        if pool is None:
            pool = QThreadPool(self)
            pool.setMaxThreadCount(1)
        self._pool = pool
        self._relay = _Relay()  # no parent: a running job keeps it alive even if this runner goes
        self._relay.progress.connect(self._on_progress)
        self._relay.done.connect(self._on_done)
        self._relay.failed.connect(self._on_failed)
        self._newest = _Newest()
        self._in_flight = set()  # tokens of the jobs started whose end has not been delivered yet
        self._pending = None  # (token, fn, with_job): the newest request, waiting for its turn

    @property
    def busy(self) -> bool:
        return bool(self._in_flight) or self._pending is not None

    def submit(self, fn, with_job: bool = False) -> None:
        self._newest.value += 1
        self._pending = (self._newest.value, fn, with_job)
        if not self._in_flight:
            self._start_pending()

    def cancel(self) -> None:
        """Drop a queued request and tell a running job it is superseded; report nothing more."""
        self._newest.value += 1
        self._pending = None

    def wait(self, msecs: int = 10000) -> bool:
        """Block until every request so far has run (for scripts, tests and shutdown); return whether they have."""
        deadline = time.monotonic() + msecs / 1000
        while self._pool.waitForDone(max(0, int((deadline - time.monotonic()) * 1000))):
            if self._pending is None:
                self._in_flight.clear()  # they all ended; the news of it is still on its way
                return True
            # the pool is idle, but the end of its last job waits in the blocked event loop: go on now
            self._start_pending()
        return False

    def _start_pending(self):
        token, fn, with_job = self._pending
        self._pending = None
        self._in_flight.add(token)
        self._pool.start(_Task(fn, Job(token, self._newest, self._relay), self._relay, with_job))

    def _ended(self, token):
        self._in_flight.discard(token)
        if not self._in_flight and self._pending is not None:
            self._start_pending()

    def _on_progress(self, token, payload):
        if token == self._newest.value:
            self.progress.emit(payload)

    def _on_done(self, token, result):
        self._ended(token)
        if token == self._newest.value:
            self.finished.emit(result)

    def _on_failed(self, token, message):
        self._ended(token)
        if token == self._newest.value:
            self.failed.emit(message)
