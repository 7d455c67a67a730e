"""A first-start hint over the diagram: which keys start the lesson. Gone after the first step, for good."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel

HINT_TEXT = "<b>→</b> trains one mini-batch &nbsp;·&nbsp; <b>Space</b> plays and pauses &nbsp;·&nbsp; " \
            "<b>F1</b> starts the guided tour"
SETTINGS_KEY = "hints/first_step_taken"
MARGIN = 10  # px from the top of the diagram


class FirstStepsHint(QLabel):
    """One line floating at the top of `host` until the network has taken its first step.

    Once a step is seen it hides and (if `remember`) records that in `settings`, so it never
    shows again; `fresh` shows it even when the settings say it was seen (a fresh start).
    """

    def __init__(self, host, settings, fresh: bool = False, remember: bool = True):
        super().__init__(HINT_TEXT, host)
        self.settings, self.remember = settings, remember
        self.setObjectName("firstStepsHint")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # never in the way of a click
        self.setStyleSheet("QLabel#firstStepsHint { background: rgba(40, 44, 56, 215); color: #f0f0f4;"
                           " border: 1px solid rgba(140, 150, 170, 120); border-radius: 6px; padding: 5px 12px; }")
        self.done = bool(settings.value(SETTINGS_KEY, False, type=bool)) and not fresh
        self.setVisible(not self.done)
        host.installEventFilter(self)
        self._place()

    def seen_snapshot(self, snap) -> None:
        """Hide for good once a live snapshot shows a step taken."""
        if self.done or snap.step == 0 or (snap.extra or {}).get("historic"):
            return
        self.done = True
        self.hide()
        if self.remember:
            self.settings.setValue(SETTINGS_KEY, True)

    def eventFilter(self, obj, event):
        if obj is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        self.adjustSize()
        host = self.parentWidget()
        top = MARGIN
        toolbar = getattr(host, "toolbar", None)
        if toolbar is not None and toolbar.parent() is host and toolbar.isVisible():
            top += toolbar.geometry().bottom()
        self.move(max(0, (host.width() - self.width()) // 2), top)
        self.raise_()
