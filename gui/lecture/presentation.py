"""Presentation mode and the window's type size: big type that fits the room, for a projector.

The mode's type is scaled to the screen's logical height (a 1280×800 projector gets 1.6×
the normal size; with 200 % display scaling the screen is already twice as large, so the
factor halves), times the presenter's own choice (Ctrl+= / Ctrl+- / Ctrl+0), which is
remembered for each mode.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from gui.widgets.plot_type import BASE_FONT_PROPERTY, scale_plot_captions

MODE_SCALE = 1.6  # the presentation type at the reference height…
REFERENCE_HEIGHT = 800  # …of logical pixels
MODE_SCALE_RANGE = (0.9, 2.2)
USER_STEP, USER_RANGE = 1.1, (0.6, 2.0)  # Ctrl+= / Ctrl+- multiply by this, within this range
NARROW = 1100  # logical pixels: below this width the mode shows no side panel (the diagram needs it)
TINY = 800  # …and below this, only the diagram: no controls, timeline or status bar (the keys still work)


def mode_scale(logical_height: float, user: float = 1.0) -> float:
    """Return the presentation type size (times the normal one) for a screen this tall."""
    lo, hi = MODE_SCALE_RANGE
    return min(max(MODE_SCALE * logical_height / REFERENCE_HEIGHT, lo), hi) * user


def step_user_scale(user: float, direction: int) -> float:
    """Return the presenter's factor one step larger (+1), smaller (-1) or reset (0)."""
    if direction == 0:
        return 1.0
    lo, hi = USER_RANGE
    return round(min(max(user * USER_STEP ** direction, lo), hi), 3)


def base_font() -> QFont:
    """Return the application's font as it was before any type size was applied (kept on the app)."""
    app = QApplication.instance()
    kept = app.property(BASE_FONT_PROPERTY)
    if not isinstance(kept, QFont):
        kept = QFont(app.font())
        app.setProperty(BASE_FONT_PROPERTY, kept)
    return QFont(kept)


class Presenter(QObject):
    """Enters and leaves presentation mode for a MainWindow and keeps the type size.

    Signals: changed(bool): presentation mode was entered (True) or left.
    """

    changed = Signal(bool)

    def __init__(self, window, settings):
        super().__init__(window)
        self.w = window
        self.settings = settings
        self.on = False
        self._base_font = base_font()
        self._saved_state = None
        self._diagram_min = 0
        self.room = None  # (width, height) to present in instead of the full screen (tests, recordings)
        self._user = {mode: float(settings.value(f"view/type_{mode}", 1.0)) for mode in ("normal", "presentation")}
        # a panel built (or first shown) after the type changed sizes its plots' captions then
        window.panelShown.connect(lambda name: QTimer.singleShot(0, self, lambda: self._scale_captions(window.docks[name])))
        if self._user["normal"] != 1.0:
            self._apply_type()

    # -- type size ------------------------------------------------------------------------------
    def type_scale(self) -> float:
        """Return the application type size now, as a multiple of the normal one."""
        if not self.on:
            return self._user["normal"]
        return mode_scale(self._room()[1], self._user["presentation"])

    def _room(self) -> tuple:
        if self.room is not None:
            return self.room
        screen = self.w.screen() or QApplication.primaryScreen()
        return screen.geometry().width(), screen.geometry().height()

    def change_type_size(self, direction: int) -> None:
        """Make the type a step larger (+1), smaller (-1), or the mode's default (0); remember it."""
        mode = "presentation" if self.on else "normal"
        self._user[mode] = step_user_scale(self._user[mode], direction)
        self.settings.setValue(f"view/type_{mode}", self._user[mode])
        self._apply_type()

    def forget_remembered_type(self) -> None:
        """Start from the default type sizes (a fresh start); the remembered ones stay in the settings."""
        self._user = {mode: 1.0 for mode in self._user}
        self._apply_type()

    def user_scales(self) -> dict:
        """Return the presenter's own type factor for each mode ("normal", "presentation")."""
        return dict(self._user)

    def set_user_scales(self, scales: dict) -> None:
        """Use and remember these type factors (a scene's); modes not given keep theirs."""
        for mode in self._user:
            if mode in scales:
                self._user[mode] = float(scales[mode])
                self.settings.setValue(f"view/type_{mode}", self._user[mode])
        self._apply_type()

    def normal_layout(self):
        """Return the layout leaving presentation mode goes back to (None when not presenting)."""
        return self._saved_state if self.on else None

    def set_normal_layout(self, state) -> None:
        """While presenting, make leaving the mode go back to this layout (saveState(2) bytes)."""
        if self.on:
            self._saved_state = state

    def _apply_type(self) -> None:
        font = QFont(self._base_font)
        size = self._base_font.pointSizeF() if self._base_font.pointSizeF() > 0 else 9.0
        font.setPointSizeF(size * self.type_scale())
        QApplication.instance().setFont(font)
        # the plots' tick labels follow the application font; their axis labels and titles are told
        QTimer.singleShot(0, self, lambda: self._scale_captions(self.w))

    def _scale_captions(self, widget) -> None:
        scale_plot_captions(widget, self.type_scale())

    # -- the mode -------------------------------------------------------------------------------
    def set_on(self, on: bool) -> None:
        """Enter or leave presentation mode."""
        if on == self.on:
            return
        w = self.w
        self.on = on
        if on:
            self._saved_state = w.saveState(2)
            keep = {"training"} if self._room()[0] >= TINY else set()
            if self._room()[0] >= NARROW:
                keep.add(w.presentation_panel)
            for name, dock in w.docks.items():
                if name not in keep and dock.isVisible():
                    dock.hide()
            if w.presentation_panel in keep:
                # one side column: the compact controls above the chosen panel, the diagram wide
                panel = w.docks[w.presentation_panel]
                w.show_panel(w.presentation_panel)
                if w.dockWidgetArea(panel) != Qt.RightDockWidgetArea:
                    w.addDockWidget(Qt.RightDockWidgetArea, panel)
                w.addDockWidget(Qt.RightDockWidgetArea, w.docks["training"])
                w.splitDockWidget(w.docks["training"], panel, Qt.Vertical)
            w.panels["training"].set_compact(True)
            w.diagram.legend.set_compact(True)
            tiny = self._room()[0] < TINY
            w.diagram.toolbar.setVisible(not tiny)
            w.statusBar().setVisible(not tiny)
            w.timeline.setVisible(not tiny)
            # the normal window keeps the diagram from shrinking to a thumbnail; here it is all there is
            self._diagram_min = w.diagram.minimumHeight()
            w.diagram.setMinimumHeight(0)
            self._apply_type()
            if self.room is None:
                w.showFullScreen()
                QTimer.singleShot(0, self.fit_to_screen)
            else:
                w.resize(*self.room)
            QTimer.singleShot(150, self._size_docks)
            w.installEventFilter(self)  # and again whenever the screen gives the window its size
        else:
            w.removeEventFilter(self)
            self._apply_type()
            w.panels["training"].set_compact(False)
            w.diagram.legend.set_compact(False)
            w.diagram.toolbar.show()
            w.statusBar().show()
            w.timeline.show()
            w.diagram.setMinimumHeight(self._diagram_min)
            if self.room is None:
                w.showNormal()
            if self._saved_state is not None:
                w.restoreState(self._saved_state, 2)
        w.presentation = on
        self.changed.emit(on)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.w and event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange):
            QTimer.singleShot(0, self._size_docks)
        return False

    def fit_to_screen(self) -> bool:
        """Bring the full-screen window back to its screen's size if it grew past it; return whether it had to.

        Entering full screen while the normal layout was still sharing out a larger window (at
        200 % scaling the screen has half as many logical pixels) left it wider than the
        screen, its right edge out of sight. Full screen covers the whole screen (taskbars
        included), so the screen's geometry is the size to fit.
        """
        w = self.w
        if not self.on or self.room is not None:
            return False
        screen = w.screen() or QApplication.primaryScreen()
        target = screen.geometry()
        if target.contains(w.geometry()):
            return False
        w.setGeometry(target)
        if not w.isFullScreen():  # a platform may take a new geometry as leaving full screen
            w.showFullScreen()
        return True

    def _size_docks(self) -> None:
        """Give the side column the width its type needs (at most a third); the diagram the rest."""
        w = self.w
        if not self.on:
            return
        if self.room is not None and (w.width(), w.height()) != tuple(self.room):
            w.resize(*self.room)  # the first resize came before the mode's smaller minimum sizes took effect
        else:
            self.fit_to_screen()
        training, panel = w.docks["training"], w.docks[w.presentation_panel]
        if not training.isVisible():
            return
        want = w.panels["training"].sizeHint().width() + 24
        if panel.isVisible():
            want = max(want, w.width() // 4, min(w.panels[w.presentation_panel].sizeHint().width() + 24,
                                                 w.width() // 3))
            w.resizeDocks([training], [w.panels["training"].sizeHint().height() + 40], Qt.Vertical)
        w.resizeDocks([training], [want], Qt.Horizontal)
