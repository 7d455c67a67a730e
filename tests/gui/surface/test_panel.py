"""The cost-surface panel: computes off the GUI thread, shows the right grid, follows requests."""
import numpy as np
import pytest

from core.data import Dataset
from core.landscape.grid import GridEvaluator
from core.landscape.planes import parameter_index
from core.network import Network
from core.snapshot import make_snapshot
from gui.surface.panel import SurfaceView
from gui.widgets.theme import theme

SIZES = (16, 6, 10)


@pytest.fixture
def small():
    """A 4×4-pixel dataset, a network for it, a snapshot and a short trajectory."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (300, 4, 4), dtype=np.uint8)
    labels = rng.integers(0, 10, 300).astype(np.uint8)
    ds = Dataset(images[:200], labels[:200], images[200:], labels[200:])
    net = Network(SIZES, seed=1)
    rows = np.stack([net.params + 0.05 * k * rng.standard_normal(net.n_params).astype(np.float32)
                     for k in (6, 4, 3, 1, 0)])
    grad = net.backprop(ds.inputs("train")[:50], ds.labels("train")[:50]).flat.copy()
    snap = make_snapshot(net, images[0], int(labels[0]), batch_grad=grad, learning_rate=0.5, step=40)
    return ds, net, snap, (np.array([0, 10, 20, 30, 40]), rows)


@pytest.fixture
def view(qtbot, small):
    ds, _, _, trajectory = small
    widget = SurfaceView()
    qtbot.addWidget(widget)
    widget.trajectory_requests = 0

    def answer():
        widget.trajectory_requests += 1
        widget.set_trajectory(*trajectory)

    widget.trajectoryWanted.connect(answer)
    widget.resolution_box.setValue(21)
    widget.sample_box.setCurrentIndex(0)  # 250 images: more than this dataset has, so all 200
    widget.set_dataset(ds)
    yield widget
    widget.shutdown()


def test_computes_and_shows_the_grid_of_the_current_snapshot(qtbot, view, small):
    _, net, snap, _ = small
    with qtbot.waitSignal(view.gridReady, timeout=20000):
        view.set_snapshot(snap)
    assert view.values.shape == (21, 21) and not view.busy
    x, y = view.frame.sample
    assert len(y) == 200
    expected = GridEvaluator(net, view.plane, x, y, view.frame.alphas, view.frame.betas).grid()
    assert np.allclose(view.values, expected, atol=1e-6)
    assert view.plane.kind == "pca"
    assert np.allclose(view.frame.path[-1], 0.0)  # the path ends at the current point
    # Hovering a grid point reports that point's cost.
    i, j = 4, 17
    text = view.plots.describe(view.frame.alphas[i], view.frame.betas[j])
    assert f"{view.values[i, j]:.5g}" in text
    assert view.plots.describe(1e9, 0.0) == ""
    assert not view.progress.isVisible()
    # The profile and the arrow arrived too.
    qtbot.waitUntil(lambda: view.plots.arrow_head.isVisible(), timeout=5000)
    steps, costs = view.plots.profile_curve.getData()
    assert costs[np.argmin(np.abs(steps))] == pytest.approx(net.cost_of(x, y), abs=1e-5)


def test_hovering_the_map_shows_alpha_beta_and_the_cost_there(qtbot, view, small):
    from PySide6.QtCore import QPointF

    _, _, snap, _ = small
    view.resize(600, 700)
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(view.gridReady, timeout=20000):
        view.set_snapshot(snap)
    i, j = 5, 12
    alpha, beta = view.frame.alphas[i], view.frame.betas[j]
    scene_pos = view.plots.map.vb.mapViewToScene(QPointF(alpha, beta))
    view.plots.scene().sigMouseMoved.emit(scene_pos)
    assert view.status_label.text() == f"α = {alpha:.4g}, β = {beta:.4g}: cost {view.values[i, j]:.5g}"
    view.plots.scene().sigMouseMoved.emit(QPointF(-1000, -1000))  # off the map: back to the status
    assert view.status_label.text().startswith(view.plane.labels[0])  # back to the plane's description


def test_a_newer_request_supersedes_an_older_one(qtbot, view, small):
    _, _, snap, _ = small
    ready = []
    view.gridReady.connect(lambda: ready.append(view.values.shape))
    view.set_snapshot(snap)  # request 1 (21 × 21) starts…
    view.resolution_box.setValue(31)
    view.recompute()  # …and request 2 replaces it at once
    qtbot.waitUntil(lambda: len(ready) > 0, timeout=20000)
    qtbot.wait(300)  # anything request 1 still sends must be ignored
    assert ready == [(31, 31)]
    assert view.values.shape == (31, 31)


def test_selecting_two_connections_switches_to_their_plane(qtbot, view, small):
    _, net, snap, _ = small
    with qtbot.waitSignal(view.gridReady, timeout=20000):
        view.set_snapshot(snap)
    view.select_connection(1, 3, 2)
    assert view.plane_kind() == "pca"  # one click is not a plane yet
    assert "click one more" in view.status_label.text()
    with qtbot.waitSignal(view.gridReady, timeout=20000):
        view.select_connection(0, 4, 7)
    first, second = parameter_index(SIZES, 1, 3, 2), parameter_index(SIZES, 0, 4, 7)
    assert view.plane_kind() == "parameters"
    assert view.selected_parameters() == (first, second)
    assert view.plane.parameters == (first, second)
    assert view.plane.labels == ("w1[3,2]", "w0[4,7]")
    # Moving along α changes exactly weights[1][3, 2].
    moved = view.plane.point(1.0, 0.0) - snap.params
    assert np.flatnonzero(moved).tolist() == [first]


def test_a_new_resolution_reuses_the_plane_and_sample_and_a_new_snapshot_does_not(qtbot, view, small):
    _, _, snap, _ = small
    with qtbot.waitSignal(view.gridReady, timeout=20000):
        view.set_snapshot(snap)
    plane, sample = view.plane, view.frame.sample
    with qtbot.waitSignal(view.gridReady, timeout=20000):
        view.resolution_box.setValue(31)
    assert view.plane is plane and view.frame.sample is sample and view.values.shape == (31, 31)
    view.follow_box.setChecked(True)
    view.follow_every_box.setValue(1)
    with qtbot.waitSignal(view.gridReady, timeout=20000):
        view.set_snapshot(snap.with_progress(step=snap.step + 1))
    assert view.plane is not plane and view.frame.sample is sample


def test_follow_training_recomputes_every_n_steps(qtbot, view, small):
    _, _, snap, _ = small
    with qtbot.waitSignal(view.gridReady, timeout=20000):
        view.set_snapshot(snap)
    asked = view.trajectory_requests
    view.follow_every_box.setValue(10)
    view.follow_box.setChecked(True)
    view.set_snapshot(snap.with_progress(step=45, running=True))  # 5 steps on: not yet
    assert view.trajectory_requests == asked
    with qtbot.waitSignal(view.gridReady, timeout=20000):
        view.set_snapshot(snap.with_progress(step=51, running=True))
    assert view.trajectory_requests == asked + 1


def test_pausing_or_stepping_by_hand_recomputes_for_the_new_point(qtbot, view, small):
    _, _, snap, _ = small
    with qtbot.waitSignal(view.gridReady, timeout=20000):
        view.set_snapshot(snap)
    asked = view.trajectory_requests
    view.set_snapshot(snap.with_progress(step=snap.step + 300, running=True))  # not following: no work
    assert view.trajectory_requests == asked
    with qtbot.waitSignal(view.gridReady, timeout=20000):
        view.set_snapshot(snap.with_progress(step=snap.step + 301, running=False))  # paused there
    assert view.trajectory_requests == asked + 1


def test_log_scale_manual_extent_and_light_theme(qtbot, view, small):
    _, _, snap, _ = small
    theme().set_dark(False)
    assert not view.plots.dark
    view.log_box.setChecked(True)
    view.extent_box.setCurrentIndex(1)
    view.half_width_box.setValue(0.5)
    with qtbot.waitSignal(view.gridReady, timeout=20000):
        view.set_snapshot(snap)
    assert view.frame.alphas[0] == pytest.approx(-0.5) and view.frame.betas[-1] == pytest.approx(0.5)
    assert view.plots.log


def test_a_failed_computation_is_reported(qtbot, view, small):
    _, net, snap, _ = small
    wrong = Dataset(np.zeros((20, 3, 3), np.uint8), np.zeros(20, np.uint8), np.zeros((5, 3, 3), np.uint8),
                    np.zeros(5, np.uint8))
    view.set_dataset(wrong)  # 9 inputs for a 16-input network
    with qtbot.waitSignal(view.statusChanged, timeout=20000,
                          check_params_cb=lambda text: text.startswith("Could not compute")):
        view.set_snapshot(snap)
    assert not view.busy


def test_computes_with_the_trajectory_it_has_when_nobody_answers(qtbot, small):
    ds, _, snap, _ = small
    widget = SurfaceView()  # trajectoryWanted is not connected to anything
    qtbot.addWidget(widget)
    widget.resolution_box.setValue(21)
    widget.set_dataset(ds)
    with qtbot.waitSignal(widget.gridReady, timeout=20000):
        widget.set_snapshot(snap)
    assert widget.plane.kind == "random"  # no trajectory: the PCA choice falls back, and says so
    assert "no trajectory yet" in widget.status_label.text()
    assert len(widget.frame.path) == 1
    widget.shutdown()


def test_a_narrow_panel_wraps_its_controls_and_title_and_keeps_the_colour_bar(qtbot, view):
    view.plots.set_slopes((0.3, -0.2), in_plane=0.09)  # the long title: "arrow: downhill, … in this plane)"
    view.resize(420, 600)
    view.show()
    qtbot.wait(100)
    assert view.minimumSizeHint().width() < 400  # the controls flow onto more rows instead
    rows = {view.plane_box.y(), view.recompute_button.y(), view.follow_box.parentWidget().y()}
    assert len(rows) >= 2
    plots = view.plots
    bar = plots.colorbar.mapRectToScene(plots.colorbar.boundingRect())
    assert bar.right() <= plots.viewport().width() + 0.5  # the colour scale is in view
    title = plots.map.titleLabel
    one_line = title.item.document().clone()
    one_line.setTextWidth(-1)
    assert title.item.document().size().height() >= 1.5 * one_line.size().height()  # wrapped, not cut
    assert plots.map.geometry().width() <= plots.viewport().width()


def test_the_last_steps_two_gradients_are_drawn_as_arrows_along_their_projections(qtbot, view, small):
    _, net, snap, _ = small
    view.show()
    with qtbot.waitSignal(view.gridReady, timeout=20000):
        view.set_snapshot(snap)
    batch, full = view.plane.d1 * 2.0 - view.plane.d2, view.plane.d2 * 3.0  # known projections
    view.show_step_arrows(batch, full)
    arrows = view.plots.step_arrows
    qtbot.waitUntil(lambda: arrows["batch"][1].isVisible() and arrows["full"][1].isVisible(), timeout=3000)
    for key, slopes in (("batch", (2.0, -1.0)), ("full", (0.0, 3.0))):
        xs, ys = arrows[key][0].getData()
        tip = np.array([xs[-1], ys[-1]])
        px, py = view.plots.map.vb.viewPixelSize()
        on_screen = tip / np.array([px, py])
        expected = -np.array(slopes) / np.array([px, py])
        cosine = on_screen @ expected / np.linalg.norm(on_screen) / np.linalg.norm(expected)
        assert cosine == pytest.approx(1.0, abs=1e-6)  # downhill: along minus the slopes
    view.show_step_arrows(np.zeros(3), np.zeros(3))  # another network's gradients: hidden
    assert not arrows["batch"][1].isVisible()


def test_in_a_wide_short_dock_the_profile_stands_beside_the_map(qtbot):
    from gui.surface.plots import SurfacePlots

    plots = SurfacePlots()
    qtbot.addWidget(plots)
    plots.resize(540, 190)  # the cost surface brought forward in a 1280×800 window
    plots.show()
    qtbot.waitUntil(lambda: plots.side_by_side)
    map_box, profile_box = plots.map.geometry(), plots.profile.geometry()
    assert profile_box.left() >= map_box.right() - 1 and profile_box.height() > 100
    plots.resize(500, 600)  # a tall dock: below it
    qtbot.waitUntil(lambda: not plots.side_by_side)
    assert plots.profile.geometry().top() >= plots.map.geometry().bottom() - 1


def test_side_by_side_the_plots_take_the_whole_height(qtbot):
    from gui.surface.plots import SurfacePlots

    plots = SurfacePlots()
    qtbot.addWidget(plots)
    plots.resize(1000, 320)  # the cost surface brought forward at 1920×1080
    plots.show()
    qtbot.waitUntil(lambda: plots.side_by_side)
    qtbot.wait(50)
    assert plots.map.geometry().height() > 0.8 * plots.height()
    assert plots.profile.geometry().height() > 0.8 * plots.height()
