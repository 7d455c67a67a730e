"""Reusable buffers for `Network.gradient_into`, and the straight-line plan of the lesson's all-sigmoid network.

A training step calls the gradient thousands of times with the same shapes: buffers kept
here spare it an allocation per layer per call (see Network.gradient_into).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.layout import NetworkError

if TYPE_CHECKING:
    from core.network import Network


class _SigmoidPlan:
    """The all-sigmoid, quadratic-cost gradient as straight-line NumPy calls on views looked up once.

    The common case (the lesson's network) gets its own path: every view, transposed view
    and constant it needs is built once per (network, batch size, gradient vector), so a
    call is ~30 NumPy calls and little else. Each layer's buffer holds −a rather than a:
    −1/(1 + e^−u) is one call like 1/(1 + e^−u), and hands the next layer −z (all it
    needs) without a negation. The signs cancel in pairs, so every product is the general
    path's up to an exact sign flip: the gradient and cost are the same bit for bit.
    """

    __slots__ = ("net", "n", "grad", "buf", "first", "rest", "output", "backward", "first_grads",
                 "minus_ones", "one", "minus_one", "gain", "two_gain_over_n", "scale", "scales")

    def __init__(self, net: Network, n: int, grad, ws: Workspace):
        buf = ws.buffers(net, n)
        g_weights, g_biases = ws.grad_views(net, grad)
        self.net, self.n, self.grad, self.buf = net, n, grad, buf
        last = net.n_layers - 1
        # forward, per layer: (Wᵀ, b, the buffer of −a, which holds −z on the way)
        layers = [(w.T, b, a) for w, b, a in zip(net.weights, net.biases, buf.a)]
        self.first, self.rest = layers[0], layers[1:]
        out = buf.delta[last]
        self.output = (out, out.reshape(-1), buf.tmp[last])
        # backward, output layer down to layer 1:
        # (−δ, −δᵀ, ∂C/∂b, ∂C/∂W, −a of the layer below, W, −δ below, σ' below)
        self.backward = [(buf.delta[l], buf.delta[l].T, g_biases[l], g_weights[l], buf.a[l - 1],
                          net.weights[l], buf.delta[l - 1], buf.tmp[l - 1]) for l in range(last, 0, -1)]
        self.first_grads = (buf.delta[0], buf.delta[0].T, g_biases[0], g_weights[0])
        t = net.dtype.type
        self.minus_ones = -buf.ones  # Σ(−1)(−δ) = Σδ: column sums that undo the sign
        self.one, self.minus_one = t(1), t(-1)
        self.gain, self.two_gain_over_n = 1.0, t(2.0 / n)  # what `delta *= 2.0 * gain / n` multiplies by
        self.scale = self.scales = None

    # Overflow and NaN come back as an infinite or NaN cost (see Network.gradient_into); errstate
    # as a decorator skips building a context manager per call.
    @np.errstate(over="ignore", invalid="ignore")
    def run(self, x, targets, input_scale, gain=1.0) -> float:
        """Write gain × the gradient for inputs x (times input_scale, if given) and one-hot targets; return the cost."""
        dot, multiply, subtract, add, divide = np.dot, np.multiply, np.subtract, np.add, np.divide
        exp, one, minus_one = np.exp, self.one, self.minus_one
        if input_scale is None:
            minus_scale = None
        elif input_scale is self.scale:
            minus_scale = self.scales
        else:
            self.scale, self.scales = input_scale, self.net.dtype.type(-input_scale)
            minus_scale = self.scales
        w_t, b, out = self.first
        dot(x, w_t, out=out)  # (N, n1)
        if minus_scale is None:
            np.negative(out, out=out)
        else:
            multiply(out, minus_scale, out=out)  # −(s·z)
        subtract(out, b, out=out)  # −(s·z + b)
        exp(out, out=out)
        add(out, one, out=out)
        h = divide(minus_one, out, out=out)  # −σ(s·z + b)
        for w_t, b, out in self.rest:
            dot(h, w_t, out=out)  # −z
            subtract(out, b, out=out)
            exp(out, out=out)
            add(out, one, out=out)
            h = divide(minus_one, out, out=out)
        buf = self.buf
        delta, flat, factor = self.output
        add(h, targets, out=delta)  # −(a − y)
        subtract(minus_one, buf.all_a, out=buf.all_tmp)  # −(1 − a), for every layer at once
        multiply(buf.all_tmp, buf.all_a, out=buf.all_tmp)  # σ'(z) = a(1 − a)
        cost = float(dot(flat, flat)) / self.n
        multiply(delta, factor, out=delta)
        if gain is not self.gain:  # the trainer hands the same float object step after step
            self.gain, self.two_gain_over_n = gain, self.net.dtype.type(2.0 * gain / self.n)
        multiply(delta, self.two_gain_over_n, out=delta)  # −gain·δ
        minus_ones = self.minus_ones
        for delta, delta_t, g_b, g_w, below, w, d_below, factor in self.backward:
            dot(minus_ones, delta, out=g_b)  # column sums: one BLAS call beats add.reduce here
            dot(delta_t, below, out=g_w)  # (−δ)ᵀ(−a)
            dot(delta, w, out=d_below)  # −∂C/∂a of the layer below
            multiply(d_below, factor, out=d_below)
        delta, delta_t, g_b, g_w = self.first_grads
        dot(minus_ones, delta, out=g_b)
        if minus_scale is None:
            np.negative(delta, out=delta)
        else:
            multiply(delta, minus_scale, out=delta)  # ∂C/∂W = δᵀ(s·x) = (s·δ)ᵀx
        dot(delta_t, x, out=g_w)
        return cost


class _Buffers:
    """Per-layer views of a Workspace's buffers for one batch size n."""

    def __init__(self, ws: Workspace, n: int, net: Network):
        self.n, self.sizes, self.dtype = n, net.sizes, net.dtype
        self.z = [b[:n] for b in ws.z]  # weighted sums, (n, n_out) per layer
        self.delta = [b[:n] for b in ws.delta]  # ∂C/∂z, then ∂C/∂a of the layer below
        # Activations and their derivatives, every layer's (n, n_out) block back to back in one
        # vector, so an elementwise formula for all layers (σ' = a(1 − a)) is one NumPy call.
        total = n * sum(net.sizes[1:])
        self.all_a, self.all_tmp = ws.a_arena[:total], ws.tmp_arena[:total]
        offsets = np.cumsum([0, *(n * m for m in net.sizes[1:])])
        self.a = [self.all_a[o:o + n * m].reshape(n, m) for o, m in zip(offsets, net.sizes[1:])]
        self.tmp = [self.all_tmp[o:o + n * m].reshape(n, m) for o, m in zip(offsets, net.sizes[1:])]
        self.targets = ws.targets[:n]  # one-hot labels
        self.rows = ws.rows[:n]
        self.ones = ws.ones[:n]


class Workspace:
    """Reusable per-layer buffers for `Network.gradient_into`, for batches up to a capacity."""

    def __init__(self, net: Network, n: int):
        self.capacity, self.sizes, self.dtype = -1, None, None
        self.ensure(net, n)

    def ensure(self, net: Network, n: int) -> None:
        """Grow the buffers if a batch of n examples does not fit."""
        if n <= self.capacity and self.sizes == net.sizes and self.dtype == net.dtype:
            return
        n = max(n, self.capacity)
        shapes = [(n, m) for m in net.sizes[1:]]
        self.sizes, self.dtype = net.sizes, net.dtype
        self.z = [np.empty(s, net.dtype) for s in shapes]
        self.a_arena = np.empty(n * sum(net.sizes[1:]), net.dtype)
        self.delta = [np.empty(s, net.dtype) for s in shapes]
        self.tmp_arena = np.empty(n * sum(net.sizes[1:]), net.dtype)
        self.rows = np.arange(n)
        self.ones = np.ones(n, net.dtype)
        self.eye = np.eye(net.sizes[-1], dtype=net.dtype)
        self.targets = np.empty((n, net.sizes[-1]), net.dtype)
        self.capacity = n
        self._buffers = None
        self._grad = self._grad_views = None
        self.sigmoid_plan = None  # a _SigmoidPlan, rebuilt when the buffers are

    def buffers(self, net: Network, n: int) -> _Buffers:
        """Return views of the buffers sized for a batch of n (kept while n and net stay the same)."""
        views = self._buffers
        if views is not None and views.n == n and views.sizes is net.sizes and views.dtype is net.dtype:
            return views
        self.ensure(net, n)
        self._buffers = _Buffers(self, n, net)
        return self._buffers

    def plan_sigmoid(self, net: Network, n: int, grad) -> _SigmoidPlan:
        """Return the all-sigmoid, quadratic-cost gradient plan for (net, n, grad), kept for the next call."""
        self.sigmoid_plan = _SigmoidPlan(net, n, grad, self)
        return self.sigmoid_plan

    def grad_views(self, net: Network, grad):
        """Return (weights, biases) views of a gradient vector (kept while it is the same vector)."""
        if grad is not self._grad:
            if grad.shape != net.params.shape or grad.dtype != net.dtype or not grad.flags.c_contiguous:
                raise NetworkError(f"the gradient vector must be a contiguous {net.dtype} array of"
                                   f" {net.n_params} values, got {grad.dtype} {grad.shape}")
            self._grad, self._grad_views = grad, net.views(grad)
        return self._grad_views

    def one_hot(self, net: Network, y, buf: _Buffers) -> np.ndarray:
        """Return one-hot rows for labels y, in a reused buffer."""
        y = np.asarray(y)
        if y.dtype.kind != "u" and len(y) and y.min() < 0:  # take() would wrap negatives silently
            raise NetworkError(f"labels must lie in 0..{net.sizes[-1] - 1}")
        try:
            return np.take(self.eye, y, axis=0, out=buf.targets, mode="raise")
        except IndexError:
            raise NetworkError(f"labels must lie in 0..{net.sizes[-1] - 1}") from None
