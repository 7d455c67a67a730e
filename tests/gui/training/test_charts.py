"""Training charts: every point kept, the display decimated, the moving average right."""
import numpy as np
import pytest

from core.history.series import GrowingArray, TrailingMean, minmax_indices, trailing_mean
from core.history.step_series import TrainingSeries
from gui.training.charts import AVERAGE_POINTS, MAX_POINTS, TrainingCharts
from gui.widgets.chart_style import layer_names


def naive_trailing_mean(values, window):
    """Oracle: the mean of the finite values among the last `window`, one point at a time."""
    out = []
    for i in range(len(values)):
        chunk = np.asarray(values[max(0, i - window + 1):i + 1], dtype=float)
        chunk = chunk[np.isfinite(chunk)]
        out.append(chunk.mean() if len(chunk) else np.nan)
    return np.array(out)


def run(n, layers=3, seed=0, start=1):
    rng = np.random.default_rng(seed)
    steps = np.arange(start, start + n)
    costs = 0.1 + np.exp(-steps / 5000) + 0.05 * rng.random(n)
    grads = rng.random((n, layers)) * np.arange(1, layers + 1)
    return steps, costs, grads


@pytest.fixture
def charts(qtbot):
    charts = TrainingCharts(average_window=10)
    qtbot.addWidget(charts)
    charts.resize(600, 500)
    return charts


# -- core.series -----------------------------------------------------------------------------
def test_growing_array_keeps_every_row_and_doubles_its_capacity():
    array = GrowingArray((2,), np.float64, capacity=4)
    blocks = [np.full((k, 2), k, dtype=float) for k in range(1, 40)]
    for block in blocks:
        array.append(block)
    np.testing.assert_array_equal(array.values(), np.concatenate(blocks))
    assert array.capacity == 1024  # 4 doubled until the 780 rows fit
    assert not array.values().flags.writeable
    array.truncate(5)
    assert len(array) == 5


@pytest.mark.parametrize("window", [1, 3, 10, 1000])
def test_trailing_mean_matches_the_naive_mean_and_skips_nan(window):
    values = np.random.default_rng(1).random(300)
    values[[5, 6, 100]] = [np.nan, np.inf, np.nan]
    tm = TrailingMean()
    for part in np.array_split(values, 7):  # appended in blocks, as the charts receive it
        tm.append(part)
    np.testing.assert_allclose(tm.at(np.arange(300), window), naive_trailing_mean(values, window))
    np.testing.assert_allclose(trailing_mean(values, window), naive_trailing_mean(values, window))


def test_minmax_decimation_keeps_every_extreme_and_stays_bounded():
    y = np.random.default_rng(2).standard_normal(100_000)
    idx = minmax_indices(y, 2000)
    assert len(idx) <= 2000 + 2 and np.all(np.diff(idx) > 0)
    assert idx[0] == 0 and idx[-1] == len(y) - 1
    width = -(-len(y) // (2000 // 2 - 1))
    for start in range(0, len(y), width):  # each bucket's min and max survive
        bucket = y[start:start + width]
        kept = y[idx[(idx >= start) & (idx < start + width)]]
        assert bucket.max() in kept and bucket.min() in kept
    np.testing.assert_array_equal(minmax_indices(y, 2000, 10, 500), np.arange(10, 500))


# -- TrainingSeries --------------------------------------------------------------------------
def test_series_forgets_steps_from_a_restart_on():
    series = TrainingSeries()
    series.append_steps(*run(100))
    series.append_steps(*run(10, seed=3, start=51))  # resumed from step 50
    assert len(series) == 60 and series.steps[-1] == 60
    series.append_steps(*run(5, seed=4))  # reset: starts at step 1 again
    np.testing.assert_array_equal(series.steps, np.arange(1, 6))


def test_series_grad_means_are_per_layer_trailing_means():
    steps, costs, grads = run(300)
    series = TrainingSeries()
    series.append_steps(steps[:100], costs[:100], grads[:100])
    series.append_steps(steps[100:], costs[100:], grads[100:])
    x, means = series.grad_average_points(0, 300, 7, 1000)
    np.testing.assert_array_equal(x, steps)
    for layer in range(3):
        np.testing.assert_allclose(means[:, layer], naive_trailing_mean(grads[:, layer], 7))
    x, _ = series.grad_average_points(0, 300, 7, 50)
    assert len(x) == 50


def test_series_changes_layer_count_by_starting_afresh():
    series = TrainingSeries()
    series.append_steps(*run(20, layers=3))
    series.append_steps(*run(5, layers=2, start=21))
    assert series.n_layers == 2 and len(series) == 5


def test_evaluation_at_an_earlier_epoch_replaces_the_later_ones():
    series = TrainingSeries()
    for epoch in (1, 2, 3):
        series.add_evaluation("test", epoch, 0.5 + epoch / 10, 0.2)
    series.add_evaluation("test", 2, 0.9, 0.1)
    np.testing.assert_allclose(series.evaluations("test"), [[1, 0.6, 0.2], [2, 0.9, 0.1]])
    with pytest.raises(ValueError):
        series.add_evaluation("validation", 1, 0.5, 0.1)


def test_layer_names_follow_the_neuron_layers():
    assert layer_names(3) == ["input → hidden 1", "hidden 1 → hidden 2", "hidden 2 → output"]
    assert layer_names(1) == ["input → output"]


# -- TrainingCharts --------------------------------------------------------------------------
def test_charts_keep_every_point_and_draw_a_bounded_number_after_100k_steps(charts):
    steps, costs, grads = run(100_000)
    for i in range(0, len(steps), 1000):
        charts.append_steps(steps[i:i + 1000], costs[i:i + 1000], grads[i:i + 1000])
    np.testing.assert_array_equal(charts.steps(), steps)
    np.testing.assert_array_equal(charts.series.costs, costs)
    np.testing.assert_array_equal(charts.series.grad_norms, grads)
    assert charts.redraw_count == 0  # appends only store and mark dirty
    charts.redraw()
    assert 0 < len(charts.raw_curve.xData) <= MAX_POINTS + 2
    assert len(charts.average_curve.xData) <= AVERAGE_POINTS
    assert len(charts.grad_curves) == 3
    for curve in charts.grad_curves:
        assert len(curve.xData) <= AVERAGE_POINTS
    # a spike is never decimated away
    assert charts.raw_curve.yData.max() == costs.max() and charts.raw_curve.yData.min() == costs.min()


def test_moving_average_curve_is_the_mean_of_the_last_window_costs(charts):
    steps, costs, grads = run(500)
    charts.append_steps(steps, costs, grads)
    charts.window.setValue(25)
    charts.redraw()
    # the curve may be thinned to about a point per pixel column: every point it keeps is exact
    shown = np.asarray(charts.average_curve.xData)
    assert len(shown) >= 200 and shown[0] == steps[0] and shown[-1] == steps[-1]
    at = np.searchsorted(steps, shown)
    np.testing.assert_array_equal(steps[at], shown)
    np.testing.assert_allclose(charts.average_curve.yData, naive_trailing_mean(costs, 25)[at])
    for layer, curve in enumerate(charts.grad_curves):  # gradient norms are smoothed the same way
        at = np.searchsorted(steps, np.asarray(curve.xData))
        np.testing.assert_allclose(curve.yData, naive_trailing_mean(grads[:, layer], 25)[at])


def test_a_zoomed_view_draws_only_the_visible_steps_in_full(charts):
    steps, costs, grads = run(50_000)
    charts.append_steps(steps, costs, grads)
    charts.follow.setChecked(False)  # as zooming with the mouse does
    # 200 steps: fewer than the least point budget (400), whatever width the unshown plot was laid out at
    charts.cost_plot.setXRange(1000, 1200, padding=0)
    charts.redraw()
    x = charts.raw_curve.xData
    assert x[0] >= 998 and x[-1] <= 1202
    np.testing.assert_array_equal(x[1:-1], np.arange(x[1], x[-2] + 1))  # every step shown
    charts.follow.setChecked(True)
    charts.redraw()
    assert charts.raw_curve.xData[-1] == 50_000
    assert charts.cost_plot.getViewBox().viewRange()[0][1] >= 50_000  # the whole run in view


def test_appends_wait_for_the_throttled_redraw(charts, qtbot):
    charts.show()
    qtbot.waitExposed(charts)
    charts.append_steps(*run(10))
    charts.append_steps(*run(10, start=11))
    assert charts.redraw_count == 0
    qtbot.waitUntil(lambda: charts.redraw_count == 1, timeout=2000)
    np.testing.assert_array_equal(charts.raw_curve.xData, np.arange(1, 21))


def test_hidden_charts_keep_the_data_and_redraw_only_when_shown(charts, qtbot):
    charts.append_steps(*run(30))
    qtbot.wait(300)  # several redraw periods
    assert charts.redraw_count == 0 and len(charts.steps()) == 30
    charts.show()
    qtbot.waitUntil(lambda: charts.redraw_count == 1, timeout=2000)
    np.testing.assert_array_equal(charts.raw_curve.xData, np.arange(1, 31))


def test_a_redraw_period_set_again_and_again_does_not_hold_the_redraw_back(charts, qtbot):
    # the window sets the period at every snapshot it shows while training runs
    charts.show()
    charts.set_redraw_period(0.3)
    start = 1
    for _ in range(20):  # 1 s of steps arriving, each time with the period set afresh
        charts.append_steps(*run(50, start=start))
        start += 50
        charts.set_redraw_period(0.3)
        qtbot.wait(50)
    assert charts.redraw_count >= 2


def test_accuracy_curves_show_percent_per_epoch(charts, qtbot):
    charts.show()
    charts.add_evaluation("train", 1.0, 0.91, 0.1)
    np.testing.assert_allclose(charts.accuracy_curves["train"].yData, [91.0])  # the first: at once
    # epochs ending faster than the charts redraw (full speed) are drawn together, soon
    charts.add_evaluation("test", 1.0, 0.9, 0.12)
    charts.add_evaluation("test", 2.0, 0.935, 0.09)
    qtbot.waitUntil(lambda: charts.accuracy_curves["test"].yData is not None
                    and len(charts.accuracy_curves["test"].yData) == 2, timeout=2000)
    np.testing.assert_allclose(charts.accuracy_curves["test"].yData, [90.0, 93.5])
    np.testing.assert_allclose(charts.accuracy_curves["test"].xData, [1.0, 2.0])
    np.testing.assert_allclose(charts.accuracy_curves["train"].yData, [91.0])


def test_clear_forgets_everything(charts):
    charts.append_steps(*run(100))
    charts.add_evaluation("test", 1.0, 0.9, 0.1)
    charts.redraw()
    charts.clear()
    assert len(charts.series) == 0 and len(charts.series.evaluations("test")) == 0
    assert charts.raw_curve.xData is None or len(charts.raw_curve.xData) == 0


def test_log_scale_option_and_themes(charts):
    charts.append_steps(*run(100))
    charts.log_cost.setChecked(True)
    assert charts.cost_plot.getAxis("left").logMode
    charts.set_dark(False)
    charts.set_layer_names(["first", "second", "third"])
    title = charts.grad_plot.titleLabel  # its whole wording names the layers (a narrow plot says it briefer)
    assert "third" in title.wordings[0] and "third" in title.toolTip()
    charts.set_dark(True)
    assert "hidden" not in title.wordings[0]


def test_side_by_side_charts_fit_a_narrow_dock(charts, qtbot):
    # at 1280×800 the charts dock is ~550 px wide: the three plots sit side by side, and
    # their titles (wider than a third of that) must not push the last plot out of view
    charts.resize(555, 230)
    charts.show()
    charts.append_steps(*run(300))
    charts.add_evaluation("test", 1.0, 0.9, 0.1)
    charts.redraw()
    qtbot.wait(50)
    width = charts.plots.viewport().width()
    assert charts.side_by_side
    right = charts.grad_plot.mapRectToScene(charts.grad_plot.boundingRect()).right()
    assert right <= width + 0.5
    assert charts.grad_plot.mapRectToScene(charts.grad_plot.boundingRect()).width() > 100


def test_the_gradient_plot_follows_the_cost_plots_step_range(charts, qtbot):
    charts.show()
    charts.append_steps(*run(300))
    charts.redraw(staged=True)  # live redraws give the gradient plot its turn a moment later
    charts.append_steps(*run(3000, start=301))
    charts.redraw(staged=True)
    qtbot.wait(200)
    cost_x = charts.cost_plot.getViewBox().viewRange()[0]
    grad_x = charts.grad_plot.getViewBox().viewRange()[0]
    assert cost_x[1] >= 3300
    np.testing.assert_allclose(grad_x, cost_x, rtol=1e-6)


def shown_tick_labels(axis):
    """Return (pixel x, text) of every labelled tick an axis draws now."""
    view_min, view_max = axis.range
    size = axis.geometry().width()
    labels = []
    for spacing, values in axis.tickValues(view_min, view_max, size):
        for value, text in zip(values, axis.tickStrings(values, 1.0, spacing)):
            if text:
                labels.append(((value - view_min) / (view_max - view_min) * size, text))
    return sorted(labels)


@pytest.mark.parametrize("width", [555, 900])
def test_step_axis_labels_never_run_into_each_other(charts, qtbot, width):
    # at 1280×800 the gradient plot's step axis is ~180 px wide: "10000" and "20000" touched
    charts.resize(width, 230)
    charts.show()
    charts.append_steps(*run(25_000))
    charts.redraw()
    qtbot.wait(50)
    from PySide6.QtGui import QFontMetricsF

    for plot in (charts.cost_plot, charts.grad_plot):
        axis = plot.getAxis("bottom")
        labels = shown_tick_labels(axis)
        assert len(labels) >= 2
        assert "20k" in [text for _, text in labels] or "10k" in [text for _, text in labels]
        metrics = QFontMetricsF(axis.style.get("tickFont") or axis.font())
        for (x0, t0), (x1, t1) in zip(labels, labels[1:]):
            half_widths = (metrics.horizontalAdvance(t0) + metrics.horizontalAdvance(t1)) / 2
            assert x1 - x0 >= half_widths + 4, (t0, t1, x1 - x0)


def test_short_tick_numbers_share_one_unit_per_axis():
    from gui.widgets.chart_style import short_numbers

    assert short_numbers([0, 10_000, 20_000], 10_000) == ["0", "10k", "20k"]
    assert short_numbers([0, 5_000, 10_000, 15_000], 5_000) == ["0", "5k", "10k", "15k"]
    assert short_numbers([0, 500_000, 1_500_000], 500_000) == ["0", "0.5M", "1.5M"]
    assert short_numbers([0, 2_000, 4_000], 2_000) == ["0", "2000", "4000"]
    assert short_numbers([0.5, 1.0], 0.5) == ["0.5", "1.0"]


def test_step_axes_tick_whole_steps_and_empty_accuracy_spans_the_percent_scale(charts, qtbot):
    charts.show()
    lo, hi = charts.accuracy_plot.getViewBox().viewRange()[1]
    assert lo <= 0 and hi >= 100  # not pyqtgraph's 0–1 before the first evaluation
    charts.append_steps(*run(2))
    charts.redraw()
    qtbot.wait(50)
    for plot in (charts.cost_plot, charts.grad_plot):
        labels = shown_tick_labels(plot.getAxis("bottom"))
        assert labels and all(float(text) == int(float(text)) for _, text in labels)


def test_after_a_reset_the_step_axes_start_again_from_zero(charts, qtbot):
    charts.show()
    qtbot.waitExposed(charts)
    charts.append_steps(*run(8000))
    charts.redraw()
    assert charts.cost_plot.getViewBox().viewRange()[0][1] > 7000
    charts.clear()  # Ctrl+R: the history is gone
    charts.redraw()
    for plot in (charts.cost_plot, charts.grad_plot):
        assert plot.getViewBox().viewRange()[0][1] < 100  # no 0–8k axis over no data
    charts.append_steps(*run(3))
    charts.redraw()
    assert charts.cost_plot.getViewBox().viewRange()[0][1] < 100


def test_resuming_from_a_step_cuts_every_chart_back_and_keeps_the_gradient_norms(charts):
    from gui.training.feeds import StepFeed

    feed = StepFeed()
    steps, costs, grads = run(40)
    for step, cost, norms in zip(steps, costs, grads):
        feed.append(int(step), float(cost), norms)
    for epoch in (1, 2, 3):
        feed.add_evaluation(split="test", epoch=float(epoch), step=10 * epoch, accuracy=0.5 + epoch / 10, cost=0.1)
    charts.take_feed(feed.drain())
    feed.truncate_after(15, 1.5)  # "Resume from here" at step 15
    charts.take_feed(feed.drain())
    assert list(charts.series.steps) == list(steps[:15])
    np.testing.assert_array_equal(charts.series.grad_norms, grads[:15])  # not emptied
    assert np.isfinite(charts.series.grad_norms).all()
    assert list(charts.series.evaluations("test")[:, 0]) == [1.0]
    for step, cost, norms in zip(*run(5, start=16)):  # training goes on from there
        feed.append(int(step), float(cost), norms)
    charts.take_feed(feed.drain())
    assert list(charts.series.steps) == list(range(1, 21))
