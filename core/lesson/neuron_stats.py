"""What one neuron computes and what backpropagation asks of it, from a Snapshot.

Plain NumPy for the neuron inspector, the sample view and the mini-batch view: the weighted
sum written out term by term, the weights carried back to the input, activations over a
whole split, per-example gradients of a few chosen parameters.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import activations as act
from core.network import Network, parameter_layout


@dataclass(frozen=True)
class WeightedSum:
    """z = Σᵢ wᵢ aᵢ + b for one neuron and one example, with every term kept."""

    weights: np.ndarray  # (n_in,) wᵢ
    inputs: np.ndarray  # (n_in,) aᵢ, the activations of the layer before
    terms: np.ndarray  # (n_in,) wᵢ aᵢ
    bias: float
    z: float  # Σ terms + bias, summed in float64
    top: np.ndarray  # indices of the largest |wᵢ aᵢ|, largest first


@dataclass(frozen=True)
class NeuronReport:
    """One neuron (layer ≥ 1) for the current example: forward values and backprop's requests."""

    layer: int
    index: int
    is_output: bool
    function: str  # the activation this neuron applies ("sigmoid", "softmax", …)
    bias: float
    z: float  # as the network computed it (snap.zs)
    a: float  # f(z), as the network computed it
    slope: float  # ∂a/∂z of this neuron alone (for softmax, the diagonal a(1 − a))
    weighted_sum: WeightedSum
    nudge: float | None  # ∂C/∂a for this example; None without a label
    grad_bias: float | None  # ∂C/∂b for this example
    grad_weights: np.ndarray | None  # (n_in,) ∂C/∂wᵢ for this example
    top_grad_weights: np.ndarray | None  # indices of the largest |∂C/∂wᵢ|, largest first


def top_k(values, k: int) -> np.ndarray:
    """Return the indices of the k largest values, largest first (ties: lower index first)."""
    values = np.asarray(values).ravel()
    k = min(int(k), values.size)
    if k <= 0:
        return np.zeros(0, dtype=np.intp)
    order = np.argsort(-values, kind="stable")
    return order[:k]


def weighted_sum(weights, inputs, bias, k: int = 5) -> WeightedSum:
    """Return the terms of z = Σ wᵢ aᵢ + b and the k largest of them by magnitude."""
    weights = np.asarray(weights)
    inputs = np.asarray(inputs)
    terms = weights.astype(np.float64) * inputs
    z = float(terms.sum() + float(bias))
    return WeightedSum(weights, inputs, terms, float(bias), z, top_k(np.abs(terms), k))


def slope(function: str, z: float, a: float) -> float:
    """Return ∂a/∂z for one neuron (softmax: the diagonal of its Jacobian, a(1 − a))."""
    if function in ("sigmoid", "softmax"):
        return float(a * (1.0 - a))
    return float(act.derivative(function, np.array([z]), np.array([a]))[0])


def neuron_report(snap, layer: int, index: int, k: int = 5) -> NeuronReport:
    """Return what neuron `index` of neuron layer `layer` (1..L) does for the snapshot's example."""
    if not 1 <= layer <= snap.n_layers:
        raise ValueError(f"layer must lie in 1..{snap.n_layers} (layer 0 holds the inputs), got {layer}")
    if not 0 <= index < snap.sizes[layer]:
        raise ValueError(f"layer {layer} has {snap.sizes[layer]} neurons, got index {index}")
    is_output = layer == snap.n_layers
    function = snap.output_activation if is_output else snap.activation
    ws = weighted_sum(snap.weights[layer - 1][index], snap.activations[layer - 1],
                      snap.biases[layer - 1][index], k)
    z, a = float(snap.zs[layer - 1][index]), float(snap.activations[layer][index])
    nudge = grad_bias = grad_weights = top_grad = None
    if snap.nudges is not None and snap.example_grad is not None:
        nudge = float(snap.nudges[layer][index])
        g_weights, g_biases = snap.grad_views(snap.example_grad)
        grad_bias = float(g_biases[layer - 1][index])
        grad_weights = np.asarray(g_weights[layer - 1][index])
        top_grad = top_k(np.abs(grad_weights), k)
    return NeuronReport(layer, index, is_output, function, ws.bias, z, a, slope(function, z, a), ws,
                        nudge, grad_bias, grad_weights, top_grad)


def back_projection(weights, layer: int, index: int) -> np.ndarray:
    """Return the neuron's incoming weights carried back to the input: w · W_{l−1} ⋯ W₀.

    A linear approximation: it treats every activation function on the way as the
    identity, so it says which input pattern would push the neuron most if the network
    were linear, not what the neuron actually responds to.
    """
    row = np.asarray(weights[layer - 1][index], dtype=np.float64)
    for w in reversed(weights[:layer - 1]):
        row = row @ w
    return row


def network_from(snap, params=None) -> Network:
    """Return a Network with the snapshot's architecture and its (or the given) parameters."""
    params = snap.params if params is None else np.asarray(params)
    net = Network(snap.sizes, snap.activation, snap.cost, seed=0, dtype=params.dtype)
    net.set_params(params)
    return net


def layer_outputs(net: Network, x, chunk: int = 5000):
    """Return (zs, activations): lists of (N, n_l) float32 arrays for neuron layers l = 1..L over x."""
    zs = [np.empty((len(x), n), dtype=np.float32) for n in net.sizes[1:]]
    activations = [np.empty((len(x), n), dtype=np.float32) for n in net.sizes[1:]]
    for start in range(0, len(x), chunk):
        fw = net.forward(x[start:start + chunk])
        for out_z, out_a, z, a in zip(zs, activations, fw.zs, fw.activations[1:]):
            out_z[start:start + len(z)] = z
            out_a[start:start + len(a)] = a
    return zs, activations


def most_active(activations, zs, k: int) -> np.ndarray:
    """Return the indices of the k examples with the highest activation, highest first.

    Saturated activations tie (a sigmoid rounds to 1.0 in float32 for z > 17), so ties are
    broken by the weighted sum z, which keeps growing.
    """
    order = np.lexsort((-np.asarray(zs, dtype=np.float64), -np.asarray(activations, dtype=np.float64)))
    return order[:max(0, min(int(k), len(order)))]


def activation_histogram(values, function: str, bins: int = 40):
    """Return (counts, edges) of activations over a range covering the function's bounds and the data."""
    values = np.asarray(values, dtype=np.float64)
    low, high = act.RANGES.get(function, (None, None))
    finite = values[np.isfinite(values)]
    data_low, data_high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    low = data_low if low is None else min(low, data_low)
    high = data_high if high is None else max(high, data_high)
    if high <= low:
        high = low + 1.0
    return np.histogram(finite, bins=bins, range=(low, high))


def cost_terms(output, label: int, cost: str) -> np.ndarray:
    """Return each output's share of one example's cost; their sum is the cost.

    Quadratic: (aⱼ − yⱼ)². Cross-entropy: −yⱼ log aⱼ, which is zero except at the label.
    """
    output = np.asarray(output, dtype=np.float64)
    target = np.zeros_like(output)
    target[int(label)] = 1.0
    if cost == "quadratic":
        return (output - target) ** 2
    terms = np.zeros_like(output)
    terms[int(label)] = -np.log(max(output[int(label)], np.finfo(np.float32).tiny))
    return terms


def next_misclassified(net: Network, x, y, start: int, chunk: int = 2000) -> int | None:
    """Return the first misclassified example at or after `start` (wrapping round), or None."""
    n = len(y)
    if n == 0:
        return None
    start %= n
    for first in list(range(start, n, chunk)) + list(range(0, start, chunk)):
        last = min(first + chunk, n if first >= start else start)
        wrong = np.flatnonzero(net.predict(x[first:last]) != y[first:last])
        if wrong.size:
            return int(first + wrong[0])
    return None


# -- chosen parameters and their per-example gradients (the mini-batch table) ----------------
def weight_index(sizes, layer: int, j: int, i: int) -> int:
    """Return the flat index of the weight from neuron i of layer-1 to neuron j of `layer` (≥ 1)."""
    start, _, _ = parameter_layout(sizes)[layer - 1]
    return start + j * sizes[layer - 1] + i


def bias_index(sizes, layer: int, j: int) -> int:
    """Return the flat index of the bias of neuron j of neuron layer `layer` (≥ 1)."""
    _, w_end, _ = parameter_layout(sizes)[layer - 1]
    return w_end + j


def chosen_parameters(sizes, weights, layer: int, index: int, n_weights: int = 4) -> list:
    """Return [(name, flat index, source or None)] for a neuron's bias and its strongest incoming weights."""
    chosen = [("b", bias_index(sizes, layer, index), None)]
    strongest = top_k(np.abs(weights[layer - 1][index]), n_weights)
    for i in strongest:
        chosen.append((f"w[{int(i)}]", weight_index(sizes, layer, index, int(i)), int(i)))
    return chosen


def per_example_gradients(net: Network, x, y, flat_indices) -> np.ndarray:
    """Return (N, K): each example's own cost gradient for the parameters at flat_indices.

    Each example goes through `Network.backprop` alone, so the batch-mean gradient is,
    exactly by definition, the mean of these rows.
    """
    flat_indices = np.asarray(flat_indices, dtype=np.intp)
    rows = np.empty((len(y), len(flat_indices)), dtype=np.float64)
    grad = np.empty_like(net.params)
    for n in range(len(y)):
        net.backprop(x[n:n + 1], y[n:n + 1], nudges=False, out=grad)
        rows[n] = grad[flat_indices]
    return rows
