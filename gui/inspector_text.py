"""The inspector's words: a neuron's name, its weighted sum written out, backpropagation's requests.

Each function turns a core.neuron_stats.NeuronReport into HTML for a QLabel; numbers
are signed and coloured on the weight scale (orange positive, blue negative).
"""
from __future__ import annotations

import numpy as np

from .inspector_support import fmt, hex_color, muted, signed_html

N_ROWS = 5  # terms listed in the weighted-sum table
N_WAYS = 3  # examples listed for each way to raise an output


def symbol(function: str) -> str:
    """Return how the lesson writes an activation function (σ for the sigmoid)."""
    return "σ" if function == "sigmoid" else function


def neuron_title(snap, layer: int, index: int) -> str:
    """Return a neuron's name for the inspector's title."""
    if layer == 0:
        h, w = snap.image_shape
        if h * w == snap.sizes[0]:
            r, c = divmod(index, w)
            return f"Input pixel {index} (row {r}, column {c})"
        return f"Input {index}"
    if layer == snap.n_layers:
        name = snap.class_names[index] if index < len(snap.class_names) else str(index)
        return f"Output layer · neuron {index} (class “{name}”)"
    return f"Hidden layer {layer} · neuron {index}"


def source_namer(snap, layer: int):
    """Return a function naming input i of a neuron in `layer` (a pixel, or a neuron of the layer before)."""
    h, w = snap.image_shape
    if layer == 1 and h * w == snap.sizes[0]:
        return lambda i: f"pixel ({i // w}, {i % w})"
    if layer == 1:
        return lambda i: f"input {i}"
    before = "hidden " + str(layer - 1)
    return lambda i: f"{before}·{i}"


def _table(header, rows, dark) -> str:
    head = "".join(f'<th align="right" style="color:{hex_color(muted(dark))}; padding:0 6px">{h}</th>'
                   for h in header)
    body = "".join("<tr>" + "".join(f'<td align="right" style="padding:0 6px">{cell}</td>' for cell in row)
                   + "</tr>" for row in rows)
    return f'<table cellspacing="0"><tr>{head}</tr>{body}</table>'


def terms_html(report, name_source, dark: bool) -> str:
    """Return z = Σ wᵢaᵢ + b written out, with the largest terms named and the rest summed."""
    ws = report.weighted_sum
    top = ws.top[:N_ROWS]
    rest = float(ws.terms.sum() - ws.terms[top].sum())
    rows = [(name_source(int(i)), signed_html(ws.weights[i], dark), fmt(ws.inputs[i]).lstrip("+"),
             signed_html(ws.terms[i], dark)) for i in top]
    n = len(ws.terms)
    html = (f"z = Σ w<sub>i</sub>a<sub>i</sub> + b over {n} inputs"
            f" = ({fmt(float(ws.terms.sum()))}) + ({fmt(ws.bias)}) = <b>{fmt(ws.z)}</b><br>"
            "Largest terms w<sub>i</sub>a<sub>i</sub>:"
            + _table(("input i", "w<sub>i</sub>", "a<sub>i</sub>", "w<sub>i</sub>a<sub>i</sub>"), rows, dark))
    if n > len(top):
        html += f"The other {n - len(top)} terms add up to {signed_html(rest, dark)}."
    return html


def nudge_html(report, label_name, dark: bool) -> str:
    """Return what the nudge ∂C/∂a means for this neuron, in words."""
    if report.nudge is None:
        return ("This example has no label (a drawn digit): with no right answer there is no cost,"
                " so backpropagation has nothing to ask.")
    want = "higher" if report.nudge < 0 else "lower" if report.nudge > 0 else "where it is"
    return (f"For this example (label “{label_name}”), gradient descent moves a against ∂C/∂a:"
            f" it wants this neuron's activation <b>{want}</b>.")


def gradient_html(report, name_source, dark: bool) -> str:
    """Return the largest ∂C/∂wᵢ for this example, as a table."""
    if report.grad_weights is None:
        return ""
    rows = [(name_source(int(i)), fmt(report.weighted_sum.inputs[i]).lstrip("+"),
             signed_html(report.grad_weights[i], dark)) for i in report.top_grad_weights[:N_ROWS]]
    return ("Largest ∂C/∂w<sub>i</sub> = ∂C/∂b · a<sub>i</sub> (a weight from a silent input gets none):"
            + _table(("input i", "a<sub>i</sub>", "∂C/∂w<sub>i</sub>"), rows, dark))


def three_ways_html(report, name_source, dark: bool) -> str:
    """Return the lesson's three ways to raise an output neuron, with this example's numbers."""
    s = report.slope
    ws = report.weighted_sum
    slope = f"{symbol(report.function)}′(z)" if report.function != "softmax" else "a(1 − a)"
    by_input = np.argsort(-np.abs(ws.inputs), kind="stable")[:N_WAYS]
    by_weight = np.argsort(-np.abs(ws.weights), kind="stable")[:N_WAYS]
    raise_w = [(name_source(int(i)), fmt(ws.inputs[i]).lstrip("+"), signed_html(s * ws.inputs[i], dark))
               for i in by_input]
    change_a = [(name_source(int(i)), signed_html(ws.weights[i], dark), signed_html(s * ws.weights[i], dark),
                 "raise" if ws.weights[i] > 0 else "lower") for i in by_weight]
    return (f"<b>Three ways to raise a</b> (reverse them to lower it). Each acts through"
            f" ∂a/∂z = {slope} = {fmt(s)}.<br>"
            f"<b>1.</b> Raise the bias b: ∂a/∂b = ∂a/∂z = {signed_html(s, dark)}.<br>"
            "<b>2.</b> Raise the weights w<sub>i</sub> in proportion to a<sub>i</sub>:"
            " ∂a/∂w<sub>i</sub> = ∂a/∂z · a<sub>i</sub>, largest from the most active inputs:"
            + _table(("input i", "a<sub>i</sub>", "∂a/∂w<sub>i</sub>"), raise_w, dark)
            + "<b>3.</b> Change the activations a<sub>i</sub> of the layer before in proportion to"
            " w<sub>i</sub>: ∂a/∂a<sub>i</sub> = ∂a/∂z · w<sub>i</sub>, largest through the strongest weights:"
            + _table(("input i", "w<sub>i</sub>", "∂a/∂a<sub>i</sub>", "so a<sub>i</sub> should"), change_a, dark))
