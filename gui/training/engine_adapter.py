"""The Qt side of the engine process: commands in; snapshots, chart rows and signals out.

It offers what the window used from the in-process training thread: the command methods,
`mailbox` (the newest Snapshot), `feed` (chart rows, drained in bulk) and the same signals.
A 60 Hz timer moves the engine's newest snapshot into the mailbox and its events into
signals; the training itself runs in another process, so it never waits for the window's
interpreter lock, and a crash there cannot take the window down.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from core.commands import SessionCommands
from core.engine.handle import EngineHandle
from core.engine.initial import initial_snapshot
from core.remembered import settle_settings
from gui.training.feeds import RecipeMailbox

POLL_MS = 16


class EngineWorker(SessionCommands, QObject):
    """Runs training in the engine process; the window's only way to change the network.

    Signals:
        diverged(str): the cost became NaN/inf; training paused; the message says why.
        collapsed(str): an epoch ended at chance or with saturated neurons; training paused; the message says why.
        error(str): a command could not be carried out (bad file, bad setting); nothing changed.
        failed(str, str): a step or command raised in the engine; training paused, network kept
            (message, traceback).
        trajectoryReady(object, object, object): steps (K,), parameter rows (K, P) and samples seen (K,),
            read-only copies.
        saved(str) / loaded(str): a checkpoint was written to / opened from this path.
        rebuilt(): the network was replaced (new architecture, dataset or checkpoint).
        runningChanged(bool): training started or stopped.
        edited(str, float): an edit was applied, undone or redone (what, test accuracy after it).
        resumed(int): training was rewound to this recorded step.
        engineDied(str): the engine process ended unasked; the message says how.
        engineRestarted(int): a new engine carries on from this step.
        answered(int): the engine has applied every command sent before `ping(token)`.
    """

    diverged = Signal(str)
    collapsed = Signal(str)
    error = Signal(str)
    failed = Signal(str, str)
    trajectoryReady = Signal(object, object, object)
    saved = Signal(str)
    loaded = Signal(str)
    rebuilt = Signal()
    runningChanged = Signal(bool)
    edited = Signal(str, float)
    resumed = Signal(int)
    engineDied = Signal(str)
    engineRestarted = Signal(int)
    answered = Signal(int)

    def __init__(self, dataset, sizes=None, activation="sigmoid", cost="quadratic", seed=0,
                 learning_rate=3.0, batch_size=100, optimizer="sgd", parent=None):
        super().__init__(parent)
        self._dataset = dataset
        # settled here, so the first picture is the engine's, and start-up's notices are known at once
        self._settings, self.notices = settle_settings(dataset, sizes, activation, cost, seed, learning_rate,
                                                       batch_size, optimizer)
        self.mailbox = RecipeMailbox()
        # the first frame comes from the initial network, before the engine has even started
        self.mailbox.put(initial_snapshot(dataset, **self._settings))
        self._handle = None
        self._early = []  # commands sent before start(): applied, in order, once the engine runs
        self._crash = ""
        self._signals = {"diverged": self.diverged, "error": self.error, "failed": self.failed, "saved": self.saved,
                         "loaded": self.loaded, "rebuilt": self.rebuilt, "running": self.runningChanged,
                         "edited": self.edited, "resumed": self.resumed, "collapsed": self.collapsed,
                         "pong": self.answered}
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.timeout.connect(self.pump)

    @property
    def feed(self):
        """Chart rows since the last drain: `feed.drain()` returns a FeedBatch or None."""
        return self._handle if self._handle is not None else _NoFeed

    # -- lifetime ------------------------------------------------------------------------------
    def start(self):
        """Start the engine process (returns at once; its first snapshot follows)."""
        if self._handle is None:
            self._handle = EngineHandle(self._dataset, self._settings)
            for name, args in self._early:
                self._handle.send(name, *args)
            self._early.clear()
            self._timer.start(POLL_MS)

    def stop(self):
        """End the engine (within ~2 s) and remove its shared memory."""
        self._timer.stop()
        if self._handle is not None:
            self._handle.close()

    def wait(self, msecs: int = 0) -> bool:
        """Return whether the engine has ended (stop() already waited for it)."""
        return self.isFinished()

    def isFinished(self) -> bool:
        return self._handle is None or self._handle.ring is None or not self._handle.alive

    @property
    def engine_published(self) -> bool:
        """Whether the engine has announced its snapshots (before that, the window shows the initial network)."""
        return self._handle is not None and self._handle.published

    @property
    def engine_pid(self) -> int | None:
        """The engine process's id (None before it starts)."""
        return None if self._handle is None else self._handle.process.pid

    def alive(self) -> bool:
        return self._handle is not None and self._handle.alive

    def restart(self):
        """Start a new engine from the newest snapshot held here (after the engine died)."""
        snap = self.mailbox.peek()
        self._crash = ""
        self._handle.restart(snap)
        self._timer.start(POLL_MS)
        self.engineRestarted.emit(snap.step)

    def yield_to(self, gui_idle) -> None:
        """Nothing to do: training no longer shares this process's interpreter lock."""

    # -- the timer -------------------------------------------------------------------------------
    def pump(self):
        """Move the engine's newest snapshot to the mailbox, then its events to signals.

        The engine writes a snapshot before it reports what led to it, so once the events
        are read the snapshot taken after them is at least as new as any of them.
        """
        handle = self._handle
        events = handle.poll_events()
        recipe = handle.newest_recipe()
        if recipe is not None:
            self.mailbox.put_recipe(recipe)  # made into a Snapshot only if the frame loop looks at it
        for kind, args in events:
            if kind == "trajectory":
                self.trajectoryReady.emit(*args)
            elif kind == "crashed":
                self._crash = args[0].strip().splitlines()[-1]
            elif kind == "died":
                self._timer.stop()
                self.engineDied.emit(self._death_message(args[0]))
                return
            elif kind in self._signals:
                self._signals[kind].emit(*args)

    def _death_message(self, exitcode) -> str:
        how = self._crash or (f"killed by signal {-exitcode}" if exitcode and exitcode < 0
                              else f"exit status {exitcode}")
        return f"The training engine stopped ({how}). The window keeps the network as it was at step" \
               f" {self.mailbox.peek().step}."

    # -- commands --------------------------------------------------------------------------------
    def _send(self, name, *args):
        if self._handle is None:
            self._early.append((name, args))
        else:
            self._handle.send(name, *args)

    def set_dataset(self, dataset):
        self._dataset = dataset
        if self._handle is not None:
            self._handle.set_dataset(dataset)

    def ping(self, token: int = 0):
        """Ask the engine to answer (signal `answered`) once it has applied the commands sent so far."""
        self._send("ping", int(token))


class _NoFeed:
    """The feed before the engine starts: nothing to drain."""

    @staticmethod
    def drain():
        return None
