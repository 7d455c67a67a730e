"""The sample view shows the example's outputs and cost term by term, and asks for other examples."""
import numpy as np
import pytest
from toys import snapshot, toy_dataset, trained


@pytest.fixture(scope="module")
def toy():
    ds = toy_dataset()
    net, _, _ = trained(ds, steps=3)
    return ds, net


@pytest.fixture
def view(qtbot, toy):
    from gui.example.sample import SampleView

    widget = SampleView()
    qtbot.addWidget(widget)
    widget.set_dataset(toy[0])
    widget.show()
    return widget


def table_column(view, col):
    t = view.cost_table
    return [t.item(row, col).text() for row in range(t.rowCount())]


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_the_cost_breakdown_sums_to_the_cost_backprop_reports(qtbot, cost):
    from gui.example.sample import SampleView

    ds = toy_dataset()
    net, _, _ = trained(ds, steps=3, cost=cost)
    view = SampleView()
    qtbot.addWidget(view)
    view.set_dataset(ds)
    snap = snapshot(net, ds, "test", 6)
    view.set_snapshot(snap)
    view.refresh()
    g = net.backprop(ds.images("test")[6:7], ds.labels("test")[6:7])
    assert view.cost_terms.sum() == pytest.approx(g.cost, rel=1e-9)
    shown_terms = [float(t) for t in table_column(view, 3)]
    assert sum(shown_terms) == pytest.approx(g.cost, abs=6e-4)  # four decimals per term
    assert f"{g.cost:.4f}" in view.cost_sum.text()
    outputs = g.forward.activations[-1][0]
    assert [float(t) for t in table_column(view, 1)] == pytest.approx(outputs, abs=6e-5)
    assert table_column(view, 2) == ["1" if j == snap.label else "0" for j in range(4)]
    if cost == "quadratic":
        assert np.allclose(view.cost_terms, (outputs - np.eye(4)[snap.label]) ** 2)
    else:
        assert view.cost_terms[snap.label] == pytest.approx(-np.log(outputs[snap.label]))
        assert np.count_nonzero(view.cost_terms) == 1


def test_it_shows_the_example_outputs_and_prediction(view, toy):
    ds, net = toy
    snap = snapshot(net, ds, "train", 11)
    view.set_snapshot(snap)
    view.refresh()
    assert np.allclose(view.bars.opts["height"], snap.activations[-1])
    assert view.index.value() == 11 and view.split_key == "train"
    assert f"Prediction: <b>{ds.class_names[snap.prediction]}</b>" in view.prediction_text.text()
    assert ds.class_names[snap.label] in view.label_text.text()
    assert f"{snap.example_cost:.4f}" in view.cost_text.text()


def test_a_drawing_has_outputs_but_no_cost(view, toy):
    ds, net = toy
    view.set_snapshot(snapshot(net, ds, x=ds.images("train")[0]))
    view.refresh()
    assert view.cost_terms is None
    assert "no cost" in view.cost_sum.text() and "Your drawing" in view.title.text()
    assert table_column(view, 3) == [""] * 4


def test_next_previous_and_the_index_ask_for_examples(view, toy, qtbot):
    ds, net = toy
    view.set_snapshot(snapshot(net, ds, "test", 0))
    view.refresh()
    with qtbot.waitSignal(view.exampleRequested) as sig:
        view.next.click()
    assert sig.args == ["test", 1]
    asked = []
    view.exampleRequested.connect(lambda split, i: asked.append((split, i)))
    view.previous.click()
    view.previous.click()  # from 0 back round to the last test example
    assert asked == [("test", 0), ("test", len(ds.test_labels) - 1)]
    with qtbot.waitSignal(view.exampleRequested) as sig:
        view.index.setValue(42)
    assert sig.args == ["test", 42]
    with qtbot.waitSignal(view.exampleRequested) as sig:
        view.split.setCurrentIndex(0)
    assert sig.args == ["train", 42]


def test_follow_the_batch_and_choosing_an_example_stops_following(view, qtbot):
    with qtbot.waitSignal(view.followBatchToggled) as sig:
        view.follow.setChecked(True)
    assert sig.args == [True]
    seen = []
    view.followBatchToggled.connect(lambda on: seen.append(("follow", on)))
    view.exampleRequested.connect(lambda split, i: seen.append((split, i)))
    view.next.click()
    assert seen == [("follow", False), ("train", 1)]


def test_next_misclassified_finds_the_networks_next_mistake(view, toy, qtbot):
    ds, net = toy
    wrong = np.flatnonzero(net.predict(ds.images("test")) != ds.labels("test"))
    assert len(wrong) >= 2
    view.set_snapshot(snapshot(net, ds, "test", int(wrong[0])))
    view.refresh()
    with qtbot.waitSignal(view.exampleRequested, timeout=10000) as sig:
        view.misclassified.click()
    assert sig.args == ["test", int(wrong[1])]


def test_a_narrow_dock_puts_follow_under_next_misclassified(qtbot, toy):
    from PySide6.QtWidgets import QScrollArea

    from gui.example.sample import SampleView

    view = SampleView()
    view.set_dataset(toy[0])
    area = QScrollArea()  # as the window's docks hold their panels
    area.setWidgetResizable(True)
    area.setWidget(view)
    qtbot.addWidget(area)
    area.resize(700, 500)
    area.show()
    qtbot.waitUntil(lambda: view.controls.getItemPosition(view.controls.indexOf(view.follow))[0] == 1)
    assert abs(view.follow.geometry().center().y() - view.misclassified.geometry().center().y()) <= 2
    area.resize(320, 500)  # the dock at 1280×800
    qtbot.waitUntil(lambda: view.controls.getItemPosition(view.controls.indexOf(view.follow))[0] == 2)
    qtbot.wait(20)
    assert view.follow.geometry().top() > view.misclassified.geometry().bottom()
    assert view.width() <= area.viewport().width()  # no sideways scrolling
    area.resize(700, 500)
    qtbot.waitUntil(lambda: view.controls.getItemPosition(view.controls.indexOf(view.follow))[0] == 1)


def test_the_drawing_panel_speaks_of_digits_only_for_digit_data(qtbot, mnist):
    from core.data import Dataset
    from gui.example.draw import DrawView

    view = DrawView()
    qtbot.addWidget(view)
    view.set_dataset(mnist)
    assert view.panel_title() == "Draw a digit" and "a digit" in view.hint.text()
    fashion = Dataset(mnist.train_images[:5], mnist.train_labels[:5], mnist.test_images[:5], mnist.test_labels[:5],
                      name="fashion")  # no classes.txt: classes named 0…9, yet clothes
    view.set_dataset(fashion)
    assert view.panel_title() == "Draw an input" and "digit" not in view.hint.text()
