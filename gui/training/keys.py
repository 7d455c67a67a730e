"""The training keys (→, Shift+→, Space, Shift+Space) wherever the focus is in the window.

A focused button would take Space and a focused slider the arrows; a learner who just
clicked one still means "train". Only a text field being typed into keeps its keys.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

KEY_EVENTS = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)


def is_text_field(widget) -> bool:
    """Return whether widget takes typed text (so it keeps the arrows and Space)."""
    if isinstance(widget, (QLineEdit, QAbstractSpinBox)):
        return not (isinstance(widget, QLineEdit) and widget.isReadOnly())
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    if isinstance(widget, (QTextEdit, QPlainTextEdit)):
        return not widget.isReadOnly()
    return False


def key_sequence(event) -> QKeySequence:
    """Return the key and its modifiers of a key event (keypad flag dropped) as a sequence."""
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return QKeySequence(event.keyCombination().key().value | mods.value)


class TrainingKeys(QObject):
    """An application event filter that runs the training actions' keys for one window.

    It claims the key before the focused widget sees it (a ShortcutOverride accepted, then
    the KeyPress taken), except in a text field, a menu or another window's dialog.
    """

    def __init__(self, window: QWidget, actions):
        super().__init__(window)
        self._window = window
        self._actions = {}
        for act in actions:
            for seq in act.shortcuts():
                self._actions[seq.toString()] = act

    @classmethod
    def install(cls, window: QWidget, actions) -> TrainingKeys:
        """Install the filter on the application for `window`; return it."""
        keys = cls(window, actions)
        QApplication.instance().installEventFilter(keys)
        return keys

    def eventFilter(self, watched, event):
        if event.type() not in KEY_EVENTS or not isinstance(watched, QWidget):
            return False
        act = self._actions.get(key_sequence(event).toString())
        if act is None or not self._ours(watched):
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # no shortcut: the KeyPress that follows comes here
            return True
        if act.isEnabled():
            act.trigger()
        return True

    def _ours(self, widget) -> bool:
        """Return whether a key sent to widget is a training key of this window."""
        app = QApplication.instance()
        if app.activePopupWidget() is not None or app.activeModalWidget() is not None:
            return False
        if is_text_field(widget) or is_text_field(QApplication.focusWidget()):
            return False
        while widget is not None:  # a floating dock is a window of its own, parented to ours
            if widget is self._window:
                return True
            widget = widget.parentWidget()
        return False
