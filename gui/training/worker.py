"""The training worker: the thread that runs a core TrainingSession, the one owner of the network.

The GUI never touches the live network. It calls command methods here (safe from any
thread: they only enqueue), and reads results from two thread-safe places:

- `mailbox`: the newest Snapshot only. A newer one replaces an older one, so however fast
  training runs and however long the GUI stalls, no backlog can grow.
- `feed`: the per-step numbers the charts need (cost, gradient norm per layer) and the
  evaluations, drained by the GUI in bulk.

Commands are applied between steps: "pause" takes effect before the next step, and
"step n" runs exactly n mini-batches. What the commands do is `core.session`; this module
only queues them, paces the loop and turns the session's events into Qt signals.
"""
from __future__ import annotations

import queue
import time

from PySide6.QtCore import QThread, Signal

from core.commands import SessionCommands
from core.session import TrainingSession
from core.threads import limit_blas_threads
from gui.training.feeds import Mailbox, StepFeed

GUI_WAIT_LIMIT = 0.05  # s: the longest a step waits for a busy GUI thread


class TrainingWorker(SessionCommands, QThread):
    """Runs training on its own thread; the only code that changes the network.

    Signals:
        diverged(str): the cost became NaN/inf; training paused; the message says why.
        error(str): a command could not be carried out (bad file, bad setting); nothing changed.
        failed(str, str): a step or command raised; training paused, network kept (message, traceback).
        trajectoryReady(object, object, object): steps (K,), parameter rows (K, P) and samples seen (K,),
            read-only copies.
        saved(str): a checkpoint was written to this path.
        loaded(str): a checkpoint was opened from this path.
        rebuilt(): the network was replaced (new architecture, dataset or checkpoint).
        runningChanged(bool): training started or stopped.
        edited(str, float): an edit was applied, undone or redone (what, test accuracy after it).
        resumed(int): training was rewound to this recorded step.
        collapsed(str): an epoch ended at chance or with saturated neurons; training paused; the message says why.
    """

    diverged = Signal(str)
    error = Signal(str)
    failed = Signal(str, str)
    trajectoryReady = Signal(object, object, object)
    saved = Signal(str)
    loaded = Signal(str)
    rebuilt = Signal()
    runningChanged = Signal(bool)
    edited = Signal(str, float)
    resumed = Signal(int)
    collapsed = Signal(str)

    def __init__(self, dataset, sizes=None, activation="sigmoid", cost="quadratic", seed=0,
                 learning_rate=3.0, batch_size=100, optimizer="sgd", parent=None):
        super().__init__(parent)
        self.mailbox = Mailbox()
        self.feed = StepFeed()
        self._commands = queue.SimpleQueue()
        self._signals = {"diverged": self.diverged, "error": self.error, "failed": self.failed, "trajectory": self.trajectoryReady,
                         "saved": self.saved, "loaded": self.loaded, "rebuilt": self.rebuilt,
                         "running": self.runningChanged, "edited": self.edited, "resumed": self.resumed,
                         "collapsed": self.collapsed}
        self._session = TrainingSession(dataset, sizes, activation, cost, seed, learning_rate, batch_size,
                                        optimizer, report=self._on_event)
        self.notices = tuple(self._session.notices)  # settings start-up had to change, one line each
        self._next_due = 0.0
        self._gui_idle = None  # threading.Event set while the GUI thread sleeps (see yield_to)
        self._quit = False

    def _on_event(self, event):
        """Hand a session event on: snapshots to the mailbox, chart rows to the feed, the rest as signals."""
        kind, args = event.kind, event.args
        if kind == "snapshot":
            self.mailbox.put(args[0])
        elif kind == "step":
            self.feed.append(*args)
        elif kind == "evaluation":
            self.feed.add_evaluation(**args[0])
        elif kind == "feed_cleared":
            self.feed.clear()
        elif kind == "feed_truncated":
            self.feed.truncate_after(*args)
        else:
            self._signals[kind].emit(*args)

    # -- commands (any thread) ------------------------------------------------------------
    def _send(self, name, *args):
        self._commands.put((name, args))

    def yield_to(self, gui_idle) -> None:
        """Let training wait (briefly) while the GUI thread is busy, before each step.

        Both threads need the interpreter lock; taking turns every few milliseconds doubles
        the wall time of every GUI frame. `gui_idle` is a threading.Event the GUI sets while
        its event loop sleeps, so a frame runs at full speed and training fills the gaps.
        """
        self._gui_idle = gui_idle

    def stop(self):
        """Ask the thread to finish after the current step (then `wait()` for it)."""
        self._send("quit")

    # -- the thread -------------------------------------------------------------------------
    def run(self):
        limit_blas_threads(1)
        session = self._session
        if session.trainer.step_count == 0:
            session.evaluate()  # the untrained network's accuracy, as the evaluation panel would show it
        while not self._quit:
            self._drain(block=not session.busy)
            if self._quit or not session.busy:
                continue
            # the pace is for Play; Step N and Step epoch go straight to where they were asked
            if session.speed > 0 and session.running and not self._wait_until_due():
                continue
            if self._gui_idle is not None:
                self._gui_idle.wait(GUI_WAIT_LIMIT)
            session.train_one()

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
        period = 1.0 / self._session.speed
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
        if name == "quit":
            self._quit = True
            self._session.stop()
            return
        if name in ("play", "set_speed"):
            self._next_due = 0.0  # a new pace starts now, not where the old one left off
        self._session.apply(name, *args)
