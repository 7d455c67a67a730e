"""Hand edits of a network as small, undoable commands on its flat parameter vector.

Every edit touches a few entries of a vector laid out like `Network.params` (see
`core.network.parameter_layout`). `apply(params)` changes them in place and returns an
`UndoRecord` holding the exact previous values; `undo(params, record)` writes those values
back, so an edit followed by its undo leaves the vector bit-for-bit as it was.

Addressing follows the rest of the app: neuron layers are 0 (input pixels) … L (outputs);
weight layer l connects neuron layer l to l+1, and `weight(l, to=j, frm=i)` is the weight
from neuron i of layer l to neuron j of layer l+1.

"Switching a neuron off" zeroes its *outgoing* weights, so nothing downstream hears it.
Zeroing its incoming weights and bias would not do: σ(0) = 0.5, so the neuron would still
send a constant 0.5 through every outgoing weight. An output neuron has no outgoing weights;
switching it off zeroes its incoming weights and sets its bias to OFF_BIAS, so its
activation is ≈ 0 (sigmoid) or it never wins the softmax.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.network import parameter_layout

OFF_BIAS = -20.0  # σ(−20) ≈ 2·10⁻⁹: an output neuron switched off stays silent


class EditError(ValueError):
    """An edit does not fit the network it was applied to."""


# -- addressing -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ParameterAddress:
    """Where one entry of the flat vector sits in the network."""

    kind: str  # "weight" or "bias"
    layer: int  # weight layer l (connects neuron layer l to l+1)
    to: int  # neuron index in layer l+1
    frm: int = -1  # neuron index in layer l (weights only)


def weight_index(sizes, layer: int, to: int, frm: int) -> int:
    """Return the flat index of the weight from neuron frm of layer `layer` to neuron `to` of layer+1."""
    _check_weight(sizes, layer, to, frm)
    start = parameter_layout(sizes)[layer][0]
    return start + to * sizes[layer] + frm


def bias_index(sizes, layer: int, index: int) -> int:
    """Return the flat index of the bias of neuron `index` in neuron layer `layer` (1..L)."""
    _check_neuron(sizes, layer, index, allow_input=False)
    return parameter_layout(sizes)[layer - 1][1] + index


def locate(sizes, flat_index: int) -> ParameterAddress:
    """Return the address of entry `flat_index` of a vector laid out like Network.params."""
    layout = parameter_layout(sizes)
    if not 0 <= flat_index < layout[-1][2]:
        raise EditError(f"parameter {flat_index} is outside a network of {layout[-1][2]} parameters")
    layer = int(np.searchsorted([b_end for _, _, b_end in layout], flat_index, side="right"))
    start, w_end, _ = layout[layer]
    if flat_index < w_end:
        to, frm = divmod(flat_index - start, sizes[layer])
        return ParameterAddress("weight", layer, int(to), int(frm))
    return ParameterAddress("bias", layer, int(flat_index - w_end))


def neuron_name(sizes, layer: int, index: int, class_names=None, image_shape=None) -> str:
    """Return a neuron's name in words: "pixel (12, 5)", "neuron 3 of layer 1", "output 7"."""
    if layer == 0 and image_shape is not None and len(image_shape) == 2 and \
            image_shape[0] * image_shape[1] == sizes[0]:
        row, col = divmod(index, image_shape[1])
        return f"pixel ({row}, {col})"
    if layer == 0:
        return f"input {index}"
    if layer == len(sizes) - 1:
        name = class_names[index] if class_names is not None and index < len(class_names) else index
        return f"output {name}"
    return f"neuron {index} of layer {layer}"


def describe_parameter(sizes, flat_index: int, class_names=None, image_shape=(28, 28), short=False) -> str:
    """Return what entry `flat_index` is, in words (which weight or which bias).

    short=True names hidden neurons by index alone, as in "weight 1→2: from 5 to 3" (the
    arrow already says which layers), for a table column.
    """
    a = locate(sizes, flat_index)
    last = len(sizes) - 1

    def name(layer, index):
        if short and 0 < layer < last:
            return str(index)
        return neuron_name(sizes, layer, index, class_names, image_shape)

    if a.kind == "bias":
        if short and a.layer + 1 < last:
            return f"bias of neuron {a.to} in layer {a.layer + 1}"
        return f"bias of {name(a.layer + 1, a.to)}"
    return f"weight {a.layer}→{a.layer + 1}: from {name(a.layer, a.frm)} to {name(a.layer + 1, a.to)}"


def _check_neuron(sizes, layer, index, allow_input=True):
    low = 0 if allow_input else 1
    if not (low <= layer < len(sizes) and 0 <= index < sizes[layer]):
        raise EditError(f"there is no neuron {index} in layer {layer} of a {'-'.join(map(str, sizes))} network")


def _check_weight(sizes, layer, to, frm):
    if not (0 <= layer < len(sizes) - 1 and 0 <= to < sizes[layer + 1] and 0 <= frm < sizes[layer]):
        raise EditError(f"there is no weight {layer}→{layer + 1} from {frm} to {to}"
                        f" in a {'-'.join(map(str, sizes))} network")


def outgoing_indices(sizes, layer: int, index: int) -> np.ndarray:
    """Return the flat indices of the weights leaving neuron `index` of layer `layer` (< L)."""
    start = parameter_layout(sizes)[layer][0]
    return start + np.arange(sizes[layer + 1]) * sizes[layer] + index


def incoming_indices(sizes, layer: int, index: int) -> np.ndarray:
    """Return the flat indices of the weights arriving at neuron `index` of layer `layer` (≥ 1)."""
    start = parameter_layout(sizes)[layer - 1][0] + index * sizes[layer - 1]
    return np.arange(start, start + sizes[layer - 1])


def is_switched_off(params, sizes, layer: int, index: int) -> bool:
    """Return whether the neuron is off: every outgoing weight exactly zero (outputs: OFF_BIAS)."""
    if layer == len(sizes) - 1:
        return bool(params[bias_index(sizes, layer, index)] == OFF_BIAS
                    and not params[incoming_indices(sizes, layer, index)].any())
    return not params[outgoing_indices(sizes, layer, index)].any()


# -- edits --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UndoRecord:
    """The entries an edit changed and the exact values they had before."""

    indices: np.ndarray  # (k,) flat indices
    values: np.ndarray  # (k,) previous values, same dtype as the params


@dataclass(frozen=True)
class Edit:
    """Base of every edit: subclasses say which entries they touch and what they become."""

    sizes: tuple

    def indices(self) -> np.ndarray:
        raise NotImplementedError

    def new_values(self, old: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def apply(self, params: np.ndarray) -> UndoRecord:
        """Change params in place and return what `undo` needs to put them back."""
        expected = parameter_layout(self.sizes)[-1][2]
        if params.ndim != 1 or params.size != expected:
            raise EditError(f"this edit is for a {'-'.join(map(str, self.sizes))} network ({expected}"
                            f" parameters), not {params.size}")
        idx = self.indices()
        old = params[idx]  # fancy indexing copies
        params[idx] = self.new_values(old)
        return UndoRecord(idx, old)

    @staticmethod
    def undo(params: np.ndarray, record: UndoRecord) -> None:
        """Write back the values an edit replaced."""
        params[record.indices] = record.values


@dataclass(frozen=True)
class SetWeight(Edit):
    """Set the weight from neuron frm of layer `layer` to neuron `to` of layer+1."""

    layer: int = 0
    to: int = 0
    frm: int = 0
    value: float = 0.0

    def indices(self):
        return np.array([weight_index(self.sizes, self.layer, self.to, self.frm)])

    def new_values(self, old):
        return np.full_like(old, self.value)

    def describe(self):
        name = describe_parameter(self.sizes, int(self.indices()[0]))
        return f"set {name} to {self.value:.3g}"


@dataclass(frozen=True)
class SetBias(Edit):
    """Set the bias of neuron `index` in neuron layer `layer` (1..L)."""

    layer: int = 1
    index: int = 0
    value: float = 0.0

    def indices(self):
        return np.array([bias_index(self.sizes, self.layer, self.index)])

    def new_values(self, old):
        return np.full_like(old, self.value)

    def describe(self):
        return f"set the bias of {neuron_name(self.sizes, self.layer, self.index)} to {self.value:.3g}"


@dataclass(frozen=True)
class ScaleIncoming(Edit):
    """Multiply every weight arriving at a neuron by `factor` (its bias is left alone)."""

    layer: int = 1
    index: int = 0
    factor: float = 1.0

    def indices(self):
        _check_neuron(self.sizes, self.layer, self.index, allow_input=False)
        return incoming_indices(self.sizes, self.layer, self.index)

    def new_values(self, old):
        return old * old.dtype.type(self.factor)

    def describe(self):
        return f"scale the incoming weights of {neuron_name(self.sizes, self.layer, self.index)} by {self.factor:.3g}"


@dataclass(frozen=True)
class SwitchOff(Edit):
    """Silence a neuron: zero its outgoing weights (an output: zero inputs, bias OFF_BIAS)."""

    layer: int = 1
    index: int = 0

    def indices(self):
        _check_neuron(self.sizes, self.layer, self.index)
        if self.layer == len(self.sizes) - 1:
            return np.append(incoming_indices(self.sizes, self.layer, self.index),
                             bias_index(self.sizes, self.layer, self.index))
        return outgoing_indices(self.sizes, self.layer, self.index)

    def new_values(self, old):
        new = np.zeros_like(old)
        if self.layer == len(self.sizes) - 1:
            new[-1] = OFF_BIAS
        return new

    def describe(self):
        return f"switch off {neuron_name(self.sizes, self.layer, self.index)}"


@dataclass(frozen=True)
class SwitchOn(Edit):
    """Give a switched-off neuron back the values it had (`values`, laid out like SwitchOff's).

    Without saved values its outgoing weights are drawn afresh, as at initialisation
    (an output neuron gets fresh incoming weights and a zero bias).
    """

    layer: int = 1
    index: int = 0
    values: tuple | None = None
    seed: int = 0

    def indices(self):
        return SwitchOff(self.sizes, self.layer, self.index).indices()

    def new_values(self, old):
        if self.values is not None:
            if len(self.values) != len(old):
                raise EditError(f"expected {len(old)} saved values to switch the neuron on, got {len(self.values)}")
            return np.asarray(self.values, dtype=old.dtype)
        rng = np.random.default_rng([self.seed, self.layer, self.index])
        last = self.layer == len(self.sizes) - 1
        fan_in = self.sizes[self.layer - 1] if last else self.sizes[self.layer]
        new = (rng.standard_normal(len(old)) / np.sqrt(fan_in)).astype(old.dtype)
        if last:
            new[-1] = 0.0
        return new

    def describe(self):
        return f"switch on {neuron_name(self.sizes, self.layer, self.index)}"


# -- history --------------------------------------------------------------------------------------
@dataclass
class EditHistory:
    """Applied edits with their undo records, for undo (Ctrl+Z) and redo.

    Undo puts back the values the edited entries had just before the edit; training that
    happened since on *those* entries is lost, every other parameter keeps its training.
    """

    limit: int = 1000
    _done: list = field(default_factory=list)  # [(edit, record)], oldest first
    _undone: list = field(default_factory=list)  # [edit], most recently undone last

    def apply(self, edit: Edit, params: np.ndarray) -> UndoRecord:
        """Apply a new edit and remember it; a new edit forgets what could be redone."""
        record = edit.apply(params)
        self._done.append((edit, record))
        del self._done[:-self.limit]
        self._undone.clear()
        return record

    def undo(self, params: np.ndarray):
        """Undo the latest edit; return it (None if there was nothing to undo)."""
        if not self._done:
            return None
        edit, record = self._done.pop()
        edit.undo(params, record)
        self._undone.append(edit)
        return edit

    def redo(self, params: np.ndarray):
        """Apply again the edit undone last; return it (None if there was nothing to redo)."""
        if not self._undone:
            return None
        edit = self._undone.pop()
        self._done.append((edit, edit.apply(params)))
        return edit

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    def clear(self) -> None:
        """Forget everything (call when the network is rebuilt or reset)."""
        self._done.clear()
        self._undone.clear()

    def __len__(self):
        return len(self._done)
