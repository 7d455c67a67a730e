"""How the diagram's neurons are filled and what its tooltips and explanations say (no Qt)."""
from __future__ import annotations

import numpy as np

from gui.widgets.colours import symmetric_scale
from gui.widgets.theme import palette

UNBOUNDED = ("relu", "leaky_relu")

MODE_TEXT = {
    "all": "Every connection, coloured by its weight (blue negative, orange positive): the stronger, "
           "the brighter and the more on top; the faintest of the first block blend into a haze. "
           "Click a neuron to follow its connections.",
    "strongest": "Only the {k} strongest connections into each neuron (largest |w|): the "
                 "inputs each neuron listens to most.",
    "selected": "Only the selected neuron's connections, into it and out of it. Click any "
                "neuron or pixel.",
    "contributions": "What each connection passes on for this image: w·a. Dark pixels (a = 0) "
                     "send nothing, so only the lit pixels' connections are left.",
}


def layer_name(layer: int, n_layers: int) -> str:
    """Return a learner-facing name for neuron layer `layer` of a network with n_layers."""
    if layer == 0:
        return "input"
    if layer == n_layers:
        return "output"
    return f"hidden layer {layer}"


def activation_levels(values, activation: str) -> tuple:
    """Return (grey levels in [0, 1], legend text) for a layer's activations.

    sigmoid and softmax already lie in [0, 1]; tanh spans [−1, 1]; relu is unbounded, so it
    is scaled by the layer's largest activation (and the legend says so).
    """
    values = np.asarray(values, dtype=np.float64)
    if activation == "tanh":
        return np.clip((values + 1) / 2, 0, 1), "−1 black → +1 white"
    if activation in UNBOUNDED:
        top = float(values.max()) if values.size and values.max() > 0 else 1.0
        return np.clip(values / top, 0, 1), f"white = the layer's largest ({top:.3g})"
    return np.clip(values, 0, 1), "0 black → 1 white"


GREY_LEVELS = 64  # neuron fills are drawn from a few pre-drawn circles (see network_items)
DIVERGING_LEVELS = 65  # odd: zero has its own shade


def grey_palette() -> np.ndarray:
    """Return the (GREY_LEVELS, 3) uint8 greys neurons are filled with, black to white."""
    g = np.round(np.linspace(0, 255, GREY_LEVELS)).astype(np.uint8)
    return np.repeat(g[:, None], 3, axis=1)


def grey_fill(levels) -> np.ndarray:
    """Return each neuron's index into grey_palette() for levels in [0, 1]."""
    # NaN (a diverged network) shows black, not an arbitrary grey from casting NaN to an int
    levels = np.nan_to_num(np.asarray(levels, dtype=np.float64), nan=0.0, posinf=1.0, neginf=0.0)
    return np.round(np.clip(levels, 0, 1) * (GREY_LEVELS - 1)).astype(np.intp)


def diverging_palette(dark: bool = True) -> np.ndarray:
    """Return the (DIVERGING_LEVELS, 3) uint8 weight scale used for neuron fills."""
    return palette(dark).weight_lut(DIVERGING_LEVELS)


def diverging_fill(values, scale: float | None = None) -> tuple:
    """Return (each value's index into diverging_palette(), the |value| at full colour)."""
    values = np.asarray(values, dtype=np.float64)
    scale = scale or symmetric_scale(values, 100.0)
    half = (DIVERGING_LEVELS - 1) / 2
    return np.clip(np.round((values / scale + 1) * half), 0, DIVERGING_LEVELS - 1).astype(np.intp), scale


def neuron_tooltip(snap, layer: int, index: int) -> str:
    """Return the tooltip of a neuron: where it is, its activation, bias and weighted sum."""
    n_layers = snap.n_layers
    a = float(snap.activations[layer][index])
    if layer == 0:
        lines = [f"Input pixel {index}"]
        if snap.image_shape and int(np.prod(snap.image_shape)) == snap.sizes[0]:
            row, col = divmod(index, snap.image_shape[1])
            lines[0] += f" (row {row}, column {col})"
        lines.append(f"activation a = {a:.3f}")
    else:
        name = layer_name(layer, n_layers).capitalize()
        title = f"{name}, neuron {index}"
        if layer == n_layers and index < len(snap.class_names):
            title += f" (class “{snap.class_names[index]}”)"
        lines = [title, f"activation a = {a:.4f}", f"bias b = {float(snap.biases[layer - 1][index]):.4f}",
                 f"weighted sum z = {float(snap.zs[layer - 1][index]):.4f}"]
    if snap.nudges is not None:
        lines.append(f"∂C/∂a = {float(snap.nudges[layer][index]):.4g}")
    return "\n".join(lines)


def connection_tooltip(snap, layer: int, to_index: int, from_index: int) -> str:
    """Return the tooltip of a connection: its ends, weight, what it sends, its gradient."""
    n_layers = snap.n_layers
    w = float(snap.weights[layer][to_index, from_index])
    a = float(snap.activations[layer][from_index])
    src = "pixel" if layer == 0 else f"{layer_name(layer, n_layers)} neuron"
    dst = f"{layer_name(layer + 1, n_layers)} neuron"
    lines = [f"Connection from {src} {from_index} to {dst} {to_index}",
             f"weight w = {w:.4f}", f"w·a = {w * a:.4f}  (a = {a:.3f})"]
    if snap.example_grad is not None:
        g = float(snap.grad_views(snap.example_grad)[0][layer][to_index, from_index])
        lines.append(f"∂C/∂w = {g:.4g}")
    return "\n".join(lines)


def walk_text(cost: str, depth: int, n_layers: int) -> str:
    """Return the one-line explanation of backpropagation after walking `depth` layers back."""
    if depth <= 0:
        if cost == "cross_entropy":
            return ("Output layer: C = −ln(a of the label), so only the label's output has a "
                    "gradient, ∂C/∂a = −1/a: it wants to rise (blue).")
        return ("Output layer: ∂C/∂a = 2(a − y). The right digit (y = 1) wants to rise (blue), "
                "every other output wants to fall (orange), more the further it is from its target.")
    to_layer = n_layers - depth + 1
    weights = (f"Weights into the {layer_name(to_layer, n_layers)}: ∂C/∂w = a(from) · f′(z) · ∂C/∂a(to), "
               "large only where the source is active and its target wants to move.")
    if to_layer - 1 == 0:
        below = ("Input: a dark pixel (a = 0) sends nothing, so its weights get no gradient; "
                 "only the lit pixels' connections change for this image.")
    else:
        below = (f"{layer_name(to_layer - 1, n_layers).capitalize()}: each neuron's ∂C/∂a adds up "
                 "its effects downstream, Σ w · f′(z) · ∂C/∂a.")
    return f"{weights} {below}"
