"""A first-start hint above the diagram: which keys start the lesson. Gone after the first step, for good."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

from gui.widgets.rich_text import html_width, plain

HINT_TEXT = "<b>→</b> trains one mini-batch &nbsp;·&nbsp; <b>Space</b> plays and pauses &nbsp;·&nbsp; " \
            "<b>F1</b> starts the guided tour"
SHORT_TEXT = "<b>→</b> one step &nbsp;·&nbsp; <b>Space</b> play &nbsp;·&nbsp; <b>F1</b> tour"  # a narrow diagram
SETTINGS_KEY = "hints/first_step_taken"
MARGIN = 6  # px around the hint (its style sheet's margin)


class FirstStepsHint(QLabel):
    """One line between the diagram's toolbar and its picture until the network has taken its first step.

    It takes a row of the diagram's own layout (the picture is laid out below it), so it
    covers none of the diagram's titles and labels at any size; a narrow diagram gets the
    short wording, the whole one in the tooltip. Once a step is seen it hides, the picture
    takes the row back, and (if `remember`) `settings` records it, so it never shows again;
    `fresh` shows it even when the settings say it was seen (a fresh start).
    """

    def __init__(self, host, settings, fresh: bool = False, remember: bool = True):
        super().__init__(HINT_TEXT, host)
        self.settings, self.remember = settings, remember
        self.setObjectName("firstStepsHint")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setToolTip(plain(HINT_TEXT))
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.setStyleSheet("QLabel#firstStepsHint { background: rgba(40, 44, 56, 215); color: #f0f0f4;"
                           " border: 1px solid rgba(140, 150, 170, 120); border-radius: 6px; padding: 5px 12px;"
                           f" margin: {MARGIN}px; }}")
        self.done = bool(settings.value(SETTINGS_KEY, False, type=bool)) and not fresh
        self.setVisible(not self.done)
        layout = host.layout()
        toolbar = getattr(host, "toolbar", None)
        layout.insertWidget(layout.indexOf(toolbar) + 1 if toolbar is not None else 0, self, 0,
                            Qt.AlignmentFlag.AlignHCenter)
        host.installEventFilter(self)
        self._fit()

    def seen_snapshot(self, snap) -> None:
        """Hide for good once a live snapshot shows a step taken."""
        if self.done or snap.step == 0 or (snap.extra or {}).get("historic"):
            return
        self.done = True
        self.hide()
        if self.remember:
            self.settings.setValue(SETTINGS_KEY, True)

    def eventFilter(self, obj, event):
        if obj is self.parentWidget():
            if event.type() == QEvent.Type.FontChange:
                # presentation mode, Ctrl+= / Ctrl+-: a label with a style sheet of its own keeps
                # the font it was polished with unless told
                self.setFont(obj.font())
                self._fit()
            elif event.type() == QEvent.Type.Resize:
                self._fit()
        return False

    def _fit(self) -> None:
        """Say it in full if the diagram is wide enough, else in short."""
        chrome = self.sizeHint().width() - html_width(self.text(), self.font())  # padding, border and margin
        # as narrow as the short wording, not the whole one: the diagram's width decides, not the hint
        self.setMinimumWidth(round(html_width(SHORT_TEXT, self.font()) + chrome + 1))
        room = self.parentWidget().width()
        text = HINT_TEXT if html_width(HINT_TEXT, self.font()) + chrome <= room else SHORT_TEXT
        if text != self.text():
            self.setText(text)
