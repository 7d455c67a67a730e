"""What the diagram's neurons, labels and legend show for one snapshot and one set of settings."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gui.diagram.edges import N_BINS, bin_colours, change_of, revealed
from gui.diagram.style import (
    MODE_TEXT,
    activation_levels,
    diverging_fill,
    diverging_palette,
    grey_fill,
    grey_palette,
    layer_name,
    walk_text,
)
from gui.widgets.colours import SELECTION
from gui.widgets.theme import palette

EDGE_CAPTIONS = {
    "weights": "Connections: weight w",
    "contributions": "Connections: w·a (this image)",
    "gradients": "Connections: ∂C/∂w (this image)",
    "changes": "Connections: Δw, the last step's change",
}
CHANGE_TEXT = ("Coloured by what the last step changed: orange rose, blue fell, the brighter the more."
               " Connections show Δw; neurons show Δa for this image.")


@dataclass
class Description:
    """Fills, labels and legend texts of the diagram, ready to hand to the items."""

    fills: list  # per neuron layer: (palette key, (P, 3) uint8 palette, (n,) indices), or None
    dimmed: set
    labels: list  # (layer, index, text, bold)
    tags: list  # (layer, index, text, rgb)
    ring: tuple | None
    edge_legend: tuple  # (rgba, caption, left, middle, right)
    neuron_legend: tuple
    marks: str
    explanation: str
    sizes: tuple = ()
    titles_text: list = field(default_factory=list)

    def titles(self, layout) -> list:
        """Return (x, text) titles above each column of the layout."""
        out = []
        for k, text in enumerate(self.titles_text):
            if k == 0 and layout.grid_rect is not None:
                x, _, w, _ = layout.grid_rect
                out.append((x + w / 2, text))
            else:
                out.append((float(layout.centres[k][0, 0]), text))
        return out

    def fill_legend(self, legend) -> None:
        legend.edges.set_scale(*self.edge_legend)
        legend.neurons.set_scale(*self.neuron_legend)
        legend.marks.setText(self.marks)
        legend.set_explanation(self.explanation)


def mark_movers(labels, n, change, k=2) -> list:
    """Return the output labels with the k outputs the step moved most marked ▲ (rose) or ▼ (fell), in bold."""
    labels = list(labels)
    for j in change.largest_outputs(k):
        layer, index, text, _ = labels[j]
        labels[j] = (layer, index, f"{text} {'▲' if change.activations[n][j] > 0 else '▼'}", True)
    return labels


def describe(snap, mode, k, quantity, depth, dark, class_names=None, scales=None, selected=None,
             colour_by="values", highlight=False):
    """Return the Description of `snap` shown in `mode`, coloured by `quantity`.

    depth: layers walked back by backpropagation (None when not colouring by gradients).
    scales: (quantity, layer) → StableScale, for the legend's numbers.
    highlight: mark the outputs the last step moved most (shortly after a step).
    """
    n = snap.n_layers
    names = tuple(class_names or snap.class_names)
    fg = palette(dark).foreground
    grads = quantity == "gradients"
    shown = revealed(n, depth)[1] if grads else set(range(n + 1))
    fills, hidden_text = [None], ""
    greys, diverging = ("grey", grey_palette()), (f"diverging-{dark}", diverging_palette(dark))
    changes = quantity == "changes"
    change = change_of(snap) if changes or highlight else None
    for layer in range(1, n + 1):
        if grads:
            fills.append(diverging + (diverging_fill(snap.nudges[layer])[0],))
        elif changes:
            fills.append(diverging + (diverging_fill(change.activations[layer])[0],))
        else:
            name = snap.activation if layer < n else snap.output_activation
            levels, text = activation_levels(snap.activations[layer], name)
            hidden_text = hidden_text or text
            fills.append(greys + (grey_fill(levels),))
    dimmed = set(range(1, n + 1)) - shown
    out = snap.activations[n]
    labels = []
    for j in range(snap.sizes[-1]):
        name = names[j] if j < len(names) else str(j)
        value = f"{float(snap.nudges[n][j]):+.3f}" if grads and n in shown else \
            f"{float(change.activations[n][j]):+.3f}" if changes else f"{float(out[j]):.2f}"
        labels.append((n, j, f"{name}   {value}", j == snap.prediction))
    pred, label = snap.prediction, snap.label
    if label is None:
        tags = [(n, pred, "◀ prediction", fg)]
    elif pred == label:
        tags = [(n, pred, "◀ prediction ✓", fg)]
    else:
        tags = [(n, pred, "◀ prediction ✗", fg), (n, label, "◀ label", fg)]
    if highlight and change is not None:
        labels = mark_movers(labels, n, change)

    shown_scales = []
    for l in range(n):
        s = (scales or {}).get((quantity, l))
        if s is not None and s.value is not None:
            shown_scales.append(f"±{s.value:.3g}")
    edge_caption = EDGE_CAPTIONS[quantity]
    if shown_scales:  # each layer has its own scale: their weights differ in size
        edge_caption += ", full colour at " + " | ".join(shown_scales)
    edge_legend = (bin_colours(N_BINS, dark), edge_caption, "− blue", "0", "orange +")
    if grads or changes:
        lut = palette(dark).weight_lut(64)
        caption = "Neurons: Δa, the last step's change (this image)" if changes else \
            "Neurons: ∂C/∂a (blue: the cost falls if it rises)"
        neuron_legend = (lut, caption, "−", "0", "+")
    else:
        ramp = np.repeat(np.arange(0, 256, 8, dtype=np.uint8)[:, None], 3, axis=1)
        lo, hi = ("−1", "+1") if snap.activation == "tanh" else ("0", "1")
        caption = "Neurons: activation a" + (f", {hidden_text}" if snap.activation in ("relu", "leaky_relu") else "")
        neuron_legend = (ramp, caption, lo, "", hi if snap.activation not in ("relu", "leaky_relu") else "max")
    green = "#{:02x}{:02x}{:02x}".format(*SELECTION)
    marks = (f"<span style='color:{green}'>◯</span> selected &nbsp; ◯ ringed: the prediction<br>"
             "wheel: zoom · drag: pan · hover: values")

    if grads:
        explanation = (f"Backpropagation, step {depth + 1} of {n + 1}: " + walk_text(snap.cost, depth, n))
    else:
        explanation = MODE_TEXT[mode].format(k=k)
        if mode == "selected" and selected is None:
            explanation += "  (Nothing selected yet.)"
    if colour_by == "gradients" and not grads:
        explanation += "  This image has no label, so there is no cost to backpropagate."
    if changes:
        explanation = CHANGE_TEXT
    elif colour_by == "changes":
        explanation += "  (No step since this network was shown, so there is no change to colour by.)"

    titles = []
    for layer, size in enumerate(snap.sizes):
        if layer == 0 and snap.image_shape and int(np.prod(snap.image_shape)) == size:
            titles.append(f"Input image {snap.image_shape[0]}×{snap.image_shape[1]} = {size} pixels")
        else:
            titles.append(f"{layer_name(layer, n).capitalize()} · {size}" + (" · ∂C/∂a" if grads else ""))
    return Description(fills, dimmed, labels, tags, (n, pred), edge_legend, neuron_legend, marks,
                       explanation, snap.sizes, titles)
