"""Hand edits: addressing, what each edit changes, and exact undo/redo."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.lesson.edits import (
    OFF_BIAS,
    EditError,
    EditHistory,
    ScaleIncoming,
    SetBias,
    SetWeight,
    SwitchOff,
    SwitchOn,
    bias_index,
    describe_parameter,
    is_switched_off,
    locate,
    weight_index,
)
from core.network import Network

SIZES = (12, 5, 4, 3)


@pytest.fixture
def net():
    net = Network(SIZES, seed=3)
    net.biases[1][...] = np.linspace(-1, 1, 4)
    return net


def test_locate_inverts_weight_and_bias_indices(net):
    for layer, w in enumerate(net.weights):
        for to in range(w.shape[0]):
            for frm in range(w.shape[1]):
                i = weight_index(SIZES, layer, to, frm)
                assert net.params[i] == w[to, frm]
                a = locate(SIZES, i)
                assert (a.kind, a.layer, a.to, a.frm) == ("weight", layer, to, frm)
        for j in range(len(net.biases[layer])):
            i = bias_index(SIZES, layer + 1, j)
            assert net.params[i] == net.biases[layer][j]
            a = locate(SIZES, i)
            assert (a.kind, a.layer, a.to) == ("bias", layer, j)


def test_descriptions_name_the_parameter_in_words():
    sizes = (784, 16, 16, 10)
    assert describe_parameter(sizes, weight_index(sizes, 1, 3, 5)) == \
        "weight 1→2: from neuron 5 of layer 1 to neuron 3 of layer 2"
    assert describe_parameter(sizes, weight_index(sizes, 0, 2, 28 * 12 + 5)) == \
        "weight 0→1: from pixel (12, 5) to neuron 2 of layer 1"
    assert describe_parameter(sizes, bias_index(sizes, 2, 3)) == "bias of neuron 3 of layer 2"
    assert describe_parameter(sizes, bias_index(sizes, 3, 7)) == "bias of output 7"


def test_each_edit_changes_what_it_says(net):
    p = net.params
    SetWeight(SIZES, 1, to=2, frm=4, value=0.75).apply(p)
    assert net.weights[1][2, 4] == np.float32(0.75)
    SetBias(SIZES, 2, index=1, value=-2.5).apply(p)
    assert net.biases[1][1] == np.float32(-2.5)
    before = net.weights[0][3].copy()
    ScaleIncoming(SIZES, 1, index=3, factor=2.0).apply(p)
    np.testing.assert_array_equal(net.weights[0][3], before * 2)


def test_switching_a_hidden_neuron_off_silences_it_downstream(net):
    x = np.random.default_rng(0).random((6, 12)).astype(np.float32)
    twin = net.copy()
    twin.weights[1][:, 2] = 0.0
    SwitchOff(SIZES, 1, 2).apply(net.params)
    assert is_switched_off(net.params, SIZES, 1, 2)
    assert not is_switched_off(net.params, SIZES, 1, 1)
    # Whatever neuron 2 of layer 1 computes, layer 2 no longer hears it.
    net.weights[0][2] = 100.0
    np.testing.assert_array_equal(net.feedforward(x), twin.feedforward(x))


def test_switching_an_output_off_makes_it_silent(net):
    SwitchOff(SIZES, 3, 1).apply(net.params)
    assert net.biases[2][1] == OFF_BIAS and not net.weights[2][1].any()
    assert net.feedforward(np.ones(12, np.float32))[0, 1] < 1e-8
    assert is_switched_off(net.params, SIZES, 3, 1)


def test_switch_on_restores_saved_values_or_draws_fresh_ones(net):
    saved = net.params[SwitchOff(SIZES, 2, 3).indices()].copy()
    SwitchOff(SIZES, 2, 3).apply(net.params)
    SwitchOn(SIZES, 2, 3, values=tuple(saved.tolist())).apply(net.params)
    np.testing.assert_array_equal(net.weights[2][:, 3], saved)
    SwitchOff(SIZES, 2, 3).apply(net.params)
    SwitchOn(SIZES, 2, 3).apply(net.params)
    assert not is_switched_off(net.params, SIZES, 2, 3)


def test_edits_refuse_addresses_and_networks_that_do_not_fit(net):
    with pytest.raises(EditError):
        SetWeight(SIZES, 3, 0, 0, 1.0).apply(net.params)
    with pytest.raises(EditError):
        SetBias(SIZES, 0, 0, 1.0).apply(net.params)
    with pytest.raises(EditError):
        SetBias(SIZES, 1, 0, 1.0).apply(np.zeros(10, np.float32))


@st.composite
def edits_for(draw, sizes):
    """Draw any edit that fits a network of these sizes."""
    last = len(sizes) - 1
    values = st.floats(-50, 50, allow_nan=False, width=32)

    def neuron(low):
        layer = draw(st.integers(low, last))
        return layer, draw(st.integers(0, sizes[layer] - 1))

    kind = draw(st.sampled_from(["weight", "bias", "scale", "off", "on"]))
    if kind == "weight":
        layer = draw(st.integers(0, last - 1))
        return SetWeight(sizes, layer, draw(st.integers(0, sizes[layer + 1] - 1)),
                         draw(st.integers(0, sizes[layer] - 1)), draw(values))
    if kind == "bias":
        return SetBias(sizes, *neuron(1), draw(values))
    if kind == "scale":
        return ScaleIncoming(sizes, *neuron(1), draw(st.floats(-10, 10, allow_nan=False)))
    if kind == "off":
        return SwitchOff(sizes, *neuron(0))
    return SwitchOn(sizes, *neuron(0), seed=draw(st.integers(0, 5)))


@settings(max_examples=60, deadline=None)
@given(st.lists(edits_for(SIZES), min_size=1, max_size=12))
def test_undoing_any_sequence_of_edits_restores_the_exact_bits(edits):
    params = Network(SIZES, seed=1).params
    params[::7] = -0.0  # signed zeros must survive too
    original = params.copy()
    records = [edit.apply(params) for edit in edits]
    for edit, record in zip(reversed(edits), reversed(records)):
        edit.undo(params, record)
    assert params.tobytes() == original.tobytes()


@settings(max_examples=40, deadline=None)
@given(st.lists(edits_for(SIZES), min_size=1, max_size=8), st.integers(0, 8))
def test_edit_history_undo_redo_round_trips(edits, n_undo):
    params = Network(SIZES, seed=2).params
    history = EditHistory()
    states = [params.tobytes()]
    for edit in edits:
        history.apply(edit, params)
        states.append(params.tobytes())
    n_undo = min(n_undo, len(edits))
    for k in range(n_undo):
        assert history.undo(params) is edits[-1 - k]
        assert params.tobytes() == states[-2 - k]
    for _ in range(n_undo):
        history.redo(params)
    assert params.tobytes() == states[-1]
    assert not history.can_redo


def test_a_new_edit_forgets_the_redo_branch(net):
    history = EditHistory()
    history.apply(SetBias(SIZES, 1, 0, 1.0), net.params)
    history.undo(net.params)
    assert history.can_redo
    history.apply(SetBias(SIZES, 1, 1, 2.0), net.params)
    assert not history.can_redo and history.redo(net.params) is None
    assert history.undo(net.params) is not None and history.undo(net.params) is None


def test_short_descriptions_fit_a_table_column():
    sizes = (784, 16, 16, 10)
    assert describe_parameter(sizes, weight_index(sizes, 1, 3, 5), short=True) == "weight 1→2: from 5 to 3"
    assert describe_parameter(sizes, weight_index(sizes, 2, 7, 5), short=True) == "weight 2→3: from 5 to output 7"
    assert describe_parameter(sizes, weight_index(sizes, 0, 2, 0), short=True) == \
        "weight 0→1: from pixel (0, 0) to 2"
    assert describe_parameter(sizes, bias_index(sizes, 2, 3), short=True) == "bias of neuron 3 in layer 2"
