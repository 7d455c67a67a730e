"""The guided tour: the classic lesson, step by step, setting the app up as it goes."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from gui.lesson.tour_experiments import experiment_steps
from gui.lesson.tour_steps import TourContext, TourStep, lesson_steps
from gui.widgets.theme import follow_theme, hex_colour, palette

# The panels the tour may open (names understood by TourHost.show_panel).
PANELS = ("diagram", "training", "charts", "surface", "inspector", "sample", "batch", "draw", "chain_rule",
          "matrix", "ranking", "evaluation", "compare", "patterns", "paint", "probes", "stumble")
DIAGRAM_MODES = ("all", "strongest", "selected", "contributions")
COLOUR_BY = ("values", "gradients")
SURFACE_PLANES = ("parameters", "pca", "random")


def all_steps(ctx: TourContext) -> list:
    """Return the classic lesson's steps, then those of its experiments."""
    return lesson_steps(ctx) + experiment_steps(ctx)


@runtime_checkable
class TourHost(Protocol):
    """What the tour asks of the app (the controller, gui/controller/tour_host.py, implements it)."""

    def pause(self) -> None: ...
    def step(self, n: int) -> None: ...
    def is_paused(self) -> bool: ...
    def select_neuron(self, layer: int, index: int) -> None: ...
    def selected_neuron(self) -> tuple | None: ...
    def select_connection(self, weight_layer: int, to: int, from_: int) -> None: ...
    def show_panel(self, name: str) -> None: ...  # one of PANELS
    def visible_panels(self) -> set: ...
    def set_diagram_mode(self, mode: str) -> None: ...  # one of DIAGRAM_MODES
    def set_colour_by(self, what: str) -> None: ...  # one of COLOUR_BY
    def show_example(self, split: str, index: int) -> None: ...
    def set_surface_plane(self, kind: str) -> None: ...  # one of SURFACE_PLANES
    def set_pace(self, steps_per_second: float) -> None: ...  # Play's speed; 0: as fast as possible


class GuidedTour(QWidget):
    """A side panel that walks through the lesson; each step sets the app up through a TourHost.

    The tour never disables anything: the learner can click around, skip steps or leave at any
    time. It sets a step up when the learner arrives at it (Next, Back, the step list, or
    "Show me again"), and the first time it is shown.

    Signals:
        finished(): the learner left the tour or finished its last step.
        stepChanged(int index): a step was set up (0-based).
    """

    finished = Signal()
    stepChanged = Signal(int)

    def __init__(self, parent=None, *, host: TourHost | None = None):
        super().__init__(parent)
        self._host = host
        self._context = TourContext()
        self._steps = all_steps(self._context)
        self._index = 0
        self._started = False
        self._dark = True
        self.last_error = None  # what went wrong setting the last step up, if anything
        self._chooser = QComboBox(self)
        # long step titles elide rather than widen the dock
        self._chooser.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self._chooser.setMinimumContentsLength(16)
        self._chooser.addItems([f"{i + 1}. {s.title}" for i, s in enumerate(self._steps)])
        self._chooser.activated.connect(self.go_to)
        self._counter = QLabel(self)
        self._title = QLabel(self)
        self._title.setWordWrap(True)
        self._text = QTextBrowser(self)
        self._text.setOpenLinks(False)
        self._back = QPushButton("◀ Back", self)
        self._next = QPushButton("Next ▶", self)
        self._again = QPushButton("Show me again", self)
        self._again.setToolTip("Set the app up for this step again")
        self._leave = QPushButton("Leave tour", self)
        self._back.clicked.connect(self.back)
        self._next.clicked.connect(self.next)
        self._again.clicked.connect(lambda: self.go_to(self._index))
        self._leave.clicked.connect(self.leave)
        buttons = QHBoxLayout()
        buttons.addWidget(self._back)
        buttons.addWidget(self._next)
        buttons.addStretch(1)
        buttons.addWidget(self._leave)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self._chooser)
        layout.addWidget(self._counter)
        layout.addWidget(self._title)
        layout.addWidget(self._text, 1)
        layout.addWidget(self._again)
        layout.addLayout(buttons)
        follow_theme(self)

    # -- wiring ---------------------------------------------------------------------------------
    def set_host(self, host: TourHost) -> None:
        """Give the tour the app it sets up."""
        self._host = host

    def set_snapshot(self, snap) -> None:
        """Note the network and example on show, so steps pick neurons that exist (never re-applies a step)."""
        context = TourContext.of(snap)
        if context != self._context:
            self._context = context
            self._steps = all_steps(context)
            self._show_text()

    def set_dark(self, dark: bool) -> None:
        self._dark = bool(dark)
        self._show_text()

    # -- navigation -----------------------------------------------------------------------------
    @property
    def chooser(self) -> QComboBox:
        return self._chooser

    @property
    def counter(self) -> QLabel:
        return self._counter

    @property
    def text_view(self) -> QTextBrowser:
        return self._text

    @property
    def back_button(self) -> QPushButton:
        return self._back

    @property
    def next_button(self) -> QPushButton:
        return self._next

    @property
    def again_button(self) -> QPushButton:
        return self._again

    @property
    def leave_button(self) -> QPushButton:
        return self._leave

    def steps(self) -> list:
        return list(self._steps)

    def current_index(self) -> int:
        return self._index

    def current_step(self) -> TourStep:
        return self._steps[self._index]

    def start(self, index: int = 0) -> None:
        """Begin (or resume) the tour at step `index`."""
        self._started = True
        self.go_to(index)

    def go_to(self, index: int) -> None:
        """Show step `index` and set the app up for it."""
        self._started = True
        self._index = max(0, min(int(index), len(self._steps) - 1))
        self._apply()
        self._show_text()
        self.stepChanged.emit(self._index)

    def resume_at(self, index: int) -> None:
        """Show step `index` as running without setting the app up for it (it is already set up: a scene)."""
        self._started = True
        self._index = max(0, min(int(index), len(self._steps) - 1))
        self.last_error = None
        self._show_text()
        self.stepChanged.emit(self._index)

    def next(self) -> None:
        """Go to the next step; after the last one, finish."""
        if self._index + 1 < len(self._steps):
            self.go_to(self._index + 1)
        else:
            self.leave()

    def back(self) -> None:
        if self._index > 0:
            self.go_to(self._index - 1)

    def leave(self) -> None:
        """Stop the tour where it is; the app stays as it is and fully usable."""
        self._started = False
        self.finished.emit()

    def is_running(self) -> bool:
        return self._started

    def showEvent(self, event):
        super().showEvent(event)
        if not self._started and self._host is not None:
            self.start(self._index)

    # -- internals --------------------------------------------------------------------------------
    def _apply(self):
        self.last_error = None
        if self._host is None:
            return
        try:
            self.current_step().apply(self._host)
        except Exception as exc:  # a panel the app lacks must not end the lesson
            self.last_error = exc

    def _show_text(self):
        if not hasattr(self, "_text"):
            return
        t = palette(self._dark)
        step, n = self.current_step(), len(self._steps)
        muted, fg = hex_colour(t.muted), hex_colour(t.foreground)
        for i, s in enumerate(self._steps):  # titles can name the network's sizes
            self._chooser.setItemText(i, f"{i + 1}. {s.title}")
        self._chooser.setCurrentIndex(self._index)
        self._counter.setText(f"<span style='color:{muted}'>Step {self._index + 1} of {n}</span>")
        self._title.setText(f"<span style='font-size:13pt; font-weight:bold'>{step.title}</span>")
        note = ""
        if self.last_error is not None:
            note = (f"<p style='color:{muted}'>(Part of this step could not be set up: "
                    f"{type(self.last_error).__name__}: {self.last_error})</p>")
        self._text.setStyleSheet(f"QTextBrowser {{ background: {hex_colour(t.background)}; color: {fg}; border: none; }}")
        self._text.document().setDefaultStyleSheet("p { line-height: 125%; } td { line-height: 120%; }")
        self._text.setHtml(
            f"<div style='font-size:10.5pt'>{step.body}</div>"
            f"<table width='100%' cellpadding='8' style='margin-top:8px; background:{hex_colour(t.raised)}'>"
            f"<tr><td style='font-size:10pt'><b>What to look at</b><br>{step.look}</td></tr></table>{note}")
        self._back.setEnabled(self._index > 0)
        self._next.setText("Finish" if self._index == n - 1 else "Next ▶")
