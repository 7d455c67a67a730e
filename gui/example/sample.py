"""The current example: its image and label, the network's ten outputs, and its cost term by term."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from core.lesson.neuron_stats import cost_terms, network_from, next_misclassified
from gui.widgets.chart_style import RoomyAxis
from gui.widgets.jobs import BackgroundRunner
from gui.widgets.number_table import set_text
from gui.widgets.rich_text import html_width
from gui.widgets.room_watch import RoomWatcher
from gui.widgets.support import PANEL_REFRESH_MS, Throttle, grey_pixmap, style_plot
from gui.widgets.theme import follow_theme, hex_colour, palette

IMAGE_SIDE = 140  # pixels on screen for the example's image
SPLITS = (("train", "training set"), ("test", "test set"))


class SampleView(QWidget):
    """The example flowing through the network, and controls to choose another.

    Signals: exampleRequested(str split, int index) — show this training/test example;
    followBatchToggled(bool) — show the current mini-batch's first example after every step.
    """

    exampleRequested = Signal(str, int)
    followBatchToggled = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = self._dataset = None
        self._dark = True
        self.cost_terms = None  # the terms shown in the cost table (None without a label)
        self._ticks = self._image = None
        top = QHBoxLayout()
        self.image = QLabel()
        self.image.setFixedSize(IMAGE_SIDE, IMAGE_SIDE)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        top.addWidget(self.image)
        facts = QVBoxLayout()
        self.title = QLabel("Waiting for the network.")
        self.title.setWordWrap(True)
        self.label_text, self.prediction_text, self.cost_text = QLabel(), QLabel(), QLabel()
        for w in (self.title, self.label_text, self.prediction_text, self.cost_text):
            w.setTextFormat(Qt.TextFormat.RichText)
            w.setWordWrap(True)  # a narrow dock wraps them rather than cutting "C = 0.0…" off
            facts.addWidget(w)
        facts.addStretch(1)
        top.addLayout(facts, 1)
        controls = QGridLayout()
        self.split = QComboBox()
        for key, text in SPLITS:
            self.split.addItem(text, key)
        self.previous, self.next = QPushButton("◀"), QPushButton("▶")
        self.previous.setToolTip("Previous example")
        self.next.setToolTip("Next example")
        self.index = QSpinBox()
        self.index.setKeyboardTracking(False)  # one request when typing is done, not one per digit
        self.index.setPrefix("image ")
        self.misclassified = QPushButton("Next misclassified")
        self.misclassified.setToolTip("Find the next example of this set that the network gets wrong")
        self.follow = QCheckBox("Follow the current mini-batch")
        self.follow.setToolTip("After every step, show the first example of the mini-batch just trained on")
        self.status = QLabel()
        self.stepper = QWidget()  # ◀ image N ▶: beside the split box, or under it when narrow
        steps = QHBoxLayout(self.stepper)
        steps.setContentsMargins(0, 0, 0, 0)
        for w in (self.previous, self.index, self.next):
            steps.addWidget(w, 1 if w is self.index else 0)
        self.chooser = QGridLayout()
        self.chooser.setColumnStretch(0, 1)
        self.chooser.setColumnStretch(1, 1)
        controls.addLayout(self.chooser, 0, 0, 1, 2)
        self.controls = controls
        controls.addWidget(self.misclassified, 1, 0)
        controls.addWidget(self.status, 3, 0, 1, 2)
        self._follow_below = self._stepper_below = None
        self._place_follow(below=False)
        self._place_stepper(below=False)
        self._cost_parts = None  # (formula, total) of the cost line, written on one line or two
        self._room_width = None  # the width the dock gives the panel (None: not known yet)
        self._room = RoomWatcher(self, self._fit_controls)
        self.status.hide()
        self.outputs = pg.PlotWidget(axisItems={"left": RoomyAxis("left")})
        self.outputs.setMenuEnabled(False)
        self.outputs.setMouseEnabled(False, False)
        self.outputs.hideButtons()
        plot = self.outputs.getPlotItem()
        plot.setLabel("left", "output a")
        plot.setYRange(0, 1.08, padding=0)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.target = pg.BarGraphItem(x=[], height=[], width=0.86)
        plot.addItem(self.bars)
        plot.addItem(self.target)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.cost_table = QTableWidget(0, 4)
        self.cost_table.verticalHeader().setVisible(False)
        self.cost_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.cost_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.cost_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.cost_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 4)
        self.cost_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.cost_sum = QLabel()  # one line, not wrapped: it changes with every example
        self.cost_sum.setTextFormat(Qt.TextFormat.RichText)
        self.cost_note = QLabel("This is one example's cost; training lowers its mean over the examples.")
        self.cost_note.setWordWrap(True)
        layout = QVBoxLayout(self)  # the window's dock scrolls a panel taller than it
        for item in (top, controls, self.outputs, self.legend, self.cost_table, self.cost_sum, self.cost_note):
            if isinstance(item, QWidget):
                layout.addWidget(item)
            else:
                layout.addLayout(item)
        layout.addStretch(1)
        self.split.currentIndexChanged.connect(lambda _: self._request(self.index.value()))
        self.index.valueChanged.connect(self._request)
        self.previous.clicked.connect(lambda: self._request(self.index.value() - 1))
        self.next.clicked.connect(lambda: self._request(self.index.value() + 1))
        self.misclassified.clicked.connect(self.find_next_misclassified)
        self.follow.toggled.connect(self.followBatchToggled)
        self._runner = BackgroundRunner(self)
        self._runner.finished.connect(self._on_found)
        self._runner.failed.connect(self._say)
        self._throttle = Throttle(PANEL_REFRESH_MS, self.refresh, self)
        self._enable()
        self._fit_to_type()
        follow_theme(self)

    # -- layout --------------------------------------------------------------------------------
    def _fit_to_type(self) -> None:
        """Size the arrow buttons and the outputs plot for the type size (they grow with Ctrl+= and presenting)."""
        metrics = self.fontMetrics()
        for button in (self.previous, self.next):
            button.setFixedWidth(max(36, metrics.horizontalAdvance("◀") + 22))
        # the axis label "output a" runs up the plot's side, above the bottom axis
        self.outputs.setFixedHeight(max(150, round(1.15 * metrics.horizontalAdvance("output a") + 2.5 * metrics.height())))

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_to_type()
            if self._room_width is not None:
                self._fit_controls(self._room_width)

    def _place_follow(self, below: bool) -> None:
        """Put "Follow the current mini-batch" beside "Next misclassified", or under it when narrow."""
        if below == self._follow_below:
            return
        self._follow_below = below
        self.controls.removeWidget(self.follow)
        if below:
            self.controls.addWidget(self.follow, 2, 0, 1, 2)
        else:
            self.controls.addWidget(self.follow, 1, 1)

    def _place_stepper(self, below: bool) -> None:
        """Put ◀ image N ▶ beside the training/test box, or under it when narrow."""
        if below == self._stepper_below:
            return
        self._stepper_below = below
        for w in (self.split, self.stepper):
            self.chooser.removeWidget(w)
        if below:
            self.chooser.addWidget(self.split, 0, 0, 1, 2)
            self.chooser.addWidget(self.stepper, 1, 0, 1, 2)
        else:
            self.chooser.addWidget(self.split, 0, 0)
            self.chooser.addWidget(self.stepper, 0, 1)

    def _side_by_side_widths(self) -> tuple:
        """Return the widths the two rows of controls need with nothing moved under: (follow's, the stepper's)."""
        spacing = max(self.controls.horizontalSpacing(), 6)
        return (self.misclassified.sizeHint().width() + self.follow.sizeHint().width() + spacing,
                self.split.sizeHint().width() + self.stepper.sizeHint().width() + spacing)

    def _fit_controls(self, room: int) -> None:
        self._room_width = room
        margins = self.layout().contentsMargins()
        inside = room - margins.left() - margins.right()
        follow, stepper = self._side_by_side_widths()
        self._place_follow(below=inside < follow)
        self._place_stepper(below=inside < stepper)
        self._write_cost_sum()

    def sizeHint(self):
        # wide enough for ◀ image N ▶ beside the split box, however they are arranged now: a
        # column sized from the hint (presentation mode) would otherwise keep them stacked
        hint = super().sizeHint()
        margins = self.layout().contentsMargins()
        hint.setWidth(max(hint.width(), self._side_by_side_widths()[1] + margins.left() + margins.right()))
        return hint

    # -- inputs --------------------------------------------------------------------------------
    def set_snapshot(self, snap) -> None:
        """Store the newest snapshot; the view refreshes shortly after (throttled)."""
        if snap is self._snap:
            return
        self._snap = snap
        self._throttle.request()

    def set_dataset(self, dataset) -> None:
        self._dataset = dataset
        self._enable()

    def set_dark(self, dark: bool) -> None:
        self._dark = bool(dark)
        self.outputs.setBackground(palette(self._dark).background)
        plot = self.outputs.getPlotItem()
        style_plot(plot, self._dark)
        plot.getAxis("left").setLabel("output a", color=palette(self._dark).foreground)
        sel, fg = hex_colour(palette(self._dark).selection), hex_colour(palette(self._dark).foreground)
        self.legend.setText(f'<span style="color:{sel}">■</span> prediction (largest output) &nbsp; '
                            f'<span style="color:{fg}">⬚</span> target (the label\'s output should be 1)')
        self.refresh()

    @property
    def split_key(self) -> str:
        return self.split.currentData()

    # -- intents -------------------------------------------------------------------------------
    def _request(self, index: int) -> None:
        if self._dataset is None:
            return
        n = len(self._dataset.labels(self.split_key))
        index %= n  # previous from 0 wraps to the last example
        with signals_blocked(self.index):
            self.index.setValue(index)
        if self.follow.isChecked():
            self.follow.setChecked(False)  # choosing an example stops following the batch
        self.exampleRequested.emit(self.split_key, index)

    def find_next_misclassified(self) -> None:
        """Search (off the GUI thread) for the next example after the current one that the network gets wrong."""
        snap, ds = self._snap, self._dataset
        if snap is None or ds is None:
            return
        split, start = self.split_key, self.index.value() + 1
        self._say("Searching…")
        # inputs() converts a split on first use (a third of a second for the training set): off the GUI thread
        self._runner.submit(lambda: (split, next_misclassified(network_from(snap), ds.inputs(split),
                                                               ds.labels(split), start)))

    def _on_found(self, result) -> None:
        split, index = result
        if index is None:
            self._say(f"The network gets every example of the {dict(SPLITS)[split]} right.")
            return
        self._say("")
        if split != self.split_key:
            with signals_blocked(self.split):
                self.split.setCurrentIndex([k for k, _ in SPLITS].index(split))
        self._request(index)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _enable(self):
        ok = self._dataset is not None
        for w in (self.split, self.index, self.previous, self.next, self.misclassified):
            w.setEnabled(ok)
        if ok:
            with signals_blocked(self.index):
                self.index.setRange(0, len(self._dataset.labels(self.split_key)) - 1)

    # -- drawing -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the stored snapshot now."""
        snap = self._snap
        if snap is None:
            return
        h, w = snap.image_shape
        if h * w == snap.sizes[0] and not (self._image is not None and np.array_equal(self._image, snap.image)):
            self._image = snap.image
            self.image.setPixmap(grey_pixmap(snap.image, max(1, IMAGE_SIDE // max(h, w))))
        if snap.example_split in ("train", "test") and self._dataset is not None:
            with signals_blocked(self.split), signals_blocked(self.index):
                self.split.setCurrentIndex([k for k, _ in SPLITS].index(snap.example_split))
                self.index.setRange(0, len(self._dataset.labels(snap.example_split)) - 1)
                self.index.setValue(snap.example_index)
        names = snap.class_names
        where = {"train": "Training image", "test": "Test image"}.get(snap.example_split)
        set_text(self.title, f"<b>{where} {snap.example_index}</b>" if where else "<b>Your drawing</b>")
        set_text(self.label_text, "Label: " + (f"<b>{names[snap.label]}</b>" if snap.label is not None
                                             else "none (a drawing has no right answer)"))
        verdict = ""
        if snap.label is not None:
            ok = snap.prediction == snap.label
            verdict = (f' <span style="color:{hex_colour(palette(self._dark).selection)}">✓ right</span>' if ok
                       else f' <span style="color:{hex_colour(palette(self._dark).bad)}">✗ wrong</span>')
        set_text(self.prediction_text, f"Prediction: <b>{names[snap.prediction]}</b>{verdict}")
        set_text(self.cost_text, "" if snap.example_cost is None else f"Cost of this example: C = {snap.example_cost:.4f}")
        self._show_outputs(snap)
        self._show_cost(snap)

    def _show_outputs(self, snap):
        out = np.asarray(snap.activations[-1], dtype=np.float64)
        n = len(out)
        brushes = [pg.mkBrush(*(palette(self._dark).selection if j == snap.prediction else palette(self._dark).muted))
                   for j in range(n)]
        self.bars.setOpts(x=np.arange(n), height=out, width=0.7, brushes=brushes, pen=pg.mkPen(None))
        if snap.label is not None:
            self.target.setOpts(x=[snap.label], height=[1.0], width=0.86, brush=pg.mkBrush(None),
                                pen=pg.mkPen(palette(self._dark).foreground, width=1.5, style=Qt.PenStyle.DashLine))
        else:
            self.target.setOpts(x=[], height=[])
        ticks = tuple(snap.class_names[j] if j < len(snap.class_names) else str(j) for j in range(n))
        if ticks != self._ticks:  # redrawing the axis costs more than the bars: only when the classes change
            self._ticks = ticks
            self.outputs.getPlotItem().getAxis("bottom").setTicks([list(enumerate(ticks))])
            self.outputs.setXRange(-0.6, n - 0.4, padding=0)

    def _show_cost(self, snap):
        table = self.cost_table
        quadratic = snap.cost == "quadratic"
        term_name = "(aⱼ − yⱼ)²" if quadratic else "−yⱼ log aⱼ"
        if table.horizontalHeaderItem(3) is None or table.horizontalHeaderItem(3).text() != term_name:
            table.setHorizontalHeaderLabels(["class j", "output aⱼ", "target yⱼ", term_name])
        out = np.asarray(snap.activations[-1], dtype=np.float64)
        self.cost_terms = None if snap.label is None else cost_terms(out, snap.label, snap.cost)
        if table.rowCount() != len(out):
            table.setRowCount(len(out))
        for j, a in enumerate(out):
            y = "" if snap.label is None else ("1" if j == snap.label else "0")
            term = "" if self.cost_terms is None else f"{self.cost_terms[j]:.4f}"
            for col, text in enumerate((snap.class_names[j], f"{a:.4f}", y, term)):
                item = table.item(j, col)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter if col == 0 else
                                          Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    table.setItem(j, col, item)
                if item.text() != text:
                    item.setText(text)
                if item.font().bold() != (j == snap.label):
                    font = item.font()
                    font.setBold(j == snap.label)
                    item.setFont(font)
        height = table.horizontalHeader().height() + sum(table.rowHeight(j) for j in range(len(out))) + 4
        if table.height() != height:
            table.setFixedHeight(height)
        self.cost_note.setVisible(self.cost_terms is not None)
        if self.cost_terms is None:
            set_text(self.cost_sum, "No label, so no cost: nothing to score the answer against.")
            return
        total = float(self.cost_terms.sum())
        formula = "C = Σⱼ (aⱼ − yⱼ)²" if quadratic else f"C = −log a<sub>{snap.class_names[snap.label]}</sub>"
        self._cost_parts = (formula, f"<b>{total:.4f}</b>")
        self._write_cost_sum()

    def _write_cost_sum(self) -> None:
        """Write the cost on one line, or the sum on a line of its own when the dock is too narrow for one."""
        if self._cost_parts is None or self.cost_terms is None:
            return
        formula, total = self._cost_parts
        line = f"{formula} = {total}"
        margins = self.layout().contentsMargins()
        room = None if self._room_width is None else self._room_width - margins.left() - margins.right()
        if room is not None and html_width(line, self.cost_sum.font()) > room:
            line = f"{formula}<br>= {total}"
        set_text(self.cost_sum, line)
