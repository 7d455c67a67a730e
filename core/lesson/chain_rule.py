"""The chain rule for one connection, worked out with the network's own numbers.

For the weight w = W[l][j, i] (from neuron i of layer l to neuron j of layer l+1) and one
example, the cost reaches w only through z_j = Σ W[l][j, :]·a⁽ˡ⁾ + b_j, so

    ∂C/∂w = ∂z_j/∂w · ∂a_j/∂z_j · ∂C/∂a_j = a_i⁽ˡ⁾ · f′(z_j) · ∂C/∂a_j .

At the output ∂C/∂a_j comes straight from the cost: 2(a_j − y_j) for the quadratic cost
C = Σ_j (a_j − y_j)². For a hidden neuron, a_j reaches the cost through every neuron k of
the next layer, so ∂C/∂a_j is a sum over that layer, one term per outgoing connection:

    ∂C/∂a_j = Σ_k w_kj · f′(z_k) · ∂C/∂a_k .

A softmax output is different: each z_j moves *every* output (the outputs share one
normaliser), so "∂a/∂z" is a matrix, not one number per neuron. With the cross-entropy cost
C = −log a_y the cost only reads the labelled output a_y, so the chain runs through a_y:

    ∂C/∂z_j = ∂a_y/∂z_j · ∂C/∂a_y = a_y(1[j=y] − a_j) · (−1/a_y) = a_j − y_j ,

the well-known combined δ = a − y; `ChainRule.through` names the neuron y it runs through.

Everything here is recomputed independently from a Snapshot's activations, weighted sums,
weights and label (in float64), so comparing it with what backpropagation stored in the
snapshot (`example_grad`, `nudges`) is a genuine check, not a tautology.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core import activations as act


class ChainRuleError(ValueError):
    """A connection that the snapshot does not have, or an example without a label."""


@dataclass(frozen=True)
class NextLayerTerm:
    """One term w_kj · f′(z_k) · ∂C/∂a_k of the sum that gives a hidden neuron's ∂C/∂a_j."""

    k: int  # the neuron of the next layer the connection j → k leads to
    weight: float  # w_kj
    slope: float | None  # f′(z_k); None where a softmax output folds it into δ_k
    dcost_dact: float | None  # ∂C/∂a_k; None with a softmax output
    dcost_dz: float  # δ_k = ∂C/∂z_k = f′(z_k) · ∂C/∂a_k (or a_k − y_k with softmax)
    term: float  # w_kj · δ_k


@dataclass(frozen=True)
class ChainRule:
    """The three factors of ∂C/∂w for one connection and one example, and what backprop found."""

    weight_layer: int  # l: the connection joins neuron layer l to l+1
    to: int  # j, in neuron layer l+1
    from_: int  # i, in neuron layer l
    is_output: bool  # neuron j is in the output layer
    activation: str  # f of neuron layer l+1 ("softmax" for a softmax output)
    cost: str
    weight: float  # the value of w itself
    z: float  # z_j
    a: float  # a_j = f(z_j)
    target: float | None  # y_j (output neurons only)
    dz_dw: float  # a_i⁽ˡ⁾
    da_dz: float  # f′(z_j), or ∂a_y/∂z_j for a softmax output
    dc_da: float  # ∂C/∂a_j, or ∂C/∂a_y for a softmax output
    dc_dz: float  # δ_j = ∂C/∂z_j = da_dz · dc_da (a_j − y_j for softmax with cross-entropy)
    product: float  # dz_dw · da_dz · dc_da
    backprop: float  # ∂C/∂w as backpropagation stored it (snapshot.example_grad)
    backprop_dc_da: float | None  # ∂C/∂a_j as backpropagation stored it (snapshot.nudges)
    terms: tuple = ()  # NextLayerTerm per neuron of layer l+2 (hidden neurons only)
    through: int | None = None  # softmax output: the labelled neuron y the chain runs through
    tolerance: float = 0.0  # how close product and backprop must be to count as equal

    @property
    def combined(self) -> bool:
        """Return True when ∂a/∂z is not one number per neuron (a softmax output)."""
        return self.through is not None

    @property
    def term_sum(self) -> float | None:
        """Return Σ_k w_kj δ_k (hidden neurons), which is ∂C/∂a_j."""
        return math.fsum(t.term for t in self.terms) if self.terms else None

    @property
    def matches(self) -> bool:
        """Return True when the product of the factors equals backpropagation's gradient."""
        return abs(self.product - self.backprop) <= self.tolerance


@dataclass(frozen=True)
class Sensitivity:
    """How much more the cost reacts to one weight than to another, for one example."""

    first: tuple  # (weight_layer, to, from_)
    second: tuple
    grad_first: float  # ∂C/∂w₁
    grad_second: float  # ∂C/∂w₂

    @property
    def ratio(self) -> float:
        """Return |∂C/∂w₁| / |∂C/∂w₂| (inf when only the second is zero, nan when both are)."""
        g1, g2 = abs(self.grad_first), abs(self.grad_second)
        if g2 == 0.0:
            return math.nan if g1 == 0.0 else math.inf
        return g1 / g2

    def sentence(self) -> str:
        """Return the comparison in words, the larger sensitivity first."""
        r = self.ratio
        if math.isnan(r):
            return "The cost does not change with either weight for this example."
        more, less = ("first", "second") if r >= 1 else ("second", "first")
        times = r if r >= 1 else (math.inf if r == 0 else 1.0 / r)
        if math.isinf(times):
            return f"The cost changes with the {more} weight and not at all with the {less}."
        return f"The cost is {times:.3g}× more sensitive to the {more} weight than to the {less}."


def flat_index(sizes, weight_layer: int, to: int, from_: int) -> int:
    """Return the position of W[weight_layer][to, from_] in a flat parameter vector."""
    offset = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:weight_layer], sizes[1:weight_layer + 1]))
    return offset + to * sizes[weight_layer] + from_


def check_connection(snap, weight_layer: int, to: int, from_: int) -> None:
    """Raise ChainRuleError unless the snapshot's network has this connection."""
    sizes = snap.sizes
    if not 0 <= weight_layer < len(sizes) - 1:
        raise ChainRuleError(f"weight layer {weight_layer} does not exist (0..{len(sizes) - 2})")
    if not (0 <= to < sizes[weight_layer + 1] and 0 <= from_ < sizes[weight_layer]):
        raise ChainRuleError(f"no connection from neuron {from_} of layer {weight_layer}"
                             f" to neuron {to} of layer {weight_layer + 1}")


def weight_gradient(snap, weight_layer: int, to: int, from_: int, flat=None) -> float:
    """Return ∂C/∂w for one weight from a flat gradient (default: this example's)."""
    flat = snap.example_grad if flat is None else flat
    if flat is None:
        raise ChainRuleError("the example has no label, so it has no cost and no gradient")
    check_connection(snap, weight_layer, to, from_)
    return float(flat[flat_index(snap.sizes, weight_layer, to, from_)])


def layer_activation(snap, neuron_layer: int) -> str:
    """Return the activation function of a neuron layer (1..L)."""
    return snap.output_activation if neuron_layer == len(snap.sizes) - 1 else snap.activation


def cost_rates(snap) -> tuple:
    """Return (∂C/∂a, ∂C/∂z) per neuron layer, index k for layer k (∂C/∂z[0] is None).

    A plain, layer-by-layer backward recursion in float64, written independently of
    Network.backprop so the two can check each other.
    """
    if snap.label is None:
        raise ChainRuleError("the example has no label, so it has no cost to differentiate")
    n_layers = len(snap.sizes) - 1
    a = [np.asarray(v, dtype=np.float64) for v in snap.activations]
    zs = [np.asarray(v, dtype=np.float64) for v in snap.zs]
    y = np.zeros(snap.sizes[-1])
    y[snap.label] = 1.0
    out = a[-1]
    dc_da = 2.0 * (out - y) if snap.cost == "quadratic" else -y / np.maximum(out, np.finfo(np.float64).tiny)
    dc_dact, dc_dz = [None] * (n_layers + 1), [None] * (n_layers + 1)
    dc_dact[-1] = dc_da
    for layer in range(n_layers, 0, -1):
        name = layer_activation(snap, layer)
        if name == "softmax":
            # δ = Jᵀ g with J_kj = a_k(1[k=j] − a_j): δ_j = a_j (g_j − Σ_k a_k g_k); a − y for cross-entropy.
            g = dc_dact[layer]
            delta = out - y if snap.cost == "cross_entropy" else a[layer] * (g - np.dot(a[layer], g))
        else:
            delta = act.derivative(name, zs[layer - 1], a[layer]) * dc_dact[layer]
        dc_dz[layer] = delta
        dc_dact[layer - 1] = np.asarray(snap.weights[layer - 1], dtype=np.float64).T @ delta
    return tuple(dc_dact), tuple(dc_dz)


def chain_rule(snap, weight_layer: int, to: int, from_: int, rates=None) -> ChainRule:
    """Return the chain-rule factors of ∂C/∂W[weight_layer][to, from_] for the snapshot's example.

    rates: the result of cost_rates(snap), to reuse across several connections.
    """
    check_connection(snap, weight_layer, to, from_)
    dc_dact, dc_dz = cost_rates(snap) if rates is None else rates
    layer = weight_layer + 1  # the neuron layer of `to`
    is_output = layer == len(snap.sizes) - 1
    name = layer_activation(snap, layer)
    z = float(snap.zs[weight_layer][to])
    a = float(snap.activations[layer][to])
    dz_dw = float(snap.activations[weight_layer][from_])
    target = float(to == snap.label) if is_output else None
    through = None
    if name == "softmax" and snap.cost == "cross_entropy":
        through = snap.label  # the cost only reads a_y, so the chain runs through it
        a_y = float(snap.activations[layer][through])
        da_dz = a_y * (float(to == through) - a)
        dc_da = float(dc_dact[layer][through])
    elif name == "softmax":  # (a softmax output with another cost: only δ is one number per neuron)
        da_dz, dc_da = 1.0, float(dc_dz[layer][to])
    else:
        da_dz = float(act.derivative(name, np.float64(z), np.float64(a)))
        dc_da = float(dc_dact[layer][to])
    terms = ()
    if not is_output:
        nxt = layer + 1
        softmax_next = layer_activation(snap, nxt) == "softmax"
        w_next = snap.weights[layer]
        terms = tuple(
            NextLayerTerm(
                k=k, weight=float(w_next[k, to]),
                slope=None if softmax_next else float(act.derivative(
                    layer_activation(snap, nxt), np.float64(snap.zs[layer][k]),
                    np.float64(snap.activations[nxt][k]))),
                dcost_dact=None if softmax_next else float(dc_dact[nxt][k]),
                dcost_dz=float(dc_dz[nxt][k]), term=float(w_next[k, to]) * float(dc_dz[nxt][k]))
            for k in range(snap.sizes[nxt]))
    product = dz_dw * da_dz * dc_da
    backprop = weight_gradient(snap, weight_layer, to, from_)
    grad_w = snap.grad_views(snap.example_grad)[0][weight_layer]
    # Backprop ran in the network's dtype; allow its rounding, relative to the layer's gradients.
    eps = float(np.finfo(snap.example_grad.dtype).eps)
    tolerance = 64 * eps * (abs(backprop) + float(np.abs(grad_w).max())) + 1e-300
    backprop_dc_da = None if snap.nudges is None else float(snap.nudges[layer][to])
    return ChainRule(weight_layer, to, from_, is_output, name, snap.cost,
                     float(snap.weights[weight_layer][to, from_]), z, a, target, dz_dw, da_dz, dc_da,
                     float(dc_dz[layer][to]), product, backprop, backprop_dc_da, terms, through,
                     tolerance)


def sensitivity(snap, first: tuple, second: tuple, flat=None) -> Sensitivity:
    """Return how the cost's sensitivity to weight `first` compares with `second`.

    first, second: (weight_layer, to, from_). flat: a gradient laid out like params
    (default: this example's gradient).
    """
    return Sensitivity(tuple(first), tuple(second), weight_gradient(snap, *first, flat=flat),
                       weight_gradient(snap, *second, flat=flat))


def strongest_connection(snap, weight_layer: int, to: int | None = None) -> tuple:
    """Return the (weight_layer, to, from_) with the largest |∂C/∂w| (into `to` if given)."""
    if snap.example_grad is None:
        raise ChainRuleError("the example has no label, so it has no gradient")
    grad = np.abs(snap.grad_views(snap.example_grad)[0][weight_layer])
    if to is not None:
        return weight_layer, int(to), int(np.argmax(grad[to]))
    j, i = np.unravel_index(int(np.argmax(grad)), grad.shape)
    return weight_layer, int(j), int(i)
