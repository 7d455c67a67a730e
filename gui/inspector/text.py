"""The inspector's words and tables: a neuron's name, its weighted sum term by term, backprop's requests.

The functions turn a core.neuron_stats.NeuronReport into plain lines and table rows (cells
are text or (text, sign) pairs for gui.inspector_table.NumberTable), so nothing here needs Qt.
"""
from __future__ import annotations

import numpy as np

from gui.widgets.number_table import sign
from gui.widgets.support import fmt

N_ROWS = 5  # rows of the weighted-sum and gradient tables
N_WAYS = 3  # rows for each way to raise an output


def symbol(function: str) -> str:
    """Return how the lesson writes an activation function (σ for the sigmoid)."""
    return "σ" if function == "sigmoid" else function


def slope_name(function: str) -> str:
    """Return ∂a/∂z written for this activation."""
    return "a(1 − a)" if function == "softmax" else f"{symbol(function)}′(z)"


def _signed(value: float) -> tuple:
    return fmt(value), sign(value)


def sum_line(report) -> str:
    """Return z = Σ wᵢaᵢ + b with this example's numbers, on two lines."""
    ws = report.weighted_sum
    return (f"z = Σ wᵢaᵢ + b over {len(ws.terms)} inputs\n"
            f"   = ({fmt(float(ws.terms.sum()))}) + ({fmt(ws.bias)}) = {fmt(ws.z)}")


def term_rows(report, name_source) -> list:
    """Return the largest terms wᵢaᵢ as table rows, then one row summing all the others."""
    ws = report.weighted_sum
    top = ws.top[:N_ROWS]
    rows = [(name_source(int(i)), _signed(ws.weights[i]), f"{ws.inputs[i]:.4g}", _signed(ws.terms[i]))
            for i in top]
    if len(ws.terms) > len(top):
        rest = float(ws.terms.sum() - ws.terms[top].sum())
        rows.append((f"the other {len(ws.terms) - len(top)} terms", "", "", _signed(rest)))
    return rows


def nudge_text(report, label_name) -> str:
    """Return what the nudge ∂C/∂a means for this neuron, in words."""
    if report.nudge is None:
        return ("This example has no label (a drawn input): with no right answer there is no cost,"
                " so backpropagation has nothing to ask.")
    want = "higher" if report.nudge < 0 else "lower" if report.nudge > 0 else "where it is"
    return (f"For this example (label “{label_name}”) gradient descent moves a against ∂C/∂a:"
            f" it wants this neuron's activation <b>{want}</b>.")


def gradient_rows(report, name_source) -> list:
    """Return the largest ∂C/∂wᵢ for this example as table rows."""
    if report.grad_weights is None:
        return []
    return [(name_source(int(i)), f"{report.weighted_sum.inputs[i]:.4g}", _signed(report.grad_weights[i]))
            for i in report.top_grad_weights[:N_ROWS]]


def raise_bias_line(report) -> str:
    return f"1. Raise the bias b:  ∂a/∂b = ∂a/∂z = {fmt(report.slope)}"


def raise_weight_rows(report, name_source) -> list:
    """Return ∂a/∂wᵢ = ∂a/∂z · aᵢ for the most active inputs (way 2)."""
    ws = report.weighted_sum
    order = np.argsort(-np.abs(ws.inputs), kind="stable")[:N_WAYS]
    return [(name_source(int(i)), f"{ws.inputs[i]:.4g}", _signed(report.slope * ws.inputs[i])) for i in order]


def change_input_rows(report, name_source) -> list:
    """Return ∂a/∂aᵢ = ∂a/∂z · wᵢ through the strongest weights, and which way aᵢ should go (way 3)."""
    ws = report.weighted_sum
    order = np.argsort(-np.abs(ws.weights), kind="stable")[:N_WAYS]
    return [(name_source(int(i)), _signed(ws.weights[i]), _signed(report.slope * ws.weights[i]),
             "raise it" if ws.weights[i] > 0 else "lower it") for i in order]
