"""Scenes through the window: save a moment, change everything, open it again; bad scenes change nothing."""
import struct

import numpy as np
import pytest
from toys import scene_state_change, tiny_dataset, trained

from core.checkpoint import save_checkpoint
from core.scene import write_scene

TOUR_STEP = 2


@pytest.fixture
def app(qtbot, open_app):
    """Return the controller of a shown window on a small MNIST, with the warnings it showed in `warnings`."""
    c = open_app(persist=False)
    c.actions.presenter.room = (1280, 720)  # presentation mode in a window of that size, not the full screen
    c.view.resize(1600, 900)
    c.view.show()
    qtbot.waitExposed(c.view)
    yield c
    c.actions.presenter.set_on(False)
    c.actions.presenter.set_user_scales({"normal": 1.0, "presentation": 1.0})  # the app font is shared by all tests
    c.view.close()


def train_to(qtbot, c, step):
    c.step(step - c.latest().step)
    qtbot.waitUntil(lambda: c.latest().step == step and not c.latest().extra.get("pending"), timeout=10000)


def show_example(qtbot, c, split, index):
    c.show_example(split, index)
    qtbot.waitUntil(lambda: (c.latest().example_split, c.latest().example_index) == (split, index), timeout=5000)


def save_scene(qtbot, c, path):
    with qtbot.waitSignal(c.actions.scenes.sceneSaved, timeout=10000):
        c.actions.save_scene(str(path))
    assert path.is_file()


def open_scene(qtbot, c, path):
    with qtbot.waitSignal(c.actions.scenes.sceneOpened, timeout=10000):
        c.actions.open_scene(str(path))


def set_the_moment(qtbot, c):
    """Train 12 steps, walk the tour to TOUR_STEP, then choose a neuron, a panel, an example and the type size."""
    w = c.view
    train_to(qtbot, c, 12)
    c.show_panel("tour")
    w.panels["tour"].go_to(TOUR_STEP)
    qtbot.wait(50)
    c.select_neuron(2, 5)
    c.show_panel("chain_rule")
    show_example(qtbot, c, "test", 17)
    c.actions.presenter.change_type_size(+1)
    qtbot.waitUntil(lambda: w.panel_visible("chain_rule") and w.panel_visible("tour"))


def change_everything(qtbot, c):
    w = c.view
    train_to(qtbot, c, 16)
    w.panels["tour"].go_to(TOUR_STEP + 3)
    c.show_panel("training")
    c.show_panel("edit")
    c.select_neuron(1, 3)
    show_example(qtbot, c, "train", 3)
    c.actions.presenter.change_type_size(0)
    qtbot.waitUntil(lambda: w.panel_visible("edit") and not w.panel_visible("tour"))
    qtbot.wait(300)  # the docks settle (a panel brought forward may ask for height on the next turn)


def test_a_scene_puts_the_app_back_where_it_was(app, qtbot, tmp_path):
    c, w = app, app.view
    set_the_moment(qtbot, c)
    saved = c.latest()
    scales = c.actions.presenter.user_scales()
    path = tmp_path / "moment.nnscene"
    save_scene(qtbot, c, path)
    assert c.session.recent_files() == []  # the network half the engine wrote is no file of the user's

    change_everything(qtbot, c)
    assert c.selected_neuron() == (1, 3) and c.latest().step == 16
    open_scene(qtbot, c, path)

    assert c.latest().step == 12 and np.array_equal(c.latest().params, saved.params)
    assert c.selected_neuron() == (2, 5)
    assert w.panel_visible("chain_rule") and w.panel_visible("tour") and not w.panel_visible("edit")
    tour = w.panels["tour"]
    assert tour.is_running() and tour.current_index() == TOUR_STEP
    assert not c.actions.presenter.on and c.actions.presenter.user_scales() == scales
    qtbot.waitUntil(lambda: (c.latest().example_split, c.latest().example_index) == ("test", 17), timeout=5000)
    assert c.warnings == []
    train_to(qtbot, c, 14)  # and the run goes on from there


def test_a_scene_saved_while_presenting_opens_presenting(app, qtbot, tmp_path):
    c, w = app, app.view
    train_to(qtbot, c, 5)
    c.actions.presentation_action.trigger()
    assert c.actions.presenter.on
    c.select_neuron(3, 7)
    w.panels["tour"].start(TOUR_STEP + 1)  # the clicker walks the tour with its dock out of view
    qtbot.wait(50)
    c.select_neuron(3, 7)
    path = tmp_path / "presenting.nnscene"
    save_scene(qtbot, c, path)
    c.actions.presentation_action.trigger()
    assert not c.actions.presenter.on and not c.actions.presentation_action.isChecked()
    w.panels["tour"].go_to(0)
    c.select_neuron(1, 1)

    open_scene(qtbot, c, path)
    assert c.actions.presenter.on and c.actions.presentation_action.isChecked()
    assert c.selected_neuron() == (3, 7) and w.panels["tour"].current_index() == TOUR_STEP + 1
    assert not w.docks["edit"].isVisible() and w.docks["training"].isVisible()
    c.actions.presentation_action.trigger()  # leaving the mode goes back to the layout from before it
    assert not c.actions.presenter.on and w.docks["charts"].isVisible()


def window_state(c):
    w = c.view
    return dict(step=c.latest().step, params=c.latest().params.copy(), selected=c.selected_neuron(),
                layout=bytes(w.saveState(1).data()), presenting=c.actions.presenter.on,
                tour=(w.panels["tour"].is_running(), w.panels["tour"].current_index()),
                example=(c.latest().example_split, c.latest().example_index),
                scales=c.actions.presenter.user_scales())


def assert_unchanged(before, c, name=""):
    after = window_state(c)
    assert np.array_equal(after.pop("params"), before["params"]), name
    changed = {k for k, v in after.items() if before[k] != v}
    assert not changed, f"{name} changed {changed}"


def rewrite(path, out, change):
    with np.load(path, allow_pickle=False) as npz:
        data = {k: npz[k] for k in npz.files}
    change(data)
    with open(out, "wb") as handle:  # np.savez would add ".npz" to a name
        np.savez(handle, **data)
    return out


def bad_scenes(good, folder, view):
    """Yield (name, path, what the message says) for scenes that must be refused."""
    raw = good.read_bytes()
    (folder / "truncated.nnscene").write_bytes(raw[:len(raw) // 2])
    yield "truncated", folder / "truncated.nnscene", "truncated.nnscene"
    (folder / "text.nnscene").write_text("not a scene at all")
    yield "not a zip", folder / "text.nnscene", "not a scene"
    yield "wrong version", rewrite(good, folder / "v9.nnscene", lambda d: d.update({"scene/version": np.array(9)})), \
        "another version"

    def pickled(d):
        d["scene/state"] = np.array([{"run": "me"}], dtype=object)
    yield "pickled object", rewrite(good, folder / "pickle.nnscene", pickled), "pickled"
    yield "selection outside the network", rewrite(good, folder / "sel.nnscene", scene_state_change(selected=[1, 16])), \
        "selected neuron 16 of layer 1"
    garbled = np.frombuffer(b"\x00\x00\x00\xff\x00\x00\x00\x01" + bytes(range(200)), np.uint8)
    yield "garbled layout", rewrite(good, folder / "layout.nnscene",
                                    lambda d: d.update({"scene/window_state": garbled})), "window layout"
    small = tiny_dataset(60, 20)
    net, tr, _ = trained(small, steps=2)
    part = save_checkpoint(folder / "small.npz", net, tr, small)
    yield "another architecture and dataset", write_scene(folder / "small.nnscene", part, view), "64 inputs"


def saved_then_changed(qtbot, c, tmp_path):
    """Save the moment as a scene, change everything; return (the scene's path, the changed state)."""
    set_the_moment(qtbot, c)
    good = tmp_path / "good.nnscene"
    save_scene(qtbot, c, good)
    change_everything(qtbot, c)
    return good, window_state(c)


def test_bad_scenes_are_refused_with_a_clear_message_and_change_nothing(app, qtbot, tmp_path):
    c = app
    good, before = saved_then_changed(qtbot, c, tmp_path)
    for name, path, message in bad_scenes(good, tmp_path, c.actions.scenes.gather()):
        c.warnings.clear()
        c.actions.open_scene(str(path))
        qtbot.wait(150)  # a load, had one been sent, would have come back by now
        assert len(c.warnings) == 1 and "Cannot open this scene" in c.warnings[0], name
        assert message in c.warnings[0], (name, c.warnings[0])
        assert_unchanged(before, c, name)


def test_when_the_engine_refuses_the_network_nothing_else_is_applied(app, qtbot, tmp_path, monkeypatch):
    c = app
    good, before = saved_then_changed(qtbot, c, tmp_path)
    # the file passes every check, then the engine cannot read it (it changed on disk, say)
    monkeypatch.setattr(c, "load", lambda path: c.worker.load(str(tmp_path / "vanished.nnscene")))
    c.actions.open_scene(str(good))
    qtbot.waitUntil(lambda: len(c.warnings) == 1, timeout=5000)
    assert "vanished.nnscene" in c.warnings[0]
    qtbot.wait(100)
    assert_unchanged(before, c)


def test_a_drawn_digit_on_show_comes_back(app, qtbot, tmp_path):
    c = app
    drawn = np.zeros(784, np.float32)
    drawn[300:340] = 1.0
    c.show_input(drawn)
    qtbot.waitUntil(lambda: c.latest().example_split == "drawn", timeout=5000)
    path = tmp_path / "drawn.nnscene"
    save_scene(qtbot, c, path)
    show_example(qtbot, c, "test", 4)
    open_scene(qtbot, c, path)
    qtbot.waitUntil(lambda: c.latest().example_split == "drawn", timeout=5000)
    assert np.allclose(c.latest().activations[0], drawn)


def test_a_scene_from_a_screen_of_another_width_opens_in_the_windows_own_size(app, qtbot, tmp_path):
    c, w = app, app.view
    set_the_moment(qtbot, c)
    good = tmp_path / "laptop.nnscene"
    save_scene(qtbot, c, good)

    def other_screen(d):  # saveGeometry's screen width (after magic, version, two rects, screen, two flags)
        geometry = bytearray(d["scene/window_geometry"].tobytes())
        geometry[46:50] = struct.pack(">i", 3 * w.screen().geometry().width())
        d["scene/window_geometry"] = np.frombuffer(bytes(geometry), np.uint8)
    projector = rewrite(good, tmp_path / "projector.nnscene", other_screen)
    change_everything(qtbot, c)
    w.resize(1500, 850)
    qtbot.waitUntil(lambda: (w.width(), w.height()) == (1500, 850))
    open_scene(qtbot, c, projector)
    assert c.warnings == [] and c.selected_neuron() == (2, 5) and w.panel_visible("chain_rule")
    assert (w.width(), w.height()) == (1500, 850)
    assert "another size" in w.statusBar().currentMessage()
