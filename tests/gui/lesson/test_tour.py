"""Every tour step sets the app up as it says, from a fresh start, through the TourHost protocol."""
import numpy as np
import pytest

from gui.lesson.tour import COLOUR_BY, DIAGRAM_MODES, PANELS, SURFACE_PLANES, GuidedTour, TourHost
from gui.lesson.tour_steps import TourContext, lesson_steps

LESSON = ["function", "neuron", "matrix", "cost", "average", "descent", "gradient", "backprop", "batch", "sgd",
          "chain"]


class FakeHost:
    """Records what the tour asks of the app, and refuses what the real app could not do."""

    def __init__(self, sizes=(784, 16, 16, 10), running=True):
        self.sizes = sizes
        self.paused = not running
        self.panels = {"diagram", "training", "charts"}
        self.neuron = None
        self.connections = []
        self.state = {}
        self.steps_taken = 0
        self.calls = []

    def pause(self):
        self.calls.append("pause")
        self.paused = True

    def step(self, n: int):
        assert isinstance(n, int) and n >= 1
        self.steps_taken += n
        self.state["stepped"] = n

    def is_paused(self) -> bool:
        return self.paused

    def select_neuron(self, layer: int, index: int):
        assert 0 <= layer < len(self.sizes) and 0 <= index < self.sizes[layer], (layer, index)
        self.neuron = (layer, index)

    def selected_neuron(self):
        return self.neuron

    def select_connection(self, weight_layer: int, to: int, from_: int):
        assert 0 <= weight_layer < len(self.sizes) - 1
        assert 0 <= to < self.sizes[weight_layer + 1] and 0 <= from_ < self.sizes[weight_layer]
        self.connections.append((weight_layer, to, from_))
        self.state["connection"] = (weight_layer, to, from_)

    def show_panel(self, name: str):
        assert name in PANELS, name
        self.panels.add(name)

    def visible_panels(self) -> set:
        return set(self.panels)

    def set_diagram_mode(self, mode: str):
        assert mode in DIAGRAM_MODES
        self.state["diagram_mode"] = mode

    def set_colour_by(self, what: str):
        assert what in COLOUR_BY
        self.state["colour_by"] = what

    def show_example(self, split: str, index: int):
        assert split in ("train", "test") and index >= 0
        self.state["example"] = (split, index)

    def set_surface_plane(self, kind: str):
        assert kind in SURFACE_PLANES
        self.state["surface_plane"] = kind

    def set_pace(self, steps_per_second: float):
        assert steps_per_second >= 0
        self.state["pace"] = steps_per_second


def check(host, step):
    """Assert the host is in the state the step's `expects` describes."""
    assert step.unmet(host) == [], step.key
    readable = {"panel", "panels", "neuron", "paused"}
    for key, value in step.expects.items():
        if key not in readable:
            assert host.state.get(key) == value, (step.key, key)


def test_fake_host_satisfies_the_protocol():
    assert isinstance(FakeHost(), TourHost)


def test_the_lesson_has_its_eleven_steps_in_order():
    steps = lesson_steps()
    assert [s.key for s in steps] == LESSON
    for s in steps:
        assert s.title and len(s.body) > 200 and s.look and s.actions
        assert s.expects.get("paused") is True
        assert s.expects["panel"] in PANELS


@pytest.mark.parametrize("context", [
    TourContext(),
    TourContext((784, 16, 16, 10), "relu", "cross_entropy", 7),
    TourContext((784, 2, 10), "tanh", "quadratic", 9),
    TourContext((784, 10), "sigmoid", "quadratic", 1),  # no hidden layer at all
])
def test_every_step_applies_from_a_fresh_start(context):
    for step in lesson_steps(context):
        host = FakeHost(context.sizes)  # a fresh app, training running
        step.apply(host)
        check(host, step)


def test_steps_applied_in_sequence_leave_their_states():
    host = FakeHost()
    for step in lesson_steps(TourContext(label=5)):
        step.apply(host)
        check(host, step)


@pytest.fixture
def tour(qtbot):
    host = FakeHost()
    widget = GuidedTour()
    widget.set_host(host)
    qtbot.addWidget(widget)
    widget.resize(420, 700)
    return widget, host


def test_showing_the_tour_starts_at_the_first_step(tour):
    widget, host = tour
    assert not host.paused
    widget.show()
    assert widget.is_running() and widget.current_index() == 0
    check(host, widget.current_step())
    assert "Step 1 of 11" in widget.counter.text()


def test_next_and_back_navigate_and_set_up(tour, qtbot):
    widget, host = tour
    widget.start()
    for i in range(1, 11):
        with qtbot.waitSignal(widget.stepChanged) as blocker:
            widget.next_button.click()
        assert blocker.args == [i] and widget.current_index() == i
        check(host, widget.current_step())
        assert widget.last_error is None
    assert widget.next_button.text() == "Finish"
    widget.back_button.click()
    assert widget.current_index() == 9
    check(host, widget.current_step())
    for _ in range(12):
        widget.back_button.click()
    assert widget.current_index() == 0 and not widget.back_button.isEnabled()
    widget.go_to(40)
    assert widget.current_index() == 10
    with qtbot.waitSignal(widget.finished):
        widget.next_button.click()  # "Finish"
    assert not widget.is_running()


def test_leaving_midway_keeps_the_app_as_it_is(tour, qtbot):
    widget, host = tour
    widget.start(3)
    widget.next()
    calls, state = len(host.calls), dict(host.state)
    with qtbot.waitSignal(widget.finished):
        widget.leave_button.click()
    assert not widget.is_running()
    assert len(host.calls) == calls and host.state == state  # leaving changes nothing
    host.paused = False  # the learner goes on using the app: the tour does not interfere
    widget.hide()
    widget.show()  # reopening resumes where the learner left
    assert widget.current_index() == 4 and host.paused


def test_step_list_jumps_and_again_reapplies(tour):
    widget, host = tour
    widget.start()
    widget.chooser.activated.emit(6)
    assert widget.current_index() == 6 and host.state["colour_by"] == "gradients"
    host.state["colour_by"] = "values"  # the learner changed it
    widget.again_button.click()
    assert host.state["colour_by"] == "gradients"


def test_snapshot_adapts_neurons_without_reapplying(tour):
    from core.network import Network
    from core.snapshot import make_snapshot

    widget, host = tour
    host.sizes = (784, 5, 10)
    net = Network(host.sizes, "tanh", "quadratic", seed=0)
    widget.start(0)
    calls = len(host.calls)
    widget.set_snapshot(make_snapshot(net, np.zeros(784), 8))
    assert len(host.calls) == calls
    widget.go_to(1)
    assert host.neuron == (1, 3)
    assert "tanh squashes" in widget.text_view.toPlainText()
    widget.go_to(3)
    assert host.neuron == (2, 8)  # the current example's digit
    assert "picture of the digit 8" in widget.text_view.toPlainText()


def test_a_host_without_a_panel_does_not_end_the_tour(tour):
    widget, host = tour

    def refuse(name):
        raise KeyError(name)

    host.show_panel = refuse
    widget.start(1)
    assert isinstance(widget.last_error, KeyError)
    assert host.state["diagram_mode"] == "selected"  # the calls after the failing one were still made
    assert "could not be set up" in widget.text_view.toPlainText()
    widget.next()  # still navigable
    assert widget.current_index() == 2
