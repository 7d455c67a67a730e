"""The sizes a network may have, and where each layer's W and b sit in its one flat parameter vector."""
from __future__ import annotations

from core import validation


class NetworkError(validation.InputError):
    """A network was asked for with, or given, something it cannot use."""


def parse_sizes(text: str, n_inputs: int = 784, n_outputs: int = 10) -> tuple:
    """Return the full layer sizes for hidden sizes written like "16,16" (empty: none)."""
    text = text.strip()
    try:
        hidden = [int(part) for part in text.replace(" ", "").split(",")] if text else []
    except ValueError:
        raise NetworkError(f"hidden layer sizes must be whole numbers separated by commas, got {text!r}") from None
    return validate_sizes((n_inputs, *hidden, n_outputs))


def validate_sizes(sizes) -> tuple:
    """Return sizes as ints, or raise NetworkError unless they are whole and within core/limits.py."""
    return validation.network_sizes(sizes, error=NetworkError)


def parameter_layout(sizes) -> list:
    """Return [(w_start, w_end, b_end), …] offsets of each layer's W then b in the flat vector."""
    layout, offset = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        w_end = offset + n_in * n_out
        layout.append((offset, w_end, w_end + n_out))
        offset = w_end + n_out
    return layout


def parameter_views(sizes, flat, layout=None):
    """Return (weights, biases) lists of views into a vector laid out like Network.params."""
    weights, biases = [], []
    for (start, w_end, b_end), n_in, n_out in zip(layout or parameter_layout(sizes), sizes[:-1], sizes[1:]):
        weights.append(flat[start:w_end].reshape(n_out, n_in))
        biases.append(flat[w_end:b_end])
    return weights, biases
