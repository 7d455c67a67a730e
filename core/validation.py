"""Check values that come from outside (files, settings, the command line) against core/limits.py.

Every refusal is an InputError (or one of its kinds: DatasetError, CheckpointError,
NetworkError, SettingsError) whose message names the file, the field and the bound, so a
front end can show it as it is. The checks take strings too (a settings file holds text),
and never allocate more than the value itself.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from core import limits


class InputError(ValueError):
    """A value from outside is missing, malformed or out of range; the message says which and where."""

    def __init__(self, message: str, source=None, field=None):
        self.source = None if source is None else str(source)
        self.field = field
        self.detail = message
        prefix = "".join(f"{part}: " for part in (self.source, field) if part)
        super().__init__(prefix + message)

    def within(self, source):
        """Return a copy of this error that names `source` (a file) as where it came from."""
        return type(self)(self.detail, source, self.field)


class SettingsError(InputError):
    """A remembered setting cannot be used."""


def _number(value, field, error):
    """Return value as a Python int or float, refusing bools, text that is no number, and arrays."""
    if isinstance(value, (bool, np.bool_)):
        raise error(f"{value!r} is not a number", field=field)
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            raise error(f"expected one number, found an array of shape {value.shape}", field=field)
        value = value[()]
    if isinstance(value, (str, bytes)):
        text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
        try:
            return int(text.strip())
        except ValueError:
            pass
        try:
            return float(text.strip())
        except ValueError:
            raise error(f"{text[:40]!r} is not a number", field=field) from None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise error(f"expected a number, found {type(value).__name__}", field=field)


def whole(value, field, low, high, error=InputError) -> int:
    """Return value as an int, or raise `error` naming the field unless it is a whole number in [low, high]."""
    number = _number(value, field, error)
    if isinstance(number, float):
        if not (math.isfinite(number) and number.is_integer()):
            raise error(f"{number!r} is not a whole number", field=field)
        number = int(number)
    if not low <= number <= high:
        raise error(f"{number} is out of range; it must lie {limits.bound_text(low, high)}", field=field)
    return number


def real(value, field, low, high, error=InputError, high_open=False) -> float:
    """Return value as a finite float in [low, high] (or [low, high) when high_open), else raise `error`."""
    number = float(_number(value, field, error))
    if not math.isfinite(number):
        raise error(f"{number!r} is not a finite number", field=field)
    if not (low <= number <= high) or (high_open and number >= high):
        closing = "(excluded)" if high_open else ""
        raise error(f"{number:g} is out of range; it must lie {limits.bound_text(low, high)}{closing}", field=field)
    return number


def choice(value, field, options, error=InputError) -> str:
    """Return value if it is one of `options` (text), else raise `error` listing them."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if not isinstance(value, str) or value not in options:
        shown = value[:40] if isinstance(value, str) else type(value).__name__
        raise error(f"{shown!r} is not one of {', '.join(options)}", field=field)
    return value


def seed(value, field="seed", error=InputError) -> int:
    """Return a seed within limits.SEED_RANGE, or raise `error` quoting the range."""
    return whole(value, field, *limits.SEED_RANGE, error=error)


def network_sizes(sizes, field="layer sizes", error=InputError) -> tuple:
    """Return layer sizes as ints after checking layers, neurons and parameters against the limits.

    Works on the numbers alone, so a hostile size is refused before any array is made.
    """
    try:
        count = len(sizes)
    except TypeError:
        raise error(f"expected a list of layer sizes, found {type(sizes).__name__}", field=field) from None
    if count < 2:
        raise error(f"a network needs at least an input and an output layer, got {count} layer(s)", field=field)
    if count - 2 > limits.MAX_HIDDEN_LAYERS:
        raise error(f"{count - 2} hidden layers; at most {limits.MAX_HIDDEN_LAYERS} are allowed", field=field)
    names = ["input layer", *(f"hidden layer {i}" for i in range(1, count - 1)), "output layer"]
    out = [whole(sizes[0], f"{field}, {names[0]}", 1, limits.MAX_INPUTS, error)]
    out += [whole(n, f"{field}, {name}", 1, limits.MAX_NEURONS_PER_LAYER, error)
            for n, name in zip(sizes[1:], names[1:])]
    n_params = parameter_count(out)
    if n_params > limits.MAX_PARAMETERS:
        raise error(f"{'-'.join(map(str, out))} has {n_params:,} parameters; at most {limits.MAX_PARAMETERS:,}"
                    " are allowed", field=field)
    return tuple(out)


def parameter_count(sizes) -> int:
    """Return how many weights and biases a network of these (checked) sizes has."""
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def fit_batch_size(batch_size, n_train: int) -> tuple:
    """Return (a batch size no larger than the training set, a one-line notice or None when unchanged)."""
    batch_size = int(batch_size)
    if batch_size <= n_train:
        return batch_size, None
    return n_train, (f"The dataset has {n_train:,} training images, fewer than the batch size of {batch_size:,}:"
                     f" batches of {n_train:,} are used.")
