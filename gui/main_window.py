"""The main window: the network diagram in the centre, dockable panels around it.

It owns the training worker and is the one place where panels' intents become worker
commands. A 60 Hz timer takes the newest snapshot from the worker's mailbox and hands it
to the visible panels only; hidden panels catch up when they are shown.
"""
from __future__ import annotations

import threading
import time

import numpy as np
from PySide6.QtCore import QAbstractEventDispatcher, QSettings, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from core.network import Network
from core.snapshot import make_snapshot
from gui.frame_budget import FrameBudget
from gui.menus import WindowActions
from gui.panels import PANELS, PANELS_BY_NAME, create_panel
from gui.session import Session
from gui.status import StatusLine
from gui.training.keys import TrainingKeys
from gui.training.worker import TrainingWorker
from gui.widgets.theme import theme

FRAME_MS = 16
CHART_PERIODS = 2.5  # while training runs, the charts redraw once per this many snapshot periods


class PanelScroller(QScrollArea):
    """A scroll area that asks for its panel's preferred size (QScrollArea caps it)."""

    def sizeHint(self):
        inner = self.widget().sizeHint() if self.widget() is not None else super().sizeHint()
        return inner + QSize(self.verticalScrollBar().sizeHint().width() + 2, 2)


class MainWindow(QMainWindow):
    """The app's window.

    Signals:
        neuronSelected(int, int): the selected neuron changed (layer, index).
        snapshotShown(object): a snapshot was handed to the panels (for tests and tools).
    """

    neuronSelected = Signal(int, int)
    snapshotShown = Signal(object)

    def __init__(self, dataset, dark=True, restore_settings=True, offer_restore=True, settings=None,
                 persist=True, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Neural Network Explorer")
        self.setDockOptions(QMainWindow.AnimatedDocks | QMainWindow.AllowTabbedDocks | QMainWindow.AllowNestedDocks)
        self.dataset = dataset
        self.settings = settings or QSettings()
        self.session = Session(self, self.settings)
        hyper = self.session.load_hyperparameters() if restore_settings else {}
        self.worker = TrainingWorker(dataset, **hyper)
        self._selected = None  # (layer, index)
        self._marked = []  # the last two connections chosen (the surface's two-weight plane)
        self._shown = None  # the snapshot the panels show now
        self._historic = None  # a snapshot from the timeline, shown instead of live ones
        self._trajectory = (np.zeros(0, np.int64), None)
        self._closing = False
        self._budget = FrameBudget()  # how often live snapshots are shown while training runs
        self._staggered = []  # panels still to be given the shown snapshot, one per frame tick

        from gui.diagram.view import NetworkView

        self.diagram = NetworkView(self)
        centre = QWidget(self)
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        toolbar = getattr(self.diagram, "toolbar", None)
        if isinstance(toolbar, QWidget) and toolbar.parent() is not self.diagram:
            layout.addWidget(toolbar)
        layout.addWidget(self.diagram, 1)
        from gui.timeline import Timeline

        self.timeline = Timeline(centre)
        layout.addWidget(self.timeline)
        self.setCentralWidget(centre)

        self.panels, self.docks = {}, {}
        self._build_docks()
        self.status = StatusLine(self.statusBar())
        self.presentation = False
        self.presentation_panel = "sample"  # the one panel shown beside the diagram when presenting
        self._default_state = None
        self.actions = WindowActions(self)
        self._connect()
        self.set_dark(dark)
        self.resize(1600, 900)
        self._default_state = self.saveState(1)
        self.remembered_layout = bool(restore_settings and self.session.restore_layout())
        self._sized = self.remembered_layout
        self.select_neuron(1, 0)

        # Training waits while the event loop is awake. Qt's own dispatchers (Windows, macOS,
        # and Linux with QT_NO_GLIB=1) announce waking; the GLib one used by default on Linux
        # does not, so there the gate stays open and the two threads share the lock as usual
        # (measured: no better either way on Linux, see benchmarks/gui_responsiveness.py).
        self._gui_idle = threading.Event()
        self._gui_idle.set()
        dispatcher = QAbstractEventDispatcher.instance()
        if dispatcher is not None:
            dispatcher.awake.connect(self._gui_idle.clear)
            dispatcher.aboutToBlock.connect(self._gui_idle.set)
            self.worker.yield_to(self._gui_idle)
        self.worker.start()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.timeout.connect(self._on_frame)
        self._timer.start(FRAME_MS)
        self._persist = persist  # False: leave the learner's saved layout and session alone
        if persist:
            self.session.start_autosave()
        if offer_restore:
            QTimer.singleShot(300, self.session.offer_restore)

    # -- construction ------------------------------------------------------------------------
    def _build_docks(self):
        for spec in PANELS:
            widget = create_panel(spec, self)
            dock = QDockWidget(spec.title, self)
            dock.setObjectName(f"dock_{spec.name}")
            # A scroll area lets a dock be made smaller than its panel would like, so the
            # window fits small screens; the panel still fills the dock when there is room.
            scroller = PanelScroller(dock)
            scroller.setWidgetResizable(True)
            scroller.setFrameShape(QFrame.NoFrame)
            scroller.setWidget(widget)
            dock.setWidget(scroller)
            dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                             | QDockWidget.DockWidgetClosable)
            self.panels[spec.name], self.docks[spec.name] = widget, dock
            dock.visibilityChanged.connect(lambda visible, name=spec.name: self._panel_shown(name, visible))
            if hasattr(widget, "set_dataset"):
                widget.set_dataset(self.dataset)
        self._arrange_docks()

    def _arrange_docks(self):
        """Place the docks in the default layout: one visible panel per tab group."""
        # side columns run the full height; the bottom panels sit under the diagram only
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
        first = {}
        for spec in PANELS:
            if spec.group not in first:
                first[spec.group] = self.docks[spec.name]
                self.addDockWidget(spec.area, first[spec.group])
        # split before tabifying: splitting a tabified dock would pull it out of its group
        if "right-bottom" in first and "right-top" in first:
            self.splitDockWidget(first["right-top"], first["right-bottom"], Qt.Vertical)
        for spec in PANELS:
            dock = self.docks[spec.name]
            if first[spec.group] is not dock:
                self.tabifyDockWidget(first[spec.group], dock)
        for dock in first.values():
            dock.raise_()

    def _connect(self):
        w, p = self.worker, self.panels
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
        self._training_keys = TrainingKeys.install(self, (tp.play_action, tp.step_action, tp.step_epoch_action,
                                                          tp.fastest_action))
        w.diverged.connect(self._on_diverged)
        w.error.connect(self._on_error)
        w.rebuilt.connect(self._on_rebuilt)
        w.trajectoryReady.connect(self._on_trajectory)
        w.runningChanged.connect(lambda running: running or w.request_trajectory())
        w.resumed.connect(lambda step: w.request_trajectory())
        w.edited.connect(lambda what, acc: self.statusBar().showMessage(
            f"Edit: {what} — test accuracy now {acc:.2%} (Ctrl+Z undoes)", 8000))
        w.saved.connect(self.session.on_saved)
        w.loaded.connect(self.session.on_loaded)

        self.diagram.neuronSelected.connect(self.select_neuron)
        self.diagram.connectionSelected.connect(self.select_connection)
        p["surface"].trajectoryWanted.connect(w.request_trajectory)
        p["sample"].exampleRequested.connect(w.show_example)
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
        p["matrix"].neuronHovered.connect(self.diagram.highlight_neuron)
        p["patterns"].neuronSelected.connect(self.select_neuron)
        p["patterns"].neuronHovered.connect(self.diagram.highlight_neuron)
        p["chain_rule"].connectionSelected.connect(self.select_connection)
        p["tour"].finished.connect(self.docks["tour"].hide)
        p["edit"].editRequested.connect(w.apply_edit)
        p["edit"].undoRequested.connect(w.undo_edit)
        p["edit"].redoRequested.connect(w.redo_edit)
        p["paint"].editRequested.connect(w.apply_edit)
        p["paint"].undoRequested.connect(w.undo_edit)
        p["tour"].set_host(self)
        self.timeline.stepScrubbed.connect(self.show_history_step)
        self.timeline.resumeRequested.connect(self.resume_from)
        self.timeline.backToLive.connect(self.back_to_live)

    # -- the frame ---------------------------------------------------------------------------
    def _on_frame(self):
        feed = self.worker.feed.drain()
        if feed is not None:
            self._feed_charts(feed)
        if self._show_staggered():
            return
        newest = self.worker.mailbox.peek()
        now = time.monotonic()
        if not newest.running:
            if self._budget.period != self._budget.shortest:
                self.panels["charts"].set_redraw_period(0)
            self._budget.reset()
        elif not self._budget.due(now):
            return  # while training runs, a steadier rate leaves the training thread more time
        snap = self.worker.mailbox.take()
        if snap is not None:
            self.status.update_snapshot(snap)
            self.timeline.set_live_step(snap.step)
            if self._historic is None:
                self._show(snap)
            if snap.running:
                self._budget.shown(time.monotonic())
                # the charts redraw on a timer of their own: slowed down in proportion
                self.panels["charts"].set_redraw_period(CHART_PERIODS * self._budget.period)

    def _feed_charts(self, feed):
        charts = self.panels["charts"]
        if feed.cleared:
            charts.clear()
        if len(feed.steps):
            charts.append_steps(feed.steps, feed.costs, feed.grad_norms)
        for ev in feed.evaluations:
            charts.add_evaluation(ev["split"], ev["epoch"], ev["accuracy"], ev["cost"])

    def _show(self, snap):
        """Hand a snapshot to the diagram and every visible panel.

        While training runs, the panels get it one per frame tick after the diagram: each
        refreshes on a turn of the event loop of its own instead of all in one burst, which
        would hold the loop (and the pointer) for the sum of their times.
        """
        self._shown = snap
        self.diagram.set_snapshot(snap)
        names = [name for name, widget in self.panels.items()
                 if hasattr(widget, "set_snapshot") and self._is_visible(name)]
        if snap.running:
            self._staggered = names
        else:
            self._staggered = []
            for name in names:
                self.panels[name].set_snapshot(snap)
        self.snapshotShown.emit(snap)

    def _show_staggered(self) -> bool:
        """Give the next waiting panel the shown snapshot; return whether one was waiting."""
        while self._staggered:
            name = self._staggered.pop(0)
            if self._is_visible(name):
                self.panels[name].set_snapshot(self._shown)
                return True
        return False

    def _is_visible(self, name) -> bool:
        dock = self.docks[name]
        return dock.isVisible() and not dock.visibleRegion().isEmpty()

    def _panel_shown(self, name, visible):
        if visible and PANELS_BY_NAME[name].tall and self.isVisible():
            QTimer.singleShot(0, lambda: self._give_height(name))
        if visible and self._shown is not None and hasattr(self.panels[name], "set_snapshot"):
            self.panels[name].set_snapshot(self._shown)

    # -- intents -----------------------------------------------------------------------------
    def select_neuron(self, layer: int, index: int):
        """Make (layer, index) the selected neuron in every view."""
        sizes = self.worker.mailbox.peek().sizes
        if not (0 <= layer < len(sizes) and 0 <= index < sizes[layer]):
            return
        if self._selected == (layer, index):
            return
        self._selected = (layer, index)
        self.diagram.select_neuron(layer, index)
        for name in ("inspector", "batch", "edit", "patterns", "paint"):
            self.panels[name].set_neuron(layer, index)
        self.panels["matrix"].set_selected_neuron(layer, index)
        self.neuronSelected.emit(layer, index)

    def selected_neuron(self):
        return self._selected

    def select_connection(self, weight_layer: int, to: int, from_: int):
        """Make a connection the chosen one: marked in the diagram, explained, a surface axis."""
        self._marked = (self._marked + [(weight_layer, to, from_)])[-2:]
        self.diagram.set_marked_connections(self._marked)
        self.panels["surface"].select_connection(weight_layer, to, from_)
        self.panels["chain_rule"].select_connection(weight_layer, to, from_)
        self.select_neuron(weight_layer + 1, to)

    def show_example(self, split: str, index: int):
        self.worker.show_example(split, index)

    def reset(self, seed=None):
        self._leave_history()
        self.worker.reset(seed)

    def rebuild(self, hidden, activation, cost, seed):
        self._leave_history()
        self.worker.rebuild(hidden, activation, cost, seed)
        self.session.remember_architecture(hidden, activation, cost, seed)

    def open_dataset(self, dataset):
        """Switch to another dataset: a new network fitted to its inputs and classes."""
        self.dataset = dataset
        self._leave_history()
        self.worker.set_dataset(dataset)
        for widget in self.panels.values():
            if hasattr(widget, "set_dataset"):
                widget.set_dataset(dataset)

    def show_panel(self, name: str):
        """Show a panel and bring it to the front of its tab group ("diagram" is always shown)."""
        if name == "diagram":
            return
        dock = self.docks[name]
        dock.show()
        dock.raise_()

    def _give_height(self, name):
        """Let a bottom panel that needs height have ~45 % of the window (once it is in front)."""
        dock, want = self.docks[name], int(0.45 * self.height())
        if self.dockWidgetArea(dock) == Qt.BottomDockWidgetArea and not dock.isFloating() \
                and dock.height() < want - 20:
            self.resizeDocks([dock], [want], Qt.Vertical)

    def restore_default_layout(self):
        self.restoreState(self._default_state, 1)
        self._size_docks()

    def _size_docks(self):
        """Share the window between the columns and the diagram in proportion to its size."""
        w, h = self.width(), self.height()
        self.resizeDocks([self.docks["training"], self.docks["sample"]],
                         [max(self.docks["training"].widget().sizeHint().width(), int(0.21 * w)), max(365, int(0.24 * w))], Qt.Horizontal)
        self.resizeDocks([self.docks["sample"], self.docks["charts"]],
                         [int(0.5 * h), max(220, int(0.3 * h))], Qt.Vertical)

    def childEvent(self, event):
        super().childEvent(event)
        # The tab bars of tabbed panels are made by the dock layout as panels are arranged.
        # Full names with scroll arrows beat "Ch…", "Cost su…" when the window is narrow.
        if event.polished() and isinstance(event.child(), QTabBar):
            event.child().setElideMode(Qt.ElideNone)
            event.child().setUsesScrollButtons(True)

    def showEvent(self, event):
        super().showEvent(event)
        if not self._sized:  # once, when the real size is known; a remembered layout wins
            self._sized = True
            QTimer.singleShot(100, self._size_docks)

    def visible_panels(self) -> set:
        return {"diagram"} | {name for name in self.docks if self._is_visible(name)}

    # -- time travel -------------------------------------------------------------------------
    def show_history_step(self, step: int, row: int):
        """Show the network as recorded at trajectory row `row` (step `step`), read-only."""
        steps, rows = self._trajectory
        if rows is None or not 0 <= row < len(rows):
            return
        live = self.worker.mailbox.peek()
        template = Network(live.sizes, live.activation, live.cost)
        x = live.activations[0]
        snap = make_snapshot(template, x, live.label, params=rows[row], step=int(step),
                             example_split=live.example_split, example_index=live.example_index,
                             class_names=live.class_names, image_shape=live.image_shape,
                             steps_per_epoch=live.steps_per_epoch, learning_rate=live.learning_rate,
                             batch_size=live.batch_size, optimizer=live.optimizer, seed=live.seed,
                             extra={"historic": True})
        self._historic = snap
        self._show(snap)

    def _leave_history(self):
        if self._historic is not None:
            self._historic = None
            self._show(self.worker.mailbox.peek())

    def back_to_live(self):
        self._leave_history()

    def resume_from(self, step: int):
        self._leave_history()
        self.worker.resume_from(step)

    def _on_trajectory(self, steps, rows):
        self._trajectory = (steps, rows)
        self.panels["surface"].set_trajectory(steps, rows)
        self.timeline.set_steps(steps)

    # -- worker events -----------------------------------------------------------------------
    def _on_diverged(self, message):
        self.panels["training"].show_divergence(message)
        self.statusBar().showMessage("Training paused: the cost diverged", 10000)

    def _on_error(self, message):
        self.statusBar().showMessage(message, 10000)
        QMessageBox.warning(self, "Neural Network Explorer", message)

    def _on_rebuilt(self):
        self._selected = None
        self._marked = []
        self.diagram.set_marked_connections([])
        self._trajectory = (np.zeros(0, np.int64), None)
        snap = self.worker.mailbox.peek()
        self.select_neuron(1 if len(snap.sizes) > 1 else 0, 0)

    # -- tour host ---------------------------------------------------------------------------
    def pause(self):
        self.worker.pause()

    def step(self, n: int = 1):
        self.worker.step(n)

    def is_paused(self) -> bool:
        return not self.worker.mailbox.peek().running

    def set_diagram_mode(self, mode: str):
        self.diagram.set_mode(mode)

    def set_colour_by(self, what: str):
        self.diagram.set_colour_by(what)

    def set_surface_plane(self, kind: str):
        self.show_panel("surface")
        self.panels["surface"].set_plane_kind(kind)

    # -- appearance and lifetime ---------------------------------------------------------------
    @property
    def dark(self) -> bool:
        return theme().dark

    def set_dark(self, dark: bool):
        theme().set_dark(dark)  # every themed widget follows the shared theme

    def wait_for_background(self, timeout: float = 10.0) -> bool:
        """Wait until background computations (cost surface, statistics) are done."""
        ms = int(timeout * 1000)
        done = QThreadPool.globalInstance().waitForDone(ms)
        return self.panels["surface"].wait_idle(ms) and done

    def closeEvent(self, event):
        if not self._closing:
            self._closing = True
            self._timer.stop()
            if self._persist:
                self.session.save_layout()
                self.session.autosave_now()
            for widget in self.panels.values():
                if hasattr(widget, "shutdown"):
                    widget.shutdown()
            self.worker.stop()
            self.worker.wait(10000)
            QThreadPool.globalInstance().waitForDone(5000)
        super().closeEvent(event)
