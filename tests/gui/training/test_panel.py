"""The training panel: each control emits the right intent, refuses bad values, and follows snapshots."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from core.history.series import StepRate
from core.network import Network, NetworkError, parse_sizes
from core.snapshot import make_snapshot
from gui.training.inputs import DEFAULT_SPEED, SPEEDS, round_significant
from gui.training.keys import TrainingKeys
from gui.training.panel import TrainingPanel
from gui.widgets.theme import theme

SIGNALS = ("playRequested", "pauseRequested", "stepRequested", "stepEpochRequested", "resetRequested",
           "learningRateChanged", "batchSizeChanged", "optimizerChanged", "speedChanged", "rebuildRequested")


class Intents:
    """Every intent the panel emits, in order, as (signal name, args)."""

    def __init__(self, panel):
        self.log = []
        for name in SIGNALS:
            getattr(panel, name).connect(lambda *args, name=name: self.log.append((name, args)))

    def of(self, name):
        return [args for n, args in self.log if n == name]


def snapshot(sizes=(784, 16, 16, 10), activation="sigmoid", cost="quadratic", seed=0, **progress):
    net = Network(sizes, activation, cost, seed=seed)
    defaults = dict(step=120, epoch=1, epoch_progress=0.25, samples_seen=61200, steps_per_epoch=6000,
                    learning_rate=3.0, batch_size=10, optimizer="sgd", seed=seed, running=False)
    defaults.update(progress)
    return make_snapshot(net, np.zeros(sizes[0]), None, **defaults)


@pytest.fixture
def panel(qtbot):
    panel = TrainingPanel(confirm=lambda text: True)
    qtbot.addWidget(panel)
    panel.set_snapshot(snapshot())
    return panel


def type_into(qtbot, spin, text):
    """Replace a spin box's text as the learner would, then press Enter."""
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)


# -- transport -----------------------------------------------------------------------------
def test_play_button_toggles_between_play_and_pause_requests(panel, qtbot):
    intents = Intents(panel)
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert intents.log == [("playRequested", ())]
    assert panel.play_action.isChecked() and panel.play_action.text() == "Pause"
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert intents.log == [("playRequested", ()), ("pauseRequested", ())]


def test_step_controls_request_one_n_or_an_epoch(panel, qtbot):
    intents = Intents(panel)
    panel.step_action.trigger()
    panel.step_n.setValue(25)
    qtbot.mouseClick(panel.step_n_button, Qt.MouseButton.LeftButton)
    panel.step_epoch_action.trigger()
    assert intents.log == [("stepRequested", (1,)), ("stepRequested", (25,)), ("stepEpochRequested", ())]
    assert panel.step_n_button.text() == "Step 25"


def test_steps_are_disabled_while_running(panel):
    panel.set_snapshot(snapshot(running=True))
    assert not panel.step_action.isEnabled() and not panel.step_n_button.isEnabled()
    panel.set_snapshot(snapshot(running=False))
    assert panel.step_action.isEnabled() and panel.step_epoch_action.isEnabled()


def test_reset_keeps_the_seed_or_draws_a_new_one(panel):
    panel.set_snapshot(snapshot(seed=4))
    intents = Intents(panel)
    panel.reset_action.trigger()
    panel.reset_new_seed_action.trigger()
    same, new = intents.of("resetRequested")
    assert same == (None,)
    assert isinstance(new[0], int) and new[0] != 4 and 0 <= new[0] < 2**31


def test_actions_carry_window_wide_shortcuts(panel):
    expected = {panel.play_action: "Space", panel.step_action: "Right", panel.step_epoch_action: "Shift+Right",
                panel.reset_action: "Ctrl+R"}
    for action, keys in expected.items():
        assert action.shortcut() == QKeySequence(keys)
        assert action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
        assert action in panel.actions()


def test_speed_slider_emits_steps_per_second_and_zero_for_full_speed(panel):
    intents = Intents(panel)
    panel.speed.slider.setValue(0)
    panel.speed.slider.setValue(SPEEDS.index(50))
    panel.speed.slider.setValue(len(SPEEDS) - 1)
    assert intents.of("speedChanged") == [(1.0,), (50.0,), (0.0,)]
    assert panel.speed.label.text() == "as fast as possible"
    assert panel.speed_setting() == 0.0


# -- live settings -------------------------------------------------------------------------
def test_typed_learning_rate_is_sent_exactly(panel, qtbot):
    intents = Intents(panel)
    type_into(qtbot, panel.live.learning_rate.entry, "0.125")
    assert intents.of("learningRateChanged") == [(0.125,)]


def test_learning_rate_slider_is_logarithmic(panel):
    intents = Intents(panel)
    control = panel.live.learning_rate
    control.slider.setValue(control.slider.maximum())
    control.slider.setValue(control.slider.minimum())
    middle = (control.slider.maximum() + control.slider.minimum()) // 2  # log10 midway between -6 and 2
    control.slider.setValue(middle)
    assert intents.of("learningRateChanged") == [(100.0,), (1e-6,), (round_significant(1e-2, 2),)]


@pytest.mark.parametrize("text", ["500", "1e-9", "0", "-1"])
def test_out_of_range_learning_rate_is_refused_with_a_reason(panel, qtbot, text):
    intents = Intents(panel)
    type_into(qtbot, panel.live.learning_rate.entry, text)
    assert intents.of("learningRateChanged") == []
    assert panel.live.learning_rate.value() == 3.0
    assert "between 1e-06 and 100" in panel.live.reason.text()
    assert panel.live.reason.isVisibleTo(panel)


def test_batch_size_applies_live_and_refuses_out_of_range(panel, qtbot, mnist):
    intents = Intents(panel)
    type_into(qtbot, panel.live.batch_size, "64")
    type_into(qtbot, panel.live.batch_size, "0")
    assert intents.of("batchSizeChanged") == [(64,)]
    assert "between 1 and 10,000" in panel.live.reason.text()
    small = type(mnist)(mnist.train_images[:500], mnist.train_labels[:500], mnist.test_images[:10],
                        mnist.test_labels[:10])
    panel.set_dataset(small)
    type_into(qtbot, panel.live.batch_size, "501")
    assert intents.of("batchSizeChanged") == [(64,)]
    assert panel.live.batch_size.maximum() == 500


def test_optimizer_choice_is_sent_by_name(panel):
    intents = Intents(panel)
    box = panel.live.optimizer
    box.setCurrentIndex(box.findData("adam"))
    box.setCurrentIndex(box.findData("momentum"))
    assert intents.of("optimizerChanged") == [("adam",), ("momentum",)]


# -- following the model -------------------------------------------------------------------
def test_set_snapshot_shows_the_model_and_emits_nothing(panel):
    intents = Intents(panel)
    panel.set_snapshot(snapshot(sizes=(784, 32, 10), activation="relu", cost="cross_entropy", seed=7,
                                learning_rate=0.5, batch_size=32, optimizer="adam", running=True,
                                step=1234, epoch=2, epoch_progress=0.5, samples_seen=150000))
    assert intents.log == []
    assert panel.live.learning_rate.value() == 0.5
    assert panel.live.batch_size.value() == 32
    assert panel.live.optimizer.currentData() == "adam"
    assert panel.network.hidden.text() == "32"
    assert panel.network.activation.currentData() == "relu"
    assert panel.network.cost.currentData() == "cross_entropy"
    assert panel.network.seed.value() == 7
    assert panel.play_action.isChecked()
    assert panel.progress.values["step"].text() == "1,234"
    assert panel.progress.values["samples"].text() == "150,000"
    assert panel.progress.values["epoch"].text() == "2.50"
    assert panel.progress.bar.fraction() == 0.5
    assert panel.progress.bar.text().startswith("Epoch 3 · 50%")
    assert not panel.network.needs_rebuild()


def test_set_snapshot_keeps_the_learners_unapplied_edits(panel, qtbot):
    panel.network.hidden.setText("30,20")
    panel.network.hidden.textEdited.emit("30,20")
    panel.set_snapshot(snapshot(seed=3, step=500))
    assert panel.network.hidden.text() == "30,20"
    assert panel.network.seed.value() == 3  # an untouched field still follows the model


def test_set_snapshot_does_not_overwrite_a_field_being_typed_in(panel, qtbot):
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    entry = panel.live.learning_rate.entry
    entry.setFocus()
    qtbot.waitUntil(entry.hasFocus)
    entry.lineEdit().setText("0.0")  # half typed
    panel.set_snapshot(snapshot(learning_rate=0.7))
    assert entry.lineEdit().text() == "0.0"


def test_a_requested_value_is_not_flicked_back_by_an_older_snapshot(panel):
    panel.live.learning_rate.entry.setValue(0.25)  # the learner's request is on its way
    panel.set_snapshot(snapshot(learning_rate=3.0, step=121))  # taken before the worker applied it
    assert panel.live.learning_rate.value() == 0.25
    panel.set_snapshot(snapshot(learning_rate=0.25, step=122))
    panel.set_snapshot(snapshot(learning_rate=0.5, step=123))  # changed elsewhere: follow it
    assert panel.live.learning_rate.value() == 0.5


def test_steps_per_second_come_from_successive_snapshots(panel):
    base = snapshot()
    for i in range(6):
        panel.set_snapshot(base.with_progress(step=1000 + 50 * i, running=True, extra={"time": 100.0 + 0.1 * i}))
    assert panel.progress.values["speed"].text() == "500 steps/s"
    panel.set_snapshot(base.with_progress(step=1300, running=False, extra={"time": 100.7}))
    assert panel.progress.values["speed"].text() == "paused"


def test_step_rate_restarts_after_a_reset_and_reads_zero_when_stopped():
    rate = StepRate(span=1.0)
    for i in range(20):
        rate.update(0.1 * i, 10 * i)
    assert rate.rate(1.9) == pytest.approx(100.0)
    assert rate.rate(10.0) == 0.0
    assert rate.update(2.0, 3) is None  # step went back: measure afresh


# -- a new network -------------------------------------------------------------------------
def test_architecture_changes_wait_for_apply_and_confirmation(panel, qtbot):
    intents = Intents(panel)
    answers = []
    panel.confirm = lambda text: answers.append(text) or len(answers) > 1  # no, then yes
    panel.network.hidden.setText("32")
    panel.network.hidden.textEdited.emit("32")
    box = panel.network.activation
    box.setCurrentIndex(box.findData("relu"))
    panel.network.cost.setCurrentIndex(panel.network.cost.findData("cross_entropy"))
    panel.network.seed.setValue(5)
    assert intents.log == []
    assert panel.network.status.isVisibleTo(panel) and "new network" in panel.network.status.text()
    assert panel.network.apply.isEnabled()
    qtbot.mouseClick(panel.network.apply, Qt.MouseButton.LeftButton)
    assert intents.log == []  # declined
    qtbot.mouseClick(panel.network.apply, Qt.MouseButton.LeftButton)
    # the new kind of neuron brings its own learning rate, after the rebuild
    assert intents.log == [("rebuildRequested", ((32,), "relu", "cross_entropy", 5)), ("learningRateChanged", (0.5,))]
    assert "784-32-10" in answers[-1]
    panel.set_snapshot(snapshot(sizes=(784, 32, 10), activation="relu", cost="cross_entropy", seed=5))
    assert not panel.network.needs_rebuild() and not panel.network.apply.isEnabled()


def test_discard_returns_to_the_current_network(panel):
    panel.network.seed.setValue(9)
    assert panel.network.needs_rebuild()
    panel.network.discard.click()
    assert panel.network.seed.value() == 0 and not panel.network.needs_rebuild()


@pytest.mark.parametrize("text", ["16,a", "0", "5000", "16,,16"])
def test_invalid_hidden_sizes_are_refused_with_the_reason(panel, text):
    intents = Intents(panel)
    with pytest.raises(NetworkError) as error:
        parse_sizes(text)
    panel.network.hidden.setText(text)
    panel.network.hidden.textEdited.emit(text)
    assert panel.network.reason.text() == str(error.value)
    assert panel.network.reason.isVisibleTo(panel)
    assert not panel.network.apply.isEnabled()
    panel.network.apply_staged()
    assert intents.log == []


def test_empty_hidden_sizes_mean_no_hidden_layer(panel):
    intents = Intents(panel)
    panel.network.hidden.setText("")
    panel.network.hidden.textEdited.emit("")
    panel.network.apply.click()
    assert intents.of("rebuildRequested") == [((), "sigmoid", "quadratic", 0)]


# -- divergence ----------------------------------------------------------------------------
def test_divergence_message_names_the_rate_and_offers_two_ways_on(panel, qtbot):
    panel.set_snapshot(snapshot(learning_rate=40.0, running=True))
    intents = Intents(panel)
    panel.show_divergence("The cost became NaN at step 120.")
    box = panel.divergence
    assert box.isVisibleTo(panel)
    assert "NaN at step 120" in box.message.text() and "η = 40" in box.message.text()
    assert not panel.play_action.isChecked()
    qtbot.mouseClick(box.halve, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(box.reset, Qt.MouseButton.LeftButton)
    assert intents.log == [("learningRateChanged", (20.0,)), ("resetRequested", (None,))]
    assert panel.live.learning_rate.value() == 20.0
    assert "η → 10" in box.halve.text()


def test_divergence_message_clears_when_training_resumes(panel):
    panel.show_divergence("The cost became inf.")
    panel.set_snapshot(snapshot(running=True, step=121))
    assert not panel.divergence.isVisibleTo(panel)
    panel.show_divergence("The cost became inf.")
    panel.play_action.trigger()
    assert not panel.divergence.isVisibleTo(panel)


# -- presentation ----------------------------------------------------------------------------
def test_compact_mode_shows_only_play_step_and_progress(panel):
    panel.set_compact(True)
    for widget in (panel.play_button, panel.step_button, panel.progress):
        assert widget.isVisibleTo(panel)
    for widget in (panel.step_epoch_button, panel.more_steps, panel.speed_row, panel.live, panel.network):
        assert not widget.isVisibleTo(panel)
    assert panel.play_button.font().pointSizeF() > panel.font().pointSizeF() * 1.2  # on top of the mode's own type size
    panel.set_compact(False)
    assert panel.live.isVisibleTo(panel) and panel.network.isVisibleTo(panel)


def test_dark_and_light_keep_the_controls(panel):
    theme().set_dark(False)
    theme().set_dark(True)
    assert "color" in panel.network.reason.styleSheet()


def test_space_and_right_arrow_drive_training_from_anywhere_in_the_window(panel, qtbot):
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    intents = Intents(panel)
    panel.progress.bar.setFocus()
    qtbot.keyClick(panel.progress.bar, Qt.Key.Key_Right)
    qtbot.keyClick(panel.progress.bar, Qt.Key.Key_Space)
    assert intents.log == [("stepRequested", (1,)), ("playRequested", ())]


def focus(qtbot, widget):
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def test_a_focused_slider_moves_with_ctrl_arrows_and_leaves_the_plain_arrow_to_training(panel, qtbot):
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    slider = panel.speed.slider
    slider.setValue(3)
    intents = Intents(panel)
    focus(qtbot, slider)
    qtbot.keyClick(slider, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert intents.log == [("speedChanged", (float(SPEEDS[2]),))]
    qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert slider.value() == 2
    assert intents.log[1:] == [("stepRequested", (1,))]


@pytest.fixture
def keyed_panel(panel, qtbot):
    """The panel with the training keys installed for it, shown and active."""
    keys = TrainingKeys.install(panel, (panel.play_action, panel.step_action, panel.step_epoch_action,
                                        panel.fastest_action))
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    yield panel
    QApplication.instance().removeEventFilter(keys)


def test_training_keys_work_whichever_control_was_last_clicked(keyed_panel, qtbot):
    panel = keyed_panel
    controls = (panel.speed.slider, panel.live.learning_rate.slider, panel.step_n_button, panel.reset_button,
                panel.live.optimizer, panel.speed.fastest)
    for control in controls:
        intents = Intents(panel)
        speed, rate = panel.speed.slider.value(), panel.live.learning_rate.slider.value()
        focus(qtbot, control)
        qtbot.keyClick(control, Qt.Key.Key_Right)
        qtbot.keyClick(control, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClick(control, Qt.Key.Key_Space)
        qtbot.keyClick(control, Qt.Key.Key_Space)
        assert intents.log == [("stepRequested", (1,)), ("stepEpochRequested", ()), ("playRequested", ()),
                               ("pauseRequested", ())], control
        assert (panel.speed.slider.value(), panel.live.learning_rate.slider.value()) == (speed, rate)


def test_a_text_field_being_typed_into_keeps_its_keys(keyed_panel, qtbot):
    panel = keyed_panel
    intents = Intents(panel)
    field = panel.network.hidden
    focus(qtbot, field)
    field.setCursorPosition(0)
    qtbot.keyClick(field, Qt.Key.Key_Right)
    qtbot.keyClick(field, Qt.Key.Key_Space)
    assert intents.log == []
    assert field.cursorPosition() == 2  # → moved the cursor, Space was typed
    assert " " in field.text()


def test_play_starts_at_a_watchable_pace_and_full_speed_is_one_key_away(keyed_panel, qtbot):
    panel = keyed_panel
    assert 1 <= panel.speed_setting() <= 10
    intents = Intents(panel)
    focus(qtbot, panel.step_n_button)
    qtbot.keyClick(panel.step_n_button, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    assert panel.speed_setting() == 0 and panel.fastest_action.isChecked()
    panel.speed.fastest.click()  # and one click back to the pace chosen before
    assert intents.of("speedChanged") == [(0.0,), (float(DEFAULT_SPEED),)]
    assert not panel.fastest_action.isChecked()


def test_the_full_speed_switch_returns_to_the_last_pace_chosen(panel):
    panel.speed.slider.setValue(SPEEDS.index(20))
    panel.fastest_action.trigger()
    assert panel.speed_setting() == 0
    panel.fastest_action.trigger()
    assert panel.speed_setting() == 20
    panel.speed.slider.setValue(len(SPEEDS) - 1)  # the slider to its end is full speed too
    assert panel.fastest_action.isChecked() and panel.pace_setting() == 20


# -- settings that make sense together -------------------------------------------------------------
def test_a_new_optimizer_brings_a_sensible_rate_with_a_notice_that_undoes_it(panel, qtbot):
    intents = Intents(panel)
    box = panel.live.optimizer
    box.setCurrentIndex(box.findData("adam"))
    assert intents.log == [("optimizerChanged", ("adam",)), ("learningRateChanged", (0.01,))]
    assert panel.rate_notice.isVisibleTo(panel)
    assert "η = 0.01 (was 3)" in panel.rate_notice.text.text() and "Adam" in panel.rate_notice.text.text()
    panel.rate_notice.undo.click()
    assert intents.of("learningRateChanged")[-1] == (3.0,)
    assert not panel.rate_notice.isVisibleTo(panel)
    box.setCurrentIndex(box.findData("momentum"))
    assert panel.rate_notice.isVisibleTo(panel)
    panel.live.request_learning_rate(0.5)  # the learner's own rate: the notice is old news
    assert not panel.rate_notice.isVisibleTo(panel)


def test_choosing_the_optimizer_in_force_leaves_the_rate_alone(panel):
    box = panel.live.optimizer
    box.setCurrentIndex(box.findData("adam"))  # chosen, not yet in force: the snapshot still trains with SGD
    intents = Intents(panel)
    box.setCurrentIndex(box.findData("sgd"))  # back to the optimizer in force
    assert intents.log == [("optimizerChanged", ("sgd",))]


def test_a_collapsed_run_is_flagged_like_divergence(panel):
    panel.show_collapse("The run has collapsed. Test accuracy is 9.6%, …")
    box = panel.divergence
    assert box.isVisibleTo(panel) and box.title.text() == "Training stopped: the run collapsed"
    assert "9.6%" in box.message.text()
    box.halve.click()
    assert box.title.text() == "Training stopped: the run collapsed"  # halving keeps saying what happened
