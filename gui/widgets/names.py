"""How views name a neuron and its inputs (a pixel of the image, or a neuron of the layer before)."""
from __future__ import annotations


def source_namer(snap, layer: int):
    """Return a function naming input i of a neuron in `layer` (a pixel, or a neuron of the layer before)."""
    h, w = snap.image_shape
    if layer == 1 and h * w == snap.sizes[0]:
        return lambda i: f"pixel ({i // w}, {i % w})"
    if layer == 1:
        return lambda i: f"input {i}"
    before = f"hidden {layer - 1}"
    return lambda i: f"{before} · {i}"


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
