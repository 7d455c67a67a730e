"""The main window: the network diagram in the centre, dockable panels around it.

It keeps the docks, their layout, presentation and appearance; what the panels show and
what their intents do is the controller's (gui/controller/), which reaches the window
through `diagram`, `panels`, `timeline`, `status`, the methods under "what the controller
needs" and the signals `panelShown` and `closing`.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QThreadPool, QTimer, Signal
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

from gui.panels import PANELS, PANELS_BY_NAME, create_panel
from gui.status import StatusLine
from gui.training.keys import TrainingKeys
from gui.widgets.theme import theme

APP_TITLE = "Neural Network Explorer"
DIAGRAM_KEEPS = 440  # px of the window's height a bottom panel brought forward leaves to the diagram
SIDE_PANELS_GROWING = ("inspector",)  # brought forward, these take SIDE_SHARE of their column
SIDE_SHARE = 0.62
DIAGRAM_MIN_HEIGHT = 200  # px: never a thumbnail, whatever the docks around it ask (fits a 640×360 window)


class PanelScroller(QScrollArea):
    """A scroll area that asks for its panel's preferred size (QScrollArea caps it)."""

    def sizeHint(self):
        inner = self.widget().sizeHint() if self.widget() is not None else super().sizeHint()
        return inner + QSize(self.verticalScrollBar().sizeHint().width() + 2, 2)


class MainWindow(QMainWindow):
    """The app's window: the diagram, the timeline, the docked panels and the status line.

    Signals:
        panelShown(str): a panel's dock became visible (it may need the shown snapshot).
        closing(): the window is closing (once): stop what feeds it.
    """

    panelShown = Signal(str)
    closing = Signal()

    def __init__(self, dataset, dark=True, parent=None):
        super().__init__(parent)
        self.setWindowTitle(APP_TITLE)
        self.setDockOptions(QMainWindow.AnimatedDocks | QMainWindow.AllowTabbedDocks | QMainWindow.AllowNestedDocks)
        self.dataset = dataset
        self._closing = False

        from gui.diagram.view import NetworkView

        self.diagram = NetworkView(self)
        self.diagram.setMinimumHeight(DIAGRAM_MIN_HEIGHT)
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
        self.panels["tour"].finished.connect(self.docks["tour"].hide)
        tp = self.panels["training"]
        self._training_keys = TrainingKeys.install(self, (tp.play_action, tp.step_action, tp.step_epoch_action,
                                                          tp.fastest_action))
        self.set_dark(dark)
        self.resize(1600, 900)
        self._default_state = self.saveState(1)
        self.remembered_layout = False  # a saved layout was restored (see use_remembered_layout)
        self._sized = False

    def use_remembered_layout(self, restored: bool) -> None:
        """Say whether a remembered layout was restored: it then keeps its dock sizes."""
        self.remembered_layout = self._sized = bool(restored)

    # -- construction ------------------------------------------------------------------------
    def _build_docks(self):
        for spec in PANELS:
            widget = create_panel(spec, self, lazy=True)
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
            if hasattr(getattr(type(widget), "panel_class", type(widget)), "panel_title"):  # not hasattr(widget):
                dock.setWindowTitle(widget.panel_title())  # asking any lazy stand-in would build its panel
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

    def _panel_shown(self, name, visible):
        if not visible:
            return
        if PANELS_BY_NAME[name].tall and self.isVisible():
            QTimer.singleShot(0, lambda: self._give_height(name))
        self.panelShown.emit(name)

    # -- what the controller needs ---------------------------------------------------------------
    def panel_visible(self, name) -> bool:
        """Return whether the panel can be seen now (its dock is shown and in front)."""
        dock = self.docks[name]
        return dock.isVisible() and not dock.visibleRegion().isEmpty()

    def visible_panels(self) -> set:
        return {"diagram"} | {name for name in self.docks if self.panel_visible(name)}

    def show_message(self, text: str, ms: int) -> None:
        """Show a passing message in the status bar for ms milliseconds."""
        self.statusBar().showMessage(text, ms)

    def warn(self, text: str) -> None:
        """Tell the learner something went wrong, in a dialog they must dismiss."""
        QMessageBox.warning(self, APP_TITLE, text)

    def set_dataset(self, dataset) -> None:
        """Let every panel that shows data know about another dataset."""
        self.dataset = dataset
        for widget in self.panels.values():
            if hasattr(widget, "set_dataset"):
                widget.set_dataset(dataset)
        for name, widget in self.panels.items():
            if hasattr(getattr(type(widget), "panel_class", type(widget)), "panel_title"):  # "Draw an input"
                self.docks[name].setWindowTitle(widget.panel_title())

    def show_panel(self, name: str):
        """Show a panel and bring it to the front of its tab group ("diagram" is always shown)."""
        if name == "diagram":
            return
        dock = self.docks[name]
        dock.show()
        dock.raise_()
        if name in SIDE_PANELS_GROWING and self.isVisible():
            QTimer.singleShot(0, lambda: self._give_side_height(name))

    def _give_side_height(self, name):
        """Let a side panel asked for by name have most of its column (the inspector's formula,
        curve and nudges then fit without scrolling)."""
        dock, want = self.docks[name], int(SIDE_SHARE * self.height())
        area = self.dockWidgetArea(dock)
        if area not in (Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea) or dock.isFloating() \
                or dock.height() >= want - 20:
            return
        # the column's other visible docks share the rest (resizing one dock alone moved nothing)
        others = [d for d in self.docks.values() if d is not dock and self.dockWidgetArea(d) == area
                  and d.isVisible() and not d.isFloating() and not d.visibleRegion().isEmpty()]
        rest = max(1, (sum(d.height() for d in others) + dock.height() - want) // max(1, len(others)))
        self.resizeDocks([dock, *others], [want] + [rest] * len(others), Qt.Vertical)

    def _give_height(self, name):
        """Let a bottom panel that needs height have ~45 % of the window, leaving the diagram its room."""
        dock, want = self.docks[name], int(min(0.45 * self.height(), self.height() - DIAGRAM_KEEPS))
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
            self.closing.emit()  # the controller saves the session and stops training first
            for widget in self.panels.values():
                if hasattr(widget, "shutdown"):
                    widget.shutdown()
            QThreadPool.globalInstance().waitForDone(5000)
        super().closeEvent(event)
