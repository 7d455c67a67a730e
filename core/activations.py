"""Activation functions and their derivatives, vectorised, in place where possible.

Each derivative is written in terms of (z, a) so backprop reuses the forward pass
instead of evaluating the function again.
"""
from __future__ import annotations

import numpy as np

LEAKY_SLOPE = 0.01


# e^-z is evaluated with -z capped here so it never overflows (nor warns); the outputs the cap
# changes are below the smallest normal number of the type anyway (σ(−88) ≈ 6e−39).
_EXP_CAP = {np.dtype(np.float32): 88.0, np.dtype(np.float64): 709.0}


def sigmoid(z, out=None):
    """Return σ(z) = 1 / (1 + e^-z)."""
    out = np.negative(z, out=out)
    np.minimum(out, _EXP_CAP.get(out.dtype, 88.0), out=out)
    np.exp(out, out=out)  # e^-z: faster than tanh, and exact in relative terms for tiny σ
    out += 1.0
    return np.reciprocal(out, out=out)


def tanh(z, out=None):
    """Return tanh(z)."""
    return np.tanh(z, out=out)


def relu(z, out=None):
    """Return max(z, 0)."""
    return np.maximum(z, 0, out=out)


def leaky_relu(z, out=None):
    """Return z for z > 0 and LEAKY_SLOPE·z otherwise."""
    out = np.multiply(z, LEAKY_SLOPE, out=out)
    return np.maximum(z, out, out=out)


def softmax(z, out=None):
    """Return the row-wise softmax of z (shifted by the row maximum for stability)."""
    out = np.subtract(z, z.max(axis=-1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


def sigmoid_prime(z, a):
    """Return σ'(z) = a(1 − a)."""
    return a * (1.0 - a)


def tanh_prime(z, a):
    """Return tanh'(z) = 1 − a²."""
    return 1.0 - a * a


def relu_prime(z, a):
    """Return 1 where z > 0, else 0."""
    return (z > 0).astype(z.dtype)


def leaky_relu_prime(z, a):
    """Return 1 where z > 0, else LEAKY_SLOPE."""
    return np.where(z > 0, z.dtype.type(1), z.dtype.type(LEAKY_SLOPE))


FUNCTIONS = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "leaky_relu": leaky_relu,
             "softmax": softmax}
DERIVATIVES = {"sigmoid": sigmoid_prime, "tanh": tanh_prime, "relu": relu_prime,
               "leaky_relu": leaky_relu_prime}
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
# (lowest, highest) value each activation can take; None where it is unbounded.
RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, None),
          "leaky_relu": (None, None), "softmax": (0.0, 1.0)}


def apply(name, z, out=None):
    """Return activation `name` applied to z."""
    return FUNCTIONS[name](z, out=out)


def derivative(name, z, a):
    """Return the derivative of activation `name` at z, given a = f(z)."""
    return DERIVATIVES[name](z, a)
