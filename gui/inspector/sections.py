"""The inspector's two numeric sections: the forward pass of one neuron, and what backprop asks of it.

Everything that changes with every training step is a plain-text label or a NumberTable;
word-wrapped rich text is kept for sentences that change rarely (see gui.inspector_table).
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from gui.inspector.plots import ActivationCurve
from gui.inspector.text import (
    N_ROWS,
    N_WAYS,
    change_input_rows,
    gradient_rows,
    nudge_text,
    raise_bias_line,
    raise_weight_rows,
    slope_name,
    sum_line,
    symbol,
    term_rows,
)
from gui.widgets.number_table import NUMBER_ROOM, NumberTable, set_text
from gui.widgets.support import fmt


def prose(text: str = "") -> QLabel:
    """Return a word-wrapped rich-text label for sentences."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def value_grid(rows, parent_layout) -> tuple:
    """Add a grid of (key, name) rows with right-aligned values; return (value labels, name labels)."""
    grid = QGridLayout()
    values, names = {}, {}
    for r, (key, text) in enumerate(rows):
        name, value = QLabel(text), QLabel("–")
        value.setObjectName(f"value_{key}")
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        value.setMinimumWidth(value.fontMetrics().horizontalAdvance(NUMBER_ROOM))
        grid.addWidget(name, r, 0)
        grid.addWidget(value, r, 1)
        values[key], names[key] = value, name
    grid.setColumnStretch(0, 1)
    parent_layout.addLayout(grid)
    return values, names


class ForwardSection(QWidget):
    """Bias, weighted sum written out, activation, and the activation curve with z marked.

    `terms_part` (the largest terms of the sum) is not laid out here: the inspector puts it below.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.where = QLabel()
        box.addWidget(self.where)
        self.value_labels, self.name_labels = value_grid(
            (("bias", "bias b"), ("z", "weighted sum z = Σ wᵢaᵢ + b"), ("a", "activation a"),
             ("slope", "slope ∂a/∂z")), box)
        self.sum_line = QLabel()
        self.sum_line.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.sum_line.setContentsMargins(0, 6, 0, 0)
        box.addWidget(self.sum_line)
        self.curve = ActivationCurve(height=140)
        box.addWidget(self.curve)
        # the long part: placed by the inspector below the sections, after what fits at a glance
        self.terms_part = QWidget()
        terms_box = QVBoxLayout(self.terms_part)
        terms_box.setContentsMargins(0, 0, 0, 0)
        terms_box.addWidget(QLabel("The largest terms wᵢaᵢ of the weighted sum:"))
        self.terms = NumberTable(("input i", "wᵢ", "aᵢ", "wᵢaᵢ"), N_ROWS + 1, wide_rows=(N_ROWS,))
        terms_box.addWidget(self.terms)

    def show_report(self, report, where: str, name_source) -> None:
        set_text(self.where, where)
        f = symbol(report.function)
        set_text(self.name_labels["a"], f"activation a = {f}(z)")
        set_text(self.name_labels["slope"], f"slope ∂a/∂z = {slope_name(report.function)}")
        for key, value in (("bias", report.bias), ("z", report.z), ("a", report.a), ("slope", report.slope)):
            set_text(self.value_labels[key], fmt(value))
        set_text(self.sum_line, sum_line(report))
        self.terms.set_rows(term_rows(report, name_source))
        self.curve.set_point(report.function, report.z, report.a)



class BackpropSection(QWidget):
    """The nudge ∂C/∂a and ∂C/∂b; below them the inspector places `gradients` (the largest ∂C/∂w)
    and, for an output neuron, `three_ways` to raise it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.value_labels, self.name_labels = value_grid((("nudge", "nudge ∂C/∂a"), ("grad_bias", "∂C/∂b")), box)
        self.nudge_note = prose()
        box.addWidget(self.nudge_note)
        self.gradients = QWidget()
        inner = QVBoxLayout(self.gradients)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(prose("Largest ∂C/∂wᵢ = ∂C/∂b · aᵢ (a weight from a silent input, aᵢ = 0, gets none):"))
        self.gradient_table = NumberTable(("input i", "aᵢ", "∂C/∂wᵢ"), N_ROWS)
        inner.addWidget(self.gradient_table)
        self.three_ways = QWidget()
        ways = QVBoxLayout(self.three_ways)
        ways.setContentsMargins(0, 6, 0, 0)
        ways.addWidget(prose("<b>Three ways to raise a</b> (reverse them to lower it). All act through"
                             " the slope ∂a/∂z:"))
        self.bias_way = QLabel()
        ways.addWidget(self.bias_way)
        ways.addWidget(prose("2. Raise the weights wᵢ in proportion to aᵢ (∂a/∂wᵢ = ∂a/∂z · aᵢ):"
                             " the most active inputs give the most."))
        self.weight_way = NumberTable(("input i", "aᵢ", "∂a/∂wᵢ"), N_WAYS)
        ways.addWidget(self.weight_way)
        ways.addWidget(prose("3. Change the activations aᵢ of the layer before in proportion to wᵢ"
                             " (∂a/∂aᵢ = ∂a/∂z · wᵢ): the strongest weights give the most."))
        self.input_way = NumberTable(("input i", "wᵢ", "∂a/∂aᵢ", "so aᵢ:"), N_WAYS)
        ways.addWidget(self.input_way)

    def show_report(self, report, label_name, name_source) -> None:
        for key, value in (("nudge", report.nudge), ("grad_bias", report.grad_bias)):
            set_text(self.value_labels[key], "–" if value is None else fmt(value))
        set_text(self.nudge_note, nudge_text(report, label_name))
        if report.grad_weights is not None:
            self.gradient_table.set_rows(gradient_rows(report, name_source))
        if report.is_output:
            set_text(self.bias_way, raise_bias_line(report))
            self.weight_way.set_rows(raise_weight_rows(report, name_source))
            self.input_way.set_rows(change_input_rows(report, name_source))

