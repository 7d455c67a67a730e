"""The controller: the one place where the window's intents become training commands.

It owns the training worker, the selected neuron, the marked connections and time travel
(a recorded step shown instead of the live network, time_travel.py). Its frame loop (60 Hz)
takes the newest snapshot from the worker's mailbox and hands it to the visible panels only;
hidden panels catch up when they are shown. It is also the host the guided tour drives
(tour_host.py), and tells the learner what the worker reports (worker_reports.py).

The window (a `MainWindow`, or a stand-in in tests) keeps the docks and the look; the
controller reaches it only through `diagram`, `panels`, `timeline`, `status` and a few
methods (`panel_visible`, `show_panel`, `visible_panels`, `show_message`, `warn`,
`set_dataset`) and its signals `panelShown(str)` and `closing()`.
"""
from __future__ import annotations

import threading
import time

from PySide6.QtCore import QAbstractEventDispatcher, QObject, Qt, QTimer, Signal

from core.engine.process import SHOW_EVERY_STEP_UP_TO
from gui.controller.time_travel import TimeTravel
from gui.controller.tour_host import TourHostMixin
from gui.controller.worker_reports import WorkerReportsMixin
from gui.frame_budget import FrameBudget
from gui.widgets import turns

FRAME_MS = 16
CHART_PERIODS = 2.5  # while training runs, the charts redraw once per this many snapshot periods (12 a second at 30)
FEED_TICKS = 2  # while training runs, the chart rows are drained every this many frame ticks (they redraw ≤ 24 Hz)


class Controller(TourHostMixin, WorkerReportsMixin, QObject):
    """Turns intents into worker commands and worker results into what the window shows.

    Signals:
        neuronSelected(int, int): the selected neuron changed (layer, index).
        snapshotShown(object): a snapshot was handed to the panels (for tests and tools).
        architectureChosen(object, str, str, int): the learner rebuilt the network (hidden, activation, cost, seed).
        saved(str): a checkpoint was written to this path.
        loaded(str): a checkpoint was opened from this path.
        refused(str): the worker refused a command (this message); nothing changed.
    """

    neuronSelected = Signal(int, int)
    snapshotShown = Signal(object)
    architectureChosen = Signal(object, str, str, int)
    saved = Signal(str)
    loaded = Signal(str)
    refused = Signal(str)

    def __init__(self, view, worker, parent=None):
        super().__init__(parent)
        self.view = view
        self.worker = worker
        self.session = None  # gui.session.Session: saves the layout and the network when the window closes
        self.actions = None  # gui.menus.WindowActions
        self.persist = False  # whether closing saves the layout and an autosave
        self.startup_notices = ()  # what start-up had to change, shown in the status bar
        self._selected = None  # (layer, index)
        self._marked = []  # the last two connections chosen (the surface's two-weight plane)
        self._shown = None  # the snapshot the panels show now
        self.time_travel = TimeTravel(view, worker, self._show)
        self._budget = FrameBudget()  # how often live snapshots are shown while training runs
        self._staggered = []  # panels still to be given the round's snapshot, one per frame tick
        self._round = None  # the snapshot of the panels' round in progress
        self._ticks = 0  # frame ticks so far
        self._gui_idle = threading.Event()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.timeout.connect(self.frame)
        self._closed = False
        self._connect()
        self.select_neuron(1, 0)

    # -- lifetime ----------------------------------------------------------------------------
    def start(self):
        """Start training's thread and the frame loop."""
        # Training waits while the event loop is awake. Qt's own dispatchers (Windows, macOS,
        # and Linux with QT_NO_GLIB=1) announce waking; the GLib one used by default on Linux
        # does not, so there the gate stays open and the two threads share the lock as usual
        # (measured: no better either way on Linux, see benchmarks/gui_responsiveness.py).
        self._gui_idle.set()
        dispatcher = QAbstractEventDispatcher.instance()
        if dispatcher is not None:
            dispatcher.awake.connect(self._gui_idle.clear)
            dispatcher.aboutToBlock.connect(self._gui_idle.set)
            self.worker.yield_to(self._gui_idle)
        self.worker.start()
        # the pace chosen so far (the default, or the remembered one) goes with the running engine:
        # a command sent before the start was lost, and Play ran as fast as possible
        self.worker.set_speed(self.view.panels["training"].speed_setting())
        self._timer.start(FRAME_MS)

    def shutdown(self):
        """Stop the frame loop, save the session if asked to, and end training's thread."""
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        if self.persist and self.session is not None:
            self.session.save_layout()
            self.session.autosave_now()
        self.worker.stop()
        self.worker.wait(10000)

    def _connect(self):
        w, v, p = self.worker, self.view, self.view.panels
        tp = p["training"]
        tp.playRequested.connect(w.play)
        tp.pauseRequested.connect(w.pause)
        tp.stepRequested.connect(w.step)
        tp.stepEpochRequested.connect(w.step_epoch)
        tp.resetRequested.connect(self.reset)
        tp.learningRateChanged.connect(w.set_learning_rate)
        tp.batchSizeChanged.connect(w.set_batch_size)
        tp.optimizerChanged.connect(w.set_optimizer)
        tp.speedChanged.connect(w.set_speed)
        tp.rebuildRequested.connect(self.rebuild)
        w.set_speed(tp.speed_setting())
        self._connect_reports()
        w.rebuilt.connect(self._on_rebuilt)
        w.trajectoryReady.connect(self.time_travel.take)
        w.runningChanged.connect(lambda running: running or w.request_trajectory())
        w.resumed.connect(lambda step: w.request_trajectory())
        w.saved.connect(self.saved)
        w.loaded.connect(self.loaded)

        v.diagram.neuronSelected.connect(self.select_neuron)
        v.diagram.connectionSelected.connect(self.select_connection)
        p["surface"].trajectoryWanted.connect(w.request_trajectory)
        p["sample"].exampleRequested.connect(self.show_example)
        p["sample"].followBatchToggled.connect(w.follow_batch)
        p["draw"].inputDrawn.connect(w.show_input)
        p["draw"].cleared.connect(lambda: w.follow_batch(True))
        p["stumble"].comparisonReady.connect(p["surface"].show_step_arrows)
        p["probes"].inputRequested.connect(w.show_input)
        p["probes"].backToData.connect(lambda: w.follow_batch(True))
        p["evaluation"].exampleRequested.connect(self.show_example)
        p["ranking"].connectionSelected.connect(self.select_connection)
        p["ranking"].neuronSelected.connect(self.select_neuron)
        p["matrix"].neuronSelected.connect(self.select_neuron)
        p["matrix"].neuronHovered.connect(v.diagram.highlight_neuron)
        p["patterns"].neuronSelected.connect(self.select_neuron)
        p["patterns"].neuronHovered.connect(v.diagram.highlight_neuron)
        p["chain_rule"].connectionSelected.connect(self.select_connection)
        p["edit"].editRequested.connect(w.apply_edit)
        p["edit"].undoRequested.connect(w.undo_edit)
        p["edit"].redoRequested.connect(w.redo_edit)
        p["paint"].editRequested.connect(w.apply_edit)
        p["paint"].undoRequested.connect(w.undo_edit)
        p["tour"].set_host(self)
        v.timeline.stepScrubbed.connect(self.show_history_step)
        v.timeline.resumeRequested.connect(self.resume_from)
        v.timeline.backToLive.connect(self.back_to_live)
        v.panelShown.connect(self._panel_shown)
        v.closing.connect(self.shutdown)

    # -- what is shown -------------------------------------------------------------------------
    def latest(self):
        """Return the newest live snapshot."""
        return self.worker.mailbox.peek()

    def shown(self):
        """Return the snapshot the panels show now (a recorded one while time travelling), or None."""
        return self._shown

    # -- the frame ---------------------------------------------------------------------------
    def frame(self):
        """Drain the feed into the charts and show the newest snapshot if one is due."""
        self._ticks += 1
        if self._ticks % FEED_TICKS == 0 or not self.worker.mailbox.running:
            feed = self.worker.feed.drain()
            if feed is not None:
                self._feed_charts(feed)
        now = time.monotonic()
        charts = self.view.panels["charts"]
        if not self.worker.mailbox.running:  # asked of the mailbox: a snapshot not shown need not be made
            if self._budget.period != self._budget.shortest:
                charts.set_redraw_period(0)
            self._budget.reset()
        elif not self._budget.due(now) and not self._every_step():
            self._show_staggered()
            return  # the GUI thread keeps time to spare for the pointer and the panels
        snap = self.worker.mailbox.take()
        if snap is not None:
            if snap.running:
                turns.TURNS.take("snapshot", force=True)  # the diagram first: it is what moves
            self.view.status.update_snapshot(snap)
            self.view.timeline.set_live_step(snap.step)
            self.time_travel.after_hand_steps(snap)
            if not self.time_travel.active:
                self._show(snap)
            if snap.running:
                self._budget.shown(time.monotonic())
                # the charts redraw on a timer of their own: slowed down in proportion
                charts.set_redraw_period(CHART_PERIODS * self._budget.period)
        # one waiting panel per tick, the diagram as often as the budget allows: training runs
        # in its own process, so the window's time no longer slows it
        self._show_staggered()

    def _every_step(self) -> bool:
        """Whether training is paced slowly enough that each step is shown, whatever the budget says."""
        # the pace the worker was told, not the panel's: tools and tests set it on the worker
        return 0 < (self.worker.pace or 0) <= SHOW_EVERY_STEP_UP_TO

    def _feed_charts(self, feed):
        self.view.panels["charts"].take_feed(feed)

    def _show(self, snap):
        """Hand a snapshot to the diagram and every visible panel.

        While training runs, the panels get it one per frame tick after the diagram: each
        refreshes on a turn of the event loop of its own instead of all in one burst, which
        would hold the loop (and the pointer) for the sum of their times. A newer snapshot
        does not send a waiting panel to the back of the queue: each gets its turn. They are
        given one at most 10 times a second (the budget's `panels_due`); the diagram gets each.
        """
        self._shown = snap
        self.view.diagram.set_snapshot(snap)
        if snap.running:
            if self._budget.panels_due(time.monotonic()):
                # one snapshot for the whole round: panels side by side show the same step
                self._round = snap
                self._staggered += [name for name in self._visible_panels() if name not in self._staggered]
        else:
            self._staggered = []
            for name in self._visible_panels():
                self.view.panels[name].set_snapshot(snap)
        self.snapshotShown.emit(snap)

    def _visible_panels(self) -> list:
        """Return the names of the panels in view that show snapshots (asked only when they get one)."""
        return [name for name, widget in self.view.panels.items()
                if hasattr(widget, "set_snapshot") and self.view.panel_visible(name)]

    def _show_staggered(self) -> bool:
        """Give the next waiting panel the round's snapshot; return whether one was waiting."""
        while self._staggered:
            name = self._staggered.pop(0)
            if self.view.panel_visible(name):
                # the panels keep their pace (they share ticks with snapshots); charts and
                # connections wait for a tick with neither
                turns.TURNS.take("panel", force=True)
                self.view.panels[name].set_snapshot(self._round)
                return True
        return False

    def _panel_shown(self, name):
        panel = self.view.panels[name]
        if self._shown is not None and hasattr(panel, "set_snapshot"):
            panel.set_snapshot(self._shown)

    # -- intents -----------------------------------------------------------------------------
    def select_neuron(self, layer: int, index: int):
        """Make (layer, index) the selected neuron in every view."""
        sizes = self.latest().sizes
        if not (0 <= layer < len(sizes) and 0 <= index < sizes[layer]):
            return
        if self._selected == (layer, index):
            return
        self._selected = (layer, index)
        self.view.diagram.select_neuron(layer, index)
        for name in ("inspector", "batch", "edit", "patterns", "paint"):
            self.view.panels[name].set_neuron(layer, index)
        self.view.panels["matrix"].set_selected_neuron(layer, index)
        self.neuronSelected.emit(layer, index)

    def selected_neuron(self):
        return self._selected

    def marked_connections(self) -> list:
        """Return the last two connections chosen: [(weight_layer, to, from_)], oldest first."""
        return list(self._marked)

    def select_connection(self, weight_layer: int, to: int, from_: int):
        """Make a connection the chosen one: marked in the diagram, explained, a surface axis."""
        self._marked = (self._marked + [(weight_layer, to, from_)])[-2:]
        self.view.diagram.set_marked_connections(self._marked)
        self.view.panels["surface"].select_connection(weight_layer, to, from_)
        self.view.panels["chain_rule"].select_connection(weight_layer, to, from_)
        self.select_neuron(weight_layer + 1, to)

    def show_example(self, split: str, index: int):
        self.worker.show_example(split, index)

    def show_input(self, x):
        """Show a drawn input (n_inputs values in [0, 1]) instead of an example of the dataset."""
        self.worker.show_input(x)

    def follow_batch(self):
        """Show the first example of each mini-batch trained on again."""
        self.worker.follow_batch(True)

    def reset(self, seed=None):
        self.time_travel.leave()
        self.worker.reset(seed)

    def rebuild(self, hidden, activation, cost, seed):
        self.time_travel.leave()
        self.worker.rebuild(hidden, activation, cost, seed)
        self.architectureChosen.emit(tuple(hidden), activation, cost, int(seed))

    def open_dataset(self, dataset):
        """Switch to another dataset: a new network fitted to its inputs and classes."""
        self.time_travel.leave()
        self.worker.set_dataset(dataset)
        self.view.set_dataset(dataset)

    def play(self):
        self.worker.play()

    def evaluate(self):
        self.worker.evaluate()

    def undo_edit(self):
        self.worker.undo_edit()

    def redo_edit(self):
        self.worker.redo_edit()

    def save(self, path):
        self.worker.save(path)

    def load(self, path):
        self.worker.load(path)

    def export_history(self, path):
        self.worker.export_history(path)

    # -- time travel (gui/controller/time_travel.py) ----------------------------------------
    @property
    def trajectory(self):
        """The recorded steps (K,) and parameter rows (K, P) the timeline offers (rows None before any)."""
        return self.time_travel.trajectory

    def show_history_step(self, step: int, row: int):
        """Show the network as recorded at trajectory row `row` (step `step`), read-only."""
        self.time_travel.show_step(step, row)

    def is_historic(self) -> bool:
        """Whether a recorded step is shown instead of the live network."""
        return self.time_travel.active

    def back_to_live(self):
        self.time_travel.leave()

    def resume_from(self, step: int):
        self.time_travel.leave()
        self.worker.resume_from(step)

    # -- worker events (the rest: gui/controller/worker_reports.py) --------------------------
    def _on_rebuilt(self):
        self._selected = None
        self._marked = []
        self.view.diagram.set_marked_connections([])
        self.time_travel.forget()
        sizes = self.latest().sizes
        self.select_neuron(1 if len(sizes) > 1 else 0, 0)
