"""A presenter's clicker: PageDown / PageUp walk the guided tour, B or . blanks the screen.

The keys work in presentation mode and while the tour runs; elsewhere they are left to the
focused widget (a scroll area's PageDown, a text field's full stop).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QWidget

CLICKER_HELP = """<h3>Keys for presenting</h3>
<p>In presentation mode (<b>F11</b>) and during the guided tour (<b>F1</b>), a presenter's
clicker works:</p>
<table cellpadding="3">
<tr><td><b>Page Down</b></td><td>the next step of the guided tour</td></tr>
<tr><td><b>Page Up</b></td><td>the previous step</td></tr>
<tr><td><b>B</b> or <b>.</b></td><td>blank the screen; the same key shows it again</td></tr>
<tr><td><b>Ctrl+=</b>, <b>Ctrl+-</b>, <b>Ctrl+0</b></td><td>larger, smaller, normal type</td></tr>
<tr><td><b>Space</b>, <b>→</b></td><td>play or pause, train one mini-batch</td></tr>
</table>"""


class BlankScreen(QLabel):
    """A black cover over the whole window (the audience looks at the speaker meanwhile)."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setStyleSheet("background: black; color: #333;")
        self.setText("B or . shows the screen again")
        self.setAlignment(Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight)
        self.hide()
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(obj.rect())
        return False

    def set_blank(self, blank: bool) -> None:
        if blank:
            self.setGeometry(self.parentWidget().rect())
            self.raise_()
        self.setVisible(blank)


class Clicker(QObject):
    """The clicker's keys for one window: actions enabled while presenting or touring."""

    def __init__(self, window: QWidget, tour, presenting, tour_shown):
        """tour: the GuidedTour panel; presenting(), tour_shown(): whether presentation mode is on,
        whether the tour's panel is in view."""
        super().__init__(window)
        self.tour, self._presenting, self._tour_shown = tour, presenting, tour_shown
        self.blank_screen = BlankScreen(window)
        self.next_action = self._action(window, "Next tour step", self.next_step, ["PgDown"])
        self.previous_action = self._action(window, "Previous tour step", self.previous_step, ["PgUp"])
        self.blank_action = self._action(window, "Blank the screen", self.toggle_blank, ["B", "."])
        tour.stepChanged.connect(lambda _: self.refresh())
        tour.finished.connect(self.refresh)
        self.refresh()

    def _action(self, window, text, slot, keys) -> QAction:
        act = QAction(text, window)
        act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(slot)
        window.addAction(act)
        return act

    def active(self) -> bool:
        """Return whether the keys are the clicker's: presenting, or a running tour in view."""
        if self._presenting():
            return True
        built = getattr(self.tour, "is_built", lambda: True)()  # asking an unbuilt tour would build it
        return built and self._tour_shown() and self.tour.is_running()

    def refresh(self) -> None:
        """Enable the keys while presenting or touring (a disabled shortcut leaves the key alone)."""
        on = self.active()
        for act in (self.next_action, self.previous_action, self.blank_action):
            act.setEnabled(on)
        if not on:
            self.blank_screen.set_blank(False)

    def next_step(self) -> None:
        if self.blank_screen.isVisible():
            self.blank_screen.set_blank(False)  # the first click brings the picture back
        elif self.tour.is_running():
            self.tour.next()
        else:
            self.tour.start(self.tour.current_index())

    def previous_step(self) -> None:
        if self.blank_screen.isVisible():
            self.blank_screen.set_blank(False)
        elif self.tour.is_running():
            self.tour.back()
        else:
            self.tour.start(self.tour.current_index())

    def toggle_blank(self) -> None:
        self.blank_screen.set_blank(not self.blank_screen.isVisible())

    def is_blank(self) -> bool:
        return self.blank_screen.isVisible()
