"""The controller (gui/controller/) against stand-in views and a stand-in worker: selection, time travel, events, frames, the tour host."""
from unittest.mock import MagicMock

import numpy as np
import pytest

from core.network import Network
from core.snapshot import make_snapshot
from gui.controller import Controller
from gui.main_window import MainWindow
from gui.panels import PANEL_NAMES
from gui.training.feeds import FeedBatch
from gui.training.worker import TrainingWorker
from gui.widgets import turns

SIZES = (6, 4, 3)


def snapshot(step=0, running=False, seed=0):
    net = Network(SIZES, seed=seed)
    return make_snapshot(net, np.linspace(0, 1, 6), 1, step=step, running=running)


def connected(signal):
    """Return the slot the controller connected to a stand-in signal (to play the signal)."""
    return signal.connect.call_args[0][0]


@pytest.fixture
def parts(qapp):
    view = MagicMock(spec=MainWindow)
    view.panels = {name: MagicMock(name=name) for name in PANEL_NAMES}
    view.diagram, view.timeline, view.status = MagicMock(), MagicMock(), MagicMock()
    view.dataset = MagicMock(train_labels=np.zeros(40))  # 40 training examples
    view.panel_visible.side_effect = lambda name: name in ("training", "sample", "inspector")
    worker = MagicMock(spec=TrainingWorker)
    worker.pace = 0.0  # Play runs as fast as it can
    worker.mailbox, worker.feed = MagicMock(), MagicMock()
    worker.mailbox.peek.return_value = snapshot()
    worker.mailbox.take.return_value = None
    worker.mailbox.running = False  # the newest snapshot's flag, asked without making it
    worker.feed.drain.return_value = None
    return Controller(view, worker), view, worker


def test_it_starts_with_the_first_hidden_neuron_selected(parts):
    controller, view, _ = parts
    assert controller.selected_neuron() == (1, 0)
    view.diagram.select_neuron.assert_called_with(1, 0)


def test_selecting_a_neuron_reaches_every_view_once(parts, qtbot):
    controller, view, _ = parts
    with qtbot.waitSignal(controller.neuronSelected) as blocker:
        controller.select_neuron(2, 1)
    assert blocker.args == [2, 1] and controller.selected_neuron() == (2, 1)
    for name in ("inspector", "batch", "edit"):
        view.panels[name].set_neuron.assert_called_with(2, 1)
    view.panels["matrix"].set_selected_neuron.assert_called_with(2, 1)
    calls = view.diagram.select_neuron.call_count
    controller.select_neuron(2, 1)  # already selected
    controller.select_neuron(2, 3)  # layer 2 has 3 neurons: out of range
    controller.select_neuron(5, 0)
    assert view.diagram.select_neuron.call_count == calls and controller.selected_neuron() == (2, 1)


def test_a_chosen_connection_is_marked_explained_and_selects_its_target(parts):
    controller, view, _ = parts
    for connection in [(0, 1, 2), (0, 2, 3), (1, 0, 1)]:
        controller.select_connection(*connection)
    assert controller.marked_connections() == [(0, 2, 3), (1, 0, 1)]  # the last two
    view.diagram.set_marked_connections.assert_called_with([(0, 2, 3), (1, 0, 1)])
    view.panels["surface"].select_connection.assert_called_with(1, 0, 1)
    view.panels["chain_rule"].select_connection.assert_called_with(1, 0, 1)
    assert controller.selected_neuron() == (2, 0)


def recorded(worker):
    """Play a recorded trajectory of three steps from the worker; return (steps, rows)."""
    steps = np.array([0, 5, 10])
    rows = np.stack([Network(SIZES, seed=s).params for s in (10, 11, 12)])
    connected(worker.trajectoryReady)(steps, rows, steps * 10)  # samples seen: ten a step
    return steps, rows


def test_the_trajectory_reaches_the_surface_and_the_timeline(parts):
    controller, view, worker = parts
    steps, rows = recorded(worker)
    assert controller.trajectory[1] is rows
    view.panels["surface"].set_trajectory.assert_called_with(steps, rows)
    view.timeline.set_steps.assert_called_with(steps)


def test_a_recorded_step_is_shown_until_back_to_live(parts):
    controller, view, worker = parts
    steps, rows = recorded(worker)
    controller.show_history_step(5, 1)
    shown = controller.shown()
    assert controller.is_historic() and shown.step == 5 and shown.extra["historic"]
    assert (shown.samples_seen, shown.epoch, shown.epoch_progress) == (50, 1, 0.25)  # that step's own counters
    np.testing.assert_array_equal(shown.params, rows[1])
    view.diagram.set_snapshot.assert_called_with(shown)
    view.panels["sample"].set_snapshot.assert_called_with(shown)  # visible: given it
    view.panels["charts"].set_snapshot.assert_not_called()  # hidden: not
    # live training goes on underneath: the status follows it, the panels stay on step 5
    worker.mailbox.take.return_value = snapshot(step=12)
    controller.frame()
    view.status.update_snapshot.assert_called_once()
    view.timeline.set_live_step.assert_called_with(12)
    assert controller.shown() is shown
    worker.mailbox.peek.return_value = snapshot(step=12)
    controller.back_to_live()
    assert not controller.is_historic() and controller.shown().step == 12
    controller.show_history_step(5, 7)  # no such row: nothing changes
    assert not controller.is_historic()


@pytest.mark.parametrize("leave", ["reset", "rebuild", "resume", "dataset"])
def test_reset_rebuild_resume_and_a_new_dataset_leave_the_recorded_step(parts, qtbot, leave):
    controller, _, worker = parts
    recorded(worker)
    controller.show_history_step(5, 1)
    if leave == "reset":
        controller.reset(3)
        worker.reset.assert_called_once_with(3)
    elif leave == "rebuild":
        with qtbot.waitSignal(controller.architectureChosen) as blocker:
            controller.rebuild((8,), "relu", "cross_entropy", 2)
        assert blocker.args == [(8,), "relu", "cross_entropy", 2]
        worker.rebuild.assert_called_once_with((8,), "relu", "cross_entropy", 2)
    elif leave == "resume":
        controller.resume_from(5)
        worker.resume_from.assert_called_once_with(5)
    else:
        dataset = object()
        controller.open_dataset(dataset)
        worker.set_dataset.assert_called_once_with(dataset)
        controller.view.set_dataset.assert_called_once_with(dataset)
    assert not controller.is_historic() and controller.shown().step == 0


def test_a_rebuilt_network_clears_selection_marks_and_trajectory(parts):
    controller, view, worker = parts
    recorded(worker)
    controller.select_connection(1, 2, 3)
    worker.mailbox.peek.return_value = make_snapshot(Network((6, 5, 5, 3)), np.zeros(6), 0)
    connected(worker.rebuilt)()
    assert controller.marked_connections() == [] and controller.trajectory[1] is None
    view.diagram.set_marked_connections.assert_called_with([])
    assert controller.selected_neuron() == (1, 0)


def test_divergence_and_errors_are_told_to_the_learner(parts):
    controller, view, worker = parts
    connected(worker.diverged)("The cost became NaN at step 3")
    view.panels["training"].show_divergence.assert_called_once_with("The cost became NaN at step 3")
    view.show_message.assert_called_with("Training paused: the cost diverged", 10000)
    connected(worker.error)("bad.npz: not a network")
    view.warn.assert_called_once_with("bad.npz: not a network")


def test_a_pause_asks_for_the_trajectory(parts):
    _, _, worker = parts
    slot = connected(worker.runningChanged)
    slot(True)
    worker.request_trajectory.assert_not_called()
    slot(False)
    worker.request_trajectory.assert_called_once()


def test_a_frame_feeds_the_charts_and_shows_a_paused_snapshot_to_visible_panels(parts):
    controller, view, worker = parts
    worker.feed.drain.return_value = FeedBatch(np.array([1, 2]), np.array([0.5, 0.4]), np.ones((2, 2)),
                                               [dict(split="test", epoch=1.0, step=2, accuracy=0.9, cost=0.1)], True)
    snap = snapshot(step=2)
    worker.mailbox.take.return_value = snap
    controller.frame()
    view.panels["charts"].take_feed.assert_called_once_with(worker.feed.drain.return_value)
    assert controller.shown() is snap
    for name in ("training", "sample", "inspector"):
        view.panels[name].set_snapshot.assert_called_once_with(snap)
    view.panels["surface"].set_snapshot.assert_not_called()


def test_while_training_runs_the_panels_get_the_snapshot_one_per_frame(parts):
    controller, view, worker = parts
    snap = snapshot(step=7, running=True)
    worker.mailbox.peek.return_value = snap
    worker.mailbox.take.return_value = snap
    worker.mailbox.running = True
    controller.frame()
    view.diagram.set_snapshot.assert_called_with(snap)  # the diagram at once, and the first panel with it
    given = [{n for n in PANEL_NAMES if view.panels[n].set_snapshot.called}]
    worker.mailbox.take.return_value = None
    for _ in range(3):
        before = {n for n in PANEL_NAMES if view.panels[n].set_snapshot.called}
        controller.frame()
        given.append({n for n in PANEL_NAMES if view.panels[n].set_snapshot.called} - before)
    assert [len(g) for g in given] == [1, 1, 1, 0]
    assert set().union(*given) == {"training", "sample", "inspector"}


def test_the_panels_of_one_round_show_the_same_step_while_the_diagram_moves_on(parts):
    controller, view, worker = parts
    worker.mailbox.running = True
    worker.pace = 20.0  # every step is shown to the diagram
    for step in (7, 8, 9, 10):
        worker.mailbox.take.return_value = snapshot(step=step, running=True)
        controller.frame()
    assert view.diagram.set_snapshot.call_args.args[0].step == 10  # the diagram moved on
    given = {n: view.panels[n].set_snapshot.call_args.args[0].step
             for n in ("training", "sample", "inspector")}
    assert given == {"training": 7, "sample": 7, "inspector": 7}  # the round that began at step 7


def test_a_live_snapshot_shown_takes_the_tick_so_the_charts_wait_for_the_next(parts, monkeypatch):
    controller, view, worker = parts
    clock = [50.0]
    monkeypatch.setattr(turns, "TURNS", turns.Turns(lambda: clock[0]))
    worker.mailbox.running = True
    worker.mailbox.take.return_value = snapshot(step=3, running=True)
    controller.frame()
    assert not turns.TURNS.take("charts")  # the same tick: the charts wait
    clock[0] += turns.TICK
    assert turns.TURNS.take("charts")  # the next tick is theirs


def test_at_a_slow_pace_every_step_is_shown_though_the_budget_would_wait(parts):
    controller, view, worker = parts
    worker.mailbox.running = True
    shown = []
    for step, pace in ((1, 5.0), (2, 5.0), (3, 0.0), (4, 0.0)):  # frames 16 ms apart: the budget waits
        worker.pace = pace
        worker.mailbox.take.return_value = snapshot(step=step, running=True)
        controller.frame()
        shown += [c.args[0].step for c in view.diagram.set_snapshot.call_args_list[len(shown):]]
    assert shown[:2] == [1, 2]  # at 5 steps/s, each one
    assert len(shown) < 4  # at full speed the budget spaces them out


def test_a_panel_brought_forward_gets_the_shown_snapshot(parts):
    controller, view, worker = parts
    worker.mailbox.take.return_value = snap = snapshot(step=3)
    controller.frame()
    connected(view.panelShown)("surface")
    view.panels["surface"].set_snapshot.assert_called_once_with(snap)


def test_the_tour_host_reaches_the_worker_and_the_view(parts):
    controller, view, worker = parts
    assert controller.is_paused()
    worker.mailbox.peek.return_value = snapshot(running=True)
    assert not controller.is_paused()
    controller.pause()
    controller.step(3)
    worker.pause.assert_called_once()
    worker.step.assert_called_once_with(3)
    controller.set_surface_plane("pca")
    view.show_panel.assert_called_with("surface")
    view.panels["surface"].set_plane_kind.assert_called_once_with("pca")
    controller.set_diagram_mode("strongest")
    view.diagram.set_mode.assert_called_once_with("strongest")
    controller.set_colour_by("gradients")
    view.diagram.set_colour_by.assert_called_once_with("gradients")
    view.visible_panels.return_value = {"diagram", "training"}
    assert controller.visible_panels() == {"diagram", "training"}


def test_closing_saves_the_session_then_stops_training_once(parts):
    controller, view, worker = parts
    controller.session = MagicMock()
    controller.persist = True
    close = connected(view.closing)
    close()
    close()
    controller.session.save_layout.assert_called_once()
    controller.session.autosave_now.assert_called_once()
    worker.stop.assert_called_once()
    worker.wait.assert_called_once()
