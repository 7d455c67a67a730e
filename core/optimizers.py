"""Gradient-descent update rules acting in place on a flat parameter vector.

Each optimizer keeps its state as named arrays (`state_dict`) so checkpoints can store it
without pickling.
"""
from __future__ import annotations

import numpy as np

from core import validation
from core.limits import MAX_STEPS, WEIGHT_DECAY_RANGE

OPTIMIZERS = ("sgd", "momentum", "adam")
MIN_GAIN = 1e-12  # smaller rates hand the optimizer ∇C itself: gain × ∇C could underflow


class Optimizer:
    """Base class: `update(params, grad, lr)` moves params one step downhill, in place.

    weight_decay adds the L2 term λ·w to the gradient of the weights (not the biases);
    `decay_mask` is 1.0 for weights and 0.0 for biases, laid out like params.
    """

    name = "base"

    def __init__(self, n_params, dtype=np.float32, weight_decay=0.0, decay_mask=None):
        self.weight_decay = validation.real(weight_decay, "weight decay", *WEIGHT_DECAY_RANGE)
        self.decay_mask = decay_mask
        self.n_params = n_params
        self.dtype = np.dtype(dtype)
        self._scratch = np.empty(n_params, dtype=self.dtype)  # lr × gradient, without an allocation per step

    def _decayed(self, params, grad):
        if self.weight_decay and self.decay_mask is not None:
            return grad + self.weight_decay * self.decay_mask * params
        if self.weight_decay:
            return grad + self.weight_decay * params
        return grad

    uses_rate_times_gradient = False  # True where the update only ever uses lr × ∇C

    def gradient_gain(self, lr) -> float:
        """Return the factor `update` would like folded into the gradient it is given.

        Plain SGD and momentum only ever use lr × ∇C, which backprop can produce at no cost
        (see Network.gradient_into's gain); weight decay and Adam need ∇C itself, and a rate
        of 0 (the end of a cosine schedule) would leave ∇C unrecoverable.
        """
        if self.uses_rate_times_gradient and lr >= MIN_GAIN and not self.weight_decay:
            return lr
        return 1.0

    def update(self, params, grad, lr, gain=1.0):
        """Move params one step downhill, in place; grad holds gain × ∇C."""
        raise NotImplementedError

    def _rate_step(self, params, grad, lr, gain):
        """Return lr × (∇C + decay) given grad = gain × ∇C (a reused buffer, or grad itself)."""
        if gain == lr and not self.weight_decay:
            return grad
        return np.multiply(self._decayed(params, self._plain(grad, gain)), lr, out=self._scratch)

    def _plain(self, grad, gain):
        """Return ∇C from grad = gain × ∇C (grad itself when gain is 1)."""
        return grad if gain == 1.0 else np.divide(grad, gain, out=self._scratch)

    def state_dict(self) -> dict:
        """Return the optimizer's state as a dict of arrays."""
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore state produced by `state_dict` (shapes checked)."""
        for key, value in self.state_dict().items():
            if key not in state:
                raise ValueError(f"optimizer state is missing {key!r}")
            incoming = np.asarray(state[key])
            if incoming.shape != value.shape:
                raise ValueError(f"optimizer state {key!r} has shape {incoming.shape}, expected {value.shape}")
            value[...] = incoming

    def reset(self) -> None:
        """Forget accumulated state (velocities, moments)."""
        for value in self.state_dict().values():
            value[...] = 0

    def __repr__(self):
        return f"{type(self).__name__}(weight_decay={self.weight_decay})"


class SGD(Optimizer):
    """Plain gradient descent: θ ← θ − η ∇C."""

    name = "sgd"
    uses_rate_times_gradient = True

    def update(self, params, grad, lr, gain=1.0):
        np.subtract(params, self._rate_step(params, grad, lr, gain), out=params)


class Momentum(Optimizer):
    """Heavy-ball momentum: v ← μ v − η ∇C; θ ← θ + v."""

    name = "momentum"
    uses_rate_times_gradient = True

    def __init__(self, n_params, dtype=np.float32, weight_decay=0.0, decay_mask=None, beta=0.9):
        super().__init__(n_params, dtype, weight_decay, decay_mask)
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"momentum must lie in [0, 1), got {beta}")
        self.beta = float(beta)
        self.velocity = np.zeros(n_params, dtype=self.dtype)

    def update(self, params, grad, lr, gain=1.0):
        self.velocity *= self.beta
        self.velocity -= self._rate_step(params, grad, lr, gain)
        params += self.velocity

    def state_dict(self):
        return {"velocity": self.velocity}


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction."""

    name = "adam"

    def __init__(self, n_params, dtype=np.float32, weight_decay=0.0, decay_mask=None,
                 beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(n_params, dtype, weight_decay, decay_mask)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = np.zeros(n_params, dtype=self.dtype)
        self.v = np.zeros(n_params, dtype=self.dtype)
        self.t = np.zeros((), dtype=np.int64)

    def update(self, params, grad, lr, gain=1.0):
        grad = self._decayed(params, self._plain(grad, gain))
        self.t += 1
        t = int(self.t)
        self.m *= self.beta1
        self.m += (1 - self.beta1) * grad
        self.v *= self.beta2
        self.v += (1 - self.beta2) * grad * grad
        step = lr * np.sqrt(1 - self.beta2 ** t) / (1 - self.beta1 ** t)
        params -= step * self.m / (np.sqrt(self.v) + self.eps)

    def state_dict(self):
        return {"m": self.m, "v": self.v, "t": self.t}

    def load_state_dict(self, state: dict) -> None:
        """Restore m, v and t after checking what would overflow or give NaN at the next step."""
        if "t" in state:  # β^t for t < 0 overflows: the first step would turn every weight to NaN
            validation.whole(state["t"], "optimizer_t (Adam's step counter)", 0, MAX_STEPS)
        for key in ("m", "v"):
            value = np.asarray(state.get(key, 0.0))
            if value.dtype.kind not in "iuf" or not np.isfinite(value).all():
                raise validation.InputError("holds NaN or infinite values", field=f"optimizer_{key}")
        if (np.asarray(state.get("v", 0.0)) < 0).any():  # √v of a negative second moment is NaN
            raise validation.InputError("holds negative values (a second moment is never negative)", field="optimizer_v")
        super().load_state_dict(state)


def make_optimizer(name, n_params, dtype=np.float32, weight_decay=0.0, decay_mask=None,
                   momentum=0.9) -> Optimizer:
    """Return a fresh optimizer by name ("sgd", "momentum" or "adam")."""
    if name == "sgd":
        return SGD(n_params, dtype, weight_decay, decay_mask)
    if name == "momentum":
        return Momentum(n_params, dtype, weight_decay, decay_mask, beta=momentum)
    if name == "adam":
        return Adam(n_params, dtype, weight_decay, decay_mask)
    raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")
