"""A fully-connected feed-forward network: a' = f(W a + b), layer by layer.

All parameters live in one flat vector (`params`); `weights[l]` and `biases[l]` are views
into it. One vector makes an optimizer step a single NumPy call, a trajectory point a
single copy, and a cost-surface plane θ₀ + α·d₁ + β·d₂ plain vector arithmetic.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import activations as act
from core.layout import (  # noqa: F401  (part of this module's names: `from core.network import NetworkError`)
    NetworkError,
    parameter_layout,
    parameter_views,
    parse_sizes,
    validate_sizes,
)
from core.workspace import Workspace

COSTS = ("quadratic", "cross_entropy")
# The output layer each cost pairs with.
OUTPUT_ACTIVATION = {"quadratic": "sigmoid", "cross_entropy": "softmax"}


@dataclass
class ForwardPass:
    """Everything the forward pass computed, layer by layer."""

    activations: list  # activations[0] is the input (N, n0); activations[-1] the output (N, nL)
    zs: list  # zs[l] is the weighted sum feeding layer l+1, shape (N, n_{l+1})


@dataclass
class Gradients:
    """What backpropagation found for one batch."""

    cost: float  # mean cost over the batch
    example_costs: np.ndarray  # (N,) cost of each example
    flat: np.ndarray  # gradient of the mean cost w.r.t. `params`, same layout
    weights: list  # views into `flat`, shaped like Network.weights
    biases: list  # views into `flat`, shaped like Network.biases
    activations: list  # ∂C_x/∂a per example for every layer (N, n_l): the "nudges"; None if not asked
    forward: ForwardPass


class Network:
    """A feed-forward network with any number of layers.

    sizes: neurons per layer, input first, e.g. (784, 16, 16, 10).
    activation: hidden-layer activation ("sigmoid", "tanh", "relu", "leaky_relu").
    cost: "quadratic" (sigmoid outputs, C = Σⱼ (aⱼ − yⱼ)²) or "cross_entropy" (softmax outputs).
    params: a flat parameter vector to start from, instead of the seeded random start.
    """

    def __init__(self, sizes=(784, 16, 16, 10), activation="sigmoid", cost="quadratic",
                 seed=0, dtype=np.float32, params=None):
        sizes = validate_sizes(sizes)  # before anything is allocated, and 784.5 is not 784
        if activation not in act.HIDDEN_ACTIVATIONS:
            raise NetworkError(f"unknown activation {activation!r}; choose from {', '.join(act.HIDDEN_ACTIVATIONS)}")
        if cost not in COSTS:
            raise NetworkError(f"unknown cost {cost!r}; choose from {', '.join(COSTS)}")
        self.sizes = sizes
        self.activation = activation
        self.cost = cost
        self.output_activation = OUTPUT_ACTIVATION[cost]
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise NetworkError(f"dtype must be float32 or float64, got {self.dtype}")
        self.layout = parameter_layout(sizes)
        self.params = np.zeros(self.layout[-1][2], dtype=self.dtype)
        self.weights, self.biases = self.views(self.params)
        self.seed = seed
        if params is None:
            self.initialize(seed)
        else:  # given: no random start is drawn (a big network's costs a millisecond)
            self.set_params(params)

    # -- parameters ---------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Return the number of weight layers (one fewer than the layers of neurons)."""
        return len(self.sizes) - 1

    @property
    def n_params(self) -> int:
        return self.params.size

    def views(self, flat):
        """Return (weights, biases) lists of views into a vector laid out like `params`."""
        return parameter_views(self.sizes, flat, self.layout)

    def initialize(self, seed=0) -> None:
        """Draw fresh weights (scaled to each layer's fan-in) and biases from `seed`."""
        rng = np.random.default_rng(seed)
        self.seed = seed
        for layer, w in enumerate(self.weights):
            last = layer == self.n_layers - 1
            # He scaling keeps relu signals alive; 1/√n_in keeps sigmoid/tanh out of saturation.
            gain = 2.0 if (self.activation in ("relu", "leaky_relu") and not last) else 1.0
            w[...] = rng.standard_normal(w.shape) * np.sqrt(gain / w.shape[1])
        for b in self.biases:
            # Sigmoid networks start as the lesson's do (Nielsen's default initializer): biases
            # ~ N(0, 1) spread the neurons' thresholds, which measured 95.4 % instead of 95.0 %
            # (mean of three seeds) after 30 epochs of the classic 784-16-16-10. Others start at 0.
            b[...] = rng.standard_normal(b.shape) if self.activation == "sigmoid" else 0.0

    def set_params(self, flat) -> None:
        """Copy a whole parameter vector into the network (shape and finiteness checked)."""
        flat = np.asarray(flat)
        if flat.shape != self.params.shape:
            raise NetworkError(f"expected {self.params.size} parameters, got shape {flat.shape}")
        self.params[...] = flat

    def copy(self) -> Network:
        """Return an independent copy with the same architecture and parameters."""
        return Network(self.sizes, self.activation, self.cost, self.seed, self.dtype, params=self.params)

    def describe(self) -> str:
        return (f"{'-'.join(map(str, self.sizes))}, {self.activation}, {self.cost}"
                f" ({self.n_params:,} parameters)")

    def __repr__(self) -> str:
        return (f"Network(sizes={self.sizes}, activation={self.activation!r}, cost={self.cost!r},"
                f" dtype={self.dtype.name})")

    # -- computation ----------------------------------------------------------------------
    def as_input(self, x) -> np.ndarray:
        """Return x as a (N, n_inputs) array of the network's dtype (a single example becomes N=1)."""
        x = np.asarray(x)
        if x.ndim == 1:
            x = x[None, :]
        elif x.ndim == 3:  # (N, H, W) images
            x = x.reshape(len(x), -1)
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise NetworkError(f"input must have {self.sizes[0]} values per example, got shape {x.shape}")
        if x.dtype == np.uint8:
            return np.multiply(x, 1.0 / 255.0, dtype=self.dtype)
        return x.astype(self.dtype, copy=False)

    def forward(self, x) -> ForwardPass:
        """Return every layer's weighted sums and activations for the input x."""
        a = self.as_input(x)
        activations, zs = [a], []
        for layer, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ w.T  # (N, n_out)
            z += b
            name = self.output_activation if layer == self.n_layers - 1 else self.activation
            a = act.apply(name, z)
            zs.append(z)
            activations.append(a)
        return ForwardPass(activations, zs)

    def feedforward(self, x) -> np.ndarray:
        """Return the output of the network for input x, (N, n_outputs)."""
        return self.forward(x).activations[-1]

    def predict(self, x, chunk=10000) -> np.ndarray:
        """Return the predicted class (argmax of the output) for each example."""
        x = np.asarray(x)
        n = 1 if x.ndim == 1 else len(x)
        return np.concatenate([self.feedforward(x[i:i + chunk] if x.ndim > 1 else x).argmax(axis=1)
                               for i in range(0, n, chunk)]) if n else np.zeros(0, dtype=np.intp)

    def one_hot(self, y, n) -> np.ndarray:
        """Return integer labels y as (N, n_outputs) one-hot rows, after checking their range."""
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != n:
            raise NetworkError(f"expected {n} integer labels, got shape {y.shape}")
        if n and (y.min() < 0 or y.max() >= self.sizes[-1]):
            raise NetworkError(f"labels must lie in 0..{self.sizes[-1] - 1}")
        target = np.zeros((n, self.sizes[-1]), dtype=self.dtype)
        target[np.arange(n), y] = 1.0
        return target

    def example_costs(self, output, y) -> np.ndarray:
        """Return the cost of each example given the network's output and integer labels."""
        if self.cost == "quadratic":
            diff = output - self.one_hot(y, len(output))
            return np.einsum("ij,ij->i", diff, diff)
        picked = output[np.arange(len(output)), np.asarray(y)]
        return -np.log(np.maximum(picked, np.finfo(self.dtype).tiny))

    def cost_of(self, x, y) -> float:
        """Return the mean cost over the examples (x, y)."""
        return float(self.example_costs(self.feedforward(x), y).mean())

    def backprop(self, x, y, *, nudges=True, out=None) -> Gradients:
        """Return the cost, the gradient of the mean cost, and (if nudges) ∂C_x/∂a per layer.

        y holds integer labels. `out`, if given, is a vector laid out like `params` that
        receives the gradient (saves an allocation per training step).
        """
        fw = self.forward(x)
        n = len(fw.activations[0])
        output = fw.activations[-1]
        target = self.one_hot(y, n)
        flat = np.empty_like(self.params) if out is None else out
        g_weights, g_biases = self.views(flat)
        nudge = [None] * (self.n_layers + 1)

        if self.cost == "quadratic":
            diff = output - target  # (N, nL)
            costs = np.einsum("ij,ij->i", diff, diff)
            d_out = 2.0 * diff  # ∂C_x/∂a for C_x = Σⱼ (aⱼ − yⱼ)²
            delta = d_out * act.derivative("sigmoid", fw.zs[-1], output)
        else:
            picked = output[np.arange(n), np.asarray(y)]
            costs = -np.log(np.maximum(picked, np.finfo(self.dtype).tiny))
            d_out = -target / np.maximum(output, np.finfo(self.dtype).tiny)
            delta = output - target  # softmax and cross-entropy together: δ = a − y
        if nudges:
            nudge[-1] = d_out
        delta /= n  # gradient of the *mean* cost: fold 1/N in once, everything after is linear

        for layer in range(self.n_layers - 1, -1, -1):
            np.matmul(delta.T, fw.activations[layer], out=g_weights[layer])
            np.sum(delta, axis=0, out=g_biases[layer])
            if layer == 0 and not nudges:
                break
            d_a = delta @ self.weights[layer]  # ∂C/∂a of the layer below, (N, n_layer), still /N
            if nudges:
                nudge[layer] = d_a * n
            if layer > 0:
                delta = d_a * act.derivative(self.activation, fw.zs[layer - 1], fw.activations[layer])
        return Gradients(float(costs.mean()) if n else 0.0, costs, flat, g_weights, g_biases,
                         nudge if nudges else None, fw)

    # -- the training fast path -------------------------------------------------------------
    def gradient_into(self, x, y, grad, workspace=None, input_scale=None, targets=None, gain=1.0) -> float:
        """Write the gradient of the mean cost over (x, y) into `grad`; return that cost.

        The same mathematics as `backprop` (tests hold them equal) without the nudges, with
        every intermediate in reused buffers: a training step then costs ~30 small NumPy
        calls and the first layer's two large BLAS products instead of hundreds of allocations.
        x: (N, n0) array of the network's dtype; y: (N,) integer labels.
        input_scale: if given, the input is x × input_scale (e.g. raw 0–255 pixels and 1/255):
        the scale is applied to the first layer's (N, n1) products instead of the (N, n0)
        inputs, which saves a pass over the largest array (equal up to float rounding).
        targets: the (N, n_out) one-hot rows of y, if the caller has them already.
        gain: write gain × the gradient (the cost is unscaled). Backprop is linear in the
        output's δ, so the factor rides on that (N, n_out) block for free; with the learning
        rate as gain, plain SGD's update is one subtraction instead of a scaling pass too.
        All-sigmoid networks with the quadratic cost take `_SigmoidPlan`, the same calls
        without the per-layer branching and lookups; other networks the loop below.
        """
        n = len(x)
        ws = workspace if workspace is not None else Workspace(self, n)
        if self.activation == "sigmoid" and self.cost == "quadratic":
            plan = ws.sigmoid_plan
            if plan is None or plan.net is not self or plan.n != n or plan.grad is not grad:
                plan = ws.plan_sigmoid(self, n, grad)
            if targets is None:
                targets = ws.one_hot(self, y, plan.buf)
            return plan.run(x, targets, input_scale, gain)
        buf = ws.buffers(self, n)
        g_weights, g_biases = ws.grad_views(self, grad)
        weights, biases = self.weights, self.biases
        last = self.n_layers - 1
        sigmoid_hidden = self.activation == "sigmoid"
        quadratic = self.cost == "quadratic"
        dot, negative, subtract, multiply = np.dot, np.negative, np.subtract, np.multiply
        # np.dot rather than matmul: on these small shapes it has less overhead per call and
        # hands transposed operands to BLAS as flags instead of copying them.
        a = x
        # Overflow and NaN come back as an infinite or NaN cost for the caller to report, not as
        # warnings; e^−z overflowing to inf makes σ exactly 0 (instead of < 1e-38), so the
        # sigmoid needs no clamp — one errstate per call is cheaper than a clamp per layer.
        with np.errstate(over="ignore", invalid="ignore"):
            for layer in range(last + 1):
                z = dot(a, weights[layer].T, out=buf.z[layer])  # (N, n_out)
                out = buf.a[layer]
                if sigmoid_hidden if layer < last else quadratic:
                    # σ(z + b) = 1 / (1 + e^−(z+b)), the negation folded into the scaling or the
                    # bias: −(s·z) − b is exactly −(s·z + b). z itself is not needed by σ'.
                    if layer == 0 and input_scale is not None:
                        multiply(z, -input_scale, out=out)
                    else:
                        negative(z, out=out)
                    out -= biases[layer]
                    np.exp(out, out=out)
                    out += 1.0
                    a = np.reciprocal(out, out=out)
                else:
                    if layer == 0 and input_scale is not None:
                        z *= input_scale
                    z += biases[layer]
                    a = act.apply(self.output_activation if layer == last else self.activation, z, out=out)
            if targets is None:
                targets = ws.one_hot(self, y, buf)
            delta = subtract(a, targets, out=buf.delta[last])  # a − y
            if quadratic:
                cost = float(np.vdot(delta, delta)) / n
                factor = subtract(1.0, a, out=buf.tmp[last])
                factor *= a  # σ'(z) = a(1 − a)
                delta *= factor
                delta *= 2.0 * gain / n
            else:  # softmax with cross-entropy: δ = a − y
                picked = a[buf.rows, y]
                cost = float(-np.log(np.maximum(picked, np.finfo(self.dtype).tiny)).mean())
                delta *= gain / n
            ones = buf.ones
            for layer in range(last, -1, -1):
                dot(ones, delta, out=g_biases[layer])  # column sums: one BLAS call beats add.reduce here
                if layer == 0:
                    if input_scale is not None:
                        delta *= input_scale  # ∂C/∂W = δᵀ(s·x) = (s·δ)ᵀx
                    dot(delta.T, x, out=g_weights[0])
                    break
                below = buf.a[layer - 1]
                dot(delta.T, below, out=g_weights[layer])
                d_a = dot(delta, weights[layer], out=buf.delta[layer - 1])
                factor = buf.tmp[layer - 1]
                if sigmoid_hidden:
                    subtract(1.0, below, out=factor)
                    factor *= below
                else:
                    factor[...] = act.derivative(self.activation, buf.z[layer - 1], below)
                d_a *= factor
                delta = d_a
        return cost
